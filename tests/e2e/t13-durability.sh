#!/bin/sh
# kill -9 while several clients ingest: after a restart every acknowledged
# event is stored, with its content.
. "$(dirname "$0")/lib.sh"
LOADGEN=$ROOT/${B:-build/rel}/bench/loadgen
start_hub || exit 1
TOKEN=$(new_token t13)
for c in 1 2 3; do
	"$LOADGEN" -u "$URL" -t "$TOKEN" -c 2 -b 200 -d 5 -s $c -a "$T/acked.$c" \
		>"$T/load.$c" 2>&1 &
done
sleep 3
kill9_hub
wait
n_acked=$(cat "$T"/acked.* | wc -l)
check "clients had events acknowledged before the kill" test "$n_acked" -gt 0
echo "# acknowledged before kill -9: $n_acked"
start_hub || exit 1
stored=$(stored_count)
check "at least every acknowledged event is stored ($n_acked)" test "$stored" -ge "$n_acked"
eq "ward_store_events counts them after the restart" "$(metric ward_store_events)" "$stored"
# Content: every acknowledged loadid (seed, connection, sequence) is in
# the store.
for f in "$DATA"/events/*.db; do
	sqlite3 "$f" "select json_extract(doc, '$.details.loadid') from events_full"
done | sort >"$T/stored_ids"
cat "$T"/acked.* | sort >"$T/acked_ids"
missing=$(comm -23 "$T/acked_ids" "$T/stored_ids" | wc -l)
eq "no acknowledged loadid is missing" "$missing" 0
db=$(ls "$DATA"/events/*.db | head -n 1)
check "stored events are whole (summary and details intact)" test \
	"$(sqlite3 "$db" "select count(*) from events_full where summary like '%password for%' and json_extract(doc,'$.details.sourceipaddress') is not null")" -eq "$(sqlite3 "$db" 'select count(*) from events')"
check "the database passes integrity_check" sh -c "sqlite3 '$db' 'pragma integrity_check' | grep -qx ok"
done_testing
