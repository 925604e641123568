#!/bin/sh
# make bench: ward's benchmarks.  Figures, not assertions: these machines
# are noisy, so read them next to `uptime`.
#   B=build/rel  SIGMA=DIR  INGEST_SECONDS=60  INGEST_WARMUP=5  CONNS=4  INGEST_RATE=50000  [SPREAD=60]  sh tests/bench/run.sh [NAME...]
# INGEST_WARMUP: seconds of the same load first, not counted (loadgen -w);
# the offered run is also made cold (no warm-up) and reported as such.
# SPREAD: event times spread uniformly over that many seconds (loadgen -L;
# default: a shipper fleet's lag, mostly under 2 s).
# NAMEs: ingest transit store search reindex rules decoders structural sessions access console plugins inputs archive wal (default: all)
set -u
export WARD_ALLOW_ROOT=1	# benchmarks start hubs as whoever runs them
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=${B:-build/rel}
BIN=$ROOT/$B/bench
want() { [ $# -eq 0 ] && return 0; for w in $ARGS; do [ "$w" = "$1" ] && return 0; done; return 1; }
ARGS="$*"
[ -z "$ARGS" ] && ARGS="ingest transit store search reindex rules decoders structural sessions access console plugins inputs archive wal"
echo "== ward benchmarks, $(date -u +%FT%TZ), $(nproc) cores, load: $(uptime | sed 's/.*load average: //')"

# One run of loadgen against a fresh hub: ingest LABEL [loadgen flags...]
ingest() {
	label=$1; shift
	T=$(mktemp -d /tmp/ward-bench.XXXXXX)
	PORT=$(shuf -i 20000-32000 -n 1)
	"$ROOT/bin/wardd" --data "$T/data" --listen 127.0.0.1:$PORT ${HUBFLAGS:-} 2>"$T/hub.log" &
	HUB=$!
	i=0
	until curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz"; do
		i=$((i + 1))
		if [ $i -gt 100 ]; then echo "bench: hub did not start"; cat "$T/hub.log"; exit 1; fi
		sleep 0.1
	done
	TOKEN=$("$ROOT/bin/wardd" token add --data "$T/data" bench | tail -n 1)
	echo "== ingest, $label: bulk NDJSON, 1000 events/request, ${CONNS:-4} connections, ${INGEST_SECONDS:-60} s, durable + FTS, default rules and parsers"
	"$BIN/loadgen" -u "http://127.0.0.1:$PORT" -t "$TOKEN" -c "${CONNS:-4}" \
		-b 1000 -d "${INGEST_SECONDS:-60}" -p $HUB ${SPREAD:+-L $SPREAD} "$@"
	curl -s "http://127.0.0.1:$PORT/metrics" | grep -E '^ward_(store_events|commit_latency_seconds_(sum|count)) '
	# python plugin hosts, when there are any: their CPU, warm-up included
	for c in $(pgrep -P $HUB 2>/dev/null); do
		awk -v t="$(getconf CLK_TCK)" '{ printf "plugin host cpu %.2f s (pid %s)\n", ($14 + $15) / t, $1 }' /proc/$c/stat
	done
	kill $HUB; wait $HUB
	rm -rf "$T"
}
if want ingest; then
	# As fast as the hub answers (each connection sends its next request
	# when the last is acknowledged, so latency = requests in flight /
	# rate), then the ack latency at a steady offered INGEST_RATE.
	W=${INGEST_WARMUP:-5}
	ingest "as fast as acknowledged, after ${W} s warm-up" -w "$W"
	ingest "offered ${INGEST_RATE:-50000} events/s, after ${W} s warm-up" -r "${INGEST_RATE:-50000}" -w "$W"
	ingest "offered ${INGEST_RATE:-50000} events/s, cold start" -r "${INGEST_RATE:-50000}"
fi
if want transit; then
	# Issue 17's mix: 70 % host noise as rsyslog ships it, 30 % an SSH
	# attack as raw syslog lines the transit stage parses; then the same
	# traffic with the attack already parsed, to show what parsing costs.
	W=${INGEST_WARMUP:-5}
	ingest "mix (30 % raw syslog attack), offered ${INGEST_RATE:-50000} events/s, after ${W} s warm-up" -m mix -r "${INGEST_RATE:-50000}" -w "$W"
	ingest "mix, the attack pre-parsed, offered ${INGEST_RATE:-50000} events/s, after ${W} s warm-up" -m mixparsed -r "${INGEST_RATE:-50000}" -w "$W"
	ingest "mix, as fast as acknowledged, after ${W} s warm-up" -m mix -w "$W"
	# A brute force at its height: every event matches and updates one
	# of 250 open alerts; read ward-alert's us/event.
	ingest "flood (every event a failed login, 250 addresses), offered 20000 events/s, after ${W} s warm-up" -m flood -r 20000 -w "$W"
fi
if want store; then
	echo "== store and pipeline alone (tests/bench/bench_store.c)"
	"$BIN/bench_store" -n 500000
fi
if want search && [ -f "$ROOT/tests/bench/search.sh" ]; then
	echo "== search (tests/bench/search.sh)"
	B=$B sh "$ROOT/tests/bench/search.sh"
fi
if want reindex; then
	echo "== a day's full-text index rebuilt (tests/bench/reindex.sh)"
	B=$B sh "$ROOT/tests/bench/reindex.sh"
fi
if want rules && [ -x "$BIN/bench_rules" ]; then
	echo "== rules (tests/bench/bench_rules.c)"
	"$BIN/bench_rules"
	# SIGMA=DIR: a checkout of SigmaHQ's rules, all of it loaded, on the
	# Windows and Linux mix
	if [ -n "${SIGMA:-}" ] && [ -d "$SIGMA/rules" ]; then
		set --
		for d in rules rules-emerging-threats rules-threat-hunting; do
			[ -d "$SIGMA/$d" ] && set -- "$@" -d "$SIGMA/$d"
		done
		(cd "$ROOT" && "$BIN/bench_rules" "$@" -n 200000)
	fi
	"$BIN/bench_groups" -f 200000
	# the alerter's writes on a flood: 250 open alerts rewritten a write
	[ -x "$BIN/bench_alertdb" ] && "$BIN/bench_alertdb" -w 40
fi
if want decoders && [ -x "$BIN/bench_decoder" ]; then
	echo "== decoders and GeoIP (tests/bench/bench_decoder.c)"
	G=$(mktemp /tmp/ward-bench-geoip.XXXXXX)
	if perl "$ROOT/tests/geoip/mkmmdb.pl" "$G" 2>/dev/null; then
		(cd "$ROOT" && "$BIN/bench_decoder" -g "$G")
	else
		(cd "$ROOT" && "$BIN/bench_decoder")
	fi
	rm -f "$G"
fi
if want structural && [ -x "$BIN/bench_structural" ]; then
	echo "== structural parsers: auditd, CEF, JSON, Windows, key=value (tests/bench/bench_structural.c)"
	"$BIN/bench_structural" -n 200000
fi
if want access && [ -x "$BIN/bench_access" ]; then
	echo "== access (tests/bench/bench_access.c)"
	"$BIN/bench_access"
fi
if want sessions && [ -x "$BIN/bench_sessions" ]; then
	echo "== sessions (tests/bench/bench_sessions.c)"
	"$BIN/bench_sessions"
	echo "== a lead's notes while viewers search (bench_sessions -s, issue 22)"
	"$BIN/bench_sessions" -n 20 -s 2 -k 1500
fi
if want console && [ -f "$ROOT/tests/bench/console.sh" ]; then
	echo "== console (tests/bench/console.sh)"
	B=$B sh "$ROOT/tests/bench/console.sh"
fi
if want plugins && [ -x "$BIN/bench_plugins" ]; then
	echo "== python plugins, an sshd parser in MozDef's style on the issue's mix (tests/bench/bench_plugins.c)"
	"$BIN/bench_plugins" -n 200000
	# the hub with the same plugin: share/plugins/examples/sshd_failed.py
	P=$(mktemp -d /tmp/ward-bench-plugins.XXXXXX)
	cp "$ROOT/share/plugins/examples/sshd_failed.py" "$P/"
	W=${INGEST_WARMUP:-5}
	HUBFLAGS="--plugins $P" ingest "mix + an sshd plugin (python), as fast as acknowledged, after ${W} s warm-up" -m mix -w "$W"
	rm -rf "$P"
fi
if want inputs; then
	sh "$ROOT/tests/bench/inputs.sh"
fi
if want archive && [ -f "$ROOT/tests/bench/archive.sh" ]; then
	echo "== archive and restore (tests/bench/archive.sh)"
	B=$B sh "$ROOT/tests/bench/archive.sh"
fi
if want wal; then
	# A WAL under back-to-back searches, with and without its bound.
	B=$B sh "$ROOT/tests/bench/wal.sh"
fi
