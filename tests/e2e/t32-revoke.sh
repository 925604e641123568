#!/bin/sh
# Revocation takes effect at once in a running hub: `wardd user del` (a
# separate process writing state.db) closes that user's open sessions with
# a reason the console shows; `wardd user role` does the same (sign in
# again with the new role); `wardd token del` makes the token answer 401
# on its next request.  `wardd token list` never shows a token.
. "$(dirname "$0")/tui-lib.sh"
now_ms() { date +%s%3N; }

start_hub || exit 1
mkuser alice lead; mkuser bob handler; mkuser carol handler; mkuser dave viewer

# A tail in the background: the way a script stays connected.
as_bg bob tail --incidents >"$T/bob.out" 2>"$T/bob.err"
BOB=$!
as_bg dave tail --incidents >"$T/dave.out" 2>"$T/dave.err"
DAVE=$!
console carol 120 30
see "carol's console is ready" carol '\[ready\] carol \(handler\)'
wait_grep "$T/bob.err" subscribed
wait_grep "$T/dave.err" subscribed
check "bob's tail is connected" kill -0 $BOB

t0=$(now_ms)
check "wardd user del bob succeeds while the hub runs" \
	"$WARDD" user del --data "$DATA" bob
i=0
while kill -0 $BOB 2>/dev/null && [ $i -lt 300 ]; do sleep 0.05; i=$((i + 1)); done
if kill -0 $BOB 2>/dev/null; then
	not_ok "bob's tail ends once he is deleted" "$(cat "$T/bob.err")"
	kill $BOB
else
	ok "bob's tail ends once he is deleted"
	echo "# closed $(( $(now_ms) - t0 )) ms after wardd user del"
fi
wait $BOB; rc=$?
eq "... and exits 1" "$rc" 1
check "... saying access was revoked by an admin" \
	grep -q 'access revoked by an admin' "$T/bob.err"
check "the hub logs why it closed the session" \
	grep -q "(bob): access revoked by an admin: user bob removed" "$T/hub.log"
out=$(as bob incident list 2>&1); rc=$?
eq "bob cannot sign in again" "$rc" 1
case $out in *"no user 'bob'"*) ok "... and is told he is unknown" ;;
*) not_ok "... and is told he is unknown" "$out" ;; esac
check "alice's session is untouched" as alice incident list

check "wardd user role demotes carol" \
	"$WARDD" user role --data "$DATA" carol viewer
see "carol's console shows why it was closed" carol \
	'failed.*access revoked by an admin: role now viewer; sign in again' 15
eq "the audit log records the revocation" \
	"$(sqlite3 "$DATA/state.db" "select count(*) from audit where kind = 'auth' and name = 'revoke'")" 2

check "dave's tail outlives the changes to others" kill -0 $DAVE
kill $DAVE; wait $DAVE 2>/dev/null

# Tokens.
TOKEN=$(new_token fluentbit)
READER=$(new_token grafana reader)
echo '{"summary":"one"}' >"$T/ev.json"
r=$(post /events "$T/ev.json")
eq "the shipper token is accepted" "${r%% *}" 200
"$WARDD" token list --data "$DATA" >"$T/tokens" 2>&1
check "token list names both tokens with their roles" \
	grep -Eq '^fluentbit +shipper +20[0-9-]+T[0-9:]+Z +20[0-9-]+T' "$T/tokens"
check "... the reader, never used, without a last use" \
	grep -Eq '^grafana +reader +20[0-9-]+T[0-9:]+Z +-$' "$T/tokens"
if grep -q -e "$TOKEN" -e "$READER" -e "${TOKEN#ward_}" "$T/tokens"; then
	not_ok "token list never shows a token" "$(cat "$T/tokens")"
else ok "token list never shows a token"; fi
hashes=$(sqlite3 "$DATA/state.db" 'select hash from tokens')
leak=0
for h in $hashes; do grep -q "$h" "$T/tokens" && leak=1; done
eq "... nor its hash" "$leak" 0

check "wardd token del removes it" "$WARDD" token del --data "$DATA" fluentbit
r=$(post /events "$T/ev.json")
eq "the deleted token gets 401 on its next request" "${r%% *}" 401
out=$("$WARDD" token del --data "$DATA" fluentbit 2>&1); rc=$?
eq "deleting it again fails" "$rc" 1
case $out in *"no token named 'fluentbit'"*) ok "... naming it" ;;
*) not_ok "... naming it" "$out" ;; esac
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $READER" \
	"$URL/api/search?q=one")
eq "the other token still works" "$code" 200
"$WARDD" token list --data "$DATA" >"$T/tokens" 2>&1
check "token list no longer shows it" sh -c "! grep -q fluentbit '$T/tokens'"

console_done
