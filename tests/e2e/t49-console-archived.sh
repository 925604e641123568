#!/bin/sh
# A console whose search reaches archived days says so, and how to bring
# them back, instead of showing less without a word; once they are
# restored, it shows their events and says nothing.
. "$(dirname "$0")/tui-lib.sh"
need_faketime
TOKEN=$(new_token t49)
PORT=$(free_port)
# Two past days of ten events each, sent to a hub whose clock says so.
for d in 01 02; do
	awk -v d=$d 'BEGIN { for (i = 0; i < 10; i++)
		printf "{\"timestamp\":\"2026-09-%sT10:00:%02dZ\",\"hostname\":\"past%s\",\"summary\":\"day %s event %d\"}\n", d, i, d, d, i }' >"$T/day$d"
	start_hub_at "2026-09-$d 12:00:00" || exit 1
	eq "day $d is ingested under faketime" "$(ingest_json "$T/day$d")" 200
	stop_hub
done
check "archive both days" "$WARDD" archive --data "$DATA" 2026-09-01 2026-09-02
start_hub || exit 1
echo '{"summary":"an event of today","hostname":"today1"}' >"$T/today"
eq "an event of today is ingested" "$(ingest_json "$T/today")" 200
mkuser alice viewer

console alice 160 30
see "the console is ready" alice '\[ready\] alice'
see "it shows today's stored event" alice 'today1 .*an event of today'
see "and says the archived days were not searched, and how to restore them" \
	alice "2 days archived: restore with wardd restore --data .* 2026-09-02 2026-09-01"
if screen alice | grep -q 'past0'; then
	not_ok "none of the archived days' events is shown" "$(screen alice)"
else ok "none of the archived days' events is shown"; fi

# A query applied later searches again: the notice again.
keys alice e
typetext alice 'hostname:past01'
keys alice Enter
see "a query reaching them says it again" alice "2 days archived: restore with wardd restore"
keys alice e C-u Enter

check "restore both days" "$WARDD" restore --data "$DATA" 2026-09-01 2026-09-02
keys alice e
typetext alice 'hostname:past02'
keys alice Enter
see "once restored, a query finds their events" alice 'past02 .*day 02 event 9'
if screen alice | grep -q 'days\? archived'; then
	not_ok "... and no longer speaks of archived days" "$(screen alice)"
else ok "... and no longer speaks of archived days"; fi
console_done
