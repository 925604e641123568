#!/bin/sh
# make bench archive: archive and restore one big day while a hub takes
# the issue-2 load.  A hub whose clock says 2026-09-01 (libfaketime) is
# filled with ARCHIVE_EVENTS events (default 10,000,000) as fast as it
# acknowledges them; then a hub on today's clock takes INGEST_RATE
# events/s (default 50,000) from loadgen while `wardd archive` and
# `wardd restore` move that day out and back.  Prints MB/s of partition
# (DAY.db + DAY.fts, live bytes), the archive's size against the live
# one, CPU seconds per GB of partition (robust to a shared machine's
# load, which is printed beside), and loadgen's acknowledgement latencies
# meanwhile.  Figures, not assertions.
set -u
export WARD_ALLOW_ROOT=1	# benchmarks start hubs as whoever runs them
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=${B:-build/rel}
BIN=$ROOT/$B/bench
N=${ARCHIVE_EVENTS:-10000000}
FAKELIB=$(ls /usr/lib/*/faketime/libfaketimeMT.so.1 2>/dev/null | head -n 1)
[ -n "$FAKELIB" ] || { echo "bench archive: libfaketime is not installed"; exit 0; }
T=$(mktemp -d /tmp/ward-bench-archive.XXXXXX)
DATA=$T/data
PORT=$(shuf -i 20000-32000 -n 1)
URL=http://127.0.0.1:$PORT
hub() {	# hub [env...]: start wardd on DATA, wait for it
	env "$@" "$ROOT/bin/wardd" --data "$DATA" --listen 127.0.0.1:$PORT 2>>"$T/hub.log" &
	HUB=$!
	i=0
	until curl -s -o /dev/null "$URL/healthz"; do
		i=$((i + 1)); [ $i -gt 200 ] && { echo "bench: hub did not start"; cat "$T/hub.log"; exit 1; }
		sleep 0.1
	done
}
mkdir -p "$DATA"
TOKEN=$("$ROOT/bin/wardd" token add --data "$DATA" bench | tail -n 1)
echo "== archive: filling 2026-09-01 with $N events (a hub under libfaketime)"
hub LD_PRELOAD="$FAKELIB" FAKETIME="@2026-09-01 00:10:00"
"$BIN/loadgen" -u "$URL" -t "$TOKEN" -c 4 -b 1000 -n "$N" -d 100000 | tail -n 2
kill $HUB; wait $HUB
live=$(stat -c %s "$DATA/events/2026-09-01.db" "$DATA/events/2026-09-01.fts" | awk '{ s += $1 } END { print s }')
echo "live day: $live bytes ($(ls -l "$DATA/events/2026-09-01".* | awk '{ print $5, $9 }' | tr '\n' ' '))"
hub
"$BIN/loadgen" -u "$URL" -t "$TOKEN" -c 4 -b 1000 -r "${INGEST_RATE:-50000}" -d "${INGEST_SECONDS:-40}" >"$T/loadgen.out" 2>&1 &
LG=$!
sleep 5
echo "load before archive: $(uptime | sed 's/.*load average: //')"
t0=$(date +%s.%N)
/usr/bin/time -f '%U %S' -o "$T/archive.cpu" "$ROOT/bin/wardd" archive --data "$DATA" 2026-09-01
t1=$(date +%s.%N)
arch=$(jq '[.files[].archive_bytes] | add' "$DATA/archive/2026-09-01.json")
sleep 2
t2=$(date +%s.%N)
/usr/bin/time -f '%U %S' -o "$T/restore.cpu" "$ROOT/bin/wardd" restore --data "$DATA" 2026-09-01
t3=$(date +%s.%N)
echo "load after restore: $(uptime | sed 's/.*load average: //')"
ac=$(awk '{ print $1 + $2 }' "$T/archive.cpu")
rc=$(awk '{ print $1 + $2 }' "$T/restore.cpu")
awk -v l="$live" -v a="$arch" -v t0="$t0" -v t1="$t1" -v t2="$t2" -v t3="$t3" -v ac="$ac" -v rc="$rc" 'BEGIN {
	printf "archive: %.2f s, %.0f MB/s of partition, %.2f CPU s (%.2f CPU s/GB); archived day %d bytes, %.1f %% of live\n", t1 - t0, l / 1e6 / (t1 - t0), ac, ac / (l / 1e9), a, 100 * a / l
	printf "restore: %.2f s, %.0f MB/s of partition, %.2f CPU s (%.2f CPU s/GB)\n", t3 - t2, l / 1e6 / (t3 - t2), rc, rc / (l / 1e9) }'
wait $LG
echo "ingest meanwhile (offered ${INGEST_RATE:-50000} events/s):"
tail -n 3 "$T/loadgen.out"
kill $HUB; wait $HUB
rm -rf "$T"
