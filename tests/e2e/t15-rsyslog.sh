#!/bin/sh
# A real shipper: rsyslog's omelasticsearch (bulk mode, token as the HTTP
# Basic password) delivers syslog messages received over TCP.
. "$(dirname "$0")/lib.sh"
if ! command -v rsyslogd >/dev/null ||
   [ ! -f /usr/lib/x86_64-linux-gnu/rsyslog/omelasticsearch.so ]; then
	echo "# rsyslog-elasticsearch is not installed (make deps)"; not_ok "rsyslogd with omelasticsearch is available"; done_testing; exit 1
fi
start_hub || exit 1
TOKEN=$(new_token rsyslog)
RPORT=$(free_port)
mkdir -p "$T/rs"
cat >"$T/rsyslog.conf" <<CONF
global(workDirectory="$T/rs")
module(load="imtcp")
input(type="imtcp" port="$RPORT" address="127.0.0.1")
module(load="omelasticsearch")
template(name="ward-json" type="list" option.jsonf="on") {
  property(outname="timestamp" name="timereported" dateFormat="rfc3339" format="jsonf")
  property(outname="host" name="hostname" format="jsonf")
  property(outname="severity" name="syslogseverity-text" caseConversion="upper" format="jsonf")
  property(outname="facility" name="syslogfacility-text" format="jsonf")
  property(outname="programname" name="programname" format="jsonf")
  property(outname="message" name="msg" format="jsonf")
}
action(type="omelasticsearch" server="127.0.0.1" serverport="$PORT"
       searchIndex="syslog" template="ward-json" bulkmode="on"
       uid="rsyslog" pwd="$TOKEN" errorFile="$T/rs-errors.json")
CONF
rsyslogd -N1 -f "$T/rsyslog.conf" >"$T/rs-check" 2>&1
check "the README's rsyslog config is valid" grep -q "End of config validation run" "$T/rs-check"
rsyslogd -n -f "$T/rsyslog.conf" -i "$T/rs.pid" >"$T/rs.log" 2>&1 &
RS=$!
trap 'kill $RS 2>/dev/null; cleanup' EXIT
wait_listening "$RPORT"
for n in 1 2 3 4 5; do
	logger -n 127.0.0.1 -P "$RPORT" -T -t sshd -p auth.warning \
		"Failed password for invalid user admin$n from 203.0.113.7 port 5221$n ssh2"
done
i=0
while [ "$(stored_count)" -lt 5 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
eq "rsyslog delivered all five messages" "$(stored_count)" 5
db=$(ls "$DATA"/events/*.db | head -n 1)
doc=$(sqlite3 "$db" "select doc from events_full where summary like '%admin3%'")
eq "programname becomes processname" "$(echo "$doc" | jq -r .processname)" sshd
eq "the syslog severity is kept" "$(echo "$doc" | jq -r .severity)" WARNING
eq "the facility goes under details" "$(echo "$doc" | jq -r .details.facility)" auth
check "no errors in rsyslog's error file" sh -c "! test -s '$T/rs-errors.json'"
done_testing
