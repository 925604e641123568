#!/bin/sh
# One user's slow searches stall nobody else (issue 22): a viewer's
# searches run on the hub's search threads, so a lead's notes and a new
# login are answered while they run; one user has at most 2 searches
# running and 4 waiting, and the next is refused with a message saying
# so, also on her console's screen; another user's search does not queue
# behind them; and a console that goes away stops its searches.  Ordering, not timing: what must come
# first is compared with when the slow searches end.
. "$(dirname "$0")/tui-lib.sh"
now_ns() { date +%s%N; }
# wait_metric NAME VALUE: wait up to 10 s for /metrics to show it.
wait_metric() {
	i=0
	while [ "$(metric "$1")" != "$2" ] && [ $i -lt 200 ]; do
		sleep 0.05; i=$((i + 1))
	done
}

start_hub || exit 1
TOKEN=$(new_token t28)
mkuser lena lead; mkuser vic viewer; mkuser bob handler; mkuser dora viewer
inc=$(as lena incident create --title "busy day" | tail -n 1)

# A small corpus that makes a search slow: 3000 events each with a
# 2000-byte details.pad, and a pattern that fails late at every offset of
# it, so every event costs the wildcard match length x pattern steps and
# each search runs into its 5 s limit, here or on a faster machine.
pad=$(head -c 2000 /dev/zero | tr '\0' a)
seq 1 3000 | awk -v pad="$pad" '{ printf "{\"summary\":\"slow %d\",\"hostname\":\"h1\",\"details\":{\"pad\":\"%s\"}}\n", $1, pad }' >"$T/pad.json"
r=$(post /events "$T/pad.json" -H 'Content-Type: application/x-ndjson')
eq "the corpus is ingested" "$r" '200 {"accepted":3000,"rejected":0}'
SLOW="details.pad:*$(head -c 1500 /dev/zero | tr '\0' a)b"

# vic starts three slow searches; two run, one waits.
spids=
for i in 1 2 3; do
	( as vic search "$SLOW" >"$T/s$i.out" 2>&1; echo $? >"$T/s$i.rc"
	  now_ns >"$T/s$i.end" ) &
	spids="$spids $!"
done
wait_metric ward_console_searches_running 2
eq "two of vic's searches run at once" "$(metric ward_console_searches_running)" 2

# While they run: lena adds ten notes, bob logs in, lena lists the audit
# log (which runs on a search thread too).
fails=0
for i in 1 2 3 4 5 6 7 8 9 10; do
	as lena incident note "$inc" "note $i while vic searches" >/dev/null 2>"$T/note.err" ||
		fails=$((fails + 1))
done
as bob whoami >"$T/bob.out" 2>"$T/bob.err"; bob_rc=$?
as lena audit --op incident.note --limit 20 >"$T/audit.out" 2>"$T/audit.err"; audit_rc=$?
ops_end=$(now_ns)
running=$(metric ward_console_searches_running)
wait $spids
eq "every one of lena's notes is applied" "$fails" 0
eq "bob logs in" "$bob_rc/$(head -n 1 "$T/bob.out" | cut -c1-3)" "0/bob"
eq "lena's audit listing shows her ten notes" "$audit_rc/$(grep -c incident.note "$T/audit.out")" "0/10"
first=$(cat "$T"/s?.end | sort -n | head -n 1)
check "the notes, the login and the audit listing were answered while vic's searches still ran" \
	test "$ops_end" -lt "$first"
eq "... and the searches were still running after them" "$running" 2
check "each of vic's searches is answered (its 5 s limit, here)" \
	sh -c "grep -l 'timed out\|slow ' '$T'/s?.out | wc -l | grep -qx 3"
eq "the notes are all in the incident" \
	"$(as lena incident show "$inc" --json | jq '[.timeline[] | select(.kind == "note")] | length')" 10

# The cap: vic opens seven searches at once; two run, four wait, the
# seventh is refused, saying why.  dora's search meanwhile is answered
# before any of vic's ends.
pids=
for i in 1 2 3 4 5 6 7; do
	as_bg vic search "$SLOW" >"$T/c$i.out" 2>&1
	pids="$pids $!"
done
i=0
until grep -q 'busy\|the most the hub allows' "$T"/c?.out 2>/dev/null || [ $i -gt 300 ]; do
	sleep 0.05; i=$((i + 1))
done
refused=$(grep -l 'the most the hub allows one user' "$T"/c?.out | head -n 1)
check "the seventh search is refused" test -n "$refused"
check "... saying vic has 6 running or waiting" \
	grep -q 'vic already has 6 searches running or waiting, the most the hub allows one user (2 running, 4 waiting)' "$refused"
eq "... and counted in /metrics" "$(metric ward_console_searches_refused_total)" 1
console vic 150 30
see "vic's console says why her stored events are not shown" vic \
	'stored events: vic already has 6 searches running or waiting' 10
as dora search 'hostname:h1 | count' --json >"$T/dora.out" 2>"$T/dora.err"
eq "dora's search is answered" "$(jq -r .count "$T/dora.out")" 3000
check "... while vic's still run" test "$(metric ward_console_searches_running)" -ge 2
busy=0
for f in "$T"/c?.out; do [ -s "$f" ] && busy=$((busy + 1)); done
eq "... and before any of vic's six ended" "$busy" 1

# vic's consoles go away: their searches stop and the waiting ones never
# start, so her next search runs at once instead of being refused.
kill $pids 2>/dev/null; wait $pids 2>/dev/null
wait_metric ward_console_searches_running 0
eq "the killed consoles' searches stop" "$(metric ward_console_searches_running)" 0
as vic search 'hostname:h1 | count' --json >"$T/v.out" 2>"$T/v.err"
eq "vic's next search is answered, not refused" "$(jq -r .count "$T/v.out" 2>/dev/null)" 3000
check "the hub is still up" curl -sf -o /dev/null "$URL/healthz"
console_done
