#!/bin/sh
# Resizing: at 80x24 every view keeps its tabs, status bar and rows in
# place; growing back to a large terminal puts the detail pane beside the
# list; nothing is left over from the old size.
. "$(dirname "$0")/tui-lib.sh"

start_hub || exit 1
TOKEN=$(new_token shipper)
mkuser alice lead
inc=$(as alice incident create --title "Resize me" 2>/dev/null | tail -n 1)
for i in $(seq 1 60); do
	echo "{\"summary\":\"row $i of the resize test\",\"hostname\":\"h$i\"}"
done >"$T/ev.ndjson"

console alice 160 48
see "the console is ready at 160x48" alice '\[ready\] alice'
ingest_json "$T/ev.ndjson" >/dev/null
see "events arrive" alice 'row 60 of the resize test'
keys alice Enter
see "Enter opens the detail pane" alice 'Event [0-9]+ \(Tab'
screen alice | grep -q '^summary: row 60' && n=below || n=beside
eq "... not below it" "$n" beside

tm resize-window -t ward:alice -x 80 -y 24
see "at 80x24 the status bar is on row 23" alice '\[ready\] alice'
# tmux keeps the old screen's bottom rows (status bar included) until the
# console redraws: wait for what only the redrawn screen has.
wait_screen alice '^ 1 Events' 5
wait_screen alice '^summary: row 60 of the resize test' 5
s=$(screen alice)
screen alice >"$T/s"
eq "the screen is 24 rows" "$(wc -l <"$T/s")" 24
eq "row 1 holds the tabs" "$(printf '%s\n' "$s" | sed -n 1p | cut -c1-34)" \
	" 1 Events   2 Alerts   3 Incidents"
eq "row 23 holds the status bar" \
	"$(printf '%s\n' "$s" | sed -n 23p | grep -c '\[ready\] alice (lead)')" 1
eq "the detail pane moved below the list" \
	"$(printf '%s\n' "$s" | grep -c '^summary: row 60 of the resize test')" 1
eq "no line is wider than 80 columns" \
	"$(printf '%s\n' "$s" | awk 'length > 80' | wc -l)" 0

keys alice 3
see "Incidents at 80x24" alice 'INC-1 +medium +open'
keys alice Enter
see "the incident at 80x24: header" alice 'INC-1 Resize me'
s=$(screen alice)
eq "... timeline and tasks both shown" \
	"$(printf '%s\n' "$s" | grep -c 'Timeline (1)\|Tasks (0)')" 2
keys alice '?'
see "help at 80x24" alice 'Help: Incident'

tm resize-window -t ward:alice -x 140 -y 40
keys alice q
see "back at 140x40, the incident again" alice 'Observables \(0\)'
# The redraw may still be under way when the incident shows: wait for the
# status bar and the wide layout before reading the screen.
wait_screen alice '\[ready\] alice' 5
wait_screen alice 'Timeline \(1\).*Tasks \(0\)' 5
s=$(screen alice)
screen alice >"$T/s"
eq "the screen is 40 rows" "$(wc -l <"$T/s")" 40
eq "the status bar is on row 39" \
	"$(printf '%s\n' "$s" | sed -n 39p | grep -c '\[ready\] alice')" 1
eq "the tasks pane is beside the timeline (wide layout)" \
	"$(printf '%s\n' "$s" | grep -c 'Timeline (1) .*│\? *Tasks (0)\|Timeline (1).*Tasks (0)')" 1
console_done
