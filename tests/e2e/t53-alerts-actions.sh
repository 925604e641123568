#!/bin/sh
# Response actions: a webhook whose receiver is down, then slow, then up
# is retried until it gets through, every attempt on the alert's
# timeline, and never slows ingest; a command gets the alert on standard
# input and its exit status and output are recorded.
. "$(dirname "$0")/lib.sh"
B=${B:-build/rel}
SINK=$ROOT/$B/bench/webhook_sink
q() { sqlite3 "$DATA/state.db" "$1"; }
timeline() { q "select text from alert_timeline where alert = $1 order by id"; }
HOOK_PORT=$(free_port)
SINK_PID=
stop_sink() { [ -n "$SINK_PID" ] && kill "$SINK_PID" 2>/dev/null && wait "$SINK_PID" 2>/dev/null; SINK_PID=; }
trap 'stop_sink; cleanup' EXIT
mkdir -p "$DATA/rules"
cat >"$DATA/rules/marker.yml" <<'R'
title: Test marker
id: test-marker
level: high
detection:
  sel:
    summary|contains: WARD-MARKER
  condition: sel
ward:
  group-by: [hostname]
  summary: "marker on {hostname}"
R
cat >"$T/act.sh" <<'S'
#!/bin/sh
read -r alert
echo "got alert $WARD_ALERT_ID ($WARD_ALERT_SEVERITY) for $(printf '%s' "$alert" | jq -r .group)"
[ "$(printf '%s' "$alert" | jq -r .group)" = fail ] && exit 3
exit 0
S
chmod +x "$T/act.sh"
cat >"$DATA/actions.yml" <<A
actions:
  - name: hook
    rules: [test-marker]
    webhook:
      url: http://127.0.0.1:$HOOK_PORT/alert
    timeout: 1s
    retries: 8
    backoff: 300ms
  - name: script
    rules: [Test marker]
    command: [$T/act.sh]
    timeout: 5s
    retries: 0
A
start_hub || exit 1
TOKEN=$(new_token t)
check "the actions are logged at start" grep -q 'actions: .*webhook hook' "$T/hub.log"

# Down: nothing listens on the webhook's port.
printf '{"hostname":"web1","summary":"WARD-MARKER 1"}\n' >"$T/ev"
post /events "$T/ev" >/dev/null
sleep 1.2
a=$(q "select id from alerts where group_key = 'web1'")
check "the alert was raised" test -n "$a"
check "a refused connection is recorded and retried" sh -c "sqlite3 '$DATA/state.db' \"select text from alert_timeline where alert = $a\" | grep -q 'webhook hook: attempt 1 of 9 failed: connect: .*retry in'"
check "and logged" grep -q 'actions: alert .*webhook hook: attempt 1 of 9 failed' "$T/hub.log"

# Slow: the receiver answers after 3 s, past the 1 s timeout.
"$SINK" -p "$HOOK_PORT" -o "$T/slow.out" -d 3000 & SINK_PID=$!
sleep 2.5
# Ingest is not slowed by the webhook meanwhile.
t0=$(date +%s%N)
printf '{"hostname":"web2","summary":"nothing to see"}\n' >"$T/ev2"
code=$(post /events "$T/ev2" | cut -d' ' -f1)
t1=$(date +%s%N)
eq "ingest answers while the webhook hangs" "$code" 200
check "well before the 3 s the receiver takes" test $(( (t1 - t0) / 1000000 )) -lt 1000
check "a receiver that does not answer in time is a timeout, retried" sh -c "sqlite3 '$DATA/state.db' \"select text from alert_timeline where alert = $a\" | grep -q 'failed: no answer within 1.0 s'"
stop_sink

# Up.
"$SINK" -p "$HOOK_PORT" -o "$T/up.out" & SINK_PID=$!
i=0
while ! grep -q '"id"' "$T/up.out" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
sleep 0.3
check "once up, the receiver gets the alert" jq -e ".id == $a and .rule_id == \"test-marker\" and .severity == \"high\"" "$T/up.out"
check "the success is on the timeline" sh -c "sqlite3 '$DATA/state.db' \"select text from alert_timeline where alert = $a\" | grep -q 'webhook hook: HTTP 200'"
eq "delivered once" "$(grep -c '"id"' "$T/up.out")" 1

# The command.
check "the command ran with the alert on stdin, its output kept" sh -c "sqlite3 '$DATA/state.db' \"select text from alert_timeline where alert = $a\" | grep -q \"command script: exit 0 in [0-9]* ms: got alert $a (high) for web1\""
printf '{"hostname":"fail","summary":"WARD-MARKER 2"}\n' >"$T/ev3"
post /events "$T/ev3" >/dev/null
sleep 1
f=$(q "select id from alerts where group_key = 'fail'")
check "a failing command is reported with its exit status" sh -c "sqlite3 '$DATA/state.db' \"select text from alert_timeline where alert = $f\" | grep -q 'command script: gave up after 1 attempt: exit 3'"
check "and logged as an error" grep -q "error: actions: alert $f: command script: gave up" "$T/hub.log"
check "the attempt's details are kept as data" sh -c "sqlite3 '$DATA/state.db' \"select data from alert_timeline where alert = $f and text like 'command%'\" | jq -e '.ok == false and .kind == \"command\" and (.output | test(\"got alert\"))'"

# An update of the alert does not fire actions configured for new alerts.
post /events "$T/ev" >/dev/null
sleep 0.8
eq "new matches of an open alert do not fire 'on: new' actions again" "$(jq -c "select(.id == $a)" "$T/up.out" | wc -l)" 1
stop_sink
done_testing
