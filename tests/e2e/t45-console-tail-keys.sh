#!/bin/sh
# Driving the tail with less/vim keys while events pour in: the rows on
# screen are exactly the newest ones, in order (bursts are painted by
# scrolling, and nothing is lost or doubled); k pauses, G follows; /
# searches; ? lists the keys from the key tables; a count-by query shows a
# table with bars.
. "$(dirname "$0")/tui-lib.sh"

start_hub || exit 1
TOKEN=$(new_token shipper)
mkuser alice handler
console alice 100 30
see "the console is ready" alice '\[ready\] alice'

# 300 events in 6 bursts, as fast as curl posts them.
for b in 1 2 3 4 5 6; do
	for i in $(seq 1 50); do
		n=$(( (b - 1) * 50 + i ))
		echo "{\"summary\":\"burst row $(printf %03d $n)\",\"hostname\":\"h$((n % 3))\"}"
	done >"$T/b$b"
	ingest_json "$T/b$b" >/dev/null
done
see "the last event is shown" alice 'burst row 300'
sleep 0.3
got=$(screen alice | grep -o 'burst row [0-9]*' | awk '{ print $3 }' | tr '\n' ' ')
want=$(seq 275 300 | tr '\n' ' ')
eq "the 26 rows shown are the newest 26, in order, each once" "$got" "$want"

keys alice k k k
see "k pauses the tail" alice 'PAUSED'
echo '{"summary":"while paused","hostname":"p1"}' >"$T/p"
ingest_json "$T/p" >/dev/null
sleep 0.5
if screen alice | grep -q 'while paused'; then
	not_ok "paused, new events do not scroll the rows" "$(screen alice)"
else ok "paused, new events do not scroll the rows"; fi
keys alice G
see "G follows again and shows it" alice 'while paused'
see "... following" alice 'following'

keys alice /
typetext alice "row 123"; keys alice Enter
see "/ finds a row above the screen and moves there" alice 'burst row 123'
keys alice G

keys alice '?'
see "? shows help for Events" alice 'Help: Events'
see "... generated from the key tables" alice 'C-d +half a page down'
keys alice G
see "... and the commands (G: the end of help)" alice ':task add TITLE \[@USER\]'
keys alice q
see "q leaves help" alice 'query:'

keys alice e
typetext alice '* | count by hostname'
keys alice Enter
see "a count-by query shows a table" alice 'count by: 4 keys'
see "... with counts and bars" alice 'h0 +[0-9]+ .*█'
console_done
