#!/bin/sh
# Losing the hub never loses the screen: the console says it is
# reconnecting, keeps what it shows, reconnects by itself when the hub is
# back, and resumes: what changed meanwhile arrives, events flow again.
. "$(dirname "$0")/tui-lib.sh"

start_hub || exit 1
TOKEN=$(new_token shipper)
mkuser alice lead
inc=$(as alice incident create --title "Outage drill" 2>/dev/null | tail -n 1)

console alice 100 30
see "the console is ready" alice '\[ready\] alice'
echo '{"summary":"before the outage","hostname":"a1"}' >"$T/e1"
ingest_json "$T/e1" >/dev/null
see "an event arrives" alice 'before the outage'
typetext alice ":open $inc"; keys alice Enter
see "the incident is open" alice 'Timeline \(1\)'

kill9_hub
see "the hub is gone: the console says it is reconnecting" alice \
	'\[reconnecting\]'
see "... and keeps the screen" alice 'Outage drill'

PORT=$PORT start_hub || exit 1
as alice incident note "$inc" "noted while alice was away" >/dev/null 2>&1
see "it reconnects by itself" alice '\[ready\] alice' 15
see "what changed meanwhile arrives" alice \
	'noted while alice was away' 10
keys alice 1
echo '{"summary":"after the outage","hostname":"a2"}' >"$T/e2"
ingest_json "$T/e2" >/dev/null
see "events flow again" alice 'after the outage'
see "... below the ones from before" alice 'before the outage'
console_done
