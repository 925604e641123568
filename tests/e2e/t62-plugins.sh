#!/bin/sh
# Python plugins in MozDef's interface, run in transit by a real hub: our
# own plugins written the way MozDef's are (an sshd parser, lower-case
# keys, no dots at the ends of keys, a dropper that returns a bare None)
# change what is stored; a plugin that raises, one that sleeps forever and
# one that calls os._exit, met while events flow, lose nothing: every
# acknowledged event is stored, as it was before the failing plugin and
# tagged, the hub keeps serving, the host is restarted and /metrics counts
# it all.  SIGHUP picks up a new plugin; a broken one is named by file and
# line and the others keep working.
. "$(dirname "$0")/lib.sh"
P=$T/plugins
mkdir -p "$P"
cat >"$P/sshd_fields.py" <<'EOF'
import re


class message(object):
    def __init__(self):
        self.registration = ['sshd']
        self.priority = 5

    def onMessage(self, message, metadata):
        failed = re.compile(r'^Failed (?P<authmethod>\w+) for (invalid user )?'
                            r'(?P<username>\S+) from (?P<sourceipaddress>[0-9.]+)'
                            r' port (?P<sourceport>\d+) ssh2$')
        if message.get('processname') == 'sshd':
            m = failed.search(message['summary'])
            if m:
                for k in ('authmethod', 'username', 'sourceipaddress',
                          'sourceport'):
                    message['details'][k] = m.group(k)
        return (message, metadata)
EOF
cat >"$P/lower_keys.py" <<'EOF'
class message(object):
    def __init__(self):
        self.registration = ['cloudtrail']
        self.priority = 4

    def onMessage(self, message, metadata):
        def low(v):
            if isinstance(v, dict):
                return {k.lower(): low(x) for k, x in v.items()}
            if isinstance(v, list):
                return [low(x) for x in v]
            return v
        return (low(message), metadata)
EOF
cat >"$P/remove_dots.py" <<'EOF'
class message(object):
    def __init__(self):
        self.registration = ['cloudtrail']
        self.priority = 5

    def onMessage(self, message, metadata):
        def fix(v):
            if isinstance(v, dict):
                return {k.strip('.'): fix(x) for k, x in v.items()}
            if isinstance(v, list):
                return [fix(x) for x in v]
            return v
        return (fix(message), metadata)
EOF
cat >"$P/drop_health.py" <<'EOF'
class message(object):
    def __init__(self):
        self.registration = ['ELB-HealthChecker/1.0']
        self.priority = 1

    def onMessage(self, message, metadata):
        if message['details'].get('http_user_agent') == 'ELB-HealthChecker/1.0':
            return None
        return (message, metadata)
EOF
# Runs first on the events the failing plugins meet: its mark must stay.
cat >"$P/mark.py" <<'EOF'
class message(object):
    registration = ['boom', 'sleepy', 'die']
    priority = 2

    def onMessage(self, message, metadata):
        message['details']['marked'] = 'yes'
        return (message, metadata)
EOF
cat >"$P/raiser.py" <<'EOF'
class message(object):
    registration = ['boom']

    def onMessage(self, message, metadata):
        message['details']['half'] = 'done'
        raise KeyError('nosuchfield')
EOF
cat >"$P/sleeper.py" <<'EOF'
import time


class message(object):
    registration = ['sleepy']

    def onMessage(self, message, metadata):
        message['details']['half'] = 'done'
        time.sleep(100000)
EOF
cat >"$P/exiter.py" <<'EOF'
import os


class message(object):
    registration = ['die']

    def onMessage(self, message, metadata):
        message['details']['half'] = 'done'
        os._exit(7)
EOF

start_hub --plugins "$P" --plugin-timeout 1000 || exit 1
TOKEN=$(new_token load)
q() {	# q SQL: over every partition
	for f in "$DATA"/events/*.db; do sqlite3 "$f" "$1"; done
}

# Background traffic the plugins do not register for, all along.
"$ROOT/${B:-build/rel}/bench/loadgen" -u "$URL" -t "$TOKEN" -c 1 -r 2000 \
	-d 12 >"$T/load.out" 2>&1 &
LOAD=$!

# 12 requests of 20 events: sshd failures, noise, and here and there an
# event the raiser, the sleeper or the exiter meets.
sent=0 acked=0 bad=0
for r in 1 2 3 4 5 6 7 8 9 10 11 12; do
	: >"$T/req"
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do
		printf '{"hostname":"web%s","processname":"sshd","summary":"Failed password for invalid user u%s_%s from 203.0.113.%s port 4%s ssh2","tags":["t62"]}\n' \
			$r $r $i $i $i >>"$T/req"
	done
	printf '{"hostname":"web%s","processname":"cron","summary":"r%s nothing to see","tags":["t62"]}\n' $r $r >>"$T/req"
	printf '{"hostname":"web%s","category":"boom","summary":"r%s boom","tags":["t62"]}\n' $r $r >>"$T/req"
	case $r in
	3|9) printf '{"hostname":"web%s","category":"sleepy","summary":"r%s sleepy","tags":["t62"]}\n' $r $r >>"$T/req" ;;
	5|6|10) printf '{"hostname":"web%s","category":"die","summary":"r%s die","tags":["t62"]}\n' $r $r >>"$T/req" ;;
	*) printf '{"hostname":"web%s","processname":"sshd","summary":"Accepted publickey for ops from 198.51.100.%s port 22 ssh2","tags":["t62"]}\n' $r $r >>"$T/req" ;;
	esac
	printf '{"hostname":"web%s","source":"cloudtrail","tags":["t62"],"details":{"EventName":"ConsoleLogin","Region.":"eu","Items":[{".Key":"v"}]}}\n' $r >>"$T/req"
	n=$(wc -l <"$T/req")
	sent=$((sent + n))
	res=$(post_acked /events "$T/req")
	if [ "${res%% *}" = 200 ]; then acked=$((acked + n)); else bad=$((bad + 1)); echo "# $res"; fi
done
# A health check is dropped; its request is still acknowledged.
printf '{"hostname":"lb","summary":"GET /health","tags":["t62"],"details":{"http_user_agent":"ELB-HealthChecker/1.0"}}\n{"hostname":"lb","summary":"GET /","tags":["t62"],"details":{"http_user_agent":"curl/8.0"}}\n' >"$T/req"
res=$(post_acked /events "$T/req")
eq "a request with a dropped event is acknowledged" "${res%% *}" 200
check "the hub serves while plugins fail" curl -sf "$URL/healthz"
wait $LOAD
eq "every request was acknowledged" "$bad" 0
check "the background load ran" grep -q 'events/s' "$T/load.out"

stored=$(q "select count(*) from events_full where doc like '%\"t62\"%'" | awk '{s+=$1} END {print s}')
eq "every acknowledged event is stored, the dropped one not" "$stored" $((acked + 1))
eq "the health check was dropped" "$(q "select count(*) from events_full where doc like '%GET /health%'")" 0
n=$(q "select count(*) from events_full where json_extract(doc, '\$.details.sourceipaddress') like '203.0.113.%' and json_extract(doc, '\$.details.username') like 'u%'" | awk '{s+=$1} END {print s}')
eq "details.sourceipaddress and username extracted from every sshd failure" "$n" 192
ct=$(q "select doc from events_full where doc like '%cloudtrail%' limit 1")
case $ct in
*'"eventname":"ConsoleLogin"'*'"region":"eu"'*'"items":[{"key":"v"}]'*) ok "keys lower-cased and dots removed (cloudtrail)" ;;
*) not_ok "keys lower-cased and dots removed (cloudtrail)" "$ct" ;;
esac
for what in boom:raiser:12 sleepy:sleeper:2 die:exiter:3; do
	cat=${what%%:*} rest=${what#*:}; name=${rest%%:*} want=${rest#*:}
	got=$(q "select count(*) from events_full where json_extract(doc, '\$.category') = '$cat' and doc like '%\"plugin_error:$name\"%' and json_extract(doc, '\$.details.marked') = 'yes' and json_extract(doc, '\$.details.half') is null" | awk '{s+=$1} END {print s}')
	eq "$name: each event stored as before it (marked, not half done), tagged plugin_error:$name" "$got" "$want"
	eq "$name: errors counted in /metrics" "$(metric "ward_plugin_errors_total{plugin=\"$name\"}")" "$want"
	eq "$name: its error logged once, with its name" "$(grep -c "plugin $name (" "$T/hub.log")" 1
done
# (The hub's own warnings about the plugins are events of category
# ward whose summary names the tag; no plugin runs on those.)
eq "no other event is tagged with an error" \
	"$(q "select count(*) from events_full where (doc like '%plugin_error%' or doc like '%plugin_skipped%') and category is not 'ward'" | awk '{s+=$1} END {print s}')" 17
eq "each plugin's warning is an event of the hub, untagged" \
	"$(q "select count(*) from events_full where category = 'ward' and summary like 'plugin %' and json_array_length(doc, '\$.tags') = 0" | awk '{s+=$1} END {print s}')" \
	"$(grep -c 'warning: plugin .*(logged once)' "$T/hub.log")"
r=$(metric ward_plugin_host_restarts_total)
check "the host was restarted after each hang and death ($r)" test "$r" -ge 5
# loadgen's traffic has sshd events too: every one went through the plugin
eq "the sshd plugin's events counted" "$(metric 'ward_plugin_events_total{plugin="sshd_fields"}')" \
	"$(q "select count(*) from events_full where json_extract(doc, '\$.processname') = 'sshd'" | awk '{s+=$1} END {print s}')"
eq "the dropper's drop counted" "$(metric 'ward_plugin_dropped_total{plugin="drop_health"}')" 1
check "the host's log says which plugin killed it" grep -q 'plugin exiter (.*exit status 7' "$T/hub.log"
check "the hub's log says which plugin hung" grep -q 'plugin sleeper (.*longer than 1000 ms' "$T/hub.log"

# SIGHUP: a new plugin starts running.
cat >"$P/stamp.py" <<'EOF'
class message(object):
    registration = ['stampme']

    def onMessage(self, message, metadata):
        message['details']['stamped'] = 'by stamp.py'
        return (message, metadata)
EOF
kill -HUP "$HUB_PID"
wait_grep "$T/hub.log" 'SIGHUP'
sleep 1
printf '{"hostname":"h","category":"stampme","summary":"stampme please"}\n' >"$T/one"
res=$(post_acked /events "$T/one")
eq "an event after the reload is acknowledged" "${res%% *}" 200
eq "a plugin added before SIGHUP runs" "$(q "select json_extract(doc, '\$.details.stamped') from events_full where doc like '%stampme please%'")" "by stamp.py"
# A broken plugin: named by file and line; the previous set stays.
printf 'class message(object):\n    registration = ["x"]\n    def onMessage(self, m, md)\n        return (m, md)\n' >"$P/broken.py"
kill -HUP "$HUB_PID"
wait_grep "$T/hub.log" 'broken.py:3:'
check "a broken plugin is named by file and line" grep -q 'broken.py:3: syntax error' "$T/hub.log"
printf '{"hostname":"h","category":"stampme","summary":"stampme again"}\n' >"$T/one"
res=$(post_acked /events "$T/one")
eq "the plugins loaded before keep running" "$(q "select json_extract(doc, '\$.details.stamped') from events_full where doc like '%stampme again%'")" "by stamp.py"
check "the hub still serves" curl -sf "$URL/healthz"

# wardd parse: the shipped examples, and broken plugins.
cat >"$T/ex.ndjson" <<'EOF'
{"processname":"sshd","summary":"Failed password for invalid user bob from 192.0.2.9 port 4711 ssh2"}
{"summary":"GET /health","details":{"http_user_agent":"ELB-HealthChecker/1.0"}}
{"summary":"GET /","details":{"http_user_agent":"curl"}}
EOF
"$WARDD" parse --plugins "$ROOT/share/plugins/examples" "$T/ex.ndjson" >"$T/ex.out" 2>&1
eq "wardd parse: the example plugins drop one event of three" "$(wc -l <"$T/ex.out")" 2
check "wardd parse: the example sshd plugin sets the address" grep -q '"sourceipaddress":"192.0.2.9"' "$T/ex.out"
"$WARDD" parse --plugins "$P" "$T/ex.ndjson" >"$T/bad.out" 2>"$T/bad.err"
eq "wardd parse exits 2 on a broken plugin" $? 2
check "... naming it by file and line" grep -q "^$P/broken.py:3: syntax error" "$T/bad.err"
mkdir -p "$T/noclass"
printf 'import re\n\ndef onMessage(m, md):\n    return (m, md)\n' >"$T/noclass/lonely.py"
"$WARDD" parse --plugins "$T/noclass" "$T/ex.ndjson" >"$T/bad.out" 2>"$T/bad.err"
eq "wardd parse exits 2 on a plugin without class message" $? 2
check "... and says so" grep -q "lonely.py:1: no class message" "$T/bad.err"
done_testing
