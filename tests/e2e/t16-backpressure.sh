#!/bin/sh
# A full pipeline answers 429 with Retry-After, and nothing is dropped
# silently: what was answered 2xx is stored, what was answered 429 is not.
. "$(dirname "$0")/lib.sh"
start_hub --max-inflight 1 --max-inflated 256m || exit 1
TOKEN=$(new_token t16)
# A big gzip body keeps the only pipeline slot busy for a while.
awk 'BEGIN { for (i = 0; i < 90000; i++)
	printf "{\"summary\":\"bulk event %d from the slow batch\",\"hostname\":\"h%d\",\"details\":{\"n\":%d}}\n", i, i % 50, i }' |
	gzip -1 >"$T/big.gz"
printf '{"summary":"small"}\n' >"$T/small"
curl -s -o "$T/big.out" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
	-H 'Content-Encoding: gzip' -H 'Content-Type: application/x-ndjson' \
	--data-binary @"$T/big.gz" "$URL/events" >"$T/big.code" &
big=$!
i=0	# wait until the big request is in the pipeline
while [ "$(metric ward_ingest_queue_depth)" != 1 ] && [ $i -lt 200 ]; do
	sleep 0.02; i=$((i + 1))
done
code=$(curl -s -D "$T/h" -o "$T/r" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
	--data-binary @"$T/small" "$URL/events")
eq "a request while the pipeline is full gets 429" "$code" 429
check "... with Retry-After" grep -qi '^retry-after: [0-9]' "$T/h"
check "... and a reason" grep -q 'full' "$T/r"
wait $big
eq "the big request is acknowledged" "$(cat "$T/big.code")" 200
eq "the 429 is counted" "$(metric ward_ingest_throttled_total)" 1
# The hub's warning about the 429 is an event of its own (category
# ward), stored within a second or so.
ward_count() {
	for f in "$DATA"/events/*.db; do
		sqlite3 "$f" "select count(*) from events_full where category = 'ward' and summary like 'ingest: answering 429%'"
	done | awk '{ s += $1 } END { print s + 0 }'
}
i=0
while [ "$(ward_count)" = 0 ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
eq "the hub's warning about the 429 is one event" "$(ward_count)" 1
eq "all of it is stored, the refused one is not" "$(stored_count)" 90000
i=0	# the rules see the big batch after it is acknowledged
while [ "$(metric ward_alerter_backlog)" != 0 ] && [ $i -lt 600 ]; do
	sleep 0.05; i=$((i + 1))
done
r=$(post /events "$T/small")
eq "once the pipeline and the rules drain, ingest goes on" "$r" '200 {"accepted":1,"rejected":0}'
done_testing
