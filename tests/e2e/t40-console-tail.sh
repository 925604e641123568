#!/bin/sh
# The console logs in, tails the events as they are ingested, and a query
# typed in the query bar narrows them (an error shows a caret under the bad
# spot as it is typed).
. "$(dirname "$0")/tui-lib.sh"

start_hub || exit 1
TOKEN=$(new_token shipper)
mkuser alice lead

console alice 100 30
see "the console logs in and says who and where" alice \
	'\[ready\] alice \(lead\) @ 127\.0\.0\.1'
see "it opens on the Events view" alice '1 Events'

cat >"$T/ev.ndjson" <<EOT
{"summary":"sshd accepted password for root","hostname":"web1","severity":"WARNING","category":"auth"}
{"summary":"cron job ran","hostname":"db1","severity":"INFO","category":"cron"}
{"summary":"kernel: eth0 promiscuous mode","hostname":"web2","severity":"ERROR","category":"kernel"}
EOT
eq "three events are ingested" "$(ingest_json "$T/ev.ndjson")" 200
see "the live tail shows ingested events" alice 'web1 .*sshd accepted password'
see "... all of them" alice 'web2 .*promiscuous mode'

keys alice e
see "e opens the query bar" alice 'Enter apply'
typetext alice 'hostname:web* AND ('
see "a bad query shows a caret and why, as it is typed" alice '\^ '
keys alice C-u
typetext alice 'hostname:web*'
keys alice Enter
see "the query is applied" alice 'query: hostname:web\*'
see "... the rows it selects stay" alice 'web2 .*promiscuous'
if screen alice | grep -q 'cron job ran'; then
	not_ok "... and the others are gone" "$(screen alice)"
else ok "... and the others are gone"; fi

printf '%s\n' '{"summary":"late web event","hostname":"web9"}' \
	'{"summary":"late db event","hostname":"db9"}' >"$T/ev2.ndjson"
ingest_json "$T/ev2.ndjson" >/dev/null
see "new events that match arrive live" alice 'web9 .*late web event'
if screen alice | grep -q 'late db event'; then
	not_ok "new events that do not match stay out" "$(screen alice)"
else ok "new events that do not match stay out"; fi

# Untrusted contents are escaped: an ESC sequence arrives as text.
printf '{"summary":"evil \\u001b[2J\\u001b]0;pwned\\u0007 here","hostname":"web6"}\n' >"$T/ev3.ndjson"
ingest_json "$T/ev3.ndjson" >/dev/null
see "control characters in events are shown escaped" alice 'evil \^\[\[2J\^\[\]0;pwned\^G here'

# A burst: one request, one commit, several "events" pushes from the hub;
# every matching event arrives, in order, and none that does not match.
seq 1 2500 | awk '{ printf "{\"summary\":\"burst %d\",\"hostname\":\"web7\"}\n", $1
	printf "{\"summary\":\"other %d\",\"hostname\":\"db7\"}\n", $1 }' >"$T/burst.ndjson"
eq "a burst of 5000 events is ingested" "$(ingest_json "$T/burst.ndjson")" 200
see "the 2500 that match arrive whole" alice ' 2504/2505 rows '
if screen alice | grep -A1 'burst 2499$' | grep -q 'burst 2500$'; then
	ok "... in order, the newest last"
else not_ok "... in order, the newest last" "$(screen alice)"; fi

keys alice q
sleep 0.3
check "q quits the console" sh -c "tmux -S $TMUX_SOCK list-panes -t ward:alice -F '#{pane_dead}' | grep -q 1"
console_done
