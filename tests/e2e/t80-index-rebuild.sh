#!/bin/sh
# A day whose full-text index file (DATA/events/DAY.fts) is deleted,
# truncated or overwritten does not break search: the hub warns at start
# (and the warning is an event too), answers every search of that day
# exactly (reading it without the index meanwhile), rebuilds the file from
# the day's events in the background, and then reads it through the index
# again.  A file damaged while the hub runs is noticed by the search that
# reads it, which answers in full all the same.
. "$(dirname "$0")/lib.sh"
need_faketime
TOKEN=$(new_token t80)
READER=$(new_token reader80 reader)
PORT=$(free_port)
N=3000	# events a day: enough for an index of several pages
day() {	# day DD: N events stored on 2026-10-DD by a hub whose clock says so
	awk -v d=$1 -v n=$N 'BEGIN { for (i = 0; i < n; i++)
		printf "{\"timestamp\":\"2026-10-%sT10:%02d:%02dZ\",\"summary\":\"zebra day%s event %d%s\",\"details\":{\"tag\":\"uniq%s%04d\"}}\n",
		    d, int(i / 60) % 60, i % 60, d, i, (i % 3 == 0 ? " quokka" : ""), d, i }' >"$T/day$1"
	start_hub_at "2026-10-$1 12:00:00" || exit 1
	r=$(post_acked /events "$T/day$1" -H 'Content-Type: application/x-ndjson')
	eq "day $1 is stored" "$r" "200 {\"accepted\":$N,\"rejected\":0}"
	stop_hub
}
day 01
day 02
day 03
F1=$DATA/events/2026-10-01.fts
F2=$DATA/events/2026-10-02.fts
F3=$DATA/events/2026-10-03.fts

q() {	# q QUERY: the search API's answer
	curl -s -G -H "Authorization: Bearer $READER" --data-urlencode "q=$1" \
		--data-urlencode 'limit=100000' "$URL/api/search"
}
count() {	# count QUERY: its count; a search told to run again (503: it met
	# a damaged file after it had started answering) is run again once,
	# as wardd(8) tells a client to, and the first answer shown
	a=$(q "$1 | count")
	c=$(printf '%s' "$a" | jq -r 'select(.count != null) | .count' 2>/dev/null)
	if [ -z "$c" ]; then
		printf '# count %s answered: %.300s\n' "$1" "$a" >&2
		sleep 1
		c=$(q "$1 | count" | jq -r 'select(.count != null) | .count' 2>/dev/null)
	fi
	printf '%s\n' "$c"
}
hits() { q "$1" | jq -r 'select(.id != null) | .details.tag' | sort | tr '\n' ' '; }
mark() {	# mark FILE: the highest event id the index file says it holds
	sqlite3 "$1" "select value from meta where key = 'indexed'"
}
top() { sqlite3 "${1%.fts}.db" 'select max(id) from events'; }
# searches() WHEN: every count and hit of the three days, exact
searches() {
	eq "$1: a word of every event counts them all" "$(count zebra)" $((3 * N))
	eq "$1: a word of a third of them" "$(count quokka)" $((3 * N / 3))
	eq "$1: a word of one day's events" "$(count day02)" $N
	eq "$1: two words, one day" "$(count 'day03 AND quokka')" $((N / 3))
	eq "$1: a rare word finds its one event" "$(hits uniq020017)" "uniq020017 "
	eq "$1: rare words of each day" "$(hits 'uniq010005 OR uniq020005 OR uniq030005')" \
		"uniq010005 uniq020005 uniq030005 "
	eq "$1: count by day" "$(q 'zebra | count by processname' | jq -r 'select(.count != null) | .count')" $((3 * N))
}
wait_count() {	# wait_count PATTERN N: wait up to 30 s for N lines of the log
	i=0
	while [ "$(grep -c "$1" "$T/hub.log")" -lt "$2" ] && [ $i -lt 300 ]; do
		sleep 0.1; i=$((i + 1))
	done
}
rebuilt() {	# rebuilt DAY FILE: wait for the rebuild of DAY, check FILE
	wait_grep "$T/hub.log" "index: $1: rebuilt"
	check "$1: the hub says it rebuilt the index" grep -q "index: $1: rebuilt: $N events indexed" "$T/hub.log"
	eq "$1: the rebuilt file holds every event (its mark is the last id)" "$(mark "$2")" "$(top "$2")"
	eq "$1: and its words" "$(sqlite3 "$2" "select count(*) from fts where fts match 'zebra'")" $N
}

start_hub || exit 1
searches "whole indexes"
stop_hub

# 1. Deleted by hand while the hub is down.
rm -f "$F2" "$F2-wal" "$F2-shm"
start_hub || exit 1
check "the hub warns that the index is missing" \
	grep -q 'warning: index: 2026-10-02: its full-text index file is missing; rebuilding it' "$T/hub.log"
searches "one index deleted"
rebuilt 2026-10-02 "$F2"
eq "/metrics counts the rebuild" "$(metric_becomes ward_index_rebuilt_total 1)" 1
eq "/metrics: no day is being rebuilt any more" "$(metric_becomes ward_index_rebuilding_days 0)" 0
eq "/healthz is ok again" "$(curl -s "$URL/healthz")" ok
searches "after the rebuild"
# The warning is an event of category ward (hub/selflog.c), found by search.
i=0
while [ "$(count 'category:ward AND missing AND rebuilding')" != 1 ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
eq "the warning is stored as an event" "$(count 'category:ward AND missing AND rebuilding')" 1
stop_hub

# 2. Truncated (a copy cut short, a disk error).
size=$(stat -c %s "$F3")
truncate -s $((size / 2)) "$F3"
start_hub || exit 1
check "the hub warns that the index is truncated" \
	grep -q 'warning: index: 2026-10-03: its full-text index file is truncated' "$T/hub.log"
searches "one index truncated"
rebuilt 2026-10-03 "$F3"
stop_hub

# 3. Overwritten (garbage where the file was).
head -c 65536 /dev/urandom >"$F1"
start_hub || exit 1
check "the hub warns that the index is not a database" \
	grep -q 'warning: index: 2026-10-01: its full-text index file is not an SQLite database' "$T/hub.log"
searches "one index overwritten"
rebuilt 2026-10-01 "$F1"
eq "/metrics: one rebuild since this start" "$(metric ward_index_rebuilt_total)" 1

# 4. Replaced by a damaged copy while the hub runs, its header and size
# intact: the search that reads it finds out, and answers in full all the
# same.
pages=$(($(stat -c %s "$F2") / 32768))
cp "$F2" "$F2.x"
dd if=/dev/zero of="$F2.x" bs=32768 seek=1 count=$((pages - 1)) conv=notrunc 2>/dev/null
mv "$F2.x" "$F2"
searches "one index damaged while the hub runs"
check "the hub warns that it is damaged" grep -q 'warning: index: 2026-10-02: its full-text index file is damaged' "$T/hub.log"
wait_count 'index: 2026-10-02: rebuilt' 2
eq "it is rebuilt" "$(grep -c 'index: 2026-10-02: rebuilt' "$T/hub.log")" 2
searches "after that rebuild"

# 5. Deleted while the hub runs: today's index too, while events arrive.
awk 'BEGIN { for (i = 0; i < 500; i++) printf "{\"summary\":\"zebra today %d\"}\n", i }' >"$T/today"
r=$(post_acked /events "$T/today" -H 'Content-Type: application/x-ndjson')
eq "today's events are stored" "$r" '200 {"accepted":500,"rejected":0}'
FT=$DATA/events/$(date -u +%F).fts
rm -f "$F3" "$FT"
eq "a search after the deletes counts everything" "$(count zebra)" $((3 * N + 500))
r=$(post_acked /events "$T/today" -H 'Content-Type: application/x-ndjson')
eq "more events arrive meanwhile" "$r" '200 {"accepted":500,"rejected":0}'
eq "a search counts them too" "$(count zebra)" $((3 * N + 1000))
wait_count "index: $(date -u +%F): rebuilt" 1
wait_count 'index: 2026-10-03: rebuilt' 2
check "both are rebuilt" sh -c "[ -s '$F3' ] && [ -s '$FT' ]"
eq "/metrics: no day is being rebuilt" "$(metric_becomes ward_index_rebuilding_days 0)" 0
i=0	# the events that came during the rebuild: caught up after it
while [ "$(sqlite3 "$FT" "select count(*) from fts where fts match 'zebra'")" != 1000 ] && [ $i -lt 150 ]; do
	sleep 0.1; i=$((i + 1))
done
eq "today's index holds its events again" "$(sqlite3 "$FT" "select count(*) from fts where fts match 'zebra'")" 1000
eq "/metrics: no day's index is behind" "$(metric_becomes ward_index_broken_days 0)" 0
eq "and a search still counts everything" "$(count zebra)" $((3 * N + 1000))
done_testing
