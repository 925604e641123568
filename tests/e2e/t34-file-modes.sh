#!/bin/sh
# The hub's files are its owner's alone (mode 0600, like the hub key):
# state.db, the partitions, their indexes, and SQLite's -wal and -shm
# beside each; a data directory made by an older ward (0644 files) keeps
# working, and the hub says how to tighten it.
. "$(dirname "$0")/lib.sh"
TOKEN=$(new_token t27)
READER=$(new_token r27 reader)
count() { curl -s -G -H "Authorization: Bearer $READER" \
	--data-urlencode "q=$1 | count" "$URL/api/search" | jq .count; }
start_hub || exit 1
printf '{"summary":"modes one"}' >"$T/ev"
eq "an event is stored" "$(post /events "$T/ev")" '200 {"accepted":1,"rejected":0}'
eq "and indexed" "$(count modes)" 1
modes() { stat -c '%a %n' "$DATA"/state.db* "$DATA"/events/*.db* \
	"$DATA"/events/*.fts* "$DATA"/hub_ed25519 | sed "s|$DATA/||"; }
modes >"$T/modes"
check "state.db, its -wal and -shm exist" grep -q 'state.db-wal' "$T/modes"
check "a partition, its index and their -wal files exist" \
	sh -c "grep -q 'events/.*[.]db-wal' '$T/modes' && grep -q 'events/.*[.]fts-wal' '$T/modes'"
eq "every one of them is mode 600" "$(awk '$1 != 600' "$T/modes")" ""
stop_hub
# An older ward's data directory: everything 0644.
chmod 644 "$DATA"/state.db* "$DATA"/events/*
start_hub || exit 1
check "the hub warns that state.db is readable by others" \
	grep -q 'state.db is mode 0644.*chmod 600' "$T/hub.log"
printf '{"summary":"modes two"}' >"$T/ev"
eq "it still stores events" "$(post /events "$T/ev")" '200 {"accepted":1,"rejected":0}'
eq "and finds them" "$(count modes)" 2
done_testing
