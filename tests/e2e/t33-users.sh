#!/bin/sh
# People managed by an admin over the protocol: ward user add|list|del|role.
# The hub checks the role (admin only), audits each change, refuses to
# remove or demote the admin making the request or the last admin, and
# closes the sessions of whoever was removed or changed.
. "$(dirname "$0")/lib.sh"

start_hub || exit 1
mkuser adm admin; mkuser lea lead
mkdir -p "$T/home/newbie"
as newbie keygen >/dev/null
PUB=$T/home/newbie/.config/ward/id_ed25519.pub

# refused: user NAME ARGS...: exit 1 with "refused (CODE)" and TEXT.
refused() {
	name=$1 code=$2 text=$3; shift 3
	"$@" >"$T/out" 2>&1; rc=$?
	if [ $rc -eq 1 ] && grep -q "refused ($code)" "$T/out" &&
	    grep -q -- "$text" "$T/out"; then ok "$name"
	else not_ok "$name" "exit $rc" "$(cat "$T/out")"; fi
}

refused "a lead may not add a user" forbidden 'role lead may not user.add' \
	as lea user add newbie handler "$PUB"
refused "a lead may not list users" forbidden 'admin only' as lea user list
refused "a lead may not remove a user" forbidden 'may not user.del' \
	as lea user del adm
refused "a lead may not change a role" forbidden 'may not user.role' \
	as lea user role lea admin

check "an admin adds a user" as adm user add newbie handler "$PUB"
check "... who can sign in at once" as newbie whoami
eq "... as a handler" "$(as newbie whoami --json | sed -n 's/.*"role":"\([a-z]*\)".*/\1/p')" handler
as adm user list >"$T/list" 2>&1
check "user list shows every user with role and key" \
	grep -Eq '^newbie +handler +20[0-9-]+T[0-9:]+Z +ward-ed25519 [A-Za-z0-9+/=]{44}' "$T/list"
eq "... one line each" "$(wc -l <"$T/list")" 3
eq "user list --json: one object per user" \
	"$(as adm user list --json | grep -c '"name":')" 3
refused "adding the same name again is a conflict" conflict 'user newbie exists' \
	as adm user add newbie viewer "$PUB"
mkdir -p "$T/home/other"; as other keygen >/dev/null
refused "a key that is already someone's is a conflict" conflict 'already belongs' \
	as adm user add other viewer "$PUB"
out=$(as adm user add other viewer "$T/home/other/.config/ward/id_ed25519" 2>&1); rc=$?
eq "a secret key file is not a public key" "$rc" 1
case $out in *"this is a secret key, not a public one"*) ok "... and ward says so" ;;
*) not_ok "... and ward says so" "$out" ;; esac
out=$(as adm user role newbie boss 2>&1); rc=$?
eq "a role that does not exist is a usage error" "$rc" 2
case $out in *"role 'boss': expected viewer, handler, lead or admin"*) ok "... naming the roles" ;;
*) not_ok "... naming the roles" "$out" ;; esac

# Their sessions end when an admin changes them.
as_bg newbie tail --incidents >"$T/nb.out" 2>"$T/nb.err"
NB=$!
wait_grep "$T/nb.err" subscribed
check "an admin demotes the user" as adm user role newbie viewer
i=0
while kill -0 $NB 2>/dev/null && [ $i -lt 300 ]; do sleep 0.05; i=$((i + 1)); done
if kill -0 $NB 2>/dev/null; then not_ok "the user's open session is closed"; kill $NB
else ok "the user's open session is closed"; fi
check "... with the reason" grep -q 'access revoked by an admin: role now viewer' "$T/nb.err"
eq "... and signs in again as a viewer" \
	"$(as newbie whoami --json | sed -n 's/.*"role":"\([a-z]*\)".*/\1/p')" viewer

refused "an admin may not remove themselves" forbidden 'may not remove yourself' \
	as adm user del adm
refused "an admin may not demote themselves" forbidden 'change the role of yourself' \
	as adm user role adm lead
refused "removing an unknown user: not found" not_found 'no user ghost' \
	as adm user del ghost
check "an admin makes the lead an admin" as adm user role lea admin
refused "... unless it is so already" conflict 'already admin' \
	as adm user role lea admin
check "the new admin may remove the first" as lea user del adm
refused "the last admin cannot be removed, even by another route" forbidden '' \
	as lea user del lea
check "an admin removes a user" as lea user del newbie
out=$(as newbie whoami 2>&1); rc=$?
eq "... who can no longer sign in" "$rc" 1

n=$(sqlite3 "$DATA/state.db" "select count(*) from audit where name like 'user.%' and result = 'ok'")
eq "each applied change is in the audit log" "$n" 5
n=$(sqlite3 "$DATA/state.db" "select count(*) from audit where name like 'user.%' and result != 'ok'")
check "... and each refusal ($n)" test "$n" -ge 10

done_testing
