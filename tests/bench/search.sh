#!/bin/sh
# Search speed (issue 3): newest 50 of full-text and field terms, count by
# over ~1M matches, memory of a search returning everything; on a stored
# corpus while a real hub ingests loadgen traffic, compared with the same
# queries typed into the sqlite3 shell over the same partitions.
#
#   B=build/rel CORPUS=10000000 RATE=25000 REPS=200 sh tests/bench/search.sh
#
# CORPUS events (default 10M) are built once by bench_search under
# CORPUS_DIR (default /var/tmp/ward-bench-corpus-CORPUS-layout4, the
# partition layout of hub/schema.h in its name; ~850 bytes an
# event on disk, 8.4 GB for 10M; the build takes ~10 min on 2 cores at
# ~18k events/s) over the 4 UTC days before the day of the build, and
# reused.  Each run starts a hub on a scratch data dir whose events/
# links to the corpus partitions and their index files (the hub writes
# today's partition, which the corpus never holds, so the corpus stays as
# built; it refuses an index file that is a symbolic link, so those are
# copied), runs loadgen -r
# RATE against it, and measures while it runs.  Quick try: CORPUS=1000000,
# or SQL=0 (no sqlite3 shell) MEM=0 (no memory test) REPS=50.  For each
# phase it reports what ingest stored against what loadgen offered, the
# requests answered 429, the hub's CPU, and the highest pipeline queue and
# alerter backlog seen (429 starts at 64).
# The full run (corpus built) takes 15-20 min, most of it the sqlite3 shell's
# full scans and the count-by queries; the memory test reads all 10M
# events (~1 min).
set -u
export WARD_ALLOW_ROOT=1	# benchmarks start hubs as whoever runs them
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=${B:-build/rel}
BIN=$ROOT/$B/bench
CORPUS=${CORPUS:-10000000}
CORPUS_DIR=${CORPUS_DIR:-/var/tmp/ward-bench-corpus-$CORPUS-layout4}
RATE=${RATE:-25000}
REPS=${REPS:-200}
SQLREPS=${SQLREPS:-3}
SQL=${SQL:-1}		# 0: skip the sqlite3 shell (quick tries)
CONNS=${CONNS:-4}	# loadgen's connections, each waiting for its ack
MEM=${MEM:-1}

for t in bench_search loadgen; do
	[ -x "$BIN/$t" ] || { echo "search.sh: $BIN/$t missing (make tools)"; exit 1; }
done
if [ ! -f "$CORPUS_DIR/corpus.done" ]; then
	need=$((CORPUS / 1000 * 900 / 1000))	# MB
	mkdir -p "$CORPUS_DIR" || exit 1
	avail=$(df -Pm "$CORPUS_DIR" | awk 'NR == 2 { print $4 }')
	if [ "$avail" -lt $((need + need / 4)) ]; then
		echo "search.sh: $CORPUS_DIR needs ~${need} MB, ${avail} MB free"
		exit 1
	fi
	echo "== building the corpus: $CORPUS events in $CORPUS_DIR (once)"
	rm -rf "$CORPUS_DIR/events"
	"$BIN/bench_search" build -d "$CORPUS_DIR" -n "$CORPUS" -D 4 || exit 1
fi
echo "== corpus $(cat "$CORPUS_DIR/corpus.done"), $(du -sh "$CORPUS_DIR" | cut -f1)"

T=$(mktemp -d /var/tmp/ward-bench-search.XXXXXX)
HUB= LG=
GA=
cleanup() {
	[ -n "$GA" ] && kill "$GA" 2>/dev/null
	[ -n "$LG" ] && kill "$LG" 2>/dev/null
	[ -n "$HUB" ] && kill "$HUB" 2>/dev/null && wait "$HUB" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT INT TERM
mkdir -p "$T/data/events"
# The partitions, linked; beside them (layout 3) copies of their
# full-text indexes: the hub writes index files (it opens each one for
# writing at start), so it takes one that is a symbolic link for a
# damaged one and would rebuild it; a hard link would share the corpus's
# file with every hub started on it, each with a WAL of its own.
for f in "$CORPUS_DIR"/events/*.db; do
	[ -e "$f" ] && ln -s "$f" "$T/data/events/"
done
for f in "$CORPUS_DIR"/events/*.fts; do
	[ -e "$f" ] && { cp --reflink=auto "$f" "$T/data/events/" || exit 1; }
done
PORT=$(shuf -i 20000-60000 -n 1)
"$ROOT/bin/wardd" --data "$T/data" --listen 127.0.0.1:$PORT 2>"$T/hub.log" &
HUB=$!
i=0
until curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz"; do
	sleep 0.2; i=$((i + 1))
	[ $i -gt 150 ] && { echo "search.sh: the hub did not start"; cat "$T/hub.log"; exit 1; }
done
TOKEN=$("$ROOT/bin/wardd" token add --data "$T/data" bench | tail -n 1)
# The hub's counters now, one line: stored received throttled
# rejected-requests hub-cpu-seconds time commits commit-seconds.
sample() {
	curl -s "http://127.0.0.1:$PORT/metrics" | awk -v now="$(date +%s)" \
	    -v cpu="$(awk -v hz="$(getconf CLK_TCK)" \
	    '{ print ($14 + $15) / hz }' /proc/$HUB/stat)" '
		$1 == "ward_events_stored_total" { s = $2 }
		$1 == "ward_events_received_total" { r = $2 }
		$1 == "ward_ingest_throttled_total" { t = $2 }
		$1 == "ward_ingest_requests_rejected_total" { x = $2 }
		$1 == "ward_commit_latency_seconds_count" { n = $2 }
		$1 == "ward_commit_latency_seconds_sum" { l = $2 }
		END { print s + 0, r + 0, t + 0, x + 0, cpu, now, n + 0, l + 0 }'
}
# What ingest did between two samples, and what held it back.
ingest_report() {
	printf '%s\n%s\n' "$2" "$3" | awk -v what="$1" -v rate="$RATE" '
		NR == 1 { split($0, a) } NR == 2 { split($0, b) }
		END {
			t = b[6] - a[6]; if (t < 1) t = 1
			c = b[7] - a[7]
			printf "== ingest during %s: %.0f events/s stored of %d offered (%.0f received), %d requests answered 429, %d refused otherwise, hub CPU %.0f%% of a core, %d group commits of %.0f events taking %.0f ms on average (%d s)\n",
			    what, (b[1] - a[1]) / t, rate, (b[2] - a[2]) / t,
			    b[3] - a[3], b[4] - a[4], 100 * (b[5] - a[5]) / t,
			    c, (c > 0 ? (b[1] - a[1]) / c : 0),
			    (c > 0 ? 1000 * (b[8] - a[8]) / c : 0), t
		}'
}
# Sample the queue and the alerter's backlog every 5 s into gauges.log.
gauges() {
	while :; do
		curl -s "http://127.0.0.1:$PORT/metrics" | awk '
			$1 == "ward_ingest_queue_depth" { q = $2 }
			$1 == "ward_alerter_backlog" { a = $2 }
			END { print q + 0, a + 0 }'
		sleep 5
	done >"$T/gauges.log"
}
if [ "$RATE" -gt 0 ]; then
	"$BIN/loadgen" -u "http://127.0.0.1:$PORT" -t "$TOKEN" -c "$CONNS" -b 1000 \
	    -r "$RATE" -d 3600 >"$T/loadgen.out" 2>&1 &
	LG=$!
	sleep 5		# let ingest settle
fi
gauges & GA=$!
s0=$(sample)
echo "== load: $(uptime | sed 's/.*load average: /load average /'), ingest -r $RATE"
echo "== ward search (search_run on the hub's data, warm: 1 run, then $REPS timed)"
"$BIN/bench_search" run -d "$T/data" -r "$REPS" -R "$SQLREPS" \
    -o "$T/q.sql" -t "$T/ours.tsv" || exit 1
s1=$(sample)
[ "$RATE" -gt 0 ] && ingest_report "ward search" "$s0" "$s1"
if [ "$SQL" -eq 1 ]; then
	echo "== the same queries in the sqlite3 shell over the same partitions (ATTACH, UNION ALL; median of $SQLREPS after 1 warm-up)"
	sqlite3 -readonly :memory: <"$T/q.sql" >"$T/sql.out" 2>&1
	awk -v R="$SQLREPS" '
		/^Run Time: real/ {
			q = int(c / (R + 1)); r = c % (R + 1); c++
			if (r > 0) { n[q]++; t[q, n[q]] = $4 * 1000 }	# r 0: warm-up
		}
		END {
			for (q in n) {
				m = n[q]
				for (i = 1; i <= m; i++) v[i] = t[q, i]
				for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++)
					if (v[j] < v[i]) { x = v[i]; v[i] = v[j]; v[j] = x }
				printf "%d\t%.3f\n", q, v[int((m + 1) / 2)]
			}
		}' "$T/sql.out" | sort -n >"$T/sql.tsv"
	s2=$(sample)
	grep -v '^Run Time' "$T/sql.out" | head -5
	n=$(grep -c '^Run Time: real' "$T/sql.out")
	[ "$n" -eq $((9 * (SQLREPS + 1))) ] ||
	    echo "search.sh: $n timings from the sqlite3 shell, $((9 * (SQLREPS + 1))) expected"
	# Pair the rows by query number (ours.tsv: n, p50, p99; sql.tsv: n, median).
	awk -F '\t' 'FILENAME == ARGV[1] { ours[$1] = $2; next }
		{ printf "  query %d   ward p50 %9.2f ms   sqlite3 %9.1f ms   sqlite3/ward %9.1fx\n",
		    $1, ours[$1], $2, (ours[$1] > 0 ? $2 / ours[$1] : 0) }' \
	    "$T/ours.tsv" "$T/sql.tsv"
	echo "   (query N: the Nth row of the table above, from 0; the sqlite3 shell times to 1 ms)"
	[ "$RATE" -gt 0 ] && ingest_report "the sqlite3 shell" "$s1" "$s2"
fi
[ "$RATE" -gt 0 ] && awk '{ if ($1 > q) q = $1; if ($2 > a) a = $2 }
	END { printf "== pipeline queue depth at most %d, alerter backlog at most %d (429 past 64 and 32 with the default --max-inflight; sampled every 5 s)\n", q, a }' "$T/gauges.log"
if [ "$MEM" -eq 1 ]; then
	echo "== memory: one search, everything vs 50 lines (each in its own process)"
	"$BIN/bench_search" mem -d "$T/data" -q '*' -l 50
	"$BIN/bench_search" mem -d "$T/data" -q '*' -l 1000000000
	"$BIN/bench_search" mem -d "$T/data" -q 'failed' -l 1000000000
fi
echo "== load at the end: $(uptime | sed 's/.*load average: //')"
if [ -n "$LG" ]; then
	kill "$LG" 2>/dev/null; wait "$LG" 2>/dev/null; LG=
fi
for w in "$T"/data/events/*.db-wal; do
	[ -L "${w%-wal}" ] && continue		# the corpus's own
	echo "== the partition ingest wrote: $(du -h "${w%-wal}" | cut -f1), its WAL $(du -h "$w" | cut -f1); $(grep -c 'checkpoint' "$T/hub.log") checkpoint warnings in the hub's log"
done
if grep -q ': error: \|: warning: ' "$T/hub.log"; then
	echo "== hub log (first of each, with counts):"
	grep ': error: \|: warning: ' "$T/hub.log" | uniq -c -f2 | head -5
fi
