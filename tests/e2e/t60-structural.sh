#!/bin/sh
# The structural parsers through a real hub: each shape posted to /events
# comes out stored as fields (read back from the partition), as wardd
# parse prints it; failed Windows logons (Winlogbeat) and failed sshd
# logins seen by auditd raise the default pack's password-spraying alert.
# Lines: see tests/unit/test_structural.c for where each shape comes from.
. "$(dirname "$0")/lib.sh"
now=$(date -u +%s)
iso=$(date -u -d "@$now" '+%Y-%m-%dT%H:%M:%SZ')
bsd=$(date -u -d "@$now" '+%b %e %H:%M:%S')
{
	printf '{"message":"<4>%s fw1 kernel: [UFW BLOCK] IN=eth0 OUT= MAC=96:00:00:3a:5b:c6:d2:74:7f:6e:37:e3:08:00 SRC=51.161.12.231 DST=95.216.178.106 LEN=40 TOS=0x00 PREC=0x00 TTL=241 ID=54321 PROTO=TCP SPT=43861 DPT=8888 WINDOW=65535 RES=0x00 SYN URGP=0"}\n' "$bsd"
	printf '{"message":"<134>%s arcsight CEF:0|Security|threatmanager|1.0|100|worm successfully stopped|10|src=10.0.0.1 dst=2.1.2.2 spt=1232 act=blocked a \\\\= dst2"}\n' "$bsd"
	printf '{"message":"<14>%s web1 api[311]: {\\"level\\":\\"warn\\",\\"msg\\":\\"slow query\\",\\"ms\\":812}"}\n' "$bsd"
	printf '{"host":"web1","program":"auditd","message":"type=EXECVE msg=audit(%s.123:8972): argc=3 a0=\\"uname\\" a1=\\"-a\\" a2=2F746D702F6D7920646972"}\n' "$now"
	printf '{"EventTime":"%s","Hostname":"SigmaCatchVm","EventID":1,"SourceName":"Microsoft-Windows-Sysmon","Channel":"Microsoft-Windows-Sysmon/Operational","Message":"Process Create:","Image":"C:\\\\Windows\\\\System32\\\\cmd.exe","CommandLine":"cmd.exe /c whoami"}\n' "$(date -u -d "@$now" '+%Y-%m-%d %H:%M:%S')"
	printf '{"Event":{"System":{"Provider":{"#attributes":{"Name":"Microsoft-Windows-Sysmon"}},"EventID":1,"TimeCreated":{"#attributes":{"SystemTime":"%s"}},"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"SigmaCatchVm"},"EventData":{"Image":"C:\\\\Windows\\\\System32\\\\cmd.exe","CommandLine":"cmd.exe /c hostname","ProcessId":3592}}}\n' "$iso"
	# five user names from one address: Windows logons (Winlogbeat)...
	for u in admin administrator backup sql guest; do
		printf '{"@timestamp":"%s","host":{"name":"dc01"},"message":"An account failed to log on.","winlog":{"channel":"Security","event_id":"4625","provider_name":"Microsoft-Windows-Security-Auditing","computer_name":"DC01","event_data":{"TargetUserName":"%s","IpAddress":"203.0.113.77","IpPort":"50123","LogonType":"3"}}}\n' "$iso" "$u"
	done
	# ... and sshd logins seen by auditd (user names in hex, as sshd logs them)
	for a in 726F6F74 6F7261636C65 7465737431 7562756E7475 706F737467726573; do
		printf '{"host":"web2","program":"audispd","message":"type=USER_LOGIN msg=audit(%s.818:19955): pid=12635 uid=0 auid=4294967295 ses=4294967295 msg='"'"'op=login acct=%s exe=\\"/usr/sbin/sshd\\" hostname=? addr=198.51.100.66 terminal=sshd res=failed'"'"'"}\n' "$now" "$a"
	done
} >"$T/in.ndjson"
"$WARDD" parse "$T/in.ndjson" >"$T/parsed" 2>"$T/err"
eq "wardd parse reads every shape" "$(wc -l <"$T/parsed")" 16

start_hub || exit 1
TOKEN=$(new_token structural)
r=$(post_acked /events "$T/in.ndjson")
eq "the hub takes them" "${r%% *}" 200
db=$(ls "$DATA"/events/*.db | head -n 1)
doc() { sqlite3 "$db" "select doc from events_full where $1 limit 1"; }

d=$(doc "summary like '[UFW BLOCK]%'")
eq "kv: the pairs, keys as sent" "$(printf "%s\n" "$d" | jq -r '[.details.SRC, .details.DPT, .details.PROTO] | join(" ")')" "51.161.12.231 8888 TCP"
eq "kv: MozDef's names" "$(printf "%s\n" "$d" | jq -c '[.details.sourceipaddress, .details.destinationport]')" '["51.161.12.231",8888]'

d=$(doc "summary = 'worm successfully stopped'")
eq "CEF: the header" "$(printf "%s\n" "$d" | jq -r '[.details.deviceVendor, .details.deviceProduct, .details.deviceEventClassId] | join("|")')" "Security|threatmanager|100"
eq "CEF: severity 10 is CRITICAL" "$(printf "%s\n" "$d" | jq -r .severity)" CRITICAL
eq "CEF: an escaped = in a value" "$(printf "%s\n" "$d" | jq -r .details.act)" "blocked a = dst2"
eq "CEF: src is the source address" "$(printf "%s\n" "$d" | jq -r .details.sourceipaddress)" 10.0.0.1

d=$(doc "summary = 'slow query'")
eq "JSON in a message: merged, the msg the summary" "$(printf "%s\n" "$d" | jq -c '[.processname, .details.level, .details.ms]')" '["api","warn",812]'

d=$(doc "summary like 'type=EXECVE%'")
eq "auditd: hex arguments decoded and joined" "$(printf "%s\n" "$d" | jq -r .details.command)" "uname -a /tmp/my dir"
eq "auditd: the record's time" "$(printf "%s\n" "$d" | jq -r .utctimestamp)" "$(date -u -d "@$now" '+%Y-%m-%dT%H:%M:%S').123000+00:00"

n=$(sqlite3 "$db" "select count(*) from events_full where json_extract(doc, '\$.details.Image') = 'C:\\Windows\\System32\\cmd.exe' and json_extract(doc, '\$.details.EventID') = 1 and json_extract(doc, '\$.details.Provider_Name') = 'Microsoft-Windows-Sysmon' and hostname = 'SigmaCatchVm'")
eq "Windows: NXLog's and evtx_dump's shapes stored alike" "$n" 2
d=$(doc "summary like 'Microsoft-Windows-Sysmon/Operational 1 on SigmaCatchVm:%'")
eq "Windows: evtx_dump's EventData as text" "$(printf "%s\n" "$d" | jq -r '.details.ProcessId | strings')" 3592

d=$(doc "json_extract(doc, '\$.details.TargetUserName') = 'backup'")
eq "Windows: Winlogbeat's logon failure in MozDef's names" \
	"$(printf "%s\n" "$d" | jq -c '[.category, .details.success, .details.username, .details.sourceipaddress, .hostname]')" \
	'["authentication",false,"backup","203.0.113.77","DC01"]'
eq "the stored document is what wardd parse printed" \
	"$(printf "%s\n" "$d" | jq -c 'del(.receivedtimestamp, .details.hub)')" \
	"$(grep '"backup"' "$T/parsed" | jq -c 'del(.receivedtimestamp, .details.hub)')"

# The default pack's password spraying: value_count of user names by
# source address, over every failed login of category authentication.
SPRAY=4e7b1d93-8a2c-4f6e-9b05-7c3a2e1f9d04
alerts_sql() { sqlite3 "$DATA/state.db" "$1"; }
i=0
while [ "$(alerts_sql "select count(*) from alerts where rule_id = '$SPRAY'")" -lt 2 ] && [ $i -lt 150 ]; do
	sleep 0.1; i=$((i + 1))
done
eq "password spraying from the Windows logons' address" \
	"$(alerts_sql "select count(*) from alerts where rule_id = '$SPRAY' and group_key = '203.0.113.77'")" 1
eq "password spraying from the auditd logins' address" \
	"$(alerts_sql "select count(*) from alerts where rule_id = '$SPRAY' and group_key = '198.51.100.66'")" 1
done_testing
