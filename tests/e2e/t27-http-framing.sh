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
statuses() { printf '%s' "$1" | tr -d '\r' | awk '/^HTTP\/1\.1 /{printf "%s ", $2}'; }
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
done_testing
