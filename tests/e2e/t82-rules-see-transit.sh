#!/bin/sh
# The rules judge each event as it was stored, after the transit steps.
# A MozDef-style plugin that answers with a new event in place of the one
# it was given (a door controller's raw record turned into a verdict)
# makes a rule on the verdict fire, once for each event, while a rule on
# the raw record the plugin took away stays silent; a decoder's field
# (sshd's source address, read from the message) is seen by the SSH
# brute-force rule the same way.
. "$(dirname "$0")/lib.sh"
P=$T/plugins
mkdir -p "$P" "$DATA/rules"
cat >"$P/badge.py" <<'EOF'
class message(object):
    def __init__(self):
        self.registration = ['badge']
        self.priority = 5

    def onMessage(self, message, metadata):
        raw = message['details'].get('raw', '')
        if 'TWICE' not in raw:
            return (message, metadata)
        return ({'summary': 'door %s opened twice on one badge' % raw.split()[0],
                 'processname': 'badge', 'hostname': message['hostname'],
                 'category': 'physical',
                 'details': {'verdict': 'tailgating'}}, metadata)
EOF
cat >"$DATA/rules/tailgating.yml" <<'R'
title: Tailgating at a door
id: test-tailgating
level: medium
detection:
  sel:
    details.verdict: tailgating
  condition: sel
R
cat >"$DATA/rules/raw.yml" <<'R'
title: A raw door record
id: test-raw-door
level: low
detection:
  sel:
    details.raw|contains: TWICE
  condition: sel
R
start_hub --plugins "$P" || exit 1
TOKEN=$(new_token t82)
q() { sqlite3 "$DATA/state.db" "$1"; }
for door in D1 D2 D3; do
	printf '{"summary":"badge","processname":"badge","hostname":"gate","details":{"raw":"%s OPENED TWICE"}}\n' "$door"
done >"$T/badges"
eq "three door records are taken" "$(post_acked /events "$T/badges" -H 'Content-Type: application/x-ndjson' | cut -d' ' -f1)" 200
# Twelve failed logins as sshd writes them: the source address is in the
# message only, until the decoders read it (ward.extract).
i=0
while [ $i -lt 12 ]; do
	printf '{"summary":"Failed password for root from 198.51.100.23 port 4%02d22 ssh2","processname":"sshd","hostname":"bastion"}\n' "$i"
	i=$((i + 1))
done >"$T/logins"
eq "twelve sshd messages are taken" "$(post_acked /events "$T/logins" -H 'Content-Type: application/x-ndjson' | cut -d' ' -f1)" 200
stop_hub
eq "the verdict the plugin wrote is an alert, matched by all three events" \
	"$(q "select count(*) || ' ' || sum(count) from alerts where rule_id = 'test-tailgating'")" "1 3"
eq "the raw record the plugin replaced matches nothing" \
	"$(q "select count(*) from alerts where rule_id = 'test-raw-door'")" 0
eq "the decoder's source address groups the SSH brute force" \
	"$(q "select group_key from alerts where rule_id = '8d1c3f0e-2b7a-4c55-9a61-5a3f1e9b2c01'")" 198.51.100.23
done_testing
