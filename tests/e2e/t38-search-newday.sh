#!/bin/sh
# Searches racing a day partition's creation: the writer creates the
# file DATA/events/DAY.db empty at the day's first event and lays it out
# (with its index file DAY.fts) a moment later.  A search that meets the
# file in between must answer as for a day without events, and must keep
# nothing of what it saw: once the day has its layout, full-text searches
# find its events, never "no such table".
. "$(dirname "$0")/lib.sh"
search() {	# search QUERY: the answer's body
	curl -s -G -H "Authorization: Bearer $READER" --data-urlencode "q=$1" \
		--data-urlencode "limit=1000" "$URL/api/search"
}
start_hub || exit 1
TOKEN=$(new_token t38)
READER=$(new_token reader38 reader)

# The race: searches in a loop while the hub stores the day's first
# events (the first creates the partition and its index file).
: >"$T/answers"
(
	while [ ! -f "$T/stop" ]; do
		search 'nosuchmodifier' >>"$T/answers"
		search 'wombat' >>"$T/answers"
	done
) &
loop=$!
sleep 0.3
i=1
while [ $i -le 40 ]; do
	printf '{"hostname":"d%d","summary":"wombat %d"}\n' $i $i >"$T/ev"
	post_acked /events "$T/ev" >>"$T/posts"; echo >>"$T/posts"
	i=$((i + 1))
done
sleep 1
: >"$T/stop"
wait $loop
eq "every event was stored" "$(grep -c '^200 {"accepted":1,' "$T/posts")" 40
eq "no search answered an error while the day's partition was created" \
	"$(grep -v '"summary":"wombat [0-9]*"' "$T/answers" | sort | uniq -c | head -5)" ""
check "the searches ran" test -s "$T/answers"
eq "afterwards every event is found by its word" "$(search 'wombat | count')" \
	'{"count":40}'
eq "... and by a full-text search listing them" \
	"$(search 'wombat' | wc -l | tr -d ' ')" 40
stop_hub

# The same state held still: a fresh hub, today's partition created and
# not laid out yet when the first searches come.
mv "$DATA" "$T/data.race"
start_hub || exit 1
TOKEN=$(new_token t38)
READER=$(new_token reader38 reader)
mkdir -p "$DATA/events"
f=$DATA/events/$(date -u +%F).db
(set -C; : >"$f") 2>/dev/null	# never truncate one the hub made
chmod 600 "$f"
eq "a partition not laid out yet answers as empty" "$(search 'nosuchmodifier')" ""
eq "... and counts nothing" "$(search 'nosuchmodifier | count')" '{"count":0}'
printf '{"hostname":"h38","summary":"first quokka of the day"}\n' >"$T/first"
eq "the day's first event is stored" "$(post_acked /events "$T/first")" \
	'200 {"accepted":1,"rejected":0}'
eq "then a full-text search through the same connections is clean" \
	"$(search 'nosuchmodifier')" ""
eq "... and finds the day's event" "$(search 'quokka' | jq -r .summary)" \
	"first quokka of the day"
eq "... and a count finds it" "$(search 'quokka | count')" '{"count":1}'
eq "... and a field search counts it" "$(search 'hostname:h38 | count')" \
	'{"count":1}'
done_testing
