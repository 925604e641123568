#!/bin/sh
# A disk that fills up and empties again, on a small tmpfs: no event is
# acknowledged that was not stored, a search answers 503 (not 400) while
# it cannot read, /healthz and /metrics show the store failing and the
# full-text index behind,
# and once space is back the index catches up by itself: every
# acknowledged event is found by its words, without a restart.
. "$(dirname "$0")/lib.sh"
if [ "$(id -u)" != 0 ]; then
	echo "ok 1 # SKIP mounting a tmpfs needs root"; echo "1..1"; exit 0
fi
MNT=$T/mnt
mkdir -p "$MNT"
mount -t tmpfs -o size=16M tmpfs "$MNT" || { echo "not ok 1 - mount"; exit 1; }
trap 'stop_hub; umount "$MNT"; cleanup' EXIT
DATA=$MNT/data
mkdir "$DATA"
TOKEN=$(new_token t28)
READER=$(new_token r28 reader)
# --min-free 0: this is about the store when a commit fails; t72 tests
# the guard that answers 507 before it comes to that.
start_hub --min-free 0 || exit 1
hub=$HUB_PID
send() {	# send WORD: the status of POSTing an event with WORD
	printf '{"summary":"%s disk test"}' "$1" >"$T/ev"
	post /events "$T/ev" | cut -d' ' -f1
}
found() {	# found WORD: how many events have WORD, or the failure
	curl -s -o "$T/s" -w '%{http_code}' -G -H "Authorization: Bearer $READER" \
		--data-urlencode "q=$1 | count" "$URL/api/search" >"$T/sc"
	if [ "$(cat "$T/sc")" = 200 ]; then jq .count "$T/s"; else cat "$T/sc"; fi
}
for w in before1 before2 before3; do send $w >/dev/null; done
eq "three events stored before" "$(found disk)" 3

# Leave 200 kB: some commits of the store still fit, the index's do not.
avail=$(df -k --output=avail "$MNT" | tail -n 1)
dd if=/dev/zero of="$MNT/filler" bs=1k count=$((avail - 200)) 2>/dev/null
acked= refused=0 other=
for i in $(seq 10 40); do
	c=$(send w$i)
	case $c in
	200) acked="$acked w$i" ;;
	503|507) refused=$((refused + 1)) ;;
	*) other="$other w$i:$c" ;;
	esac
done
eq "every answer while full is 200 (stored) or 503/507 (refused)" "$other" ""
check "some events are refused while the disk is full" test "$refused" -gt 0
check "some are still stored" test -n "$acked"
last=$(send w41)
[ "$last" = 200 ] && acked="$acked w41"
hc=$(curl -s -o "$T/health" -w '%{http_code}' "$URL/healthz")
if [ "$last" = 200 ]; then
	eq "/healthz: 200 after a commit that worked" "$hc" 200
else
	eq "/healthz: 503 after a commit that failed" "$hc" 503
	check "... saying the store cannot commit" \
		grep -q '^unavailable: the store cannot commit since' "$T/health"
	check "/metrics says for how long" test -n "$(metric ward_store_failing_seconds)"
fi
check "/healthz says the index is behind" grep -q '^degraded: the full-text index of 1 day' "$T/health"
check "the log says why once, not once a request" \
	test "$(grep -c 'store: commit failed' "$T/hub.log")" -le 2
eq "/metrics counts the day behind" "$(metric ward_index_broken_days)" 1
check "... and the events it lacks" test "$(metric ward_index_lag_events)" -gt 0
s=$(found w10)
case $s in
503) check "a search that cannot read says why" jq -e '.error | length > 0' "$T/s" ;;
*) eq "a search while full answers 503 or finds the event" "$s" 1 ;;
esac

rm "$MNT/filler"
for w in w50 w51 w52; do
	eq "$w is stored once there is space again" "$(send $w)" 200
done
i=0
until [ "$(curl -s "$URL/healthz")" = ok ] || [ $i -gt 300 ]; do
	sleep 0.1; i=$((i + 1))
done
eq "/healthz says ok again by itself" "$(curl -s "$URL/healthz")" ok
eq "/metrics: no day behind" "$(metric ward_index_broken_days)" 0
missing=
for w in $acked w50 w51 w52; do
	[ "$(found $w)" = 1 ] || missing="$missing $w"
done
eq "every acknowledged event is found by its words" "$missing" ""
# Beside them the hub may have stored its own error ("commit failed",
# category ward: wardd(8)) once there was room again.
shipped=0
for f in "$DATA"/events/*.db; do
	shipped=$((shipped + $(sqlite3 "$f" "select count(*) from events where category is not 'ward'")))
done
eq "the store holds exactly the acknowledged events" "$shipped" \
	$((3 + $(echo $acked | wc -w) + 3))
check "the same hub process did it all" kill -0 $hub
check "the log says the index caught up" grep -q 'index: .*: caught up' "$T/hub.log"
check "... and that commits work again" grep -q 'store: commits work again' "$T/hub.log"
eq "/metrics: the store is not failing" "$(metric ward_store_failing_seconds)" 0
done_testing
