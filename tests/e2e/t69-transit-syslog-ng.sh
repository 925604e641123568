#!/bin/sh
# Real logs in, real detections out, through syslog-ng's http() destination:
# real sshd lines of a server under brute force (loghub's OpenSSH sample,
# logpai/loghub OpenSSH/OpenSSH_2k.log, stamped now) reach syslog-ng over
# TCP, which posts them as NDJSON to /events in two shapes: format-json
# --scope rfc5424 (PROGRAM, PID, HOST, PRIORITY, FACILITY, ISODATE,
# MESSAGE) for one attacker, the raw line ($RAWMSG) as the message for
# the other.  Both come out as fields, and the default rules raise a
# brute-force alert for each.  syslog-ng conflicts with rsyslog, so it is
# unpacked privately (tests/fetch-syslog-ng.sh).
. "$(dirname "$0")/lib.sh"
need_syslog_ng
start_hub || exit 1
TOKEN=$(new_token syslog-ng)
SPORT=$(free_port)
A=112.95.230.3
B=123.235.32.19
cat >"$T/syslog-ng.conf" <<CONF
@version: 3.38
options { keep-hostname(yes); use-dns(no); dns-cache(no); stats-freq(0); };
source s_net { network(transport("tcp") ip("127.0.0.1") port($SPORT)
                       flags(store-raw-message)); };
filter f_a { message("$A"); };
filter f_b { not message("$A"); };
destination d_fields {
  http(url("http://127.0.0.1:$PORT/events") method("POST")
       headers("Authorization: Bearer $TOKEN",
               "Content-Type: application/x-ndjson")
       batch-lines(50) batch-timeout(200) persist-name("fields")
       body('\$(format-json --scope rfc5424 --key ISODATE)'));
};
destination d_raw {
  http(url("http://127.0.0.1:$PORT/events") method("POST")
       headers("Authorization: Bearer $TOKEN",
               "Content-Type: application/x-ndjson")
       batch-lines(50) batch-timeout(200) persist-name("raw")
       body('\$(format-json message=\$RAWMSG shape=raw)'));
};
log { source(s_net); filter(f_a); destination(d_fields); };
log { source(s_net); filter(f_b); destination(d_raw); };
CONF
start_syslog_ng
wait_listening "$SPORT"

# The SSH brute force (lib.sh), ending now.
sshd_attack "$T/lines" "$A" "$B"
tcp_send "$SPORT" "$T/lines"

i=0
while [ "$(stored_count)" -lt 24 ] && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
eq "syslog-ng delivered all 24 lines" "$(stored_count)" 24
db=$(ls "$DATA"/events/*.db | head -n 1)

check_attack_docs "$db"

SSH_BF=8d1c3f0e-2b7a-4c55-9a61-5a3f1e9b2c01
alerts_sql() { sqlite3 "$DATA/state.db" "$1"; }
i=0
while [ "$(alerts_sql "select count(*) from alerts where rule_id = '$SSH_BF'")" -lt 2 ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
# (ten failures within two minutes: the rule's threshold)
check "brute force from the address shipped as rfc5424 fields" test \
	"$(alerts_sql "select count from alerts where rule_id = '$SSH_BF' and group_key = '$A'")" -ge 10
check "brute force from the address shipped as raw lines" test \
	"$(alerts_sql "select count from alerts where rule_id = '$SSH_BF' and group_key = '$B'")" -ge 10
check "syslog-ng logged no delivery error" sh -c "! grep -qi 'error' '$T/sng.log'"
kill $SNG 2>/dev/null
wait $SNG 2>/dev/null
check "syslog-ng is stopped with the test" sh -c "! kill -0 $SNG 2>/dev/null"
done_testing
