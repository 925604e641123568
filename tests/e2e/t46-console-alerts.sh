#!/bin/sh
# Alerts in the console: an event that trips a rule shows up in the
# Alerts view at once, counted as unseen on the other views; a handler
# acknowledges it and promotes it to an incident, which opens.
. "$(dirname "$0")/tui-lib.sh"

start_hub || exit 1
TOKEN=$(new_token shipper)
mkuser hank handler
console hank 120 30
see "the console is ready" hank '\[ready\] hank'

echo '{"summary":"Accepted password for root from 203.0.113.9 port 4242 ssh2","hostname":"web1","processname":"sshd","details":{"username":"root","success":true}}' >"$T/root"
eq "a root login is ingested" "$(ingest_json "$T/root")" 200
see "the tab counts the unseen alert" hank '2 Alerts \(1 new\)' 10
keys hank 2
see "the Alerts view lists it" hank 'root logged in over SSH on web1'
see "... and it is no longer unseen" hank ' 2 Alerts  '
keys hank a
see "a acknowledges it" hank 'acknowledged'
keys hank p
see "p promotes it and opens the new incident" hank 'INC-[0-9]+ .*root' 10
see "... whose timeline says so" hank 'Timeline \(([2-9]|[1-9][0-9])\)'
console_done
