#!/bin/sh
# wardd backup while the hub ingests: the copy is a data directory a hub
# starts from, with every event acknowledged before the backup began,
# the incidents, users and tokens and the hub's key; a closed day is
# not copied again by the next backup.
. "$(dirname "$0")/lib.sh"
LOADGEN=$ROOT/${B:-build/rel}/bench/loadgen
TOKEN=$(new_token t74)
READER=$(new_token r74 reader)
PORT=$(free_port)
if [ -n "$FAKELIB" ]; then	# a closed day, written by a hub in the past
	start_hub_at "2026-09-01 12:00:00" || exit 1
	printf '{"timestamp":"2026-09-01T10:00:00Z","summary":"old day"}\n' >"$T/old"
	post /events "$T/old" >/dev/null
	stop_hub
fi
start_hub || exit 1
mkuser lea lead
inc=$(as lea incident create --title "backed up" | tail -n 1)
"$LOADGEN" -u "$URL" -t "$TOKEN" -c 2 -b 200 -d 6 -a "$T/acked" >"$T/load" 2>&1 &
LG=$!
sleep 2
cp "$T/acked" "$T/acked.before"
check "backup while loadgen runs" "$WARDD" backup --data "$DATA" "$T/copy"
wait $LG
stop_hub
n=$(wc -l <"$T/acked.before")
check "events were acknowledged before the backup began ($n)" test "$n" -gt 0
for f in "$T/copy"/events/*.db; do
	sqlite3 "$f" "select json_extract(doc, '$.details.loadid') from events_full"
done | sort >"$T/copied_ids"
sort "$T/acked.before" >"$T/acked_ids"
eq "every event acknowledged before the backup began is in it" "$(comm -23 "$T/acked_ids" "$T/copied_ids" | wc -l)" 0
eq "the hub key is the same" "$(cat "$T/copy/hub_ed25519.pub")" "$(cat "$DATA/hub_ed25519.pub")"
ORIG=$DATA
DATA=$T/copy
PORT=$(free_port)
start_hub || exit 1
check "a hub starts on the copy" curl -sf "$URL/healthz"
c=$(curl -s -G -H "Authorization: Bearer $READER" --data-urlencode 'q=* | count' "$URL/api/search" | jq .count)
check "it finds at least those events ($c >= $n)" test "$c" -ge "$n"
eq "the reader token works there" "$(curl -s -o /dev/null -w '%{http_code}' -G -H "Authorization: Bearer $READER" --data-urlencode 'q=*' "$URL/api/search")" 200
eq "the users are there" "$("$WARDD" user list --data "$DATA" | awk '{ print $1 }' | tr '\n' ' ')" "lea "
eq "the incident is there" "$(as lea incident show "$inc" --json | jq -r .title)" "backed up"
stop_hub
DATA=$ORIG
if [ -n "$FAKELIB" ]; then
	"$WARDD" backup --data "$DATA" "$T/copy" >"$T/again"
	check "the next backup copies only what changed" grep -q "1 days copied, 1 unchanged" "$T/again"
fi
check "the copy passes integrity_check" sh -c "sqlite3 '$T/copy/state.db' 'pragma integrity_check' | grep -qx ok"
done_testing
