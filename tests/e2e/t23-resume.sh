#!/bin/sh
# A console that loses the hub reconnects by itself and resumes from the
# last seq it saw: nothing missed, nothing twice.  The hub's state
# survives a restart.
. "$(dirname "$0")/lib.sh"
# as_bg: the same in the background, with $! the pid of ward itself.
as_bg() { u=$1; shift; HOME=$T/home/$u WARD_USER=$u WARD_HUB=ws://127.0.0.1:$PORT exec "$WARD" "$@"; }

start_hub || exit 1
mkuser alice lead; mkuser bob handler
as alice whoami >/dev/null 2>&1; as bob whoami >/dev/null 2>&1
inc=$(as alice incident create --title "resume" --severity critical | tail -n 1)
as alice task add $inc "contain host" --assign bob >/dev/null
as alice observable add $inc ip 203.0.113.9 --ioc >/dev/null
before=$(as alice incident show $inc --json)

(as_bg bob tail --incidents --json) >"$T/tail.out" 2>"$T/tail.err" & TP=$!
wait_grep "$T/tail.err" subscribed
for i in 1 2 3; do as alice incident note $inc "before $i" >/dev/null; done
wait_grep "$T/tail.out" '"before 3"'

# Restart the hub; while the console is away (stopped, so it surely
# misses them) others work; then it comes back and must catch up.
kill -STOP $TP
stop_hub
start_hub || exit 1
for i in 1 2 3 4 5; do as alice incident note $inc "during $i" >/dev/null; done
kill -CONT $TP
wait_grep "$T/tail.out" '"during 5"'
for i in 1 2 3; do as alice incident note $inc "after $i" >/dev/null; done
wait_grep "$T/tail.out" '"after 3"'
kill $TP; wait $TP 2>/dev/null
check "the console noticed the loss and retried" grep -q 'retrying in' "$T/tail.err"
jq -r .seq "$T/tail.out" >"$T/seqs"
eq "it saw all 11 notes" "$(jq -r 'select(.op == "incident.note") | .args.text' "$T/tail.out" | wc -l)" 11
check "each once, in seq order" sh -c "sort -n -u '$T/seqs' | cmp -s - '$T/seqs'"
first=$(head -n 1 "$T/seqs"); last=$(tail -n 1 "$T/seqs")
eq "with no gap across the restart" "$((last - first + 1))" "$(wc -l <"$T/seqs")"

after=$(as alice incident show $inc --json)
for f in title severity status version; do
	eq "$f survives the restart" "$(echo "$after" | jq -r .$f)" \
		"$(echo "$before" | jq -r .$f)"
done
eq "the task survives the restart" "$(echo "$after" | jq -c '.tasks[0] | [.id, .assignee, .status]')" '["T-1","bob","todo"]'
eq "the observable survives the restart" "$(echo "$after" | jq -r '.observables[0].value')" 203.0.113.9
eq "the timeline has every entry" "$(echo "$after" | jq '.timeline | length')" 14
eq "the hub key survives the restart (no re-pinning)" \
	"$(grep -c "127.0.0.1:$PORT" "$T/home/alice/.config/ward/known_hubs")" 1

# Resume from a seq: a new console asks for what it missed.
(as_bg bob tail --incidents --json --count 2) >"$T/tail2.out" 2>&1 &
TP=$!
wait_grep "$T/tail2.out" subscribed
as alice incident note $inc "x" >/dev/null; as alice incident note $inc "y" >/dev/null
wait $TP
eq "a fresh tail sees the ops made after it subscribed" \
	"$(grep '^{' "$T/tail2.out" | jq -r .args.text | tr '\n' ' ')" "x y "
done_testing
