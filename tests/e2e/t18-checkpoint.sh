#!/bin/sh
# The WAL is copied back into the partition while the hub runs (a
# checkpoint needs its connection to have seen the file in WAL mode), and
# a reader holding a snapshot does not stop ingest.
. "$(dirname "$0")/lib.sh"
LOADGEN=$ROOT/${B:-build/rel}/bench/loadgen
# No rules: this test is about the store, and on a busy machine the
# rules' backlog would slow it down with 429s (loadgen waits 1 s on each).
mkdir -p "$T/norules"
start_hub --rules "$T/norules" || exit 1
TOKEN=$(new_token t18)
# ~100k events: a few hundred MB of WAL, past the 64 MiB checkpoint mark.
"$LOADGEN" -u "$URL" -t "$TOKEN" -c 2 -b 1000 -n 100000 -d 600 >"$T/load.out" 2>&1
check "loadgen's events were all acknowledged" \
	grep -q '^events acked   100000 ' "$T/load.out"
DB=$(ls "$DATA"/events/*.db | head -n 1)
size=$(stat -c %s "$DB")
check "the partition file grew while the hub ran (checkpointed: $size bytes)" \
	test "$size" -gt 20000000
# A long read does not stop the writer: a sqlite3 reader holds a snapshot
# for 3 s while more events arrive.
sqlite3 -readonly "$DB" "SELECT count(*) FROM events_full WHERE doc LIKE '%zzz%';
	SELECT 1 FROM events, (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL
	SELECT x + 1 FROM c WHERE x < 3000000) SELECT x FROM c) LIMIT 0;" \
	>/dev/null 2>&1 &
R=$!
"$LOADGEN" -u "$URL" -t "$TOKEN" -c 2 -b 1000 -n 20000 -s 2 -d 600 >"$T/load2.out" 2>&1
check "ingest goes on while a reader holds a snapshot" \
	grep -q '^events acked   20000 ' "$T/load2.out"
wait "$R"
eq "every event is stored" "$(metric ward_store_events)" 120000
stop_hub
done_testing
