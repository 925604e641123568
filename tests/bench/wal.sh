#!/bin/sh
# The WAL under readers that never pause (issue 19): loadgen ingests as
# fast as the hub acknowledges while SEARCHERS loops run back-to-back
# searches over every partition (a sort, count by, a rare term), for
# SECONDS_; the -wal files of today's partition and of its text index are
# sampled every second.  The older days are a corpus of CORPUS events
# over 4 days (built once by bench_search, as tests/bench/search.sh does,
# and linked in), so that a search holds its snapshot of today's
# partition for seconds while it reads them.  Reports the largest WAL
# seen, the ingest rate and the searches' times, without the hub's WAL
# bound (--wal-max 0) and with it (WAL_MAX, default the hub's), so that
# what the bound costs reads off the two.
#
#   B=build/rel SECONDS_=120 SEARCHERS=3 CONNS=4 CORPUS=2000000 sh tests/bench/wal.sh
#   WAL_MAX=256M ...       the bound measured (default: the hub's, 1G)
#   RUNS="bound" ...       (or "unbounded"): one of the two only
#   CORPUS=0 ...           no older days (searches end sooner)
#   WARDD=path ...         the hub to measure (default bin/wardd)
set -u
export WARD_ALLOW_ROOT=1	# benchmarks start hubs as whoever runs them
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=${B:-build/rel}
BIN=$ROOT/$B/bench
DUR=${SECONDS_:-120}
SEARCHERS=${SEARCHERS:-3}
CORPUS=${CORPUS:-2000000}
CORPUS_DIR=${CORPUS_DIR:-/var/tmp/ward-bench-corpus-$CORPUS-layout4}
CONNS=${CONNS:-4}
RUNS=${RUNS:-"unbounded bound"}
WARDD=${WARDD:-$ROOT/bin/wardd}	# the hub measured
for t in bench_search loadgen; do
	[ -x "$BIN/$t" ] || { echo "wal.sh: $BIN/$t missing (make tools)"; exit 1; }
done
if [ "$CORPUS" -gt 0 ] && [ ! -f "$CORPUS_DIR/corpus.done" ]; then
	echo "== building the corpus: $CORPUS events in $CORPUS_DIR (once)"
	mkdir -p "$CORPUS_DIR/events" || exit 1
	"$BIN/bench_search" build -d "$CORPUS_DIR" -n "$CORPUS" -D 4 || exit 1
fi

# searcher URL TOKEN OUT: back-to-back searches until $T/stop exists; one
# line per search: seconds, HTTP status, query.
searcher() {
	i=0
	while [ ! -e "$T/stop" ]; do
		# A sort reads every partition before it answers, holding
		# its snapshot of today's all along; count by reads today's
		# first and lets it go; a rare term reads every index.
		case $((i % 3)) in
		0) q='* | sort hostname' ;;
		1) q='* | count by hostname' ;;
		2) q='zzzrareword' ;;
		esac
		i=$((i + 1))
		curl -s -o /dev/null -w "%{time_total} %{http_code} $q\n" -G \
		    -H "Authorization: Bearer $2" --data-urlencode "q=$q" \
		    --data-urlencode limit=50 "$1/api/search" >>"$3"
	done
}

# walsize DIR: the largest -wal file under DIR/events (partition, index).
walsizes() {
	p=0; x=0
	for f in "$1"/events/*.db-wal; do	# today's: the corpus is not written
		[ -f "$f" ] || continue
		s=$(stat -c %s "$f" 2>/dev/null || echo 0)
		[ "$s" -gt "$p" ] && p=$s
	done
	for f in "$1"/events/*.fts-wal; do
		[ -f "$f" ] || continue
		s=$(stat -c %s "$f" 2>/dev/null || echo 0)
		[ "$s" -gt "$x" ] && x=$s
	done
	echo "$p $x"
}

run() {
	label=$1; shift
	T=$(mktemp -d /var/tmp/ward-bench-wal.XXXXXX)
	mkdir -p "$T/data/events"
	if [ "$CORPUS" -gt 0 ]; then
		# The partitions linked; their indexes copied, as
		# search.sh does: the hub takes a symbolic link for a damaged
		# index, and a hard link would let a rebuild write into the
		# corpus that later runs read.
		for f in "$CORPUS_DIR"/events/*.db; do
			[ -e "$f" ] && ln -s "$f" "$T/data/events/"
		done
		for f in "$CORPUS_DIR"/events/*.fts; do
			[ -e "$f" ] && { cp --reflink=auto "$f" "$T/data/events/" ||
			    exit 1; }
		done
	fi
	PORT=$(shuf -i 20000-32000 -n 1)
	"$WARDD" --data "$T/data" --listen 127.0.0.1:$PORT --verbose "$@" \
	    2>"$T/hub.log" &
	HUB=$!
	i=0
	until curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz"; do
		i=$((i + 1))
		if [ $i -gt 100 ]; then echo "wal.sh: hub did not start"; cat "$T/hub.log"; exit 1; fi
		sleep 0.1
	done
	URL=http://127.0.0.1:$PORT
	TOKEN=$("$WARDD" token add --data "$T/data" bench | tail -n 1)
	READER=$("$WARDD" token add --data "$T/data" reader --role reader | tail -n 1)
	echo "== WAL, $label: loadgen ${CONNS} connections as fast as acknowledged, $SEARCHERS back-to-back searchers over today and $CORPUS older events, $DUR s"
	"$BIN/loadgen" -u "$URL" -t "$TOKEN" -c "$CONNS" -b 1000 -d "$DUR" \
	    -p $HUB >"$T/loadgen.out" 2>&1 &
	LG=$!
	sleep 5	# a partition to search first
	k=0 SP=
	while [ $k -lt "$SEARCHERS" ]; do
		searcher "$URL" "$READER" "$T/searches.$k" &
		SP="$SP $!"
		k=$((k + 1))
	done
	maxp=0; maxx=0; n=0
	while kill -0 $LG 2>/dev/null; do
		set -- $(walsizes "$T/data")
		[ "$1" -gt "$maxp" ] && maxp=$1
		[ "$2" -gt "$maxx" ] && maxx=$2
		n=$((n + 1))
		[ $((n % 20)) -eq 0 ] && echo "  t=${n}s  partition WAL $(($1 / 1048576)) MB  index WAL $(($2 / 1048576)) MB"
		sleep 1
	done
	touch "$T/stop"
	wait $LG
	set -- $(walsizes "$T/data")
	sleep 1
	cat "$T/loadgen.out" | grep -E '^(events acked|rate|ack latency|failed)'
	echo "largest WAL    partition $((maxp / 1048576)) MB, index $((maxx / 1048576)) MB (at the end: $(($1 / 1048576)) MB, $(($2 / 1048576)) MB)"
	wait $SP	# their last searches
	cat "$T"/searches.* | awk '
		{ q = $3; for (k = 4; k <= NF; k++) q = q " " $k
		  n[q]++; t[q] += $1; if ($1 > mx[q]) mx[q] = $1
		  if ($2 != 200) st[q] = st[q] " " $2 }
		END { for (q in n) printf "search         %-24s %4d done, mean %.2f s, max %.2f s%s\n", q, n[q], t[q] / n[q], mx[q], st[q] != "" ? ";" st[q] : "" }'
	# wal_bound()'s log (--verbose): how long the searches inside took
	# to leave (what a search arriving meanwhile waited, at most), and
	# the truncation (what an ingest commit waited, at most).
	sed -n 's/.*WAL truncated.*took \([0-9]*\) ms to leave, the truncation \([0-9]*\) ms/\1 \2/p' "$T/hub.log" |
	    awk '{ n++; w += $1; if ($1 > mw) mw = $1; c += $2; if ($2 > mc) mc = $2 }
		END { if (n) printf "truncations    %d: searches inside left in mean %.0f ms, max %d ms; truncating took mean %.0f ms, max %d ms\n", n, w / n, mw, c / n, mc
		      else print "truncations    0" }'
	grep -E 'warning|error' "$T/hub.log" | sed 's/^[^ ]* [^ ]* //' | sort | uniq -c | sort -rn | head -5
	kill $HUB; wait $HUB
	rm -rf "$T"
}

echo "== ward WAL bench, $(date -u +%FT%TZ), $(nproc) cores, load: $(uptime | sed 's/.*load average: //')"
for r in $RUNS; do
	case $r in
	unbounded) run "no bound (--wal-max 0)" --wal-max 0 ;;
	bound) run "bound ${WAL_MAX:-default}" ${WAL_MAX:+--wal-max $WAL_MAX} ;;
	esac
done
