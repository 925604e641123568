#!/bin/sh
# Roles: the hub checks every operation.  viewer reads; handler works
# incidents and its own tasks; lead also assigns, changes status, phase,
# lead and closes; admin may do everything.  A refusal exits non-zero with
# the hub's reason.
. "$(dirname "$0")/lib.sh"
# may USER DESCRIPTION ARGS...: the op is allowed.
may() { u=$1 d=$2; shift 2; check "$u may $d" as "$u" "$@"; }
# may_not USER DESCRIPTION ARGS...: refused, exit 1, reason "forbidden".
may_not() {
	u=$1 d=$2; shift 2
	as "$u" "$@" >"$T/out" 2>&1; rc=$?
	if [ $rc -eq 1 ] && grep -q 'refused (forbidden)' "$T/out"; then
		ok "$u may not $d"
	else
		not_ok "$u may not $d" "exit $rc" "$(cat "$T/out")"
	fi
}

start_hub || exit 1
for u in vic:viewer hal:handler lea:lead adm:admin; do
	mkuser "${u%%:*}" "${u#*:}" || exit 1
done
inc=$(as lea incident create --title "role matrix" --severity medium | tail -n 1)
eq "a lead creates an incident and gets its id" "$inc" "INC-1"

# viewer
may vic "list incidents" incident list
may vic "show an incident" incident show $inc
may_not vic "create an incident" incident create --title nope
may_not vic "add a note" incident note $inc "viewer note"
may_not vic "add a task" task add $inc "viewer task"
may_not vic "add an observable" observable add $inc ip 192.0.2.1
may_not vic "update an incident" incident update $inc --title nope
check "the refusal names the role and the op" grep -q 'role viewer may not incident.update' "$T/out"

# handler
may hal "create an incident" incident create --title "handler's"
may hal "add a note" incident note $inc "handler note"
may hal "add an observable" observable add $inc domain evil.example
may hal "add an unassigned task" task add $inc "collect logs"
may_not hal "add a task for someone" task add $inc "do it" --assign hal
may_not hal "assign a task" task assign T-1 hal
may_not hal "change the status" incident status $inc contained
may_not hal "change the phase" incident phase $inc containment
may_not hal "close an incident" incident close $inc --resolution other
may lea "assign a task to the handler" task assign T-1 hal
may hal "mark its own task done" task done T-1
t2=$(as lea task add $inc "other work" --assign lea | tail -n 1)
may_not hal "change someone else's task" task done "$t2"
check "... and is told whose task it is" grep -q 'assigned to lea' "$T/out"

# lead
may lea "add a task with an assignee" task add $inc "image host" --assign hal
may lea "change the status" incident status $inc contained
may lea "change the phase" incident phase $inc eradication
may lea "set the lead" incident lead $inc lea
may lea "close an incident" incident close $inc --resolution true_positive

# admin
may adm "create an incident" incident create --title "admin's"
may adm "assign a task" task assign T-1 adm
may adm "close an incident" incident close INC-2 --resolution duplicate

# audit: leads see everybody's, others only their own.
as lea audit --refused --json >"$T/audit" 2>&1
check "a lead sees every refused op in the audit log" \
	test "$(jq '[.[] | select(.user == "vic")] | length' "$T/audit")" -ge 5
as vic audit --json >"$T/audit" 2>&1
eq "a viewer sees only its own audit entries" \
	"$(jq '[.[] | select(.user != "vic")] | length' "$T/audit")" 0
show=$(as vic incident show $inc --json)
eq "the closed incident's state is what the ops made it" \
	"$(echo "$show" | jq -r '[.status, .resolution, .phase, .lead] | join(" ")')" \
	"closed true_positive eradication lea"
eq "its tasks carry id, title, assignee and status" \
	"$(echo "$show" | jq -r '.tasks[0] | [.id, .title, .assignee, .status] | join("|")')" \
	"T-1|collect logs|adm|done"
done_testing
