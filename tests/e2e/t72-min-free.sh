#!/bin/sh
# --min-free on a small tmpfs: below it ingest is answered 507 with a
# clear message, nothing of those requests is stored, searches go on,
# and ingest resumes by itself once space returns.
. "$(dirname "$0")/lib.sh"
if [ "$(id -u)" != 0 ]; then
	echo "ok 1 # SKIP mounting a tmpfs needs root"; echo "1..1"; exit 0
fi
MNT=$T/mnt
mkdir -p "$MNT"
mount -t tmpfs -o size=64m tmpfs "$MNT" || { echo "not ok 1 - mount"; exit 1; }
trap 'stop_hub; umount "$MNT"; cleanup' EXIT
DATA=$MNT/data
mkdir "$DATA"
TOKEN=$(new_token t72)
READER=$(new_token r72 reader)
start_hub --min-free 16M || exit 1
send() {	# send WORD: "STATUS BODY" of POSTing an event with WORD
	printf '{"summary":"%s disk test"}' "$1" >"$T/ev"
	post /events "$T/ev"
}
found() {	# found WORD: how many events have WORD
	curl -s -G -H "Authorization: Bearer $READER" \
		--data-urlencode "q=$1 | count" "$URL/api/search" | jq .count
}
eq "an event is taken with room to spare" "$(send first | cut -d' ' -f1)" 200
# Leave 8 MB of the 64: below the 16 MB the hub keeps.
avail=$(df -k --output=avail "$MNT" | tail -n 1)
dd if=/dev/zero of="$MNT/filler" bs=1k count=$((avail - 8192)) 2>/dev/null
sleep 0.3
r=$(send refused)
eq "below --min-free ingest is answered 507" "${r%% *}" 507
printf '%s' "$r" >"$T/r507"
check "saying why" grep -q "disk is nearly full .*nothing of this request was stored" "$T/r507"
eq "nothing of it is stored" "$(found refused)" 0
eq "searches go on" "$(found first)" 1
check "the log says so once" grep -q "disk: .* below --min-free" "$T/hub.log"
eq "/metrics counts the refusals" "$(metric ward_ingest_disk_full_total)" 1
rm -f "$MNT/filler"
sleep 0.3
eq "with space back, ingest resumes by itself" "$(send after | cut -d' ' -f1)" 200
eq "and the event is found" "$(found after)" 1
check "the log says that too" grep -q "ingest resumes" "$T/hub.log"
# The hub's own error is an event: category ward, its hostname, and the
# shipped rule ward_errors raises an alert from it.
i=0
while [ "$(curl -s -G -H "Authorization: Bearer $READER" --data-urlencode 'q=category:ward AND severity:ERROR | count' "$URL/api/search" | jq .count)" = 0 ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
curl -s -G -H "Authorization: Bearer $READER" --data-urlencode 'q=category:ward AND severity:ERROR' "$URL/api/search" >"$T/self"
check "the hub's error is stored as an event" grep -q 'below --min-free' "$T/self"
eq "with the hub's hostname" "$(jq -r 'select(.id) | .hostname' "$T/self" | head -n 1)" "$(hostname)"
mkuser ann viewer
i=0
while ! as ann alert list >"$T/alerts" 2>&1 || ! grep -q "ward hub error\|ward on" "$T/alerts"; do
	[ $i -gt 100 ] && break; sleep 0.1; i=$((i + 1))
done
check "and the rule ward_errors fires on it" grep -q "ward on $(hostname)" "$T/alerts"
stop_hub
# The default keeps the smaller of 5 % and 2 GB: 3.2 MB of 64.
start_hub || exit 1
avail=$(df -k --output=avail "$MNT" | tail -n 1)
dd if=/dev/zero of="$MNT/filler" bs=1k count=$((avail - 2048)) 2>/dev/null
sleep 0.3
eq "the default guard answers 507 with 2 MB left of 64" "$(send again | cut -d' ' -f1)" 507
rm -f "$MNT/filler"
done_testing
