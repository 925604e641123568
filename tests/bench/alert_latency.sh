#!/bin/sh
# Alert latency: a private hub with one rule, a console tailing alerts,
# bench_alert_latency posting events and timing ack -> alert push.
#   B=build/rel N=300 [LOAD=EVENTS_PER_S] sh tests/bench/alert_latency.sh
# LOAD runs loadgen (2 connections, that rate) meanwhile.
set -u
export WARD_ALLOW_ROOT=1	# benchmarks start hubs as whoever runs them
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=${B:-build/rel}
T=$(mktemp -d /tmp/ward-bench.XXXXXX)
while :; do PORT=$(shuf -i 20000-32000 -n 1); ss -Hltn "sport = :$PORT" | grep -q . || break; done
mkdir -p "$T/data/rules" "$T/home"
cat >"$T/data/rules/lat.yml" <<'R'
title: Latency marker
id: bench-latency
level: high
detection:
  sel:
    summary|contains: WARD-LAT-
  condition: sel
ward:
  group-by: [hostname]
  summary: "{summary}"
R
"$ROOT/bin/wardd" --data "$T/data" --listen 127.0.0.1:$PORT 2>"$T/hub.log" &
HUB=$!
i=0
until curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz"; do
	i=$((i + 1)); [ $i -gt 100 ] && { echo "bench: hub did not start"; cat "$T/hub.log"; exit 1; }
	sleep 0.1
done
TOKEN=$("$ROOT/bin/wardd" token add --data "$T/data" bench | tail -n 1)
HOME=$T/home "$ROOT/bin/ward" keygen >/dev/null
"$ROOT/bin/wardd" user add --data "$T/data" bench viewer "$T/home/.config/ward/id_ed25519.pub" >/dev/null
HOME=$T/home WARD_USER=bench WARD_HUB=ws://127.0.0.1:$PORT "$ROOT/bin/ward" whoami >/dev/null 2>&1
LG=
if [ -n "${LOAD:-}" ]; then
	"$ROOT/$B/bench/loadgen" -u "http://127.0.0.1:$PORT" -t "$TOKEN" -c 2 \
		-r "$LOAD" -d 3600 >/dev/null 2>&1 &
	LG=$!
	echo "background ingest: $LOAD events/s"
fi
"$ROOT/$B/bench/bench_alert_latency" -u "http://127.0.0.1:$PORT" -t "$TOKEN" -n "${N:-300}" \
	-w "HOME=$T/home WARD_USER=bench WARD_HUB=ws://127.0.0.1:$PORT exec $ROOT/bin/ward tail --alerts --json 2>/dev/null"
rc=$?
[ -n "$LG" ] && kill $LG 2>/dev/null
kill $HUB; wait $HUB
rm -rf "$T"
exit $rc
