#!/bin/sh
# Two people on one incident: each sees the other's changes, in the same
# order, at once; concurrent edits of the same field are not silently
# overwritten.
. "$(dirname "$0")/lib.sh"
# as_bg: the same in the background, with $! the pid of ward itself.
as_bg() { u=$1; shift; HOME=$T/home/$u WARD_USER=$u WARD_HUB=ws://127.0.0.1:$PORT exec "$WARD" "$@"; }
# wait_lines FILE N: until FILE has N lines (10 s at most).
wait_lines() {
	i=0
	while [ "$(wc -l <"$1")" -lt "$2" ] && [ $i -lt 200 ]; do
		sleep 0.05; i=$((i + 1))
	done
}
# wait_grep FILE PATTERN
now_ms() { date +%s%3N; }

start_hub || exit 1
mkuser alice lead; mkuser bob handler
as alice whoami >/dev/null 2>&1; as bob whoami >/dev/null 2>&1
inc=$(as alice incident create --title "shared" | tail -n 1)

(as_bg alice tail --incidents --json) >"$T/a.out" 2>"$T/a.err" & A=$!
(as_bg bob tail --incident $inc --json) >"$T/b.out" 2>"$T/b.err" & B=$!
wait_grep "$T/a.err" subscribed; wait_grep "$T/b.err" subscribed
check "both consoles are subscribed" grep -q subscribed "$T/b.err"

# Latency: a note by one appears in the other's stream.
t0=$(now_ms)
as alice incident note $inc "first look" >/dev/null
wait_grep "$T/b.out" '"first look"'
t1=$(now_ms)
echo "# alice's note reached bob in $((t1 - t0)) ms (including ward's start)"
check "alice's note reaches bob within a second" test $((t1 - t0)) -lt 1000
t0=$(now_ms)
as bob task add $inc "pull proxy logs" >/dev/null
wait_grep "$T/a.out" '"pull proxy logs"'
t1=$(now_ms)
check "bob's task reaches alice within a second" test $((t1 - t0)) -lt 1000

# Both type at once: 2 x 20 notes in parallel.
( for i in $(seq 1 20); do as alice incident note $inc "alice $i" >/dev/null || echo fail; done ) >"$T/a.fail" &
P1=$!
( for i in $(seq 1 20); do as bob incident note $inc "bob $i" >/dev/null || echo fail; done ) >"$T/b.fail" &
P2=$!
wait $P1 $P2
eq "every concurrent note was accepted" "$(cat "$T/a.fail" "$T/b.fail")" ""
wait_lines "$T/a.out" 42; wait_lines "$T/b.out" 42
kill $A $B; wait $A $B 2>/dev/null
jq -r .seq "$T/a.out" >"$T/a.seq"; jq -r .seq "$T/b.out" >"$T/b.seq"
eq "alice saw all 42 ops" "$(wc -l <"$T/a.seq")" 42
eq "bob saw all 42 ops" "$(wc -l <"$T/b.seq")" 42
check "both saw them in the same order" cmp -s "$T/a.seq" "$T/b.seq"
check "in strictly increasing seq order, without duplicates" \
	sh -c "sort -n -u '$T/a.seq' | cmp -s - '$T/a.seq'"
first=$(head -n 1 "$T/a.seq"); last=$(tail -n 1 "$T/a.seq")
eq "with no gap" "$((last - first + 1))" 42
seq 1 20 | sed 's/^/bob /' >"$T/bob.expect"
jq -r 'select(.op == "incident.note") | .args.text' "$T/a.out" | grep '^bob ' >"$T/bob.got"
check "alice saw bob's notes in the order he wrote them" cmp -s "$T/bob.got" "$T/bob.expect"
show=$(as bob incident show $inc --json)
eq "the timeline holds the create, 41 notes and the task" \
	"$(echo "$show" | jq '.timeline | length')" 43

# Stale update: both read version V, both change the title.
v=$(echo "$show" | jq .version)
as alice incident update $inc --version "$v" --title "alice's title" >/dev/null
eq "the first update against version $v is applied" "$?" 0
as bob incident update $inc --version "$v" --title "bob's title" >"$T/out" 2>&1; rc=$?
eq "the second update against the same version is refused (exit 1)" "$rc" 1
check "... as stale" grep -q 'refused (stale)' "$T/out"
check "... showing the current value" grep -q "current: .*alice's title" "$T/out"
eq "the title is alice's, not silently bob's" \
	"$(as bob incident show $inc --json | jq -r .title)" "alice's title"
done_testing
