#!/bin/sh
# Promoting the SSH brute force alert makes an incident whose observables
# are what the alert names, each with its sightings: the source address
# (its group key, seen in every event), and the user and host of the
# event it keeps (the tenth failure, which fired it).
# The alert list says the rule's title once, though the summary starts
# with it.
. "$(dirname "$0")/tui-lib.sh"

start_hub || exit 1
TOKEN=$(new_token shipper)
mkuser hank handler
console hank 140 40
see "the console is ready" hank '\[ready\] hank'

seq 1 12 | awk '{ u = $1 % 2 ? "admin" : "root"
	printf "{\"summary\":\"Failed password for %s from 203.0.113.7 port %d ssh2\",\"hostname\":\"bastion\",\"processname\":\"sshd\",\"details\":{\"sourceipaddress\":\"203.0.113.7\",\"sourceport\":%d,\"username\":\"%s\",\"success\":false}}\n", u, 40000 + $1, 40000 + $1, u }' >"$T/bf.ndjson"
eq "twelve failed SSH logins from one address are ingested" "$(ingest_json "$T/bf.ndjson")" 200
keys hank 2
see "the Alerts view lists the brute force" hank 'SSH brute force: 1[0-9] failed logins from 203\.0\.113\.7' 10
if screen hank | grep -q 'SSH brute force: SSH brute force'; then
	not_ok "... saying the rule's title once" "$(screen hank)"
else ok "... saying the rule's title once"; fi
as hank alert list >"$T/list"
check "ward alert list says it once too" grep -q ' SSH brute force: 1[0-9] failed' "$T/list"
if grep -q 'SSH brute force: SSH brute force' "$T/list"; then
	not_ok "... never twice" "$(cat "$T/list")"
else ok "... never twice"; fi

id=$(as hank alert list --json | jq -r 'select(.rule == "SSH brute force") | .id')
count=$(as hank alert list --json | jq -r 'select(.rule == "SSH brute force") | .count')
keys hank p
see "p promotes it and opens the new incident" hank 'INC-1 ' 10
see "the incident lists the source address as an observable, with its sightings" hank \
	"ip +203\\.0\\.113\\.7 +seen $count"
as hank incident show INC-1 --json >"$T/inc.json"
eq "incident show: the address is an observable" \
	"$(jq -r '.observables[] | select(.kind == "ip") | .value' "$T/inc.json")" 203.0.113.7
eq "... sighted by the alert in all its events" \
	"$(jq -r '.observables[] | select(.kind == "ip") | .sightings[] | "\(.alert) \(.events)"' "$T/inc.json")" \
	"$id $count"
eq "... from its first event to its last" \
	"$(jq -r '.observables[] | select(.kind == "ip") | .sightings[0] | (.first_seen != null and .last_seen != null and .first_seen <= .last_seen)' "$T/inc.json")" true
eq "the user tried is an observable" \
	"$(jq -r '[.observables[] | select(.kind == "user") | .value] | sort | join(" ")' "$T/inc.json")" root
eq "... and the host" \
	"$(jq -r '.observables[] | select(.kind == "host") | .value' "$T/inc.json")" bastion
eq "... and nothing else (not the port)" "$(jq -r '.observables | length' "$T/inc.json")" 3
check "the timeline lists them" sh -c "jq -r '.timeline[] | select(.kind == \"observable\") | .text' '$T/inc.json' | grep -q 'observables of alert $id: ip 203.0.113.7'"
as hank incident show INC-1 >"$T/inc.txt"
check "ward incident show prints the sightings" grep -Eq "ip +203\\.0\\.113\\.7  seen $count, 20" "$T/inc.txt"
console_done
