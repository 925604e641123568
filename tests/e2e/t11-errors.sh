#!/bin/sh
# Bad input gets a clear error and the hub keeps serving; nothing of a
# refused request is stored.
. "$(dirname "$0")/lib.sh"
start_hub --max-body 1m --max-inflated 4m || exit 1
TOKEN=$(new_token t11)
alive() { curl -sf -o /dev/null "$URL/healthz"; }

printf '{"summary":"x"}' >"$T/one"
code=$(curl -s -o "$T/r" -w '%{http_code}' --data-binary @"$T/one" "$URL/events")
eq "no token: 401" "$code" 401
code=$(curl -s -o "$T/r" -w '%{http_code}' -H 'Authorization: Bearer ward_nope' --data-binary @"$T/one" "$URL/events")
eq "wrong token: 401" "$code" 401
eq "nothing stored from refused requests" "$(stored_count)" 0
RTOK=$(new_token reader1 reader)
code=$(curl -s -o "$T/r" -w '%{http_code}' -H "Authorization: Bearer $RTOK" --data-binary @"$T/one" "$URL/events")
eq "a reader token cannot ingest: 403" "$code" 403

printf '{"summary": "x",\n "bad": }' >"$T/bad"
r=$(post /events "$T/bad")
eq "malformed JSON: 400" "${r%% *}" 400
check "the error names the line" sh -c "echo '$r' | grep -q 'line 2'"

printf '{"summary":"good1"}\n{"summary": nope}\n[1,2]\n{"summary":"good2"}\n' >"$T/mixed"
r=$(post /events "$T/mixed" -H 'Content-Type: application/x-ndjson')
eq "a batch with bad lines stores the good ones" "$(echo "${r#* }" | jq -c '[.accepted,.rejected]')" "[2,2]"
eq "bad lines are reported by line" "$(echo "${r#* }" | jq -c '[.errors[].line]')" "[2,3]"
check "a non-object is named as such" sh -c "echo '${r#* }' | jq -r '.errors[1].error' | grep -qi 'object'"

printf '[1,2,3]' >"$T/nonobj"
r=$(post /events "$T/nonobj")
eq "an array of non-objects: 400" "${r%% *}" 400

deep=$(printf '%0.s{"a":' $(seq 1 100))1$(printf '%0.s}' $(seq 1 100))
printf '%s' "$deep" >"$T/deep"
r=$(post /events "$T/deep")
eq "nesting deeper than the limit: 400" "${r%% *}" 400
check "the error says nesting" sh -c "echo '$r' | grep -qi 'deep\|nest'"

printf '{"summary":"\377\376bad utf8"}' >"$T/utf8"
r=$(post /events "$T/utf8")
eq "invalid UTF-8: 400" "${r%% *}" 400

head -c 2000000 /dev/zero | tr '\0' 'a' | sed 's/^/{"summary":"/; s/$/"}/' >"$T/big"
r=$(post /events "$T/big")
eq "body over --max-body: 413" "${r%% *}" 413
check "hub alive after 413" alive

head -c 100000000 /dev/zero | gzip -c >"$T/bomb"
r=$(post /events "$T/bomb" -H 'Content-Encoding: gzip')
eq "gzip bomb: 413" "${r%% *}" 413
printf 'not gzip at all' >"$T/notgz"
r=$(post /events "$T/notgz" -H 'Content-Encoding: gzip')
eq "corrupt gzip: 400" "${r%% *}" 400
r=$(post /events "$T/one" -H 'Content-Encoding: br')
eq "unknown Content-Encoding: 415" "${r%% *}" 415

code=$(printf '{"summary":"c"}' | curl -s -o "$T/r" -w '%{http_code}' -m 10 -H "Authorization: Bearer $TOKEN" \
	-H 'Transfer-Encoding: chunked' --data-binary @- "$URL/events")
eq "a chunked body: 411, not a hang" "$code" 411
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$URL/nope")
eq "unknown path: 404" "$code" 404
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$URL/events")
eq "GET /events: 405" "$code" 405

# A client that disconnects mid-body: announce 100000 bytes, send 10.
(printf '{"summary"'; sleep 2) | curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" \
	-H 'Content-Length: 100000' --data-binary @- "$URL/events" &
cpid=$!
sleep 0.5; kill $cpid 2>/dev/null; wait $cpid 2>/dev/null
check "hub alive after a client left mid-body" alive

r=$(post /events "$T/one")
eq "and it still ingests" "$r" '200 {"accepted":1,"rejected":0}'
eq "store holds exactly the accepted events" "$(stored_count)" 3
check "rejected documents are counted" test "$(metric ward_events_rejected_total)" -ge 4
done_testing
