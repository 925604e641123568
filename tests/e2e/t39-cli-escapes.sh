#!/bin/sh
# Text from events (any shipper writes it) reaches a terminal through
# ward search, ward tail, ward alert and ward incident: escape sequences in
# it are printed as text (^[[2J, \u009b), never as the bytes a terminal
# obeys; --json stays JSON that holds the same text.
. "$(dirname "$0")/lib.sh"
start_hub || exit 1
TOKEN=$(new_token t39)
mkuser vic viewer
mkuser han handler

# ctl FILE: how many bytes of FILE a terminal would obey or choke on: C0
# controls but newline, DEL, C1 controls (U+0080-U+009F as UTF-8) and
# bytes that are not UTF-8 (a lone 0x9b is an 8-bit CSI).
ctl() {
	od -An -v -tu1 "$1" | tr -s ' ' '\n' | awk '
		$0 == "" { next }
		{ b = $0 + 0 }
		need > 0 {
			if (b < 128 || b > 191) { bad++; need = 0 }
			else { if (lead == 194 && b <= 159) bad++; need--; next }
		}
		b < 32 && b != 10 { bad++; next }
		b == 127 { bad++; next }
		b < 128 { next }
		b >= 194 && b <= 223 { need = 1; lead = b; next }
		b >= 224 && b <= 239 { need = 2; lead = b; next }
		b >= 240 && b <= 244 { need = 3; lead = b; next }
		{ bad++ }
		END { print bad + 0 }'
}

# ESC [ 2 J (clear), an OSC 52 (write the clipboard) ended by BEL, a CSI
# as the 8-bit C1 U+009B, DEL, and a root login whose host name carries
# a title-setting OSC (the alert's summary quotes it).
cat >"$T/evil.ndjson" <<'EOT'
{"summary":"clear \u001b[2J screen","hostname":"h1","details":{"note":"osc52 \u001b]52;c;ZWNobyBwd25lZA==\u0007 end"}}
{"summary":"bell \u0007 del \u007f c1 \u009b31m red","hostname":"c1\u009b2Jhost"}
{"timestamp":"2026-11-27T10:00:00Z","host":"bastion\u001b]0;pwned\u0007","program":"sshd","message":"Accepted password for root from 192.0.2.10 port 52240 ssh2"}
EOT
eq "events with escape sequences are stored" "$(post /events "$T/evil.ndjson" | cut -c1-3)" 200
# A lone 0x9b byte (an 8-bit CSI) is not UTF-8: the hub refuses it, so
# no event carries one (the console's escaping shows such bytes as \x9b).
printf '{"summary":"raw \233[2J csi","hostname":"raw1"}\n' >"$T/raw.ndjson"
eq "an event with a byte that is not UTF-8 is refused" "$(post /events "$T/raw.ndjson" | cut -c1-3)" 400

as vic search --limit 10 '*' >"$T/s.txt"
eq "ward search prints no control byte" "$(ctl "$T/s.txt")" 0
check "... and shows ESC as ^[" grep -qF 'clear ^[[2J screen' "$T/s.txt"
check "... BEL as ^G and DEL as ^?" grep -qF 'bell ^G del ^? c1 \u009b31m red' "$T/s.txt"
check "... a C1 control in a host name as \\u009b" grep -qF 'c1\u009b2Jhost' "$T/s.txt"

as vic search --json --limit 10 '*' >"$T/s.json"
eq "ward search --json prints no control byte" "$(ctl "$T/s.json")" 0
check "... and is JSON, a line an event" jq -e . "$T/s.json"
eq "... holding the same text (ESC and all)" \
	"$(jq -r 'select(.hostname == "h1") | .summary' "$T/s.json" | od -An -c | tr -s ' ' | head -1)" \
	"$(printf 'clear \033[2J screen\n' | od -An -c | tr -s ' ' | head -1)"
eq "... the C1 control too" \
	"$(jq -r 'select(.summary | startswith("bell")) | .hostname' "$T/s.json")" \
	"$(printf 'c1\302\2332Jhost')"
as vic search '* | count by hostname' >"$T/agg.txt"
eq "an aggregation's rows print no control byte" "$(ctl "$T/agg.txt")" 0

# tail: the same events, live.
tail_run() {	# tail_run OUT [--json]
	out=$1; shift
	as vic tail --events --count 3 "$@" >"$out" 2>"$out.err" &
	pid=$!
	wait_grep "$out.err" subscribed
	post /events "$T/evil.ndjson" >/dev/null
	i=0
	while kill -0 $pid 2>/dev/null && [ $i -lt 200 ]; do
		sleep 0.05; i=$((i + 1))
	done
	kill $pid 2>/dev/null
	wait $pid 2>/dev/null
}
tail_run "$T/t.txt"
eq "ward tail shows the three events" "$(wc -l <"$T/t.txt" | tr -d ' ')" 3
eq "ward tail prints no control byte" "$(ctl "$T/t.txt")" 0
check "... and shows ESC as ^[" grep -qF 'clear ^[[2J screen' "$T/t.txt"
tail_run "$T/t.json" --json
eq "ward tail --json prints no control byte" "$(ctl "$T/t.json")" 0
check "... and is JSON" jq -e .event "$T/t.json"
eq "... holding the same text" \
	"$(jq -r 'select(.event.hostname == "h1") | .event.details.note' "$T/t.json" | head -1 | od -An -c | tr -s ' ' | head -1)" \
	"$(printf 'osc52 \033]52;c;ZWNobyBwd25lZA==\007 end\n' | od -An -c | tr -s ' ' | head -1)"

# Alerts quote event fields; incidents hold what people typed.
i=0
while ! as vic alert list --json | grep -q 'root logged in' && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
as vic alert list >"$T/a.txt"
check "the root login raised an alert" grep -q 'root logged in' "$T/a.txt"
eq "ward alert list prints no control byte" "$(ctl "$T/a.txt")" 0
check "... and the host it names" grep -q 'root logged in over SSH on bastion' "$T/a.txt"
id=$(as vic alert list --json | jq -r 'select(.summary | test("root logged")) | .id')
as vic alert show "$id" >"$T/as.txt"
eq "ward alert show prints no control byte" "$(ctl "$T/as.txt")" 0
inc=$(as han alert promote "$id")
as vic incident show "$inc" >"$T/i.txt"
eq "ward incident show prints no control byte" "$(ctl "$T/i.txt")" 0
as vic incident list >"$T/il.txt"
eq "ward incident list prints no control byte" "$(ctl "$T/il.txt")" 0
done_testing
