#!/bin/sh
# syslog-ng straight into --syslog: its network() destination (RFC 3164,
# a line each over TCP) and its syslog() destination (RFC 5424,
# octet-counted over TCP, with structured data and a fraction of a
# second).  syslog-ng conflicts with rsyslog, so it is unpacked privately
# (tests/fetch-syslog-ng.sh).
. "$(dirname "$0")/lib.sh"
need_syslog_ng
TCP=$(free_port)
start_hub --syslog "tcp://127.0.0.1:$TCP" || exit 1
SPORT=$(free_port)
SPORT2=$(free_port)
cat >"$T/syslog-ng.conf" <<CONF
@version: 3.38
options { keep-hostname(yes); use-dns(no); dns-cache(no); stats-freq(0);
          frac-digits(3); };
source s_bsd { network(transport("tcp") ip("127.0.0.1") port($SPORT)); };
source s_5424 { network(transport("tcp") ip("127.0.0.1") port($SPORT2)
                        flags(syslog-protocol)); };
destination d_bsd { network("127.0.0.1" port($TCP) transport("tcp") persist-name("bsd")); };
destination d_5424 { syslog("127.0.0.1" port($TCP) transport("tcp") persist-name("rfc5424")); };
log { source(s_bsd); destination(d_bsd); };
log { source(s_5424); destination(d_5424); };
CONF
start_syslog_ng
wait_listening "$SPORT2"
: >"$T/bsd"; : >"$T/5424"
for n in 1 2 3; do
	printf '<38>Dec  7 10:00:0%d LabSZ sshd[%d]: legacy line %d\n' $n $((100 + n)) $n >>"$T/bsd"
	printf '<86>1 2026-12-07T10:00:0%d.5Z bastion sudo %d AUTH [ex@32473 user="alice" n="%d"] modern line %d\n' \
		$n $((200 + n)) $n $n >>"$T/5424"
done
tcp_send "$SPORT" "$T/bsd"
tcp_send "$SPORT2" "$T/5424"
i=0
while [ "$(stored_count)" -lt 6 ] && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
eq "syslog-ng delivered all 6 lines" "$(stored_count)" 6
db=$(ls "$DATA"/events/*.db | head -n 1)
doc() { sqlite3 "$db" "select doc from events_full where summary = '$1'"; }
d=$(doc "legacy line 2")
eq "network() (RFC 3164): host, program, PID" \
	"$(echo "$d" | jq -r '[.hostname, .processname, (.processid | tostring)] | join(" ")')" "LabSZ sshd 102"
d=$(doc "modern line 2")
eq "syslog() (RFC 5424, octet-counted): host, program, PID, msgid" \
	"$(echo "$d" | jq -r '[.hostname, .processname, (.processid | tostring), .details.msgid] | join(" ")')" "bastion sudo 202 AUTH"
eq "... its structured data" "$(echo "$d" | jq -c '.details.sd["ex@32473"]')" '{"user":"alice","n":"2"}'
eq "... its time" "$(echo "$d" | jq -r .utctimestamp)" "2026-12-07T10:00:02.500000+00:00"
eq "nothing was dropped" "$(metric "ward_input_rejected_total{input=\"syslog\",url=\"tcp://127.0.0.1:$TCP\"}")" 0
done_testing
