#!/bin/sh
# A partition's WAL stays bounded under searches that never pause
# (wardd --wal-max): while loadgen ingests ~100k events (a few hundred MB
# of WAL), two loops search every partition back to back.  Past the
# bound the checkpointer makes new searches of the day wait for the ones
# reading it and truncates the WAL; every search still answers, and
# afterwards they count every event, exactly.
. "$(dirname "$0")/lib.sh"
LOADGEN=$ROOT/${B:-build/rel}/bench/loadgen
# No rules: this test is about the store and searches (see t18).
mkdir -p "$T/norules"
start_hub --rules "$T/norules" --wal-max 2M || exit 1
TOKEN=$(new_token t37)
READER=$(new_token t37r reader)

search() {	# search QUERY: the answer's body into $T/s.out, status out
	curl -s -o "$T/s.out" -w '%{http_code}' -G -H "Authorization: Bearer $READER" \
	    --data-urlencode "q=$1" --data-urlencode limit=1000 "$URL/api/search"
}
searcher() {	# searcher N: back to back until $T/stop, a status a line
	while [ ! -e "$T/stop" ]; do
		for q in '* | count by hostname' 'zzznomatch' '* | count'; do
			curl -s -o /dev/null -w '%{http_code}\n' -G \
			    -H "Authorization: Bearer $READER" \
			    --data-urlencode "q=$q" "$URL/api/search" >>"$T/codes.$1"
		done
	done
}
walmax() {	# the largest -wal file of the day partitions and their index
	stat -c %s "$DATA"/events/*-wal 2>/dev/null | sort -n | tail -n 1
}

"$LOADGEN" -u "$URL" -t "$TOKEN" -c 2 -b 1000 -n 100000 -d 600 >"$T/load.out" 2>&1 &
L=$!
sleep 1
searcher 1 &
S1=$!
searcher 2 &
S2=$!
max=0
while kill -0 $L 2>/dev/null; do
	w=$(walmax)
	[ -n "$w" ] && [ "$w" -gt "$max" ] && max=$w
	sleep 0.1
done
wait $L
touch "$T/stop"
wait $S1 $S2
check "loadgen's events were all acknowledged" \
	grep -q '^events acked   100000 ' "$T/load.out"
# Unbounded, the WAL passes 64 MB before the first checkpoint is even
# asked for; bounded at 2 MB it stays far below that even while the
# searches inside the gate finish (seconds of ingest on a busy machine).
check "the WAL stayed under 40 MB with --wal-max 2M (largest seen: $max bytes)" \
	test "$max" -lt 40000000
n=$(cat "$T"/codes.* | wc -l)
check "the $n searches meanwhile all answered 200" \
	test "$n" -gt 0 -a "$(grep -cv '^200$' "$T"/codes.*  | awk -F: '{ s += $NF } END { print s }')" -eq 0
# (the hub's own warnings, category ward, are events too: left out)
eq "a search counts every event" "$(search 'NOT category:ward | count'; cat "$T/s.out")" '200{"count":100000}'
eq "... as the partitions hold them" "$(stored_count)" 100000
hosts=$(search 'NOT category:ward | count by hostname' >/dev/null; sed 's/.*"count":\([0-9]*\).*/\1/' "$T/s.out" | awk '{ s += $1 } END { print s }')
eq "count by hostname adds up to every event" "$hosts" 100000
stop_hub
done_testing
