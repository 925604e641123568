#!/bin/sh
# The HTTP front door: how requests are framed (pipelined, truncated, too
# long, too slow), which paths answer, and that nothing is acknowledged
# that was not stored.
. "$(dirname "$0")/lib.sh"
start_hub || exit 1
TOKEN=$(new_token t27)
PY=/usr/bin/python3
# raw [rawhttp.py options] < request: the answers, also kept in $T/r.
raw() { $PY "$ROOT/tests/e2e/rawhttp.py" "$PORT" "$@" | tee "$T/r"; }
alive() { curl -sf -o /dev/null "$URL/healthz"; }
# statuses RESPONSE: the status codes of the answers, in order.
statuses() { printf '%s' "$1" | tr -d '\r' | awk '/^HTTP\/1\.[01] /{printf "%s ", $2}'; }
events() { metric ward_store_events; }

# 1. Pipelining.  The request from issue 22 crashed the hub (use after
# free): both answers now come, in order, and the event is stored.
r=$(printf 'POST /events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: 15\r\n\r\n{"summary":"a"}GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n' "$TOKEN" | raw)
eq "POST then GET pipelined: two answers, in order" "$(statuses "$r")" "200 200 "
check "the first is the ingest answer" grep -q '"accepted":1' "$T/r"
check "the second is /healthz's" grep -q '^ok' "$T/r"
check "the hub is alive" alive
eq "the event is stored" "$(events)" 1

r=$(printf 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\nHEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /metrics HTTP/1.1\r\nHost: x\r\n\r\n' "$TOKEN" | raw)
eq "four GETs pipelined: four answers, in order" "$(statuses "$r")" "200 200 200 200 "
check "... the second is the Elasticsearch root" grep -q 'You Know, for Search' "$T/r"

# A body pipelined behind another request: lws 4.1.6 would read it from
# the wrong place, so it is refused with 503 (send again) and the
# connection closed; the request before it is answered and stored.
r=$(printf 'POST /events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: 15\r\n\r\n{"summary":"b"}POST /events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: 15\r\n\r\n{"summary":"c"}GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n' "$TOKEN" "$TOKEN" | raw)
eq "two POSTs pipelined: the first stored, the second 503" "$(statuses "$r")" "200 503 "
check "... and the connection closed" grep -q '<EOF>\|<RST>' "$T/r"
eq "only the first is stored" "$(events)" 2
check "the refusal is counted" test "$(metric ward_http_pipelined_refused_total)" -ge 1

# More data than Content-Length: the body is what it said, the rest is
# a request of its own (here garbage, refused by lws), the hub lives.
r=$(printf 'POST /events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: 5\r\n\r\n{"summary":"a"}GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n' "$TOKEN" | raw)
eq "Content-Length shorter than the data: 400 for the body read" "$(statuses "$r" | cut -d' ' -f1)" 400
check "the hub is alive" alive
eq "nothing stored from it" "$(events)" 2

# 2. Paths.  Events sent to a wrong path were acknowledged and dropped.
# Now only /events (a trailing slash allowed), /_bulk, /INDEX/_doc and
# /gelf take events; a wrong path is 404 or 405 and stores nothing.
before=$(events)
printf '{"summary":"wrong path"}' >"$T/one"
for p in /logs /Events /events/x /_security/user /api/events; do
	r=$(post "$p" "$T/one")
	case "${r%% *}" in 404|405) ok "POST $p is refused (${r%% *})" ;;
	*) not_ok "POST $p is refused" "got: $r" ;; esac
	check "... with a JSON error" sh -c "printf '%s' '${r#* }' | jq -e .error >/dev/null"
done
eq "nothing refused is stored" "$(events)" "$before"
r=$(post /events/ "$T/one")
eq "POST /events/ is /events" "$r" '200 {"accepted":1,"rejected":0}'
eq "... and stored" "$(events)" $((before + 1))
code=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE -u "e:$TOKEN" "$URL/_index_template/x")
eq "DELETE of a template: 405" "$code" 405
code=$(curl -s -o "$T/b" -w '%{http_code}' -X PUT -u "e:$TOKEN" -H 'Content-Type: application/json' -d '{"index_patterns":["x-*"]}' "$URL/_index_template/x")
eq "a template PUT is still acknowledged (it holds no events)" "$code $(jq -c . "$T/b")" '200 {"acknowledged":true}'
for p in /_cluster/health /_cat/health /_nodes/http /_xpack; do
	code=$(curl -s -o /dev/null -w '%{http_code}' -u "e:$TOKEN" "$URL$p")
	eq "GET $p (a shipper's health or version check): 200" "$code" 200
done

# 3. Requests the hub cannot frame are answered at once, with a reason.
r=$(printf 'POST /events HTTP/1.1
Host: x
Authorization: Bearer %s

{"summary":"x"}' "$TOKEN" | raw --idle 10)
eq "POST without Content-Length: 411 at once" "$(statuses "$r")" "411 "
check "... naming Content-Length" grep -q 'Content-Length' "$T/r"
long=$(head -c 9000 /dev/zero | tr '\0' a)
code=$(curl -s -o "$T/b" -w '%{http_code}' "$URL/healthz?x=$long")
eq "a URL over 8 KB: 414" "$code" 414
check "... with a JSON body" jq -e .error "$T/b"
code=$(curl -s -o "$T/b" -w '%{http_code}' -H "Cookie: $long" -H "X-Forwarded-For: $long" "$URL/healthz")
eq "headers over 16 KB: 431" "$code" 431
check "... with a JSON body" jq -e .error "$T/b"
RTOK=$(new_token t27r reader)
for l in -1 0 abc 100001; do
	code=$(curl -s -o "$T/b" -w '%{http_code}' -H "Authorization: Bearer $RTOK" "$URL/api/search?q=&limit=$l")
	eq "search limit=$l: 400" "$code" 400
	check "... naming limit" grep -q 'limit=' "$T/b"
done

# 4. A WebSocket upgrade that does not offer the hub's subprotocol is
# refused (it was accepted and left open, silent).
r=$(printf 'GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n' | raw --idle 5)
eq "an upgrade without a subprotocol: 400" "$(statuses "$r" | tr -d ' ')" 400
check "... naming the subprotocol" grep -q 'ward.v' "$T/r"
r=$(printf 'GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: chat\r\nSec-WebSocket-Version: 13\r\n\r\n' | raw --idle 5)
check "an upgrade with another subprotocol: no 101" sh -c "! grep -q ' 101 ' '$T/r'"
check "the hub is alive" alive

# 5. Connections that never authenticate: an address holds at most 256;
# a body slower than 1 KB/s (after 10 s) is closed with 408.
eq "of 300 idle connections from one address, 256 are kept" "$(raw --hold 300)" 256
check "the others are counted" test "$(metric ward_http_connections_refused_total)" -ge 44
check "once they are gone the hub answers" alive
before=$(events)
r=$(printf 'POST /events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: 30\r\n\r\n{"summary":"slow slow slow!"}\n' "$TOKEN" | raw --trickle 1 --idle 5)
eq "a body trickling in is answered 408" "$(statuses "$r")" "408 "
check "... and closed" grep -q '<EOF>\|<RST>' "$T/r"
check "... counted" test "$(metric ward_http_slow_closed_total)" -ge 1
eq "... and nothing of it stored" "$(events)" "$before"

# 7. A bulk item's _index is stored as details.index (it was echoed and
# dropped); so is the index of /INDEX/_doc.  A key given twice keeps its
# last value (wardd.8 says so).
printf '{"index":{"_index":"mozdef-events"}}\n{"summary":"bulk idx"}\n{"create":{}}\n{"summary":"no idx"}\n' >"$T/bulk"
r=$(post /_bulk "$T/bulk" -H 'Content-Type: application/x-ndjson')
eq "a bulk with an _index: 200" "${r%% *}" 200
printf '{"summary":"doc idx"}' >"$T/doc"
r=$(post /logs-web/_doc "$T/doc" -H 'Content-Type: application/json')
eq "a document to /logs-web/_doc: 201" "${r%% *}" 201
printf '{"summary":"first","summary":"last"}' >"$T/dup"
r=$(post /events "$T/dup")
eq "a key twice: accepted" "$r" '200 {"accepted":1,"rejected":0}'
q() { for f in "$DATA"/events/*.db; do sqlite3 "$f" "$1"; done; }
eq "the bulk item's _index is details.index" \
	"$(q "select json_extract(doc, '\$.details.index') from events_full where summary = 'bulk idx'")" mozdef-events
eq "an item without one has none" \
	"$(q "select count(json_extract(doc, '\$.details.index')) from events_full where summary = 'no idx'")" 0
eq "the index of /INDEX/_doc is details.index" \
	"$(q "select json_extract(doc, '\$.details.index') from events_full where summary like 'doc idx'")" logs-web
eq "of a key twice the last value is stored" \
	"$(q "select count(*) from events_full where summary = 'last'")" 1

# 6. --metrics-auth: /metrics answers a reader token only.
stop_hub
start_hub --metrics-auth || exit 1
eq "--metrics-auth: /metrics without a token is 401" "$(curl -s -o /dev/null -w '%{http_code}' "$URL/metrics")" 401
eq "... with a shipper's token 403" "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$URL/metrics")" 403
curl -s -o "$T/b" -H "Authorization: Bearer $RTOK" "$URL/metrics"
check "... with a reader's token, the metrics" grep -q '^ward_store_events ' "$T/b"
eq "/healthz stays open" "$(curl -s -o /dev/null -w '%{http_code}' "$URL/healthz")" 200
done_testing
