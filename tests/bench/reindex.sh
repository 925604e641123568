#!/bin/sh
# Rebuilding a day's full-text index (hub/ingest/textindex.c): a hub on
# the search corpus (tests/bench/search.sh builds it: CORPUS events over
# 4 days) whose oldest day has lost its index file rebuilds it from the
# day's events in the background, at nice 10.  Timed twice from the
# hub's log (events/s): alone, then beside ingest at RATE events/s
# (loadgen), with what ingest got meanwhile; and a search of a word of
# that day while it is rebuilt (read without the index) and after.
#
#   B=build/rel CORPUS=2000000 RATE=25000 sh tests/bench/reindex.sh
set -u
export WARD_ALLOW_ROOT=1	# benchmarks start hubs as whoever runs them
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=${B:-build/rel}
BIN=$ROOT/$B/bench
CORPUS=${CORPUS:-2000000}
CORPUS_DIR=${CORPUS_DIR:-/var/tmp/ward-bench-corpus-$CORPUS-layout4}
RATE=${RATE:-25000}

for t in bench_search loadgen; do
	[ -x "$BIN/$t" ] || { echo "reindex.sh: $BIN/$t missing (make tools)"; exit 1; }
done
if [ ! -f "$CORPUS_DIR/corpus.done" ]; then
	echo "== building the corpus: $CORPUS events in $CORPUS_DIR (once)"
	mkdir -p "$CORPUS_DIR" && rm -rf "$CORPUS_DIR/events" &&
	"$BIN/bench_search" build -d "$CORPUS_DIR" -n "$CORPUS" -D 4 || exit 1
fi
DAYF=$(ls "$CORPUS_DIR"/events/*.db | head -n 1)
DAY=$(basename "$DAYF" .db)
NEXT=$(date -u -d "$DAY + 1 day" +%F)
EVENTS=$(sqlite3 "$DAYF" "select value from meta where key = 'count'")
echo "== corpus $(cat "$CORPUS_DIR/corpus.done"); $DAY: $EVENTS events, index $(du -h "${DAYF%.db}.fts" | cut -f1)"

T=$(mktemp -d /var/tmp/ward-bench-reindex.XXXXXX)
HUB= LG=
cleanup() {
	[ -n "$LG" ] && kill "$LG" 2>/dev/null
	[ -n "$HUB" ] && kill "$HUB" 2>/dev/null && wait "$HUB" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

# A data dir of the corpus (partitions linked, index files copied: see
# search.sh) but for $DAY's index (fresh whole: with it).
fresh() {
	[ -n "$HUB" ] && { kill "$HUB"; wait "$HUB" 2>/dev/null; HUB=; }
	rm -rf "$T/data" && mkdir -p "$T/data/events"
	for f in "$CORPUS_DIR"/events/*.db; do ln -s "$f" "$T/data/events/"; done
	for f in "$CORPUS_DIR"/events/*.fts; do
		[ "$(basename "$f" .fts)" = "$DAY" ] && [ "${1:-}" != whole ] && continue
		cp --reflink=auto "$f" "$T/data/events/" || exit 1
	done
}
start() {
	PORT=$(shuf -i 20000-60000 -n 1)
	"$ROOT/bin/wardd" --data "$T/data" --listen 127.0.0.1:$PORT 2>"$T/hub.log" &
	HUB=$!
	i=0
	until curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz"; do
		sleep 0.2; i=$((i + 1))
		[ $i -gt 150 ] && { echo "reindex.sh: the hub did not start"; cat "$T/hub.log"; exit 1; }
	done
}
wait_rebuilt() {
	until grep -q "index: $DAY: rebuilt" "$T/hub.log"; do
		kill -0 "$HUB" 2>/dev/null || { echo "reindex.sh: the hub died"; cat "$T/hub.log"; exit 1; }
		sleep 0.5
	done
	grep "index: $DAY: rebuilt" "$T/hub.log" | sed 's/.*rebuilt: /   rebuilt: /'
}
# search WORD: the time a count of WORD over $DAY takes (ms) and its count
search() {
	curl -s -o "$T/s.out" -w '%{time_total}' -G -H "Authorization: Bearer $READER" \
	    --data-urlencode "q=$1 AND receivedtimestamp:[$DAY TO $NEXT} | count" \
	    "http://127.0.0.1:$PORT/api/search" |
	    awk '{ printf "%.0f ms: ", $1 * 1000 }'
	head -c 300 "$T/s.out" | tr -d '\n'
}

echo "== load: $(uptime | sed 's/.*load average: /load average /')"
echo "== $DAY rebuilt alone"
fresh
start
READER=$("$ROOT/bin/wardd" token add --data "$T/data" r --role reader | tail -n 1)
echo "   a count of 'failed' that day while it is rebuilt: $(search failed)"
wait_rebuilt
echo "   the same count after: $(search failed)"
ALONE=$(grep "index: $DAY: rebuilt" "$T/hub.log" | sed 's/.* in \([0-9.]*\) s .*/\1/' | cut -d. -f1)
D=$((2 * ALONE + 10))	# ingest lasts longer than the rebuild

echo "== $DAY rebuilt beside ingest at $RATE events/s (loadgen -r $RATE, 4 connections, $D s)"
fresh
start
TOKEN=$("$ROOT/bin/wardd" token add --data "$T/data" bench | tail -n 1)
s=$(date +%s)
"$BIN/loadgen" -u "http://127.0.0.1:$PORT" -t "$TOKEN" -c 4 -b 1000 -r "$RATE" \
    -d "$D" -p "$HUB" >"$T/lg.out" 2>&1 &
LG=$!
wait_rebuilt
echo "   (after $(($(date +%s) - s)) s of ingest)"
wait "$LG" 2>/dev/null; LG=
echo "   ingest, loadgen says:"
sed 's/^/   /' "$T/lg.out" | tail -15
curl -s "http://127.0.0.1:$PORT/metrics" | grep -E '^ward_(ingest_throttled_total|index_rebuilt_total|index_broken_days) ' | sed 's/^/   /'

echo "== the same ingest, $D s, nothing rebuilt (for comparison)"
fresh whole
start
TOKEN=$("$ROOT/bin/wardd" token add --data "$T/data" bench | tail -n 1)
"$BIN/loadgen" -u "http://127.0.0.1:$PORT" -t "$TOKEN" -c 4 -b 1000 -r "$RATE" \
    -d "$D" -p "$HUB" 2>&1 | sed 's/^/   /' | tail -15
echo "== load at the end: $(uptime | sed 's/.*load average: //')"
