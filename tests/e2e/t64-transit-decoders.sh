#!/bin/sh
# Raw sshd syslog lines, as a shipper forwards them, come out of the
# transit stage with the shipped decoders' fields (stored, searchable)
# and GeoIP's location; the default SSH brute-force rule fires on them.
# A broken decoder stops the hub from starting, naming file and line.
. "$(dirname "$0")/lib.sh"

perl "$ROOT/tests/geoip/mkmmdb.pl" "$T/geo.mmdb" || exit 1
start_hub --geoip "$T/geo.mmdb" || exit 1
TOKEN=$(new_token shipper)
READER=$(new_token reader reader)

# Twelve failed logins from one address within a minute, then one
# accepted login from another, as RFC 5424 lines (rsyslog's forwarding
# format) sent as the whole event's message, plus the rsyslog JSON shape
# with the message's leading space.
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
i=0
: >"$T/lines"
while [ $i -lt 12 ]; do
	printf '{"message":"<38>1 %s bastion1 sshd 4%03d - - Failed password for invalid user admin%d from 81.2.69.160 port %d ssh2"}\n' \
		"$now" $i $i $((40000 + i)) >>"$T/lines"
	i=$((i + 1))
done
printf '{"timestamp":"%s","host":"bastion1","programname":"sshd","procid":"4999","severity":"info","facility":"auth","message":" Accepted publickey for deploy from 2001:218:1::7 port 50022 ssh2: ED25519 SHA256:2DwI8bBRHTBQFkjNINmeoSuv3nPy5eHLcqNgT4ZPbAg"}\n' \
	"$now" >>"$T/lines"
r=$(post_acked /events "$T/lines" -H 'Content-Type: application/x-ndjson')
eq "the lines are taken" "$r" '200 {"accepted":13,"rejected":0}'

search() {	# search QUERY: NDJSON to stdout
	curl -s -G -H "Authorization: Bearer $READER" --data-urlencode "q=$1" \
		--data-urlencode "limit=1000" "$URL/api/search"
}
eq "the address is extracted and searchable" \
	"$(search 'details.sourceipaddress:81.2.69.160' | wc -l | tr -d ' ')" 12
eq "so is the user name" \
	"$(search 'details.username:admin7' | jq -r '.processname + " " + .details.username + " " + (.details.sourceport | tostring)')" \
	"sshd admin7 40007"
eq "a failure is details.success false, with the decoder's category and tag" \
	"$(search 'details.username:admin3' | jq -c '[.details.success, .category, (.tags | index("sshd") != null)]')" \
	'[false,"authentication",true]'
eq "GeoIP locates the source" \
	"$(search 'details.username:admin0' | jq -r '.details.sourceipgeolocation | .country_code + " " + .city')" \
	"GB London"
eq "the accepted login (IPv6) is decoded and located too" \
	"$(search 'details.username:deploy' | jq -r '[.details.success, .details.authmethod, .details.sourceipaddress, .details.sourceipgeolocation.country_code] | map(tostring) | join(" ")')" \
	"true publickey 2001:218:1::7 JP"

SSH_BF=8d1c3f0e-2b7a-4c55-9a61-5a3f1e9b2c01
i=0
while [ "$(sqlite3 "$DATA/state.db" "select count(*) from alerts where rule_id = '$SSH_BF'")" -lt 1 ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
eq "the default SSH brute-force rule fires for the address" \
	"$(sqlite3 "$DATA/state.db" "select group_key from alerts where rule_id = '$SSH_BF'")" "81.2.69.160"
eq "/metrics counts the events each decoder matched" \
	"$(metric 'ward_decoder_matches_total{decoder="sshd"}') $(metric 'ward_decoder_matches_total{decoder="sudo"}')" "13 0"

# A decoder added to DATA/parsers is loaded by SIGHUP; a broken one is
# refused there and the decoders in use are kept.
mkdir -p "$DATA/parsers"
cat >"$DATA/parsers/myapp.yml" <<'Y'
decoder: myapp
select: { processname: myapp }
captures: { code: int }
patterns:
  - regex: '^login refused for (?<username>\S+) code (?<code>\d+)$'
Y
kill -HUP $HUB_PID
wait_grep "$T/hub.log" "SIGHUP"
sleep 0.5
printf '{"message":"<38>1 %s app1 myapp 77 - - login refused for carol code 42"}\n' "$now" >"$T/app"
eq "after SIGHUP, the new decoder works" \
	"$(post_acked /events "$T/app" >/dev/null; search 'details.username:carol' | jq -c '[.processname, .details.code]')" \
	'["myapp",42]'
printf 'decoder: myapp2\nselect: { processname: myapp }\npatterns:\n  - regex: "(?<x>"\n' >"$DATA/parsers/zz-broken.yml"
kill -HUP $HUB_PID
i=0
while ! grep -q "zz-broken.yml:4:" "$T/hub.log" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
check "a broken decoder on SIGHUP is logged with its file and line" grep -q "zz-broken.yml:4: regex" "$T/hub.log"
printf '{"message":"<38>1 %s app1 myapp 77 - - login refused for dave code 7"}\n' "$now" >"$T/app"
eq "and the decoders in use stay" \
	"$(post_acked /events "$T/app" >/dev/null; search 'details.username:dave' | jq -c '.details.code')" 7
rm -f "$DATA/parsers/zz-broken.yml"
stop_hub

mkdir -p "$T/parsers"
printf 'decoder: broken\nselect: { processname: x }\npatterns:\n  - regex: "(?<a>x"\n' >"$T/parsers/broken.yml"
check "a broken decoder keeps the hub from starting" sh -c \
	"! '$WARDD' --data '$DATA' --listen 127.0.0.1:$PORT --parsers '$T/parsers' 2>'$T/broken.err'"
check "naming the file and line" grep -q "$T/parsers/broken.yml:4: regex: missing closing parenthesis" "$T/broken.err"
check "wardd parsers check says the same and fails" sh -c \
	"'$WARDD' parsers check '$T/parsers' 2>'$T/check.err'; test \$? -eq 1 && grep -q 'broken.yml:4:' '$T/check.err'"
check "the shipped decoders pass their samples" "$WARDD" parsers check "$ROOT/share/parsers"
done_testing
