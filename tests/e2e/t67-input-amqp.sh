#!/bin/sh
# RabbitMQ in (--amqp): a real broker (Debian's rabbitmq-server, started
# here on ports and a node name of its own) and a real publisher
# (amqp-publish of amqp-tools) sending MozDef's shape of event to its
# "eventtask" exchange.  A poison message is rejected (not requeued) and
# does not block the queue; the hub killed with -9 while the publisher
# runs and the broker restarted lose nothing that was published: every
# event is stored, duplicates counted, none missing.  amqps: a queue
# read over TLS with the broker's certificate checked (cacert=), and
# refused when another CA is named.
. "$(dirname "$0")/lib.sh"
RMQ=/usr/lib/rabbitmq/bin
if [ ! -x "$RMQ/rabbitmq-server" ] || ! command -v amqp-publish >/dev/null; then
	echo "1..0 # SKIP rabbitmq-server or amqp-tools is not installed (make deps)"; exit 0
fi
AP=$(free_port)
export HOME=$T/rmq RABBITMQ_NODENAME=ward$$@localhost RABBITMQ_NODE_PORT=$AP \
	RABBITMQ_DIST_PORT=$(free_port) ERL_EPMD_PORT=$(free_port) \
	RABBITMQ_MNESIA_BASE=$T/rmq/mnesia RABBITMQ_LOG_BASE=$T/rmq/log \
	RABBITMQ_PID_FILE=$T/rmq/pid RABBITMQ_ENABLED_PLUGINS_FILE=$T/rmq/plugins \
	RABBITMQ_CONFIG_FILE=$T/rmq/rabbitmq
mkdir -p "$T/rmq"
echo '[].' >"$T/rmq/plugins"
# A TLS listener too, with a certificate made here (CN the address:
# librabbitmq checks the name against the CN when there is no SAN).
SP=$(free_port)
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/rmq/key.pem" -out "$T/rmq/cert.pem" \
	-days 2 -subj "/CN=127.0.0.1" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/rmq/other-key.pem" -out "$T/rmq/other.pem" \
	-days 2 -subj "/CN=127.0.0.1" 2>/dev/null
cat >"$T/rmq/rabbitmq.conf" <<CONF
listeners.ssl.default = $SP
ssl_options.cacertfile = $T/rmq/cert.pem
ssl_options.certfile = $T/rmq/cert.pem
ssl_options.keyfile = $T/rmq/key.pem
ssl_options.verify = verify_none
ssl_options.fail_if_no_peer_cert = false
CONF
broker_start() {
	"$RMQ/rabbitmq-server" >>"$T/rmq/server.log" 2>&1 &
	BROKER=$!
	# await_startup fails at once while the node is not up at all
	i=0
	until "$RMQ/rabbitmqctl" -n "$RABBITMQ_NODENAME" await_startup \
	    --timeout 120 >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -gt 120 ] || ! kill -0 $BROKER 2>/dev/null && return 1
		sleep 1
	done
}
broker_stop() {
	"$RMQ/rabbitmqctl" -n "$RABBITMQ_NODENAME" stop >/dev/null 2>&1
	wait $BROKER 2>/dev/null
}
trap 'broker_stop; epmd -kill >/dev/null 2>&1; kill $PUB 2>/dev/null; cleanup' EXIT
PUB=
if ! broker_start; then
	echo "1..0 # SKIP rabbitmq-server did not start: $(tail -n 3 "$T/rmq/server.log" | tr '\n' ' ')"
	exit 0
fi
URLA="amqp://guest:guest@127.0.0.1:$AP?queue=eventtask&prefetch=500"
start_hub --amqp "$URLA" || exit 1
wait_grep "$T/hub.log" "consuming"
check "the hub consumes the queue it declared" grep -q "declared the durable queue eventtask" "$T/hub.log"
pub() { amqp-publish -u "amqp://guest:guest@127.0.0.1:$AP" -e eventtask -r eventtask -p "$@"; }
wait_stored() {
	i=0
	while [ "$(stored_count)" -lt "$1" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
}

# MozDef's shape, as its loginput and workers put it on the exchange.
pub -b '{"category":"authentication","details":{"sourceipaddress":"203.0.113.9","username":"root","success":false},"hostname":"bastion1","processname":"sshd","severity":"NOTICE","summary":"Failed password for root from 203.0.113.9","tags":["mozdef"],"timestamp":"2026-12-07T16:30:00+00:00"}'
wait_stored 1
db=$(ls "$DATA"/events/*.db | head -n 1)
d=$(sqlite3 "$db" "select doc from events_full where hostname = 'bastion1'")
eq "a MozDef event from the queue is stored as sent" \
	"$(echo "$d" | jq -c '[.category, .processname, .severity, .details.username, .tags[0]]')" \
	'["authentication","sshd","NOTICE","root","mozdef"]'
# A poison message, then an array and NDJSON.
pub -b 'this is not json {'
pub -b '[{"summary":"array one"},{"summary":"array two"}]'
printf '{"summary":"nd one"}\n{"summary":"nd two"}\n' | pub
# An object written over several lines (jq's way) is one event.
printf '{\n  "summary": "pretty one",\n  "details": {\n    "n": 7\n  }\n}\n' | pub
wait_stored 6
eq "after a poison message the queue goes on (array, NDJSON, an object over lines)" "$(stored_count)" 6
eq "... the object over lines is stored whole" \
	"$(sqlite3 "$db" "select json_extract(doc, '$.details.n') from events_full where summary = 'pretty one'")" 7
metric_of() { metric "ward_input_$1{input=\"amqp\",url=\"amqp://guest@127.0.0.1:$AP/?queue=eventtask\"}"; }
eq "the poison message is counted" "$(metric_of rejected_total)" 1
check "... and logged once, with its delivery tag" grep -q "rejected delivery [0-9]* (not requeued): not JSON" "$T/hub.log"
i=0
while [ "$("$RMQ/rabbitmqctl" -n "$RABBITMQ_NODENAME" list_queues -q name messages | awk '$1 == "eventtask" { print $2 }')" != 0 ] && [ $i -lt 50 ]; do
	sleep 0.2; i=$((i + 1))
done
eq "... and is not redelivered: the queue is empty" \
	"$("$RMQ/rabbitmqctl" -n "$RABBITMQ_NODENAME" list_queues -q name messages | awk '$1 == "eventtask" { print $2 }')" 0

# At least once: 3000 events published while the hub is killed with -9
# and started again, then 1000 more across a broker restart.
N1=3000
/usr/bin/python3 -c '
import sys, time
for i in range(1, int(sys.argv[1]) + 1):
	print("{\"summary\":\"seq %d\",\"details\":{\"seq\":%d}}" % (i, i), flush=True)
	if i % 100 == 0:
		time.sleep(0.1)' $N1 | pub -l &
PUB=$!
sleep 1
kill9_hub
start_hub --amqp "$URLA" || exit 1
wait $PUB
PUB=
wait_stored $((6 + N1))
broker_stop
broker_start || { not_ok "the broker started again"; done_testing; exit 1; }
i=0
until grep -q "reconnect" "$T/hub.log" && [ "$(grep -c "consuming" "$T/hub.log")" -ge 3 ] || [ $i -gt 300 ]; do
	sleep 0.1; i=$((i + 1))
done
check "the hub consumes again after the broker restarted" test "$(grep -c ": consuming" "$T/hub.log")" -ge 3
seq $((N1 + 1)) $((N1 + 1000)) | awk '{ printf "{\"summary\":\"seq %d\",\"details\":{\"seq\":%d}}\n", $1, $1 }' | pub -l
N=$((N1 + 1000))
wait_stored $((6 + N))
seqs() { for f in "$DATA"/events/*.db; do sqlite3 "$f" "select json_extract(doc, '$.details.seq') from events_full where json_extract(doc, '$.details.seq') is not null"; done; }
distinct=$(seqs | sort -un | wc -l | tr -d ' ')
total=$(seqs | wc -l | tr -d ' ')
echo "# $N published, $total stored, $((total - distinct)) duplicates"
eq "every published event is stored (none missing)" "$distinct" "$N"
check "... duplicates are only repeats of published ones" test "$(seqs | sort -un | tail -n 1)" -eq "$N"
check "the reconnect is counted" test "$(metric_of reconnects_total)" -ge 1

# amqps: the broker's certificate checked against cacert=; a queue reached
# with the wrong CA is refused and retried, nothing taken from it.
stop_hub
start_hub --amqp "amqps://guest:guest@127.0.0.1:$SP?queue=tlsq&exchange=&cacert=$T/rmq/cert.pem" \
	--amqp "amqps://guest:guest@127.0.0.1:$SP?queue=tlsbad&exchange=&cacert=$T/rmq/other.pem" || exit 1
i=0
until grep -q "queue=tlsq: consuming" "$T/hub.log" || [ $i -gt 300 ]; do sleep 0.1; i=$((i + 1)); done
amqp-publish -u "amqp://guest:guest@127.0.0.1:$AP" -r tlsq -p -b '{"summary":"over amqps","details":{"seq":0}}'
i=0
while [ -z "$(sqlite3 "$db" "select 1 from events_full where summary = 'over amqps'")" ] && [ $i -lt 300 ]; do
	sleep 0.1; i=$((i + 1))
done
eq "an event from a queue read over amqps is stored" \
	"$(sqlite3 "$db" "select count(*) from events_full where summary = 'over amqps'")" 1
tls_conn() { metric "ward_input_connections{input=\"amqp\",url=\"amqps://guest@127.0.0.1:$SP/?queue=$1\"}"; }
eq "... its connection is up" "$(tls_conn tlsq)" 1
check "a broker certificate the CA did not sign is refused, logged" \
	grep -q "queue=tlsbad: .*again in" "$T/hub.log"
eq "... and that input is not connected" "$(tls_conn tlsbad)" 0
done_testing
