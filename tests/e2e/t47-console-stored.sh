#!/bin/sh
# A console opened after events were stored opens on the newest of them
# and then follows live ones, as less +F does; a query applied later
# brings the stored events it selects, older ones too.
. "$(dirname "$0")/tui-lib.sh"

start_hub || exit 1
TOKEN=$(new_token shipper)
mkuser alice viewer

# 1500 events stored before anyone looks: the first 20 from host old1,
# the rest from host bulk, the last one says it is the newest.
seq 1 1499 | awk '{ printf "{\"summary\":\"stored %d\",\"hostname\":\"%s\"}\n", $1, $1 <= 20 ? "old1" : "bulk" }' >"$T/ev.ndjson"
echo '{"summary":"the newest stored event","hostname":"bulk"}' >>"$T/ev.ndjson"
eq "1500 events are stored" "$(ingest_json "$T/ev.ndjson")" 200

console alice 100 30
see "the console is ready" alice '\[ready\] alice'
see "it opens on the newest stored events" alice 'bulk .*the newest stored event'
see "... the last 1000 of them, following" alice ' 1000/1000 rows  following'
if screen alice | grep -A1 'stored 1498$' | grep -q 'stored 1499$'; then
	ok "... in the order they came"
else not_ok "... in the order they came" "$(screen alice)"; fi

echo '{"summary":"a live event after opening","hostname":"live1"}' >"$T/live.ndjson"
eq "a live event is ingested" "$(ingest_json "$T/live.ndjson")" 200
see "live events follow the stored ones" alice 'live1 .*a live event after opening'
see "... counted once" alice ' 1001/1001 rows  following'
if screen alice | grep -A1 'the newest stored event' | grep -q 'live event after'; then
	ok "... right after them"
else not_ok "... right after them" "$(screen alice)"; fi

# The first 20 fell outside the 1000: a query for them fetches them.
keys alice e
typetext alice 'hostname:old1'
keys alice Enter
see "a query brings the stored events it selects" alice 'old1 .*stored 20$'
see "... all 20, older than anything held" alice ' 20/1021 rows '
# Stored while the tail asked for old1 only, so not held: a count
# fetches what its filter selects.
seq 1 5 | awk '{ printf "{\"summary\":\"late %d\",\"hostname\":\"late2\"}\n", $1 }' >"$T/late.ndjson"
eq "five events of another host are stored" "$(ingest_json "$T/late.ndjson")" 200
keys alice e C-u
typetext alice 'hostname:late2 | count by hostname'
keys alice Enter
see "a count's filter fetches the stored events it counts" alice ' 5/1026 rows '
see "... and counts them" alice 'late2 +5'
console_done
