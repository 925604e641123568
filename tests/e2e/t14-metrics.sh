#!/bin/sh
# /healthz and /metrics: the names operators scrape, true across restarts.
. "$(dirname "$0")/lib.sh"
start_hub || exit 1
TOKEN=$(new_token t14)
eq "healthz says ok without a token" "$(curl -s "$URL/healthz")" ok
printf '{"summary":"m1"}\n{"summary":"m2"}\n{bad}\n' >"$T/b"
post /events "$T/b" >/dev/null
curl -s "$URL/metrics" >"$T/m"
for name in ward_events_received_total ward_events_stored_total \
    ward_events_rejected_total ward_store_events ward_ingest_queue_depth \
    ward_commit_latency_seconds_count; do
	check "metrics has $name" grep -q "^$name " "$T/m"
done
check "every metric has HELP and TYPE" sh -c \
	"test \$(grep -c '^# TYPE ward_' '$T/m') -eq \$(grep -c '^# HELP ward_' '$T/m')"
eq "received counts every document" "$(metric ward_events_received_total)" 3
eq "stored counts the good ones" "$(metric ward_events_stored_total)" 2
eq "rejected counts the bad one" "$(metric ward_events_rejected_total)" 1
eq "store_events holds 2" "$(metric ward_store_events)" 2
eq "queue is empty at rest" "$(metric ward_ingest_queue_depth)" 0
i=0
while [ "$(metric ward_index_queue_bytes)" != 0 ] && [ $i -lt 50 ]; do
	sleep 0.1; i=$((i + 1))
done
eq "the full-text index owes nothing at rest" "$(metric ward_index_queue_bytes)" 0
check "a commit was timed" test "$(metric ward_commit_latency_seconds_count)" -ge 1
# failed logins from two addresses: the brute-force rule holds a group each
for ip in 198.51.100.1 198.51.100.2; do
	printf '{"summary":"Failed password for root from %s port 22 ssh2","processname":"sshd"}\n' "$ip"
done >"$T/ssh"
post /events "$T/ssh" >/dev/null
i=0
while [ "$(metric ward_rule_groups)" = 0 ] && [ $i -lt 50 ]; do
	sleep 0.1; i=$((i + 1))
done
check "the rules hold correlation groups for the two addresses" \
	test "$(metric ward_rule_groups)" -ge 2
eq "no group was evicted" "$(metric ward_rule_groups_evicted_total)" 0
eq "no deadman hit was dropped" "$(metric ward_rule_hits_dropped_total)" 0
stop_hub
start_hub || exit 1
eq "after a restart stored_total starts again at 0" "$(metric ward_events_stored_total)" 0
eq "after a restart store_events still holds 4" "$(metric ward_store_events)" 4
post /events "$T/b" >/dev/null
eq "and grows from there" "$(metric ward_store_events)" 6
kill "$HUB_PID"; wait "$HUB_PID"; rc=$?; HUB_PID=
eq "SIGTERM exits 0" "$rc" 0
check "a clean stop checkpoints the WAL away" sh -c "! ls '$DATA'/events/*.db-wal 2>/dev/null | grep -q ."
done_testing
