#!/bin/sh
# kill -9 while people work: after a restart every acknowledged op is
# there, and no op is half applied (each op in the op log has exactly its
# timeline entry; nothing in the timeline lacks its op).
. "$(dirname "$0")/lib.sh"
start_hub || exit 1
mkuser alice lead; mkuser bob handler
as alice whoami >/dev/null 2>&1; as bob whoami >/dev/null 2>&1
inc=$(as alice incident create --title "kill -9" | tail -n 1)
# Workers print the seq of every acknowledged op.
W=
for u in alice bob; do
	( i=0; while :; do
		i=$((i + 1))
		as $u incident note $inc "$u $i" 2>/dev/null |
			sed -n 's/.*(seq \([0-9]*\))$/\1/p'
		as $u task add $inc "$u task $i" --json 2>/dev/null |
			jq -r '.task.id' 2>/dev/null
	done ) >"$T/acked.$u" &
	W="$W $!"
done
# At least 3 s of work, and until more than 10 notes are acknowledged (a slow
# machine, or ASan, acknowledges fewer in 3 s), at most 60 s.
sleep 3
i=0
while [ "$(cat "$T"/acked.* | grep -c '^[0-9]')" -le 10 ] && [ $i -lt 570 ]; do
	sleep 0.1; i=$((i + 1))
done
kill9_hub
sleep 0.5
kill $W 2>/dev/null; wait $W 2>/dev/null
start_hub || exit 1
db=$DATA/state.db
n_ok=$(grep -hc '^[0-9]' "$T"/acked.* | awk '{s += $1} END {print s}')
check "ops were acknowledged before the kill ($n_ok)" test "$n_ok" -gt 10
missing=0
for s in $(grep -h '^[0-9]' "$T"/acked.*); do
	[ "$(sqlite3 "$db" "select count(*) from oplog where seq = $s")" = 1 ] ||
		missing=$((missing + 1))
done
eq "every acknowledged note is in the op log" "$missing" 0
missing=0
for t in $(grep -h '^T-' "$T"/acked.*); do
	[ "$(sqlite3 "$db" "select count(*) from tasks where 'T-' || id = '$t'")" = 1 ] ||
		missing=$((missing + 1))
done
eq "every acknowledged task exists" "$missing" 0
eq "each op has its one timeline entry (no half-applied op)" \
	"$(sqlite3 "$db" 'select count(*) from oplog')" \
	"$(sqlite3 "$db" 'select count(*) from timeline')"
eq "each task has its op" \
	"$(sqlite3 "$db" "select count(*) from tasks")" \
	"$(sqlite3 "$db" "select count(*) from oplog where type = 'task.add'")"
eq "the seqs have no hole" \
	"$(sqlite3 "$db" 'select max(seq) - min(seq) + 1 = count(*) from oplog')" 1
check "the state db passes integrity_check" sh -c "sqlite3 '$db' 'pragma integrity_check' | grep -qx ok"
n=$(sqlite3 "$db" 'select count(*) from oplog')
as alice incident note $inc "after the crash" >"$T/out"
eq "the next op gets the next seq" "$(sed -n 's/.*(seq \([0-9]*\))$/\1/p' "$T/out")" $((n + 1))
done_testing
