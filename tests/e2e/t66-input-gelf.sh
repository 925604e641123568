#!/bin/sh
# GELF in (--gelf, POST /gelf): a real client (the npm package gelf-pro:
# UDP with zlib and chunks, TCP with NUL framing) and crafted datagrams
# (gzip, chunks out of order, a duplicate chunk, chunks that never all
# come, bad ones), POST /gelf as Graylog's HTTP input takes it, and
# NUL-framed GELF over TLS (--gelf tls://).
# Fields land where MozDef puts them; bad messages are dropped alone,
# counted and logged.
. "$(dirname "$0")/lib.sh"
UDP=$(free_port)
TCP=$(free_port)
start_hub --gelf "udp://127.0.0.1:$UDP" --gelf "tcp://127.0.0.1:$TCP" || exit 1
TOKEN=$(new_token gelf)
wait_stored() {
	i=0
	while [ "$(stored_count)" -lt "$1" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
}
doc() {
	for f in "$DATA"/events/*.db; do
		sqlite3 "$f" "select doc from events_full where summary = '$1'"
	done
}
rejected() {
	metric "ward_input_rejected_total{input=\"gelf\",url=\"udp://127.0.0.1:$UDP\"}"
}
n=0
udp=0	# events stored from the UDP listener

if sh "$ROOT/tests/fetch-gelf-pro.sh"; then
	# 30 kB of a full message that does not compress: ~23 chunks.
	NODE_PATH=$ROOT/build/npm/node_modules node - "$UDP" "$TCP" <<'EOJS' >"$T/node.log" 2>&1
const gelf = require('gelf-pro');
const crypto = require('crypto');
const [udp, tcp] = process.argv.slice(2).map(Number);
const big = crypto.randomBytes(15000).toString('hex');
function client(adapter, port) {
	const g = Object.create(gelf);
	g.setConfig({ adapterName: adapter, adapterOptions: { host: '127.0.0.1', port },
		fields: { facility: 'billing', owner: 'ops' } });
	return g;
}
const u = client('udp', udp), t = client('tcp', tcp);
u.error('gelf-pro udp short', { user_id: 42, path: '/pay' }, (e) => {
	if (e) throw e;
	u.info('gelf-pro udp chunked', { full_message: big }, (e) => {
		if (e) throw e;
		t.warning('gelf-pro tcp one', { user_id: 7 }, (e) => {
			if (e) throw e;
			t.notice('gelf-pro tcp two', {}, (e) => { if (e) throw e; process.exit(0); });
		});
	});
});
EOJS
	check "gelf-pro sent its messages" test $? -eq 0
	n=$((n + 4)) udp=2
	wait_stored $n
	d=$(doc "gelf-pro udp short")
	eq "gelf-pro over UDP (zlib, one chunk): the host" "$(echo "$d" | jq -r .hostname)" "$(hostname)"
	eq "... level 3 is ERROR" "$(echo "$d" | jq -r .severity)" ERROR
	eq "... additional fields under details" "$(echo "$d" | jq -c '[.details.user_id, .details.path, .details.owner, .details.facility]')" \
		'[42,"/pay","ops","billing"]'
	eq "... details.input" "$(echo "$d" | jq -r .details.input)" gelf
	d=$(doc "gelf-pro udp chunked")
	eq "a message of many chunks is put together" "$(echo "$d" | jq -r '.details.full_message | length')" 30000
	eq "over TCP (NUL-framed), both messages" \
		"$(doc "gelf-pro tcp one" | jq -r .severity) $(doc "gelf-pro tcp two" | jq -r .severity)" "WARNING NOTICE"
else
	echo "# gelf-pro could not be installed from npm: crafted datagrams only"
fi

# Crafted: gzip, chunks out of order with a duplicate, bad datagrams,
# chunks that never all come.
/usr/bin/python3 - "$UDP" <<'EOPY'
import gzip, json, os, socket, sys, zlib
port = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
def send(b): s.sendto(b, ("127.0.0.1", port))
def msg(text, **kw):
	m = {"version": "1.1", "host": "crafted", "short_message": text,
	     "timestamp": 1796661000.25, "level": 4}
	m.update(kw)
	return json.dumps(m).encode()
send(gzip.compress(msg("crafted gzip", _zone="dmz")))
send(msg("crafted plain"))
body = zlib.compress(msg("crafted chunks", full_message=os.urandom(2500).hex(), _n=3))
parts = [body[i:i + 1000] for i in range(0, len(body), 1000)]
mid = os.urandom(8)
order = list(range(len(parts)))[::-1]
order.insert(1, order[0])		# a duplicate
for i in order:
	send(b"\x1e\x0f" + mid + bytes([i, len(parts)]) + parts[i])
send(b"not json at all")
send(msg("no short message").replace(b'"short_message"', b'"shortmessage"'))
send(b"\x1e\x0f" + os.urandom(8) + bytes([0, 200]) + b"{}")	# 200 chunks
send(b"\x1e\x0f" + os.urandom(8) + bytes([0, 2]) + msg("half")[:10])	# never whole
send(msg("crafted after the bad ones"))
EOPY
n=$((n + 4)) udp=$((udp + 4))
wait_stored $n
d=$(doc "crafted gzip")
eq "a gzip datagram: the time is the message's" "$(echo "$d" | jq -r .utctimestamp)" "2026-12-07T16:30:00.250000+00:00"
eq "... level 4 is WARNING, _zone is details.zone" "$(echo "$d" | jq -r '.severity + " " + .details.zone')" "WARNING dmz"
check "a plain JSON datagram" test -n "$(doc "crafted plain")"
d=$(doc "crafted chunks")
eq "chunks out of order, one twice: one message, whole" "$(echo "$d" | jq -r '(.details.full_message | length | tostring) + " " + (.details.n | tostring)')" "5000 3"
check "the message after the bad ones is kept" test -n "$(doc "crafted after the bad ones")"
eq "the bad datagrams are counted" "$(rejected)" 3
check "... and logged" grep -q "gelf udp://127.0.0.1:$UDP: dropped a message from 127.0.0.1: " "$T/hub.log"
# The half message is given up after 5 s, when the next datagram comes.
sleep 5.5
/usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"{\"version\":\"1.1\",\"host\":\"h\",\"short_message\":\"later\"}", ("127.0.0.1", int(sys.argv[1])))' "$UDP"
n=$((n + 1)) udp=$((udp + 1))
wait_stored $n
eq "chunks that never all came are given up and counted" "$(rejected)" 4
eq "every stored GELF event is counted" \
	"$(metric "ward_input_events_total{input=\"gelf\",url=\"udp://127.0.0.1:$UDP\"}")" $udp

# POST /gelf, as Graylog's GELF HTTP input.
printf '{"version":"1.1","host":"web1","short_message":"over http","level":6,"_path":"/x"}' >"$T/g.json"
eq "POST /gelf answers 202" "$(post /gelf "$T/g.json" | cut -c1-3)" 202
gzip -c "$T/g.json" >"$T/g.json.gz"
eq "... gzip with Content-Encoding" "$(post /gelf "$T/g.json.gz" -H 'Content-Encoding: gzip' | cut -c1-3)" 202
printf '{"version":"1.1","host":"web1"}' >"$T/bad.json"
r=$(post /gelf "$T/bad.json")
eq "... a message without short_message is refused with 400" "${r%% *}" 400
check "... saying why" sh -c "echo '$r' | grep -q short_message"
n=$((n + 2))
wait_stored $n
d=$(doc "over http" | head -n 1)
eq "the HTTP message's fields" "$(echo "$d" | jq -r '.hostname + " " + .severity + " " + .details.path')" "web1 INFO /x"

# GELF over TLS (--gelf tls://, NUL-framed as over TCP): gelf-pro's
# tcp-tls adapter checking the hub's certificate, else Python's ssl.
stop_hub
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" \
	-days 2 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null
GT=$(free_port)
PORT=$(free_port)
"$WARDD" --data "$DATA" --listen 127.0.0.1:$PORT --tls-cert "$T/cert.pem" \
	--tls-key "$T/key.pem" --gelf "tls://127.0.0.1:$GT" >>"$T/hub.log" 2>&1 &
HUB_PID=$!
wait_listening "$GT"
if [ -f "$ROOT/build/npm/node_modules/gelf-pro/package.json" ]; then
	how=gelf-pro
	NODE_PATH=$ROOT/build/npm/node_modules node - "$GT" "$T/cert.pem" <<'EOJS' >>"$T/node.log" 2>&1
const gelf = require('gelf-pro');
const fs = require('fs');
const [port, ca] = [Number(process.argv[2]), process.argv[3]];
gelf.setConfig({ adapterName: 'tcp-tls', adapterOptions: { host: '127.0.0.1', port,
	ca: [fs.readFileSync(ca)] } });
gelf.warning('gelf over tls', { user_id: 9 }, (e) => { if (e) throw e; process.exit(0); });
EOJS
else
	how=python
	/usr/bin/python3 -c '
import socket, ssl, sys
c = ssl.create_default_context(cafile=sys.argv[2])
s = c.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))), server_hostname="127.0.0.1")
s.sendall(b"{\"version\":\"1.1\",\"host\":\"h\",\"short_message\":\"gelf over tls\",\"level\":4,\"_user_id\":9}\0")
s.close()' "$GT" "$T/cert.pem"
fi
check "$how sent a message over TLS" test $? -eq 0
i=0
while [ -z "$(doc "gelf over tls")" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
eq "GELF over TLS ($how): stored with its fields" \
	"$(doc "gelf over tls" | jq -r '.severity + " " + (.details.user_id | tostring)')" "WARNING 9"
done_testing
