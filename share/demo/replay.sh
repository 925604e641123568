#!/bin/sh
# Replay the demo scenario into a hub, a second of scenario per second of
# real time (SPEED=n for n times faster), each event stamped as it is sent.
#   share/demo/replay.sh URL TOKEN [SECONDS]
set -eu
url=$1 token=$2 seconds=${3:-120}
speed=${SPEED:-1}
dir=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d /tmp/ward-replay.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
awk -v seconds="$seconds" -f "$dir/scenario.awk" >"$tmp/all"
t=0
while [ "$t" -lt "$seconds" ]; do
	ts=$(date -u +%Y-%m-%dT%H:%M:%S.%NZ | sed 's/\.\([0-9]\{6\}\)[0-9]*Z/.\1Z/')
	awk -F '\t' -v t="$t" '$1 == t { print $2 }' "$tmp/all" |
		sed "s/@TS@/$ts/" >"$tmp/batch"
	if [ -s "$tmp/batch" ]; then
		curl -sf -o /dev/null -H "Authorization: Bearer $token" \
			-H 'Content-Type: application/x-ndjson' \
			--data-binary @"$tmp/batch" "$url/events" ||
			echo "replay: hub refused the batch of second $t" >&2
	fi
	t=$((t + 1))
	[ "$speed" -gt 0 ] && sleep "$(awk -v s="$speed" 'BEGIN { printf "%.3f", 1 / s }')"
done
