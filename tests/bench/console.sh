#!/bin/sh
# The console under load: a real hub, events streaming in at RATE/s
# (loadgen, one connection, batches of 100), the console tailing them in a
# tmux pty (SSH-like: a pty, a terminal emulator on the other side), keys
# typed into it meanwhile.  Figures, not assertions:
#   CPU      utime+stime of the ward process from /proc, over the window
#            after a warm-up, as % of one core
#   frames   doupdate() calls counted by ward itself (WARD_TUI_STATS)
#   RSS      VmRSS and VmHWM of ward from /proc after the window, and
#            again once the scroll-back is full (100k events held: the
#            stream goes on at FILL_RATE/s until the pane says
#            "100000/100000 rows"; FULL=0 skips that)
#   keys     time from reading a key to the doupdate() that shows its
#            effect, measured by ward (max and p99 bucket); and, from the
#            outside, send-keys -> the change seen by capture-pane (polled,
#            so it includes tmux's own latency)
#   B=build/rel RATE=2000 SECONDS_=30 FILL_RATE=4000 sh tests/bench/console.sh
set -u
export WARD_ALLOW_ROOT=1	# benchmarks start hubs as whoever runs them
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=${B:-build/rel}
RATE=${RATE:-2000}
DUR=${SECONDS_:-30}
FULL=${FULL:-1}
FILL_RATE=${FILL_RATE:-4000}
WARD=${WARD_CONSOLE:-$ROOT/bin/ward}
T=$(mktemp -d /tmp/ward-bench-console.XXXXXX)
PORT=$(shuf -i 20000-32000 -n 1)
TM="tmux -S $T/tmux.sock -f /dev/null"
HUB=
cleanup() { $TM kill-server 2>/dev/null; [ -n "$HUB" ] && kill $HUB 2>/dev/null; wait 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT

"$ROOT/bin/wardd" --data "$T/data" --listen 127.0.0.1:$PORT 2>"$T/hub.log" &
HUB=$!
i=0
until curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz"; do
	i=$((i + 1)); [ $i -gt 100 ] && { echo "bench: hub did not start"; exit 1; }
	sleep 0.1
done
TOKEN=$("$ROOT/bin/wardd" token add --data "$T/data" bench | tail -n 1)
mkdir -p "$T/home"
HOME=$T/home WARD_USER=bench "$ROOT/bin/ward" keygen >/dev/null 2>&1
"$ROOT/bin/wardd" user add --data "$T/data" bench lead \
	"$T/home/.config/ward/id_ed25519.pub" >/dev/null
cat >"$T/run.sh" <<EOS
export HOME=$T/home WARD_USER=bench WARD_HUB=ws://127.0.0.1:$PORT
export TERM=tmux-256color LANG=C.UTF-8 WARD_TUI_STATS=$T/stats
echo \$\$ >$T/ward.pid
exec "$WARD" 2>$T/ward.err
EOS
$TM new-session -d -s b -x 160 -y 50 "sh $T/run.sh"
i=0
until $TM capture-pane -p -t b | grep -q '\[ready\]'; do
	i=$((i + 1)); [ $i -gt 100 ] && { echo "bench: console not ready"; $TM capture-pane -p -t b; exit 1; }
	sleep 0.1
done
PID=$(cat "$T/ward.pid")
cpu() { awk '{ print $14 + $15 }' /proc/$PID/stat; }
HZ=$(getconf CLK_TCK)

"$ROOT/$B/bench/loadgen" -u "http://127.0.0.1:$PORT" -t "$TOKEN" -c 1 -b 100 \
	-r "$RATE" -d "$DUR" >"$T/loadgen.out" 2>&1 &
LG=$!
sleep 5			# warm-up: the ring fills, the hub settles
c0=$(cpu); t0=$(date +%s%N)
# Keys while it streams: move up and down (the tail pauses and follows),
# 40 times, 250 ms apart; the outside latency is taken on view switches.
ext=""
for i in $(seq 1 20); do
	$TM send-keys -t b k; sleep 0.25
	$TM send-keys -t b G; sleep 0.25
done
for v in 2 1 2 1 2 1; do
	s=$(date +%s%N)
	$TM send-keys -t b "$v"
	want=$([ "$v" = 2 ] && echo ' id .*severity .*status' || echo 'query:')
	until $TM capture-pane -p -t b | grep -q "$want"; do :; done
	ext="$ext $(( ($(date +%s%N) - s) / 1000 ))"
	sleep 0.2
done
wait $LG
c1=$(cpu); t1=$(date +%s%N)
rss=$(awk '/^VmRSS/ { print $2 }' /proc/$PID/status)
hwm=$(awk '/^VmHWM/ { print $2 }' /proc/$PID/status)
full=""
if [ "$FULL" = 1 ]; then
	# On until the scroll-back is full: 100k events and some to spare.
	more=$(( (105000 - RATE * DUR) / FILL_RATE + 1 ))
	[ $more -lt 1 ] && more=1
	"$ROOT/$B/bench/loadgen" -u "http://127.0.0.1:$PORT" -t "$TOKEN" -c 1 \
		-b 100 -r "$FILL_RATE" -d "$more" >"$T/fill.out" 2>&1
	i=0
	until $TM capture-pane -p -t b | grep -q ' 100000/100000 rows'; do
		i=$((i + 1)); [ $i -gt 300 ] && break
		sleep 0.1
	done
	sleep 1
	if $TM capture-pane -p -t b | grep -q ' 100000/100000 rows'; then
		full="$(awk '/^VmRSS/ { print $2 }' /proc/$PID/status) $(awk \
		    '/^VmHWM/ { print $2 }' /proc/$PID/status)"
	else
		full="none"
	fi
fi
$TM send-keys -t b q
i=0; while [ ! -s "$T/stats" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done

el=$(( (t1 - t0) / 1000000 ))
echo "loadgen: $(tail -n 3 "$T/loadgen.out" | tr '\n' ' ')"
awk -v c0="$c0" -v c1="$c1" -v hz="$HZ" -v ms="$el" 'BEGIN {
	printf "console CPU: %.1f%% of one core over %.1f s (while streaming and typing)\n",
	    (c1 - c0) / hz * 100 / (ms / 1000), ms / 1000 }'
echo "console RSS: $((rss / 1024)) MB now, $((hwm / 1024)) MB peak (after the window)"
case "$full" in
"") ;;
none) echo "console RSS, scroll-back full: the pane never showed 100000/100000 rows" ;;
*) set -- $full
   echo "console RSS, scroll-back full (100000 events held): $(($1 / 1024)) MB now, $(($2 / 1024)) MB peak" ;;
esac
sed 's/^/console stats: /' "$T/stats"
echo "key -> screen, outside (send-keys -> capture-pane shows it), us:$ext"
