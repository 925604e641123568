#!/bin/sh
# The Elasticsearch calls that Filebeat, Logstash and the official clients
# make work unchanged, each answered with X-Elastic-Product.
. "$(dirname "$0")/lib.sh"
start_hub || exit 1
TOKEN=$(new_token t12)
es() {	# es METHOD PATH [curl args]: print status, then headers and body in files
	m=$1 p=$2; shift 2
	curl -s -X "$m" -D "$T/h" -o "$T/b" -w '%{http_code}' -u "elastic:$TOKEN" "$@" "$URL$p"
}
product() { grep -qi '^x-elastic-product: Elasticsearch' "$T/h"; }

eq "GET / answers 200" "$(es GET /)" 200
check "GET / has X-Elastic-Product" product
eq "GET / claims version 8" "$(jq -r '.version.number | split(".")[0]' "$T/b")" 8
eq "GET / has the tagline clients check" "$(jq -r .tagline "$T/b")" "You Know, for Search"
eq "HEAD / answers 200" "$(curl -s -I -o /dev/null -w '%{http_code}' -u "elastic:$TOKEN" "$URL/")" 200
eq "GET /_license answers 200" "$(es GET /_license)" 200
eq "the license is active" "$(jq -r .license.status "$T/b")" active
check "/_license has X-Elastic-Product" product
eq "PUT an index template is acknowledged" "$(es PUT /_index_template/filebeat-8.11.0 -H 'Content-Type: application/json' -d '{"index_patterns":["filebeat-*"]}')" 200
eq "... with acknowledged:true" "$(jq -r .acknowledged "$T/b")" true
eq "GET an ILM policy answers 200" "$(es GET /_ilm/policy/filebeat)" 200
eq "HEAD an index answers 200" "$(curl -s -I -o /dev/null -w '%{http_code}' -u "elastic:$TOKEN" "$URL/logs-ward")" 200
eq "401 without a token is Elasticsearch-shaped" "$(curl -s "$URL/_bulk" -X POST -d x | jq -r .error.type)" security_exception

cat >"$T/bulk" <<'B'
{"index":{"_index":"logs"}}
{"message":"first","host":{"name":"fb1"},"@timestamp":"2026-11-27T12:00:00.000Z"}
{"create":{"_index":"logs"}}
{"message":"second"}
{"delete":{"_index":"logs","_id":"1"}}
{"update":{"_index":"logs","_id":"1"}}
{"doc":{"a":1}}
{"create":{}}
{"message": broken}
{"index":{}}
{"message":"last"}
B
st=$(es POST /_bulk -H 'Content-Type: application/vnd.elasticsearch+x-ndjson; compatible-with=8' --data-binary @"$T/bulk")
eq "_bulk answers 200 even with item errors" "$st" 200
check "_bulk has X-Elastic-Product" product
eq "errors is true" "$(jq -r .errors "$T/b")" true
eq "one item per action, in order" "$(jq -c '[.items[] | keys[0]]' "$T/b")" '["index","create","delete","update","create","index"]'
eq "each item has its own status" "$(jq -c '[.items[][] | .status]' "$T/b")" '[201,201,400,400,400,201]'
check "took is a number" jq -e '.took | type == "number"' "$T/b"
check "a bad document's reason names its line" jq -e '.items[4].create.error.reason | test("line 9")' "$T/b"
eq "the three good documents are stored" "$(stored_count)" 3
db=$(ls "$DATA"/events/*.db | head -n 1)
eq "ECS host.name becomes hostname" "$(sqlite3 "$db" "select hostname from events_full where summary='first'")" fb1

eq "POST /INDEX/_bulk works" "$(es POST /logs/_bulk -H 'Content-Type: application/x-ndjson' --data-binary "$(printf '{"index":{}}\n{"message":"idx"}\n')
")" 200
eq "... and takes the index from the path" "$(jq -r '.items[0].index._index' "$T/b")" logs
eq "POST /INDEX/_doc answers 201" "$(es POST /logs/_doc -H 'Content-Type: application/json; charset=UTF-8' -d '{"message":"single"}')" 201
eq "... with result created" "$(jq -r .result "$T/b")" created
eq "all five are stored" "$(stored_count)" 5
done_testing
