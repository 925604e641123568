#!/bin/sh
# Syslog straight in (--syslog): rsyslog forwards real sshd lines with
# omfwd over TCP, octet-counted RFC 5424 for one attacker and
# newline-framed RFC 3164 for the other, and over TLS (its ossl stream
# driver); logger sends RFC 5424 with structured data over UDP and a line
# over TCP.  Every line is stored as fields, the rules raise their alerts,
# a console's tail sees the events, and a line past the size limit is
# dropped, counted and logged while the lines around it are kept.
# Datagrams the kernel drops while the hub is stopped are counted, all of
# them.
. "$(dirname "$0")/lib.sh"
if ! command -v rsyslogd >/dev/null || ! command -v logger >/dev/null; then
	echo "1..0 # SKIP rsyslogd or logger is not installed (make deps)"; exit 0
fi
TCP=$(free_port)
UDP=$(free_port)
start_hub --syslog "tcp://127.0.0.1:$TCP?max-message=2048" \
	--syslog "udp://127.0.0.1:$UDP" || exit 1
mkuser vic viewer
as vic tail --events --count 30 --json >"$T/tail.json" 2>"$T/tail.err" &
TAIL=$!
wait_grep "$T/tail.err" subscribed

RPORT=$(free_port)
mkdir -p "$T/rs"
A=112.95.230.3
B=123.235.32.19
cat >"$T/rsyslog.conf" <<CONF
global(workDirectory="$T/rs")
module(load="imtcp")
input(type="imtcp" port="$RPORT" address="127.0.0.1")
if \$rawmsg contains "$A" then {
  action(type="omfwd" target="127.0.0.1" port="$TCP" protocol="tcp"
         TCP_Framing="octet-counted" template="RSYSLOG_SyslogProtocol23Format")
} else {
  action(type="omfwd" target="127.0.0.1" port="$TCP" protocol="tcp"
         template="RSYSLOG_ForwardFormat")
}
CONF
TZ=UTC rsyslogd -n -f "$T/rsyslog.conf" -i "$T/rs.pid" >"$T/rs.log" 2>&1 &
RS=$!
trap 'kill $RS $TAIL 2>/dev/null; cleanup' EXIT
wait_listening "$RPORT"
# The SSH brute force (lib.sh), ending now.
sshd_attack "$T/lines" "$A" "$B"
tcp_send "$RPORT" "$T/lines"
wait_stored() {
	i=0
	while [ "$(stored_count)" -lt "$1" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
}
wait_stored 24
eq "rsyslog's omfwd delivered all 24 lines" "$(stored_count)" 24
db=$(ls "$DATA"/events/*.db | head -n 1)
doc() { sqlite3 "$db" "select doc from events_full where summary like '%$1%'"; }
for ip in $A $B; do
	d=$(doc "$ip port 35113")
	[ $ip = $A ] && how="octet-counted RFC 5424" || how="newline-framed RFC 3164"
	eq "$how: the summary is the message" "$(echo "$d" | jq -r .summary)" \
		"Failed password for root from $ip port 35113 ssh2"
	eq "$how: the host" "$(echo "$d" | jq -r .hostname)" LabSZ
	eq "$how: the program" "$(echo "$d" | jq -r .processname)" sshd
	eq "$how: severity and facility" "$(echo "$d" | jq -r '.severity + " " + .details.facility')" "INFO auth"
	eq "$how: the sender's address" "$(echo "$d" | jq -r .details.peer)" 127.0.0.1
	eq "$how: the sshd decoder ran" "$(echo "$d" | jq -r .details.sourceipaddress)" "$ip"
done
SSH_BF=8d1c3f0e-2b7a-4c55-9a61-5a3f1e9b2c01
alerts_sql() { sqlite3 "$DATA/state.db" "$1"; }
i=0
while [ "$(alerts_sql "select count(*) from alerts where rule_id = '$SSH_BF'")" -lt 2 ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
eq "the rules raised a brute-force alert for each address" \
	"$(alerts_sql "select group_key from alerts where rule_id = '$SSH_BF' order by group_key" | tr '\n' ' ')" \
	"$A $B "

# logger: RFC 5424 with structured data over UDP, a line over TCP.
logger -d -n 127.0.0.1 -P "$UDP" --rfc5424 --sd-id 'origin@32473' \
	--sd-param 'software="ward-test"' --sd-param 'zone="dmz"' -t fw -p local0.warning "udp packet one"
logger -T -n 127.0.0.1 -P "$TCP" --rfc5424 --msgid LOGIN -t login "tcp line one"
wait_stored 26
d=$(doc "udp packet one")
eq "logger over UDP: the program" "$(echo "$d" | jq -r .processname)" fw
eq "... the severity" "$(echo "$d" | jq -r .severity)" WARNING
eq "... the facility" "$(echo "$d" | jq -r .details.facility)" local0
eq "... structured data kept as fields" "$(echo "$d" | jq -c '.details.sd["origin@32473"]')" \
	'{"software":"ward-test","zone":"dmz"}'
d=$(doc "tcp line one")
eq "logger over TCP: the message id" "$(echo "$d" | jq -r .details.msgid)" LOGIN

# A line past max-message between two good ones, on one connection, both
# framings: only the long ones go.
long=$(head -c 3000 /dev/zero | tr '\0' x)
/usr/bin/python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
def counted(m): return b"%d %s" % (len(m), m)
s.sendall(b"<13>Dec  7 10:00:00 h t: before the long line\n" +
          b"<13>Dec  7 10:00:00 h t: " + sys.argv[2].encode() + b"\n" +
          b"<13>Dec  7 10:00:00 h t: after the long line\n" +
          counted(b"<13>1 - h t - - - " + sys.argv[2].encode()) +
          counted(b"<13>1 - h t - - - after the long counted one") +
          b"<13>Dec  7 10:00:00 h t: \xe9t\xe9 in Latin-1\n")
s.close()' "$TCP" "$long"
wait_stored 30
check "the lines around a long one are kept" test -n "$(doc 'before the long line')"
check "... both framings" test -n "$(doc 'after the long counted one')"
check "... and the line after it" test -n "$(doc 'after the long line')"
eq "a line that is not UTF-8 is kept, its bad bytes replaced" \
	"$(doc 'in Latin-1' | jq -r .summary)" "$(printf '\357\277\275t\357\277\275 in Latin-1')"
eq "nothing past the limit is stored" "$(sqlite3 "$db" "select count(*) from events_full where summary like '%xxxxxxxxxx%'")" 0
eq "the dropped lines are counted" \
	"$(metric "ward_input_rejected_total{input=\"syslog\",url=\"tcp://127.0.0.1:$TCP\"}")" 2
check "... and logged" grep -q "dropped a message from 127.0.0.1: .*longer than the limit" "$T/hub.log"
eq "the stored events are counted per input" \
	"$(metric "ward_input_events_total{input=\"syslog\",url=\"tcp://127.0.0.1:$TCP\"}")" 29
eq "... the UDP one too" \
	"$(metric "ward_input_events_total{input=\"syslog\",url=\"udp://127.0.0.1:$UDP\"}")" 1

i=0
while kill -0 $TAIL 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
check "a console's tail saw the syslog events" \
	grep -q '"summary":"Failed password for root from' "$T/tail.json"
# UDP overflow: with the hub stopped (SIGSTOP), datagrams go to its
# socket until the kernel drops some for want of room; the hub, running
# again, counts exactly the kernel's drops, and every datagram sent is
# either stored or among them.
kdrops() {	# the kernel's drop count for our UDP socket (/proc/net/udp)
	awk -v p="$(printf ':%04X' "$UDP")" '$2 ~ p"$" { print $NF }' /proc/net/udp
}
kill -STOP "$HUB_PID"
sent=$(/usr/bin/python3 -c '
import socket, sys
port, cap = int(sys.argv[1]), 500000
def drops():
	for line in open("/proc/net/udp").read().splitlines()[1:]:
		f = line.split()
		if f[1].endswith(":%04X" % port):
			return int(f[-1])
	return 0
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
n = 0
while n < cap and drops() == 0:
	for i in range(2000):
		n += 1
		s.sendto(b"<13>Dec  7 10:00:00 flood t: flood %d" % n, ("127.0.0.1", port))
print(n)' "$UDP")
kill -CONT "$HUB_PID"
kd=$(kdrops)
uevents() { metric "ward_input_events_total{input=\"syslog\",url=\"udp://127.0.0.1:$UDP\"}"; }
udropped() { metric "ward_input_dropped_total{input=\"syslog\",url=\"udp://127.0.0.1:$UDP\"}"; }
# No datagram comes after the burst: the count must not wait for one.
i=0
while { [ "$(uevents)" -lt $((sent - kd + 1)) ] || [ "$(udropped)" -lt "$kd" ]; } && [ $i -lt 600 ]; do
	sleep 0.1; i=$((i + 1))
done
echo "# $sent datagrams sent to a stopped hub, the kernel dropped $kd"
check "the kernel dropped datagrams while the hub was stopped" test "${kd:-0}" -gt 0
eq "the hub counts the kernel's drops, with no datagram after them" "$(udropped)" "$(kdrops)"
eq "every datagram is stored or counted as dropped" "$(( $(uevents) - 1 + $(udropped) ))" "$sent"

kill $RS 2>/dev/null
stop_hub

# TLS: rsyslog's ossl stream driver to a hub serving tls:// with its
# certificate.
if [ ! -f /usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_ossl.so ]; then
	echo "# rsyslog-openssl is not installed: TLS not tested"
	done_testing; exit $?
fi
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" \
	-days 2 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null
TLS=$(free_port)
PORT=$(free_port)
"$WARDD" --data "$DATA" --listen 127.0.0.1:$PORT --tls-cert "$T/cert.pem" \
	--tls-key "$T/key.pem" --syslog "tls://127.0.0.1:$TLS" >>"$T/hub.log" 2>&1 &
HUB_PID=$!
wait_listening "$TLS"
RPORT=$(free_port)
cat >"$T/rsyslog-tls.conf" <<CONF
global(workDirectory="$T/rs" DefaultNetstreamDriverCAFile="$T/cert.pem")
module(load="imtcp")
input(type="imtcp" port="$RPORT" address="127.0.0.1")
action(type="omfwd" target="127.0.0.1" port="$TLS" protocol="tcp"
       StreamDriver="ossl" StreamDriverMode="1" StreamDriverAuthMode="anon"
       TCP_Framing="octet-counted" template="RSYSLOG_SyslogProtocol23Format")
CONF
rm -f "$T/rs.pid"
TZ=UTC rsyslogd -n -f "$T/rsyslog-tls.conf" -i "$T/rs.pid" >"$T/rs-tls.log" 2>&1 &
RS=$!
wait_listening "$RPORT"
printf '<86>Dec  7 10:00:00 bastion sudo[77]: over tls %d\n' 1 2 3 >"$T/tls-lines"
tcp_send "$RPORT" "$T/tls-lines"
tls_count() { sqlite3 "$db" "select count(*) from events_full where summary like 'over tls %' and hostname = 'bastion'"; }
i=0
while [ "$(tls_count)" -lt 3 ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
eq "rsyslog over TLS delivered its three lines" "$(tls_count)" 3
check "... over an encrypted connection (no plain line on the wire)" \
	test "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$T/cert.pem" "https://127.0.0.1:$PORT/healthz")" = 200
done_testing
