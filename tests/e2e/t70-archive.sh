#!/bin/sh
# Archive and restore whole days: a hub under faketime writes three days
# in the past; archived days leave the searches (which say so), come back
# byte for byte, and kill -9 in the middle of either loses nothing.
. "$(dirname "$0")/lib.sh"
need_faketime
TOKEN=$(new_token t70)
READER=$(new_token reader70 reader)
PORT=$(free_port)
# day N: 3000 events stamped that day, sent by a hub whose clock says so
for d in 01 02 03; do
	awk -v d=$d 'BEGIN { srand(d + 0)
		for (i = 0; i < 3000; i++)
			printf "{\"timestamp\":\"2026-09-%sT%02d:%02d:%02dZ\",\"hostname\":\"h%d\",\"summary\":\"day %s event %d word%d\"}\n",
			    d, int(rand() * 24), int(rand() * 60), int(rand() * 60), i % 7, d, i, i % 13 }' >"$T/day$d"
	start_hub_at "2026-09-$d 12:00:00" || exit 1
	r=$(post /events "$T/day$d" -H 'Content-Type: application/x-ndjson')
	eq "day $d is ingested under faketime" "$r" '200 {"accepted":3000,"rejected":0}'
	stop_hub
done
eq "three day partitions" "$(ls "$DATA/events" | grep -c '^2026-09-0[123]\.db$')" 3
start_hub || exit 1
search() {	# search QUERY [curl args]: NDJSON
	q=$1; shift
	curl -s -G -H "Authorization: Bearer $READER" --data-urlencode "q=$q" \
		--data-urlencode "limit=100000" "$@" "$URL/api/search"
}
search '*' >"$T/before"
search 'word3' >"$T/before.fts"
eq "every event is found before" "$(grep -c '"id"' "$T/before")" 9000
eq "/metrics: 9000 events in the store" "$(metric_becomes ward_store_events 9000)" 9000

check "archive two days while the hub runs" "$WARDD" archive --data "$DATA" 2026-09-01 2026-09-02
eq "their live files are gone" "$(ls "$DATA/events" | grep -c '^2026-09-0[12]\.\(db\|fts\)')" 0
search '*' >"$T/after"
eq "a search no longer finds them" "$(grep -c '"id"' "$T/after")" 3000
eq "and says which days it could not read" "$(tail -n 1 "$T/after" | jq -r .notice)" \
	"2 days archived: restore with wardd restore --data $DATA 2026-09-02 2026-09-01"
eq "archived: 2" "$(tail -n 1 "$T/after" | jq -r .archived)" 2
eq "/metrics: the store holds the live day's events only" \
	"$(metric_becomes ward_store_events 3000)" 3000
eq "/metrics: two days archived" "$(metric_becomes ward_archived_days 2)" 2
eq "/metrics: their events" "$(metric_becomes ward_archived_events 6000)" 6000
search '*' --data-urlencode since=2026-09-03T00:00:00Z >"$T/after3"
eq "a range that does not reach them says nothing" "$(grep -c notice "$T/after3")" 0
search '*' --data-urlencode since=2026-09-02T12:00:00Z --data-urlencode until=2026-09-02T13:00:00Z >"$T/after2"
eq "a range inside one archived day names it" "$(jq -r 'select(.notice) | .notice' "$T/after2")" \
	"1 day archived: restore with wardd restore --data $DATA 2026-09-02"
mkuser ann viewer
as ann search '*' >/dev/null 2>"$T/cli.err"
check "ward search says so on stderr" grep -q "ward: search: 2 days archived: restore with wardd restore" "$T/cli.err"
"$WARDD" archive list --data "$DATA" >"$T/list"
eq "archive list shows each state" "$(awk 'NR > 1 { print $1, $2, $3 }' "$T/list" | tr '\n' ';')" \
	"2026-09-01 archived 3000;2026-09-02 archived 3000;2026-09-03 live 3000;"
zstd -qdc "$DATA/archive/2026-09-01.db.zst" >"$T/plain.db"
eq "zstd -d then sqlite3 reads an archived day" "$(sqlite3 "$T/plain.db" 'select count(*) from events')" 3000
eq "the manifest's SHA-256 is the day's" "$(sha256sum <"$T/plain.db" | cut -d' ' -f1)" \
	"$(jq -r '.files[] | select(.name == "2026-09-01.db") | .sha256' "$DATA/archive/2026-09-01.json")"
eq "the manifest counts the events" "$(jq -r .events "$DATA/archive/2026-09-01.json")" 3000
live=$(jq '[.files[].bytes] | add' "$DATA/archive/2026-09-01.json")
arch=$(jq '[.files[].archive_bytes] | add' "$DATA/archive/2026-09-01.json")
check "an archived day is at most a quarter of its live size ($arch of $live bytes)" [ $((arch * 4)) -le "$live" ]

# A damaged archive is refused, and the day stays archived.
cp "$DATA/archive/2026-09-02.db.zst" "$T/good.zst"
printf 'XXXX' | dd of="$DATA/archive/2026-09-02.db.zst" bs=1 seek=200 conv=notrunc 2>/dev/null
check "restore refuses a damaged archive" sh -c "! '$WARDD' restore --data '$DATA' 2026-09-02 2>'$T/bad.err'"
check "saying why" grep -q "2026-09-02" "$T/bad.err"
eq "and nothing of the day appears" "$(ls -a "$DATA/events" | grep -c '2026-09-02\.db\|restore')" 0
cp "$T/good.zst" "$DATA/archive/2026-09-02.db.zst"

check "restore both days" "$WARDD" restore --data "$DATA" 2026-09-01 2026-09-02
search '*' >"$T/restored"
check "searches return the same events, same ids, same order" cmp "$T/before" "$T/restored"
search 'word3' >"$T/restored.fts"
check "full-text searches too" cmp "$T/before.fts" "$T/restored.fts"
eq "/metrics: the restored events count again" \
	"$(metric_becomes ward_store_events 9000)" 9000
eq "/metrics: no archived event out of the store" "$(metric_becomes ward_archived_events 0)" 0
eq "restored days are listed so" "$("$WARDD" archive list --data "$DATA" | awk '$1 == "2026-09-01" { print $2 }')" restored
ls -l --time-style=+%s.%N "$DATA/archive" >"$T/arch.before"
"$WARDD" archive --data "$DATA" 2026-09-01 >"$T/again"
eq "a restored day is archived again without a second copy" "$(cat "$T/again")" \
	"2026-09-01: archived (the archive held it already)"
ls -l --time-style=+%s.%N "$DATA/archive" | grep -v '2026-09-01.json' >"$T/arch.after"
check "its compressed files are untouched" cmp "$(grep -v 2026-09-01.json "$T/arch.before" >"$T/ab"; echo "$T/ab")" "$T/arch.after"
check "restore it for the next part" "$WARDD" restore --data "$DATA" 2026-09-01

# Today is not over: refused.
echo '{"summary":"today"}' >"$T/today"
post /events "$T/today" >/dev/null
today=$(date -u +%F)
check "a day not over is refused" sh -c "! '$WARDD' archive --data '$DATA' $today 2>'$T/today.err'"
check "saying so" grep -q "is not over" "$T/today.err"
search '*' --data-urlencode until=2026-09-04T00:00:00Z >"$T/before"

# kill -9 in the middle of archive and of restore, at growing delays:
# after each, the day is either live or archived (never half), and a
# search finds either all of it or none of it with the notice.
bad=0
for delay in 0.001 0.003 0.006 0.01 0.02 0.03 0.05 0.08; do
	for cmd in archive restore; do
		timeout -s KILL $delay "$WARDD" $cmd --data "$DATA" 2026-09-03 >/dev/null 2>&1
		search '*' --data-urlencode until=2026-09-04T00:00:00Z >"$T/mid"
		n=$(grep -c '"id"' "$T/mid")
		state=$("$WARDD" archive list --data "$DATA" | awk '$1 == "2026-09-03" { print $2 }')
		case "$n $state" in
		"9000 live"|"9000 restored") ;;
		"6000 archived") grep -q '"archived":1' "$T/mid" || bad=$((bad + 1)) ;;
		*) bad=$((bad + 1)); echo "# after $cmd killed at $delay s: $n events, $state" ;;
		esac
	done
done
eq "kill -9 during archive or restore never leaves a day half there" $bad 0
"$WARDD" restore --data "$DATA" 2026-09-03 >/dev/null
search '*' --data-urlencode until=2026-09-04T00:00:00Z >"$T/final"
check "and after it, every event is there as before" cmp "$T/before" "$T/final"
eq "no temporary file is left" "$(ls -a "$DATA/events" "$DATA/archive" | grep -c 'tmp$\|restore$')" 0
done_testing
