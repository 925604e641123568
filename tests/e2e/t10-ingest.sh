#!/bin/sh
# Ingest: every body format lands in the store, normalized.
. "$(dirname "$0")/lib.sh"
start_hub || exit 1
TOKEN=$(new_token t10)

printf '{"message":"one object","host":"h1","@timestamp":"2026-11-27T10:00:00+01:00"}' >"$T/obj"
eq "one object is accepted" "$(post /events "$T/obj")" '200 {"accepted":1,"rejected":0}'

printf '[{"summary":"a1"},{"summary":"a2"},{"summary":"a3"}]' >"$T/arr"
eq "an array of objects is accepted" "$(post /events "$T/arr")" '200 {"accepted":3,"rejected":0}'

printf '{"summary":"n1"}\n{"summary":"n2"}\n' >"$T/nd1"
printf '{"summary":"n3"}\r\n\r\n{"summary":"n4"}' >"$T/nd2"
eq "NDJSON with a trailing newline" "$(post /events "$T/nd1" -H 'Content-Type: application/x-ndjson')" '200 {"accepted":2,"rejected":0}'
eq "NDJSON with CRLF, a blank line, no trailing newline" "$(post /events "$T/nd2")" '200 {"accepted":2,"rejected":0}'

printf '{"summary":"s1"}{"summary":"s2"} {"summary":"s3"}' >"$T/stream"
eq "objects back to back (json_stream)" "$(post /events "$T/stream" -H 'Content-Type: application/json')" '200 {"accepted":3,"rejected":0}'

printf '{"summary":"gz1"}\n{"summary":"gz2"}\n' | gzip -c >"$T/gz"
eq "a gzip body is inflated" "$(post /events "$T/gz" -H 'Content-Encoding: gzip')" '200 {"accepted":2,"rejected":0}'

eq "all thirteen are in the store" "$(stored_count)" 13

db=$(ls "$DATA"/events/*.db | head -n 1)
doc=$(sqlite3 "$db" "select doc from events_full where summary = 'one object'")
eq "utctimestamp is converted to UTC" "$(echo "$doc" | jq -r .utctimestamp)" "2026-11-27T09:00:00.000000+00:00"
eq "host becomes hostname" "$(echo "$doc" | jq -r .hostname)" "h1"
eq "message becomes summary" "$(echo "$doc" | jq -r .summary)" "one object"
eq "receivedtimestamp is set, as UTC" "$(echo "$doc" | jq -r '.receivedtimestamp | test("^20[0-9-]+T[0-9:.]+[+]00:00$")')" true
eq "the hub's name is recorded" "$(echo "$doc" | jq -r .details.hub)" "$(hostname)"
eq "severity defaults to INFO" "$(echo "$doc" | jq -r .severity)" "INFO"

printf '{"summary":"sev","severity":3,"pid":"42","program":"sshd","custom":{"a":1},"@version":"1"}' >"$T/sev"
post /events "$T/sev" >/dev/null
doc=$(sqlite3 "$db" "select doc from events_full where summary = 'sev'")
eq "numeric severity 3 is ERROR" "$(echo "$doc" | jq -r .severity)" "ERROR"
eq "program becomes processname" "$(echo "$doc" | jq -r .processname)" "sshd"
eq "other fields go under details" "$(echo "$doc" | jq -c .details.custom)" '{"a":1}'
eq "@version loses its @" "$(echo "$doc" | jq -r .details.version)" "1"
eq "typed column severity is the rank" "$(sqlite3 "$db" "select severity from events_full where summary='sev'")" 4

# A search sees every acknowledged event (it waits for the index, which
# is written beside the store); then the index file holds it too.
eq "search finds a summary word at once" "$(curl -s -G -H "Authorization: Bearer $(new_token t10r reader)" --data-urlencode 'q=gz2 | count' "$URL/api/search" | jq .count)" 1
eq "full text index file finds a summary word" "$(sqlite3 "${db%.db}.fts" "select count(*) from fts where fts match 'gz2'")" 1
eq "meta counts the 14 rows stored so far" "$(sqlite3 "$db" "select value from meta where key='count'")" 14

# Basic auth with the token as password, and ApiKey, work too.
code=$(curl -s -o /dev/null -w '%{http_code}' -u "anyone:$TOKEN" -d '{"summary":"basic"}' "$URL/events")
eq "HTTP Basic with the token as password" "$code" 200
key=$(printf 'id1:%s' "$TOKEN" | base64 -w0)
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: ApiKey $key" -d '{"summary":"apikey"}' "$URL/events")
eq "ApiKey base64(id:token)" "$code" 200
done_testing
