#!/bin/sh
# A viewer sees everything but may change nothing: the console offers no
# edit keys, and an edit typed anyway is refused by the hub with its
# reason on screen.
. "$(dirname "$0")/tui-lib.sh"

start_hub || exit 1
mkuser alice lead; mkuser vic viewer
inc=$(as alice incident create --title "Lost laptop" 2>/dev/null | tail -n 1)
as alice task add "$inc" "wipe it remotely" >/dev/null 2>&1

console vic 100 30
see "the viewer's console is ready" vic '\[ready\] vic \(viewer\)'
typetext vic ":open $inc"; keys vic Enter
see "the viewer sees the incident and its tasks" vic 'T-1 +todo +- +wipe it remotely'
see "... and is offered no edit keys" vic 'read only \(viewer\)'
typetext vic ":note I was here"; keys vic Enter
see "a viewer's note is refused with the hub's reason" vic \
	'refused: .*viewer'
typetext vic ":task done T-1"; keys vic Enter
see "... so is closing a task" vic 'refused: '
n=$(as alice incident show "$inc" --json 2>/dev/null | grep -c 'I was here')
eq "nothing reached the incident" "$n" 0
console_done
