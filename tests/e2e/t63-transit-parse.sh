#!/bin/sh
# wardd parse shows an event as the hub would store it; the hub parses a
# raw syslog line sent as an event's message, over /events and /_bulk,
# before and after a SIGHUP reload.
. "$(dirname "$0")/lib.sh"
LINE='<38>Dec 10 07:28:03 LabSZ sshd[24245]: Invalid user pgadmin from 112.95.230.3'
printf '{"message":"%s"}\n\n{"message":"Dec 10 07:28:05 LabSZ sshd[24245]: Failed password for invalid user pgadmin from 112.95.230.3 port 54087 ssh2"}\n' \
	"$LINE" >"$T/in.ndjson"
"$WARDD" parse "$T/in.ndjson" >"$T/out" 2>"$T/err"
eq "wardd parse succeeds" "$?" 0
eq "one line out per event in" "$(wc -l <"$T/out")" 2
eq "the summary is the line's message" "$(head -n 1 "$T/out" | jq -r .summary)" \
	"Invalid user pgadmin from 112.95.230.3"
eq "host, program and PID come from the line" \
	"$(head -n 1 "$T/out" | jq -r '[.hostname, .processname, .processid] | join(" ")')" \
	"LabSZ sshd 24245"
eq "a line without PRI is read too" "$(tail -n 1 "$T/out" | jq -r .processname)" sshd
check "the time is the line's, in the year nearest to now" sh -c \
	"head -n 1 '$T/out' | jq -r .utctimestamp | grep -q -- '-12-10T07:28:03.000000+00:00'"
cat "$T/in.ndjson" | "$WARDD" parse - >"$T/out2" 2>&1
eq "standard input works as well" "$(jq -c 'del(.receivedtimestamp)' "$T/out2")" \
	"$(jq -c 'del(.receivedtimestamp)' "$T/out")"
printf '{"message":"ok"}\nnot json\n[1]\n' >"$T/bad.ndjson"
"$WARDD" parse "$T/bad.ndjson" >"$T/out3" 2>"$T/err3"
eq "a line that is not an object: exit 1" "$?" 1
check "it is named by file and line" grep -q "bad.ndjson:2: " "$T/err3"
check "... and so is an array" grep -q "bad.ndjson:3: not a JSON object" "$T/err3"
eq "the good events are still printed" "$(wc -l <"$T/out3")" 1
# A C1 control (U+009B, a terminal's CSI) in a shipped line is printed as
# a JSON escape: the same event, nothing a terminal would obey.
printf '{"summary":"sshd[1]: Failed password for \302\23331mroot from 10.0.0.1"}\n' >"$T/c1.ndjson"
"$WARDD" parse "$T/c1.ndjson" >"$T/out5"
check "a C1 control is printed escaped" grep -q 'for \\u009b31mroot' "$T/out5"
check "... and never raw" sh -c "! grep -q \"$(printf '\302\233')\" '$T/out5'"
eq "... and it is the same JSON" "$(jq -r .summary "$T/out5" | od -An -tx1 | tr -d ' \n' | grep -o 'c29b')" c29b
"$WARDD" parse "$T/missing.ndjson" >/dev/null 2>"$T/err4"
eq "an unreadable file: exit 2" "$?" 2
"$WARDD" parse --parsers "$T/nowhere" "$T/in.ndjson" >/dev/null 2>"$T/err6"
eq "a --parsers folder that is not there: exit 2" "$?" 2
check "... named in the error" grep -q -- "--parsers $T/nowhere: No such file" "$T/err6"
"$WARDD" parse --plugins "$T/nowhere" "$T/in.ndjson" >/dev/null 2>"$T/err7"
eq "a --plugins folder that is not there: exit 2" "$?" 2
check "... named in the error" grep -q -- "plugin folder $T/nowhere: No such file" "$T/err7"
"$WARDD" parse --help >"$T/help" 2>&1
eq "wardd parse --help: exit 0" "$?" 0
check "... its synopsis on standard output" grep -q '^usage: wardd parse \[--parsers DIR\]' "$T/help"
"$WARDD" rules test -h >"$T/help2" 2>/dev/null
check "wardd rules test -h: its own synopsis" grep -q '^usage: wardd rules test ' "$T/help2"
"$WARDD" rules >/dev/null 2>"$T/help3"
eq "wardd rules alone: a usage error" "$?" 2
eq "... naming both rules subcommands" "$(grep -c 'wardd rules ' "$T/help3")" 2
"$WARDD" parse >/dev/null 2>&1
eq "no file: usage, exit 2" "$?" 2
mkdir -p "$T/parsers"
printf 'decoder: broken\nselect:\n  processname: sshd\npatterns:\n  - regex: "(unclosed"\n' \
	>"$T/parsers/broken.yml"
"$WARDD" parse --parsers "$T/parsers" "$T/in.ndjson" >"$T/out5" 2>"$T/err5"
eq "a decoder that does not load: exit 2" "$?" 2
check "... named by file and line" grep -q "broken.yml:5: " "$T/err5"
eq "... and nothing printed" "$(wc -c <"$T/out5")" 0

start_hub || exit 1
TOKEN=$(new_token parse)
r=$(post /events "$T/in.ndjson")
eq "the hub takes both events" "${r%% *}" 200
printf '{"create":{}}\n{"message":"%s","x":1}\n' "$LINE" >"$T/bulk"
r=$(post /_bulk "$T/bulk" -H 'Content-Type: application/x-ndjson')
eq "and the bulk one" "${r%% *}" 200
# a broken decoder in DATA/parsers: the reload keeps what it had
mkdir -p "$DATA/parsers"
cp "$T/parsers/broken.yml" "$DATA/parsers/"
kill -HUP "$HUB_PID"
wait_grep "$T/hub.log" "previous ones stay"
check "SIGHUP reloads the parsers with the rules" grep -q "reloading rules, parsers and plugins" "$T/hub.log"
check "a broken decoder is logged by file and line, the previous ones stay" \
	grep -q "broken.yml:5: .*the previous ones stay" "$T/hub.log"
r=$(post /events "$T/in.ndjson")
eq "the hub still parses after the reload" "${r%% *}" 200
db=$(ls "$DATA"/events/*.db | head -n 1)
eq "every stored copy of the line was parsed, in columns too" \
	"$(sqlite3 "$db" "select count(*) from events where hostname = 'LabSZ' and processname = 'sshd'")" 5
eq "... and the previous decoders still find the address" \
	"$(sqlite3 "$db" "select count(*) from events_full where json_extract(doc, '$.details.sourceipaddress') = '112.95.230.3'")" 5
eq "the stored document is what wardd parse printed" \
	"$(sqlite3 "$db" "select doc from events_full where summary like 'Invalid user%' limit 1" | jq -c 'del(.receivedtimestamp, .details.hub)')" \
	"$(head -n 1 "$T/out" | jq -c 'del(.receivedtimestamp, .details.hub)')"
done_testing
