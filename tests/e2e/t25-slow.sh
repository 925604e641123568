#!/bin/sh
# A console that stops reading does not slow anybody else down: its queue
# is bounded, it is told to resync, and the others keep getting their
# pushes at once.  The event tail filters on the hub with the search
# language.
. "$(dirname "$0")/lib.sh"
as_bg() { u=$1; shift; HOME=$T/home/$u WARD_USER=$u WARD_HUB=ws://127.0.0.1:$PORT exec "$WARD" "$@"; }
now_ms() { date +%s%3N; }

start_hub || exit 1
TOKEN=$(new_token t25)
mkuser alice lead; mkuser bob handler; mkuser carol viewer
for u in alice bob carol; do as $u whoami >/dev/null 2>&1; done
inc=$(as alice incident create --title "flood" | tail -n 1)

# carol tails everything, then stops reading (SIGSTOP: a console frozen
# over a dead SSH link).  bob tails the incident and the failures only.
(as_bg carol tail --incidents --events --json) >"$T/c.out" 2>"$T/c.err" & C=$!
(as_bg bob tail --incidents --query 'summary:"failed"' --json) >"$T/b.out" 2>"$T/b.err" & B=$!
wait_grep "$T/c.err" 'subscribed.*'; wait_grep "$T/b.err" subscribed
sleep 0.3
kill -STOP $C

seq 1 5000 | sed 's/.*/{"summary":"flood &","hostname":"h1"}/' >"$T/flood.json"
printf '{"summary":"login failed for root","hostname":"h2"}\n' >"$T/one.json"
t0=$(now_ms)
for i in 1 2 3 4; do
	r=$(post /events "$T/flood.json" -H 'Content-Type: application/x-ndjson')
	case "$r" in 2*) ;; *) echo "# post: $r" | head -c 300; echo ;; esac
done
post /events "$T/one.json" >/dev/null
t1=$(now_ms)
echo "# 20001 events ingested in $((t1 - t0)) ms with a frozen console"
wait_grep "$T/b.out" 'login failed for root'
check "bob's filtered tail got the matching event" grep -q 'login failed for root' "$T/b.out"
eq "... and none of the 20000 that do not match" "$(grep -c '"flood ' "$T/b.out")" 0

t0=$(now_ms)
as alice incident note $inc "still moving" >/dev/null
wait_grep "$T/b.out" '"still moving"'
t1=$(now_ms)
echo "# note -> bob with carol frozen: $((t1 - t0)) ms"
check "a note still reaches bob within a second" test $((t1 - t0)) -lt 1000
check "the hub logged that carol fell behind" grep -q 'session .* (carol): console too slow' "$T/hub.log"

kill -CONT $C
wait_grep "$T/c.out" '"type":"resync"'
check "carol is told to resync when she reads again" grep -q '"type":"resync"' "$T/c.out"
as alice incident note $inc "after the thaw" >/dev/null
wait_grep "$T/c.out" '"after the thaw"'
check "... and gets new pushes after it" grep -q '"after the thaw"' "$T/c.out"
n=$(grep -c '"type":"event"' "$T/c.out")
echo "# carol received $n of 20001 events before the resync"
check "her queue was bounded (she did not get all 20001)" test "$n" -lt 20001
kill $B $C 2>/dev/null; wait $B $C 2>/dev/null
done_testing
