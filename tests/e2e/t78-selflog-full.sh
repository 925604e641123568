#!/bin/sh
# The hub's own warnings while its pipeline is full and does not move (a
# plugin holds the only worker, --max-inflight 1): each is stored once the
# pipeline moves again, none is lost, and meanwhile they wait in a place
# of bounded size — one job of them in the pipeline at most, beside the
# shippers' slot — not one job more every second they keep coming.
. "$(dirname "$0")/lib.sh"
P=$T/plugins
mkdir -p "$P"
cat >"$P/hold.py" <<EOF
import os
import time


class message(object):
    registration = ['holdme']

    def onMessage(self, message, metadata):
        while os.path.exists('$T/hold'):
            time.sleep(0.05)
        return (message, metadata)
EOF
UDP=$(free_port)
touch "$T/hold"
start_hub --workers 1 --max-inflight 1 --plugins "$P" \
	--plugin-timeout 600000 --gelf "udp://127.0.0.1:$UDP" || exit 1
TOKEN=$(new_token t78)
printf '{"category":"holdme","summary":"held in the pipeline"}\n' >"$T/held"
curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
	--data-binary @"$T/held" "$URL/events" >"$T/held.code" &
held=$!
i=0
while [ "$(metric ward_ingest_queue_depth)" != 1 ] && [ $i -lt 300 ]; do
	sleep 0.05; i=$((i + 1))
done
eq "the held request takes the only slot" "$(metric ward_ingest_queue_depth)" 1
printf '{"summary":"small"}\n' >"$T/small"
r=$(post /events "$T/small")
eq "the next request gets 429" "${r%% *}" 429
# Four warnings more, each of its own words and a second or more apart,
# so that the hub has something new to store every second: GELF datagrams
# the listener drops, for four reasons.
udp_send() {
	/usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(sys.argv[2].encode("utf-8", "surrogateescape"), ("127.0.0.1", int(sys.argv[1])))' "$UDP" "$1"
}
max=1
for m in 'hello' '[1]' '{"version":"1.1","host":"h"}' "$(printf '\037\213garbage')"; do
	udp_send "$m"
	sleep 1.5
	d=$(metric ward_ingest_queue_depth)
	[ "$d" -gt "$max" ] && max=$d
done
for why in 'not JSON' 'not a JSON object' 'no short_message' 'compressed data is corrupt'; do
	check "the hub warned: $why" grep -q "dropped a message from 127.0.0.1: $why" "$T/hub.log"
done
eq "while it is full, the hub's own events hold one job in the pipeline at most" "$max" 2
rm -f "$T/hold"
wait $held
eq "the held request is acknowledged" "$(cat "$T/held.code")" 200
ward_q() {
	for f in "$DATA"/events/*.db; do
		sqlite3 "$f" "select count(*) from events_full where category = 'ward' and $1"
	done | awk '{ s += $1 } END { print s + 0 }'
}
W="(summary like 'ingest: answering 429%' or summary like '%dropped a message from%')"
i=0
while [ "$(ward_q "$W")" -lt 5 ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
eq "once it moves, each of the five warnings is an event" "$(ward_q "$W")" 5
for why in 'not JSON' 'not a JSON object' 'no short_message' 'compressed data is corrupt'; do
	eq "... $why" "$(ward_q "summary like '%dropped a message from 127.0.0.1: $why%'")" 1
done
eq "none was left out" "$(ward_q "summary like '%were not stored%'")" 0
i=0
while [ "$(metric ward_ingest_queue_depth)" != 0 ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
eq "the pipeline empties" "$(metric ward_ingest_queue_depth)" 0
r=$(post_acked /events "$T/small")
eq "and takes requests again" "${r%% *}" 200
done_testing
