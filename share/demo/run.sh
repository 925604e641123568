#!/bin/sh
# make demo: start a hub on 127.0.0.1 with a fresh data dir, create a lead
# (alice) and a handler (bob), replay the demo scenario into the hub, and
# open the console as alice when run on a terminal (printing the command
# that opens bob's); otherwise show how to look at what arrived.
#   WARD_DEMO_PORT=9200  DEMO_SPEED=4  DEMO_SECONDS=0 (0: run until ^C)
set -eu
export WARD_ALLOW_ROOT=1	# a throwaway hub, as whoever runs the demo
root=$(cd "$(dirname "$0")/../.." && pwd)
port=${WARD_DEMO_PORT:-9200}
speed=${DEMO_SPEED:-4}
data=$(mktemp -d /tmp/ward-demo.XXXXXX)
url=http://127.0.0.1:$port
"$root/bin/wardd" --data "$data" --listen "127.0.0.1:$port" \
	>"$data/wardd.log" 2>&1 &
hub=$!
trap 'kill $hub 2>/dev/null; wait $hub 2>/dev/null; echo; echo "demo: hub stopped; data kept in $data"' EXIT INT TERM
i=0
until curl -s -o /dev/null "$url/healthz"; do
	i=$((i + 1))
	if [ $i -gt 100 ] || ! kill -0 $hub 2>/dev/null; then
		echo "demo: the hub did not start (is port $port free? set WARD_DEMO_PORT):"
		cat "$data/wardd.log"
		exit 1
	fi
	sleep 0.1
done
ship=$("$root/bin/wardd" token add --data "$data" demo-shipper | tail -n 1)
read=$("$root/bin/wardd" token add --data "$data" demo-reader --role reader | tail -n 1)
# People: keys and known_hubs live under the demo's own HOME, so the demo
# never touches (or trips over) your ~/.config/ward.
export HOME="$data/home"
mkdir -p "$HOME"
for who in alice:lead bob:handler; do
	name=${who%%:*} role=${who#*:}
	"$root/bin/ward" keygen --key "$data/$name.key" >/dev/null
	"$root/bin/wardd" user add --data "$data" "$name" "$role" "$data/$name.key.pub" >/dev/null
done
console() {	# the command that opens the console as $1
	echo "HOME=$HOME $root/bin/ward --hub ws://127.0.0.1:$port --user $1 --key $data/$1.key"
}
cat <<MSG
ward demo: hub on $url, data in $data (log: $data/wardd.log)
  shipper token: $ship
  reader token:  $read
Replaying the scenario (an SSH brute force from 203.0.113.7 against
bastion, web1 and web2, a password spray from 198.51.100.23, then a
successful login on web2 and what follows) at ${speed}x speed...
MSG
if [ -t 0 ] && [ -t 1 ] && [ "${DEMO_SECONDS:-0}" -eq 0 ]; then
	cat <<MSG

People: alice (lead) and bob (handler).  The console opens as alice in a
moment; the scenario streams in behind it.  Open bob's in another terminal:
  $(console bob)
Keys: 1 events, 2 alerts, 3 incidents, ? help, : commands, q quit.
MSG
	sleep 3
	SPEED=$speed "$root/share/demo/replay.sh" "$url" "$ship" 120 \
		>"$data/replay.log" 2>&1 &
	"$root/bin/ward" --hub "ws://127.0.0.1:$port" --user alice \
		--key "$data/alice.key"
	exit 0
fi
SPEED=$speed "$root/share/demo/replay.sh" "$url" "$ship" 120
cat <<MSG

Stored: $(curl -s "$url/metrics" | awk '$1 == "ward_store_events" { print $2 }') events.  Look at them:
  curl -s -H 'Authorization: Bearer $read' '$url/api/search?q=summary:Failed+AND+details.sourceipaddress:203.0.113.7&limit=5'
  curl -s -H 'Authorization: Bearer $read' '$url/api/search?q=category:authentication+|+count+by+hostname'
  sqlite3 $data/events/\$(date -u +%F).db "select hostname, summary from events_full where summary like 'Accepted%'"
  curl -s $url/metrics | grep ^ward_
Open the console as alice (lead) or bob (handler):
  $(console alice)
  $(console bob)
Send your own:
  curl -H 'Authorization: Bearer $ship' -d '{"summary":"hello","hostname":"me"}' $url/events
MSG
if [ "${DEMO_SECONDS:-0}" -gt 0 ]; then
	sleep "$DEMO_SECONDS"
else
	echo "The hub keeps running; press Ctrl-C to stop it."
	wait $hub
fi
