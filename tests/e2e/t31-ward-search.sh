#!/bin/sh
# ward search: the same language from the console's client, a table on a
# terminal, NDJSON with --json, a caret under a syntax error.
. "$(dirname "$0")/lib.sh"
start_hub || exit 1
TOKEN=$(new_token t31)
mkdir -p "$T/home/vic"
as vic keygen >/dev/null
"$WARDD" user add --data "$DATA" vic viewer "$T/home/vic/.config/ward/id_ed25519.pub" >/dev/null
SPEED=0 sh "$ROOT/share/demo/replay.sh" "$URL" "$TOKEN" 120
as vic search --json 'summary:Accepted' >"$T/acc"
eq "finds the one successful login" "$(jq -r .hostname "$T/acc")" web2
eq "--json gives the stored event with its id" "$(jq -r '.id | type' "$T/acc")" number
n=$(as vic search --json --limit 500 'details.sourceipaddress:203.0.113.7 AND summary:Failed' | wc -l | tr -d ' ')
eq "a field term AND a word agrees with the HTTP API" "$n" "$(curl -s -G -H "Authorization: Bearer $(new_token r31 reader)" \
	--data-urlencode 'q=details.sourceipaddress:203.0.113.7 AND summary:Failed' \
	--data-urlencode limit=500 "$URL/api/search" | wc -l | tr -d ' ')"
as vic search 'category:authentication | count by hostname' >"$T/cb"
check "an aggregation prints its rows" grep -q '"hostname":"bastion"' "$T/cb"
as vic search --limit 3 'hostname:web2' >"$T/tab" 2>"$T/tab.err"
eq "a table: one line per event, limited" "$(wc -l <"$T/tab" | tr -d ' ')" 3
eq "... and a notice on stderr says more match" "$(cat "$T/tab.err")" \
	"ward: search: limit 3 reached; more match (raise --limit or narrow the query)"
as vic search --json --limit 3 'hostname:web2' 2>"$T/tab.err" | wc -l >"$T/n"
eq "--json: the same notice on stderr, stdout only events" \
	"$(cat "$T/tab.err") $(tr -d ' ' <"$T/n")" \
	"ward: search: limit 3 reached; more match (raise --limit or narrow the query) 3"
as vic search --limit 500 'hostname:web2' >/dev/null 2>"$T/tab.err"
eq "no notice when every match is printed" "$(wc -c <"$T/tab.err" | tr -d ' ')" 0
check "the table shows host and summary" grep -q 'web2' "$T/tab"
mkdir -p "$T/home/han"
as han keygen >/dev/null
"$WARDD" user add --data "$DATA" han handler "$T/home/han/.config/ward/id_ed25519.pub" >/dev/null
inc=$(as han incident create --title "brute force" | tail -n 1)
as han observable add "$inc" ip 203.0.113.7 >/dev/null
want=$(as vic search --json '"203.0.113.7" | count' | jq -r .count)
eq "an observable counts the stored events that mention it" \
	"$(as vic incident show "$inc" --json | jq -r '.observables[0].events')" "$want"
check "... and there are some" test "$want" -gt 100
as vic search 'hostname:web1 AND (' >"$T/out" 2>"$T/err"; rc=$?
check "a syntax error exits non-zero" test $rc -ne 0
check "... with a caret under the bad spot" sh -c "sed -n 3p '$T/err' | grep -q '^ *\\^\$'"
eq "... placed at the end of the query" "$(sed -n 3p "$T/err" | awk '{ print index($0, "^") }')" \
	"$(sed -n 2p "$T/err" | awk '{ print length($0) + 1 }')"
# --help on a subcommand: its synopsis and help line on standard output,
# exit 0, no hub needed.
"$WARD" search --help >"$T/help" 2>&1
eq "ward search --help: exit 0" "$?" 0
check "... prints its synopsis" grep -q '^usage: ward search .*QUERY$' "$T/help"
"$WARD" incident note -h >"$T/help2" 2>&1
eq "ward incident note -h: exit 0" "$?" 0
check "... prints its help line" grep -q '^add a note' "$T/help2"
done_testing
