#!/bin/sh
# The hub's warnings become events too (category ward, severity
# WARNING), coalesced: the same warning logged again and again is one
# event, then one a minute with its count, never one each; the decoders
# and plugins do not run on them; the shipped rule ward_errors (errors
# only) does not fire on a warning.
. "$(dirname "$0")/lib.sh"
mkdir -p "$DATA/rules"
# A broken rule: each load of the rules warns about it, the same words.
printf 'title: Broken\nid: test-broken\ndetection:\n  sel:\n    summary|nosuchmodifier: x\n  condition: sel\n' >"$DATA/rules/broken.yml"
start_hub || exit 1
wait_grep "$T/hub.log" 'rules: .*broken.yml'
q() { for f in "$DATA"/events/*.db; do [ -f "$f" ] && sqlite3 "$f" "$1"; done | awk '{ s += $1 } END { print s + 0 }'; }
W="category = 'ward' and summary like '%broken.yml%nosuchmodifier%'"
i=0	# stored within a second or two of the start (slower under ASan)
while [ "$(q "select count(*) from events_full where $W")" != 1 ] && [ $i -lt 300 ]; do
	sleep 0.1; i=$((i + 1))
done
eq "a warning of the start is stored as an event of category ward" \
	"$(q "select count(*) from events_full where $W")" 1
# Four reloads: the same warning four times more.
for n in 2 3 4 5; do
	kill -HUP "$HUB_PID"
	i=0
	while [ "$(grep -c 'rules: .*broken.yml' "$T/hub.log")" -lt $n ] && [ $i -lt 300 ]; do
		sleep 0.05; i=$((i + 1))
	done
done
eq "the log has it five times" "$(grep -c 'rules: .*broken.yml' "$T/hub.log")" 5
stop_hub		# sends what it counted
n=$(q "select count(*) from events_full where $W")
check "the same warning is not an event each time ($n events)" [ "$n" -ge 1 -a "$n" -le 2 ]
eq "their counts add up to the five warnings" \
	"$(q "select sum(json_extract(doc, '\$.details.count')) from events_full where $W")" 5
eq "they are warnings (severity WARNING)" \
	"$(q "select count(*) from events_full where $W and json_extract(doc, '\$.severity') = 'WARNING'")" "$n"
eq "no decoder or plugin ran on them (no plugin tag)" \
	"$(q "select count(*) from events_full where $W and doc like '%plugin_%'")" 0
eq "the rule ward_errors did not fire on a warning" \
	"$(sqlite3 "$DATA/state.db" "select count(*) from alerts where rule_id = '4f8e2b67-9a1d-4c3e-8f5b-7d2a6c1e0b14'")" 0
done_testing
