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
# The hub's own warnings are events too (category ward; under this load,
# the rules' group evictions): the shipped events are the others
# (stored_count), the gauge counts both.
stored=$(for f in "$DATA"/events/*.db; do
	sqlite3 "$f" "select count(*) from events"
done | awk '{ n += $1 } END { print n }')
shipped=$(stored_count)
check "at least every acknowledged event is stored ($n_acked)" test "$shipped" -ge "$n_acked"
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
	"$(sqlite3 "$db" "select count(*) from events_full where summary like '%password for%' and json_extract(doc,'$.details.sourceipaddress') is not null")" -eq "$(sqlite3 "$db" "select count(*) from events where category is not 'ward'")"
check "the database passes integrity_check" sh -c "sqlite3 '$db' 'pragma integrity_check' | grep -qx ok"

# The full-text index is written beside the store and may trail it when
# the hub dies; at start it catches up from the documents, so a word
# finds every stored event that has it.
READER=$(new_token t13r reader)
words() {	# stored events whose summary has the word $1
	for f in "$DATA"/events/*.db; do
		sqlite3 "$f" "select count(*) from events_full where ' ' || lower(summary) || ' ' like '% $1 %'"
	done | awk '{ n += $1 } END { print n }'
}
by_word() {
	curl -s -G -H "Authorization: Bearer $READER" \
		--data-urlencode "q=$1 | count" "$URL/api/search" | jq .count
}
want=$(words accepted)
check "some stored summaries say Accepted ($want)" test "$want" -gt 0
eq "after kill -9 a word finds every stored event with it" "$(by_word accepted)" "$want"
top() {	# the highest event id of partition $1, and its index's mark
	printf '%s %s' "$(sqlite3 "$1" 'select max(id) from events')" \
		"$(sqlite3 "${1%.db}.fts" "select value from meta where key = 'indexed'")"
}
stop_hub
marks=$(for f in "$DATA"/events/*.db; do top "$f"; echo; done | awk '$1 != $2' | wc -l)
eq "after a clean stop every index's mark is its partition's last id" "$marks" 0
# An index file deleted while the hub is down is rebuilt after start, in
# the background; searches find everything meanwhile and after.
rm -f "$DATA"/events/*.fts "$DATA"/events/*.fts-wal "$DATA"/events/*.fts-shm
start_hub || exit 1
check "the hub says the index is missing" grep -q 'its full-text index file is missing; rebuilding it' "$T/hub.log"
eq "a word finds every stored event all the same" "$(by_word accepted)" "$want"
wait_grep "$T/hub.log" 'index: .*: rebuilt: '
check "the hub says it rebuilt the index" grep -q 'index: .*: rebuilt: ' "$T/hub.log"
eq "a deleted index is rebuilt from the documents" "$(by_word accepted)" "$want"
eq "a word of the details too" "$(by_word loadgen | tr -d ' ')" "$shipped"
done_testing
