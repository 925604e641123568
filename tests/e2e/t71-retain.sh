#!/bin/sh
# Retention: --retain AGE archives the days past AGE at start (or with
# --retain-delete deletes them), says so in the log and in /metrics, and
# /metrics shows the disk and the days.  A day whose text index was lost
# waits for the hub to rebuild it, then is archived, index and all.
. "$(dirname "$0")/lib.sh"
need_faketime
TOKEN=$(new_token t71)
READER=$(new_token reader71 reader)
PORT=$(free_port)
day() {	# day DD: 100 events sent on 2026-09-DD by a hub whose clock says so
	awk -v d=$1 'BEGIN { for (i = 0; i < 100; i++)
		printf "{\"timestamp\":\"2026-09-%sT10:00:%02dZ\",\"summary\":\"day %s event %d\"}\n", d, i % 60, d, i }' >"$T/day$1"
	start_hub_at "2026-09-$1 12:00:00" || exit 1
	r=$(post /events "$T/day$1" -H 'Content-Type: application/x-ndjson')
	eq "day $1 is ingested under faketime" "$r" '200 {"accepted":100,"rejected":0}'
	stop_hub
}
day 01
day 02
start_hub --retain 30d || exit 1
wait_grep "$T/hub.log" "retention: 2026-09-02 archived"
check "the hub archives the days past --retain at start" grep -q "retention: 2026-09-01 archived" "$T/hub.log"
eq "both are archived" "$("$WARDD" archive list --data "$DATA" | awk 'NR > 1 { print $1, $2 }' | tr '\n' ';')" \
	"2026-09-01 archived;2026-09-02 archived;"
eq "/metrics counts them" "$(metric ward_retention_archived_total)" 2
eq "/metrics: archived days" "$(metric ward_archived_days)" 2
eq "/metrics: their events leave ward_store_events" "$(metric_becomes ward_store_events 0)" 0
check "/metrics: disk free" sh -c "[ '$(metric ward_disk_free_bytes)' -gt 0 ]"
r=$(curl -s -G -H "Authorization: Bearer $READER" --data-urlencode 'q=*' "$URL/api/search" | jq -r 'select(.notice) | .archived')
eq "a search says two days are archived" "$r" 2
stop_hub
day 03
start_hub --retain 30d --retain-delete || exit 1
wait_grep "$T/hub.log" "retention: 2026-09-03 deleted"
check "--retain-delete deletes a day past the age" grep -q "retention: 2026-09-03 deleted" "$T/hub.log"
eq "it is gone, the archived ones stay" "$("$WARDD" archive list --data "$DATA" | awk 'NR > 1 { print $1, $2 }' | tr '\n' ';')" \
	"2026-09-01 archived;2026-09-02 archived;"
eq "/metrics counts it" "$(metric ward_retention_deleted_total)" 1
eq "/metrics: a deleted day's events leave ward_store_events" "$(metric_becomes ward_store_events 0)" 0
echo '{"summary":"today"}' >"$T/today"
post /events "$T/today" >/dev/null
stop_hub
start_hub --retain 30d || exit 1
check "/metrics: bytes of today's partition" sh -c "curl -s '$URL/metrics' | grep -q '^ward_day_bytes{day=\"$(date -u +%F)\"} [1-9]'"
eq "today is not touched" "$(ls "$DATA/events" | grep -c "^$(date -u +%F)\.db$")" 1
check "--retain-delete alone is refused" sh -c "! '$WARDD' --data '$T/x' --retain-delete 2>/dev/null"
stop_hub
# A day whose text index was lost waits for its rebuild, then goes.
day 04
rm -f "$DATA/events/2026-09-04.fts"
start_hub --retain 30d || exit 1
wait_grep "$T/hub.log" "retention: 2026-09-04 archived"	# tried every 10 s:
wait_grep "$T/hub.log" "retention: 2026-09-04 archived"	# up to 30 s
check "a day whose index is missing waits for its rebuild, said once" \
	sh -c "[ \$(grep -c 'retention: 2026-09-04 waits: its text index is' '$T/hub.log') = 1 ]"
check "... and is archived once the index is whole" grep -q "retention: 2026-09-04 archived" "$T/hub.log"
check "... with its index" sh -c "ls '$DATA/archive' | grep -qx 2026-09-04.fts.zst"
eq "... not counted as a failure" "$(metric ward_retention_failures_total)" 0
stop_hub
done_testing
