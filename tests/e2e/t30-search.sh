#!/bin/sh
# Search: a generated corpus whose true answers jq computes independently;
# hits, counts, count by, top, histogram and time bounds must agree.
. "$(dirname "$0")/lib.sh"
start_hub || exit 1
TOKEN=$(new_token t30)
READER=$(new_token reader30 reader)
# 3000 events over three UTC days, seeded.
awk 'BEGIN {
	srand(7)
	split("web1 web2 web3 db1 mail1", H, " ")
	split("INFO NOTICE WARNING ERROR CRITICAL DEBUG", S, " ")
	split("authentication web system audit", C, " ")
	split("alpha beta gamma delta", W, " ")
	base = 1795737600	# 2026-11-27T00:00:00Z
	for (i = 0; i < 3000; i++) {
		t = base - 2 * 86400 + int(rand() * 3 * 86400)
		ip = (rand() < 0.3 ? "10." : "192.0.") int(rand()*250) "." int(rand()*250)
		if (ip ~ /^192\.0\./) ip = ip "." int(rand()*250)
		else ip = ip "." int(rand()*250)
		user = rand() < 0.5 ? ",\"username\":\"u" int(rand()*20) "\"" : ""
		printf "{\"timestamp\":%d,\"hostname\":\"%s\",\"severity\":\"%s\",\"category\":\"%s\",\"summary\":\"event %d word %s\",\"details\":{\"sourceipaddress\":\"%s\",\"bytes\":%d%s}}\n",
		    t, H[int(rand()*5)+1], S[int(rand()*6)+1], C[int(rand()*4)+1], i, W[int(rand()*4)+1], ip, int(rand()*100000), user
	}
}' >"$T/corpus"
r=$(post /events "$T/corpus" -H 'Content-Type: application/x-ndjson')
eq "the corpus is ingested" "$r" '200 {"accepted":3000,"rejected":0}'
search() {	# search QUERY [LIMIT [extra curl args]]: NDJSON to stdout
	q=$1 lim=${2:-100000}; shift; [ $# -gt 0 ] && shift
	curl -s -G -H "Authorization: Bearer $READER" --data-urlencode "q=$q" \
		--data-urlencode "limit=$lim" "$@" "$URL/api/search"
}
jqc() { jq -rs "$1" "$T/corpus"; }
count() { q=$1; shift; search "$q | count" 100000 "$@" | jq -r .count; }

eq "hostname:web1 hits" "$(search 'hostname:web1' | wc -l | tr -d ' ')" "$(jqc '[.[] | select(.hostname == "web1")] | length')"
eq "| count agrees" "$(count 'hostname:web1')" "$(jqc '[.[] | select(.hostname == "web1")] | length')"
eq "wildcard hostname:web*" "$(count 'hostname:web*')" "$(jqc '[.[] | select(.hostname | startswith("web"))] | length')"
eq "severity:>=WARNING is ordered" "$(count 'severity:>=WARNING')" "$(jqc '[.[] | select(.severity | IN("WARNING","ERROR","CRITICAL"))] | length')"
eq "numeric comparison details.bytes:>50000" "$(count 'details.bytes:>50000')" "$(jqc '[.[] | select(.details.bytes > 50000)] | length')"
eq "range details.bytes:[1000 TO 2000]" "$(count 'details.bytes:[1000 TO 2000]')" "$(jqc '[.[] | select(.details.bytes >= 1000 and .details.bytes <= 2000)] | length')"
eq "CIDR 10.0.0.0/8" "$(count 'details.sourceipaddress:10.0.0.0/8')" "$(jqc '[.[] | select(.details.sourceipaddress | startswith("10."))] | length')"
eq "_exists_:details.username" "$(count '_exists_:details.username')" "$(jqc '[.[] | select(.details.username != null)] | length')"
eq "bare word is full text" "$(count 'gamma')" "$(jqc '[.[] | select(.summary | test("\\bgamma\\b"))] | length')"
eq "AND, OR, NOT and parentheses" "$(count '(hostname:web1 OR hostname:db1) AND NOT category:web')" "$(jqc '[.[] | select((.hostname == "web1" or .hostname == "db1") and .category != "web")] | length')"
eq "-term excludes" "$(count 'category:audit -severity:INFO')" "$(jqc '[.[] | select(.category == "audit" and .severity != "INFO")] | length')"

search 'category:authentication | count by hostname' >"$T/cb"
jqc '[.[] | select(.category == "authentication")] | group_by(.hostname) | map({hostname: .[0].hostname, count: length}) | sort_by(-.count, .hostname) | .[] | "\(.hostname) \(.count)"' >"$T/cb.want"
eq "count by hostname" "$(jq -r '"\(.hostname) \(.count)"' "$T/cb" | sort)" "$(sort "$T/cb.want")"
eq "count by is largest first" "$(jq -r .count "$T/cb" | tr "\n" " ")" "$(jq -r .count "$T/cb" | sort -rn | tr "\n" " ")"
search 'hostname:web1 | count by details.username' >"$T/cbu"
jqc '[.[] | select(.hostname == "web1")] | group_by(.details.username) | map("\(.[0].details.username) \(length)") | .[]' >"$T/cbu.want"
eq "count by a JSON field, events without it under null" "$(jq -r '"\(.["details.username"]) \(.count)"' "$T/cbu" | sort)" "$(sort "$T/cbu.want")"
search 'hostname:web1 | count by details.username, hostname' >"$T/cbu2"
eq "count by a JSON and a typed field" "$(jq -r '"\(.["details.username"]) \(.hostname) \(.count)"' "$T/cbu2" | sort)" "$(jqc '[.[] | select(.hostname == "web1")] | group_by(.details.username) | map("\(.[0].details.username) web1 \(length)") | .[]' | sort)"
eq "count by two fields has every pair" "$(search '* | count by hostname, category' | wc -l | tr -d ' ')" "$(jqc '[.[] | [.hostname, .category]] | unique | length')"
eq "top 2 category" "$(search '* | top 2 category' | jq -r .category | sort | tr '\n' ' ')" "$(jqc 'group_by(.category) | map({c: .[0].category, n: length}) | sort_by(-.n) | .[0:2] | .[].c' | sort | tr '\n' ' ')"

search '* | histogram 1d' >"$T/h"
eq "histogram 1d has three day buckets" "$(wc -l <"$T/h" | tr -d ' ')" 3
eq "histogram counts add up" "$(jq -s 'map(.count) | add' "$T/h")" 3000
eq "histogram bucket of 2026-11-26" "$(jq -r 'select(.time | startswith("2026-11-26")) | .count' "$T/h")" "$(jqc '[.[] | select(.timestamp >= 1795651200 and .timestamp < 1795737600)] | length')"

eq "time bounds across a day boundary" "$(count '*' --data-urlencode since=2026-11-25T12:00:00Z --data-urlencode until=2026-11-26T12:00:00Z)" "$(jqc '[.[] | select(.timestamp >= 1795608000 and .timestamp < 1795694400)] | length')"
newest=$(search '*' 1 | head -n 1 | jq -r .utctimestamp)
eq "newest first" "$newest" "$(jqc 'max_by(.timestamp).timestamp | todate | sub("Z$"; ".000000+00:00")')"
eq "results carry their event id" "$(search "*" 1 | head -n 1 | jq -r ".id | type")" number
# The corpus arrived today: one partition, whose search the limit cuts.
search '*' 7 >"$T/lim"
eq "limit is honoured" "$(grep -c '"id":' "$T/lim")" 7
eq "... and the last line says more match" "$(tail -n 1 "$T/lim" | jq -c .)" \
	'{"notice":"limit 7 reached; more match (raise limit= or narrow the query)","limited":true}'
search 'summary:"event 17 word"' 7 >"$T/lim"
eq "no notice when everything that matches is there" "$(wc -l <"$T/lim" | tr -d ' ')" 1

code=$(curl -s -o "$T/e" -w '%{http_code}' -G -H "Authorization: Bearer $READER" --data-urlencode 'q=hostname:web1 AND (' "$URL/api/search")
eq "a syntax error answers 400" "$code" 400
check "... with the position" jq -e '.position == 19' "$T/e"
code=$(curl -s -o "$T/e" -w '%{http_code}' -G -H "Authorization: Bearer $READER" --data-urlencode 'q=* | cnt' "$URL/api/search")
eq "an unknown pipeline stage answers 400" "$code" 400
check "... naming the stages" grep -q 'expected count' "$T/e"
code=$(curl -s -o /dev/null -w '%{http_code}' -G -H "Authorization: Bearer $TOKEN" --data-urlencode 'q=*' "$URL/api/search")
eq "a shipper token cannot search: 403" "$code" 403
code=$(curl -s -o /dev/null -w '%{http_code}' -G -H "Authorization: Bearer $READER" --data-urlencode 'q=*' --data-urlencode since=yesterdayish "$URL/api/search")
eq "a bad since answers 400" "$code" 400
done_testing
