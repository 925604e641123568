#!/bin/sh
# make bench BENCH=inputs: the syslog TCP listener and the RabbitMQ
# consumer end to end (first byte sent, or hub serving on a full queue,
# to the last event committed), each beside rsyslog receiving the same
# lines over TCP into a file (imtcp -> omfile) in the same run.  Figures,
# not assertions: read them next to the load average printed beside each,
# and the CPU seconds per 100k events (hub, broker; robust to load).
# RabbitMQ runs twice: one event a message (MozDef's shippers) and
# AMQP_BATCH events a message (NDJSON bodies, a batching shipper); each
# is followed by the same messages drained by tests/bench/amqp_drain.c,
# a consumer that only acknowledges them: what the broker itself can
# deliver on these cores, the ceiling for any consumer.  The
# queue is filled before the hub starts (tests/bench/amqp_fill.c; the
# publisher is not what is measured) and the hub drains it.
#   SYSLOG_N=500000  AMQP_N=200000  AMQP_BATCH=100  [AMQP_PREFETCH=N]  [AMQP_QUEUE_VERSION=2]  [AMQP_TIME=now|stale]  sh tests/bench/inputs.sh
# AMQP_QUEUE_VERSION=2: the queues declared as RabbitMQ's version 2
# classic queues (x-queue-version; the broker's own default is 1 here).
# The MozDef events are SSH failures from 250 addresses (the brute-force
# rule fires on every tenth of an address); AMQP_TIME=stale dates them
# all hours back, so the stale-clock rule also fires on every one.
# SYSLOG_N=0 or AMQP_N=0 skips that part.  PERF=FILE: perf record -g of
# the hub while it drains the queue, into FILE.1 and FILE.$AMQP_BATCH
# (PERF_HZ samples a second, 499; PERF_FLAGS instead of -g).  HUB_WRAP:
# a command the hubs run under ("nice -n 10", "valgrind --tool=callgrind").
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export WARD_ALLOW_ROOT=1	# the hubs run as whoever runs this
T=$(mktemp -d /tmp/ward-bench-inputs.XXXXXX)
SN=${SYSLOG_N:-500000}
AN=${AMQP_N:-200000}
AB=${AMQP_BATCH:-100}
APF=${AMQP_PREFETCH:+&prefetch=$AMQP_PREFETCH}
B=${B:-build/rel}
port() { shuf -i 20000-32000 -n 1; }
now() { date +%s.%N; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%d events in %.2f s: %.0f events/s", n, b - a, n / (b - a) }'; }
HUB= RS= BROKER=
cleanup() {
	[ -n "$HUB" ] && kill $HUB 2>/dev/null && wait $HUB 2>/dev/null
	[ -n "$RS" ] && kill $RS 2>/dev/null
	if [ -n "$BROKER" ]; then
		/usr/lib/rabbitmq/bin/rabbitmqctl -n "$RABBITMQ_NODENAME" stop >/dev/null 2>&1
		wait $BROKER 2>/dev/null
		# the node's epmd outlives it; it refuses while a node is up
		i=0
		until epmd -kill >/dev/null 2>&1 || [ $i -gt 20 ]; do
			sleep 0.5; i=$((i + 1))
		done
	fi
	rm -rf "$T"
}
trap cleanup EXIT
echo "== inputs, $(date -u +%FT%TZ), $(nproc) cores, load: $(uptime | sed 's/.*load average: //')"

# The lines: sshd and sudo as a busy bastion logs them, RFC 3164 with
# <PRI>, about 110 bytes each.
/usr/bin/python3 - "$([ "$SN" -gt "$AN" ] && echo "$SN" || echo "$AN")" "$T/lines" <<'EOPY'
import sys
n, out = int(sys.argv[1]), open(sys.argv[2], "w")
for i in range(n):
	if i % 3:
		out.write("<38>Dec  7 10:%02d:%02d bastion%d sshd[%d]: Failed password for root from 203.0.113.%d port %d ssh2\n"
		          % (i // 60 % 60, i % 60, i % 7, 20000 + i % 5000, i % 250, 30000 + i % 30000))
	else:
		out.write("<86>Dec  7 10:%02d:%02d bastion%d sudo[%d]: alice : TTY=pts/%d ; PWD=/home/alice ; USER=root ; COMMAND=/bin/ls\n"
		          % (i // 60 % 60, i % 60, i % 7, 30000 + i % 5000, i % 9))
EOPY
send() {	# send PORT FILE: the file over one TCP connection
	/usr/bin/python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(open(sys.argv[2], "rb").read())
s.close()' "$1" "$2"
}
hub_start() {	# hub_start FLAGS...: a fresh hub on $HP; HUB_CPU0: its CPU ticks once serving
	rm -rf "$T/data"
	HP=$(port)
	${HUB_WRAP:-} "$ROOT/bin/wardd" --data "$T/data" --listen 127.0.0.1:$HP "$@" 2>>"${HUBLOG:-$T/hub.log}" &
	HUB=$!
	i=0
	until curl -s -o /dev/null "http://127.0.0.1:$HP/healthz"; do
		i=$((i + 1)); [ $i -gt 100 ] && { echo "bench: hub did not start"; cat "$T/hub.log"; exit 1; }
		sleep 0.1
	done
	HUB_CPU0=$(ticks $HUB)
}
stored() { curl -s "http://127.0.0.1:$HP/metrics" | awk '$1 == "ward_events_stored_total" { print $2 }'; }
hub_wait() {	# hub_wait N: until N events are committed; prints the time
	while :; do
		s=$(stored)
		[ "${s:-0}" -ge "$1" ] && break
		sleep 0.05
	done
	now
}
ticks() {	# ticks PID: user + system CPU ticks of the process so far
	[ -n "$1" ] || { echo 0; return; }
	sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $12 + $13 }'
}
threads() {	# threads PID: CPU seconds by thread name, busiest first
	for t in /proc/$1/task/*; do
		sed 's/.*(\(.*\)) [A-Z] /\1 /' "$t/stat" 2>/dev/null
	done | awk -v hz="$(getconf CLK_TCK)" '{ c[$1] += $12 + $13 } END { for (k in c) if (c[k] / hz >= 0.05) printf "%s %.2f\n", k, c[k] / hz }' |
	    sort -k2 -rn | awk '{ printf "%s%s %s s", (NR > 1 ? ", " : ""), $1, $2 }'
}
faults() {	# faults PID: the process's minor page faults so far
	sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $8 }'
}
per100k() {	# per100k TICKS N: CPU seconds per 100,000 events
	awk -v t="$1" -v n="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz / n * 100000 }'
}
load() { uptime | sed 's/.*load average: //'; }
hub_stop() { kill $HUB; wait $HUB 2>/dev/null; HUB=; }
rsyslog_run() {	# rsyslog_run N FILE: N lines over TCP into a file; prints the rate
	RP=$(port)
	rm -rf "$T/rs" "$T/rs.out"; mkdir -p "$T/rs"
	cat >"$T/rs.conf" <<CONF
global(workDirectory="$T/rs")
module(load="imtcp")
input(type="imtcp" port="$RP" address="127.0.0.1")
action(type="omfile" file="$T/rs.out" template="RSYSLOG_FileFormat")
CONF
	rsyslogd -n -f "$T/rs.conf" -i "$T/rs/pid" >"$T/rs.log" 2>&1 &
	RS=$!
	i=0
	until ss -Hltn "sport = :$RP" | grep -q .; do i=$((i + 1)); [ $i -gt 100 ] && break; sleep 0.05; done
	t0=$(now)
	send "$RP" "$2"
	while [ "$( (wc -l <"$T/rs.out") 2>/dev/null || echo 0)" -lt "$1" ]; do sleep 0.05; done
	t1=$(now)
	kill $RS; wait $RS 2>/dev/null; RS=
	rate "$1" "$t0" "$t1"
}

if [ "$SN" -gt 0 ]; then
echo "== syslog over TCP, newline-framed RFC 3164, one connection, $SN lines (durable + FTS, default rules and parsers)"
head -n "$SN" "$T/lines" >"$T/lines.s"
SP=$(port)
hub_start --syslog "tcp://127.0.0.1:$SP"
t0=$(now)
send "$SP" "$T/lines.s"
t1=$(hub_wait "$SN")
c=$(($(ticks $HUB) - HUB_CPU0))
echo "wardd --syslog:   $(rate "$SN" "$t0" "$t1"); hub CPU $(per100k $c "$SN") s/100k events; load $(load)"
echo "  hub threads: $(threads $HUB); minor faults: $(faults $HUB)"
hub_stop
echo "rsyslog -> file:  $(rsyslog_run "$SN" "$T/lines.s"); load $(load)"
fi

[ "$AN" -gt 0 ] || exit 0
RMQ=/usr/lib/rabbitmq/bin
if [ ! -x "$RMQ/rabbitmq-server" ] || [ ! -x "$ROOT/$B/bench/amqp_fill" ] || [ ! -x "$ROOT/$B/bench/amqp_drain" ]; then
	echo "== amqp: rabbitmq-server or $B/bench/amqp_fill, amqp_drain (make tools) is missing; skipped"
	exit 0
fi
export HOME=$T/rmq RABBITMQ_NODENAME=wardbench$$@localhost RABBITMQ_NODE_PORT=$(port) \
	RABBITMQ_DIST_PORT=$(port) ERL_EPMD_PORT=$(port) \
	RABBITMQ_MNESIA_BASE=$T/rmq/mnesia RABBITMQ_LOG_BASE=$T/rmq/log \
	RABBITMQ_PID_FILE=$T/rmq/pid RABBITMQ_ENABLED_PLUGINS_FILE=$T/rmq/plugins \
	RABBITMQ_CONFIG_FILE=$T/rmq/rabbitmq
mkdir -p "$T/rmq"; echo '[].' >"$T/rmq/plugins"
"$RMQ/rabbitmq-server" >"$T/rmq/server.log" 2>&1 &
BROKER=$!
i=0
until "$RMQ/rabbitmqctl" -n "$RABBITMQ_NODENAME" await_startup --timeout 120 >/dev/null 2>&1; do
	i=$((i + 1)); [ $i -gt 120 ] && { echo "bench: rabbitmq-server did not start"; exit 1; }
	sleep 1
done
BEAM=$(ss -Hltnp "sport = :$RABBITMQ_NODE_PORT" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -n 1)
AURL="amqp://guest:guest@127.0.0.1:$RABBITMQ_NODE_PORT"
/usr/bin/python3 - "$AN" "$T/mozdef" "${AMQP_TIME:-now}" <<'EOPY'
import sys, json, datetime
n, out = int(sys.argv[1]), open(sys.argv[2], "w")
# now: the events carry the time they were made, as a shipper's do;
# stale: a fixed morning, so every event is also hours off its arrival
# and the stale-clock rule fires on each (a rules flood on top).
t = "2026-12-07T10:00:00+00:00" if sys.argv[3] == "stale" else \
	datetime.datetime.now(datetime.timezone.utc).isoformat()
for i in range(n):
	out.write(json.dumps({"category": "authentication", "hostname": "bastion%d" % (i % 7),
		"processname": "sshd", "processid": 20000 + i % 5000, "severity": "NOTICE",
		"summary": "Failed password for root from 203.0.113.%d port %d ssh2" % (i % 250, 30000 + i % 30000),
		"tags": ["mozdef"], "timestamp": t,
		"details": {"sourceipaddress": "203.0.113.%d" % (i % 250), "username": "root", "success": False}}) + "\n")
EOPY
fill() {	# fill EVENTS-A-MESSAGE QUEUE: the events into the queue; prints the messages
	"$ROOT/$B/bench/amqp_fill" -h 127.0.0.1 -p "$RABBITMQ_NODE_PORT" -q "$2" -b "$1" ${AMQP_QUEUE_VERSION:+-v $AMQP_QUEUE_VERSION} "$T/mozdef"
}
amqp_run() {	# amqp_run EVENTS-A-MESSAGE QUEUE
	t0=$(now)
	m=$(fill "$1" "$2") || exit 1
	t1=$(now)
	echo "amqp_fill:        $m messages ($(rate "$AN" "$t0" "$t1" | sed 's/events\/s/events\/s into the queue/'))"
	hub_start --amqp "$AURL?queue=$2&exchange=$APF"
	b0=$(ticks "$BEAM")
	s0=$(stored)
	t0=$(now)
	PF=
	if [ -n "${PERF:-}" ]; then
		perf record -q -F ${PERF_HZ:-499} ${PERF_FLAGS:--g} -p "$HUB" -o "$PERF.$1" 2>/dev/null &
		PF=$!
	fi
	t1=$(hub_wait "$AN")
	[ -n "$PF" ] && { kill -INT $PF; wait $PF; }
	c=$(($(ticks $HUB) - HUB_CPU0))
	bc=$(($(ticks "$BEAM") - b0))
	echo "wardd --amqp:     $(rate "$((AN - ${s0:-0}))" "$t0" "$t1") (queue to fsynced commit and ack); hub CPU $(per100k $c "$AN") s/100k events, broker $(per100k $bc "$AN"); load $(load)"
	echo "  hub threads: $(threads $HUB); minor faults: $(faults $HUB)"
	hub_stop
	# The broker's own ceiling: the same messages again, drained by a
	# consumer that only acknowledges them.
	fill "$1" "$2" >/dev/null || exit 1
	b0=$(ticks "$BEAM")
	d=$("$ROOT/$B/bench/amqp_drain" -h 127.0.0.1 -p "$RABBITMQ_NODE_PORT" -q "$2" -n "$m" ${AMQP_PREFETCH:+-P $AMQP_PREFETCH}) || exit 1
	bc=$(($(ticks "$BEAM") - b0))
	echo "amqp_drain:       $d ($1 event$([ "$1" -gt 1 ] && echo s) each), acks only: the broker's ceiling; broker CPU $(per100k $bc "$AN") s/100k events; load $(load)"
}
echo "== RabbitMQ, $AN MozDef events one a message, waiting in a durable queue (persistent), event times ${AMQP_TIME:-now}, hub started on it (prefetch ${AMQP_PREFETCH:-the default}; broker on the same cores)"
amqp_run 1 bench1
echo "== RabbitMQ, the same $AN events $AB a message (NDJSON bodies)"
amqp_run "$AB" bench"$AB"
head -n "$AN" "$T/lines" >"$T/lines.a"
echo "rsyslog -> file:  $(rsyslog_run "$AN" "$T/lines.a") (the same count of lines over TCP, for scale); load $(load)"
