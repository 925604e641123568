#!/bin/sh
# An attacker floods the hub with failed logins from 55,000 distinct
# addresses, more groups than a rule holds (50,000), then brute-forces from
# one address amid more of the flood: the SSH brute-force rule still
# raises its alert for that address, and /metrics counts the groups
# evicted to make room.
. "$(dirname "$0")/lib.sh"
start_hub || exit 1
TOKEN=$(new_token t54)
SSH_BF=8d1c3f0e-2b7a-4c55-9a61-5a3f1e9b2c01
flood() {	# flood FROM N: N failed logins from distinct addresses
	awk -v from="$1" -v n="$2" 'BEGIN {
		for (i = from; i < from + n; i++)
			printf "{\"summary\":\"Failed password for root from 10.%d.%d.%d port 22 ssh2\",\"processname\":\"sshd\",\"hostname\":\"bastion\"}\n", int(i / 65536) % 256, int(i / 256) % 256, i % 256
	}'
}
k=0
while [ $k -lt 55000 ]; do
	flood $k 5000 >"$T/flood"
	r=$(post_acked /events "$T/flood" -H 'Content-Type: application/x-ndjson')
	[ "${r%% *}" = 200 ] || break
	k=$((k + 5000))
done
eq "the flood is stored" "$k" 55000
for a in 1 2 3 4 5 6 7 8 9 10; do
	printf '{"summary":"Failed password for root from 198.51.100.66 port 22 ssh2","processname":"sshd","hostname":"bastion"}\n' >"$T/atk"
	flood $((100000 + a * 1000)) 1000 >>"$T/atk"
	post_acked /events "$T/atk" -H 'Content-Type: application/x-ndjson' >/dev/null
done
alerts() { sqlite3 "$DATA/state.db" "select count(*) from alerts where rule_id = '$SSH_BF' and group_key = '198.51.100.66'"; }
i=0
while [ "$(alerts)" = 0 ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
eq "the brute force from 198.51.100.66 raises its alert" "$(alerts)" 1
# /metrics has the alerter's counts of the last second.
i=0
while [ "$(metric ward_rule_groups_evicted_total)" = 0 ] && [ $i -lt 50 ]; do
	sleep 0.1; i=$((i + 1))
done
check "groups were evicted to make room (ward_rule_groups_evicted_total)" \
	test "$(metric ward_rule_groups_evicted_total)" -gt 0
check "the log says so" grep -q 'groups evicted' "$T/hub.log"
# Thirty failed logins from one address in one request, each stamped a
# second before the one sent before it: the window lists its events by
# time, not in the order they came, and the alert counts all thirty.
now=$(date -u +%s)
: >"$T/rev"
for a in $(seq 1 30); do
	printf '{"timestamp":"%s","summary":"Failed password for root from 203.0.113.9 port 22 ssh2","processname":"sshd","hostname":"bastion"}\n' \
	    "$(date -u -d "@$((now - a))" +%Y-%m-%dT%H:%M:%SZ)" >>"$T/rev"
done
post_acked /events "$T/rev" -H 'Content-Type: application/x-ndjson' >/dev/null
rev() { sqlite3 "$DATA/state.db" "select matches || ' ' || count || ' ' || json_array_length(events) from alerts where rule_id = '$SSH_BF' and group_key = '203.0.113.9'"; }
i=0
while [ "$(rev)" != "3 30 30" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
eq "events out of time order: 3 matches, all 30 counted, 30 ids" "$(rev)" "3 30 30"
done_testing
