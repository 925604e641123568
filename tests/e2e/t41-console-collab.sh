#!/bin/sh
# Two consoles as two users on one incident: a note typed in one appears in
# the other within a second; the lead assigns a task and the assignee's
# console shows it; each sees that the other is looking.
. "$(dirname "$0")/tui-lib.sh"
now_ms() { date +%s%3N; }

start_hub || exit 1
mkuser alice lead; mkuser bob handler
inc=$(as alice incident create --title "Phishing wave" 2>/dev/null | tail -n 1)
eq "an incident to work on" "$inc" INC-1

console alice 100 30; console bob 100 30
see "alice's console is ready" alice '\[ready\] alice'
see "bob's console is ready" bob '\[ready\] bob \(handler\)'

keys alice 3
see "the Incidents view lists it" alice 'INC-1 +medium +open +identification'
keys alice Enter
see "Enter opens it" alice 'INC-1 Phishing wave'
typetext bob ":open $inc"; keys bob Enter
see ":open opens it too" bob 'INC-1 Phishing wave'
see "alice sees that bob is looking" alice 'looking: bob \(handler\)'
see "bob sees that alice is looking" bob 'looking: alice \(lead\)'

keys bob c
see "c starts a note on the command line" bob '^:note'
typetext bob "web1 reimaged, creds rotated"
t0=$(now_ms)
keys bob Enter
if wait_screen alice 'note +web1 reimaged, creds rotated' 1; then
	ok "bob's note appears in alice's console within a second ($(( $(now_ms) - t0 )) ms)"
else not_ok "bob's note appears in alice's console within a second" "$(screen alice)"; fi

keys alice t
typetext alice "pull proxy logs @bob"
keys alice Enter
see "the lead adds a task assigned to bob" alice 'T-1 +todo +bob +pull proxy logs'
see "the assignee's console shows it" bob 'T-1 +todo +bob +pull proxy logs'

typetext alice ":task add check mail gateway"; keys alice Enter
see "a second task, unassigned" bob 'T-2 +todo +- +check mail gateway'
typetext alice ":assign T-2 bo"; keys alice Tab
see "Tab completes user names" alice ':assign T-2 bob$'
keys alice Enter
see "the lead assigns it and bob sees it" bob 'T-2 +todo +bob +check mail gateway'

keys bob Tab
keys bob d
see "bob marks his task done from the Tasks pane" alice 'T-1 +done +bob'

typetext alice ":st cont"; keys alice Enter
see "the lead contains the incident; both headers say so" bob 'status contained'
typetext alice ":phase erad"; keys alice Enter
see "... and moves it to eradication" bob 'phase eradication'

typetext bob ":status open"; keys bob Enter
see "a handler may not change the status: the hub's reason is shown" bob \
	'refused: .*(lead|role)'
console_done
