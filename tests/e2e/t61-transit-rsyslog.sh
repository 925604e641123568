#!/bin/sh
# Real logs in, real detections out, through rsyslog: real sshd lines of a
# server under brute force (loghub's OpenSSH sample, logpai/loghub
# OpenSSH/OpenSSH_2k.log, stamped now) reach rsyslog over TCP, which ships
# them with omelasticsearch in two shapes: an ordinary template of
# properties (timestamp, hostname, programname, procid, severity,
# facility, msg — whose text starts with a space) for one attacker, and
# the raw syslog line as the message (%rawmsg%) for the other.  Both come
# out as fields (the sshd decoders then find address and user), and the
# default rules raise a brute-force alert for each.
. "$(dirname "$0")/lib.sh"
if ! command -v rsyslogd >/dev/null ||
   [ ! -f /usr/lib/x86_64-linux-gnu/rsyslog/omelasticsearch.so ]; then
	echo "# rsyslog-elasticsearch is not installed (make deps)"; not_ok "rsyslogd with omelasticsearch is available"; done_testing; exit 1
fi
start_hub || exit 1
TOKEN=$(new_token rsyslog)
RPORT=$(free_port)
mkdir -p "$T/rs"
# A (fields) and B (raw): the loghub sample's two busiest addresses.
A=112.95.230.3
B=123.235.32.19
cat >"$T/rsyslog.conf" <<CONF
global(workDirectory="$T/rs")
module(load="imtcp")
input(type="imtcp" port="$RPORT" address="127.0.0.1")
module(load="omelasticsearch")
template(name="fields" type="list" option.jsonf="on") {
  property(outname="timestamp" name="timereported" dateFormat="rfc3339" format="jsonf")
  property(outname="hostname" name="hostname" format="jsonf")
  property(outname="programname" name="programname" format="jsonf")
  property(outname="procid" name="procid" format="jsonf")
  property(outname="severity" name="syslogseverity-text" format="jsonf")
  property(outname="facility" name="syslogfacility-text" format="jsonf")
  property(outname="message" name="msg" format="jsonf")
}
template(name="raw" type="list" option.jsonf="on") {
  property(outname="message" name="rawmsg" format="jsonf")
  constant(outname="shape" value="raw" format="jsonf")
}
if \$rawmsg contains "$A" then {
  action(type="omelasticsearch" server="127.0.0.1" serverport="$PORT"
         searchIndex="syslog" template="fields" bulkmode="on"
         uid="rsyslog" pwd="$TOKEN" errorFile="$T/rs-errors.json")
} else {
  action(type="omelasticsearch" server="127.0.0.1" serverport="$PORT"
         searchIndex="syslog" template="raw" bulkmode="on"
         uid="rsyslog" pwd="$TOKEN" errorFile="$T/rs-errors.json")
}
CONF
TZ=UTC rsyslogd -n -f "$T/rsyslog.conf" -i "$T/rs.pid" >"$T/rs.log" 2>&1 &
RS=$!
trap 'kill $RS 2>/dev/null; cleanup' EXIT
wait_listening "$RPORT"

# The SSH brute force (lib.sh), ending now.
sshd_attack "$T/lines" "$A" "$B"
tcp_send "$RPORT" "$T/lines"

i=0
while [ "$(stored_count)" -lt 24 ] && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
eq "rsyslog delivered all 24 lines" "$(stored_count)" 24
db=$(ls "$DATA"/events/*.db | head -n 1)
doc() { sqlite3 "$db" "select doc from events_full where summary like '%$1 port 35113%'"; }

check_attack_docs "$db"
eq "the raw line itself is not kept beside its fields" \
	"$(doc "$B" | jq -r '[.. | strings | select(startswith("<38>"))] | length')" 0
check "the summary is searchable as a column" sh -c \
	"sqlite3 '$db' \"select count(*) from events_full where summary like 'Failed password for root from $B%'\" | grep -qx 12"

# The default pack: one SSH brute force alert for each address.
SSH_BF=8d1c3f0e-2b7a-4c55-9a61-5a3f1e9b2c01
alerts_sql() { sqlite3 "$DATA/state.db" "$1"; }
i=0
while [ "$(alerts_sql "select count(*) from alerts where rule_id = '$SSH_BF'")" -lt 2 ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
# (ten failures within two minutes: the rule's threshold)
check "brute force from the address shipped as fields" test \
	"$(alerts_sql "select count from alerts where rule_id = '$SSH_BF' and group_key = '$A'")" -ge 10
check "brute force from the address shipped as raw lines" test \
	"$(alerts_sql "select count from alerts where rule_id = '$SSH_BF' and group_key = '$B'")" -ge 10
check "no errors in rsyslog's error file" sh -c "! test -s '$T/rs-errors.json'"
done_testing
