#!/bin/sh
# The ward.v3 handshake: keys, users, pinning, and every refusal a person
# can meet (unknown user, wrong key, changed hub key, malformed or
# out-of-order messages, too many failures).
. "$(dirname "$0")/lib.sh"
# as NAME ARGS...: run ward as NAME, with NAME's own HOME (keys, known_hubs).
# mkuser NAME ROLE: a key pair in NAME's HOME and a user on the hub.
# raw_ws FRAME...: open /ws by hand, send each text FRAME, print what the
# hub sends back (frame headers stripped), for 1 s.
raw_ws() {
	bash -c '
	exec 3<>/dev/tcp/127.0.0.1/'"$PORT"' || exit 1
	printf "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ward.v3\r\n\r\n" >&3
	sleep 0.3
	for f in "$@"; do
		n=$(printf %s "$f" | wc -c)
		printf "\\x81\\x$(printf %02x $((n + 128)))\\x00\\x00\\x00\\x00%s" "$f" >&3
	done
	timeout 1 cat <&3 | tr -c "[:print:]\n" "\n"
	' raw_ws "$@"
}

start_hub || exit 1
PUBDIR=$T/home/alice/.config/ward

mkdir -p "$T/home/alice"
out=$(as alice keygen)
check "keygen writes a secret key readable only by its owner" \
	test "$(stat -c %a "$PUBDIR/id_ed25519")" = 600
check "keygen writes the public key next to it" \
	grep -q '^ward-ed25519 ' "$PUBDIR/id_ed25519.pub"
as alice keygen >"$T/out" 2>&1; rc=$?
eq "keygen refuses to replace an existing key" "$rc" 1
out=$("$WARDD" user add --data "$DATA" alice lead "$PUBDIR/id_ed25519.pub")
eq "wardd user add exits 0" "$?" 0
"$WARDD" user add --data "$DATA" alice lead "$PUBDIR/id_ed25519.pub" \
	>"$T/out" 2>&1; rc=$?
eq "adding a user twice is refused" "$rc" 1
"$WARDD" user add --data "$DATA" eve overlord "$PUBDIR/id_ed25519.pub" \
	>"$T/out" 2>&1; rc=$?
eq "an unknown role is a usage error (exit 2)" "$rc" 2
check "... that names the roles" grep -q 'viewer, handler, lead or admin' "$T/out"
"$WARDD" user add --data "$DATA" eve viewer /nonexistent.pub >"$T/out" 2>&1
eq "an unreadable key file is refused (exit 1)" "$?" 1
check "wardd user list shows the user and role" \
	sh -c "'$WARDD' user list --data '$DATA' | grep -q '^alice  *lead '"

as alice whoami >"$T/who" 2>"$T/who.err"
eq "a known user with the right key gets in" "$?" 0
check "whoami names the user and role" grep -q '^alice (lead)' "$T/who"
check "the hub key is pinned on first use, and the console says so" \
	grep -q 'pinned the key of hub' "$T/who.err"
check "known_hubs holds the hub" grep -q "^127.0.0.1:$PORT ward-ed25519 " \
	"$PUBDIR/known_hubs"
as alice whoami >/dev/null 2>"$T/who.err"
eq "the second time nothing is pinned again" "$(cat "$T/who.err")" ""
j=$(as alice whoami --json)
eq "whoami --json" "$(echo "$j" | jq -r '.user + " " + .role')" "alice lead"

# Unknown user.
mkdir -p "$T/home/mallory"
as mallory keygen >/dev/null
as mallory whoami >"$T/out" 2>&1; rc=$?
eq "an unknown user is refused (exit 1)" "$rc" 1
check "... with a message that says so" grep -q "no user 'mallory' on this hub" "$T/out"

# Wrong key: mallory's key, alice's name.
HOME=$T/home/mallory WARD_HUB=ws://127.0.0.1:$PORT "$WARD" --user alice \
	whoami >"$T/out" 2>&1; rc=$?
eq "a user with the wrong key is refused (exit 1)" "$rc" 1
check "... with a message about the key" grep -q "does not match the key registered for 'alice'" "$T/out"
check "refused handshakes are logged by the hub" grep -q "handshake from .* refused" "$T/hub.log"
check "... and audited" sh -c "sqlite3 '$DATA/state.db' \"select count(*) from audit where kind = 'auth' and result != 'ok'\" | grep -qv '^0$'"

# Malformed and out-of-order handshakes, by hand.
raw_ws '{"type":"auth","user":"alice","nonce":"AAAA","signature":"AAAA"}' >"$T/raw" 2>&1
check "a malformed auth is refused with a reason" grep -q '"code":"unauthenticated".*nonce' "$T/raw"
raw_ws '{"type":"query","id":1,"query":"whoami"}' >"$T/raw" 2>&1
check "a request before the handshake is refused" grep -q 'expected an auth message first' "$T/raw"
raw_ws 'not json' >"$T/raw" 2>&1
check "garbage is refused" grep -q '"code":"unauthenticated".*not JSON' "$T/raw"

# Repeated failures of one name from one address are slowed down; other
# people behind that address are not (t29 floods it).
for i in 1 2 3 4 5; do as mallory whoami >/dev/null 2>&1; done
as mallory whoami >"$T/out" 2>&1
check "after repeated failures the hub makes that name wait at that address" \
	grep -q "too many failed handshakes as 'mallory' from 127.0.0.1; try again in" "$T/out"
as alice whoami >"$T/out" 2>&1
eq "... while a good key for another name gets in from the same address" "$?" 0

# Changed hub key: same address, new hub identity.
stop_hub
mv "$DATA/hub_ed25519" "$T/hub_ed25519.old"
rm -f "$DATA/hub_ed25519.pub"
start_hub || exit 1
as alice whoami >"$T/out" 2>&1; rc=$?
eq "a hub whose key changed is refused (exit 1)" "$rc" 1
check "... with a clear message naming the hub and known_hubs" \
	grep -q "hub key for 127.0.0.1:$PORT changed" "$T/out"
sed -i "/^127.0.0.1:$PORT /d" "$PUBDIR/known_hubs"
as alice whoami >/dev/null 2>&1
eq "after removing the stale line the new key is pinned" "$?" 0

check "wardd user del removes a user" "$WARDD" user del --data "$DATA" alice
as alice whoami >"$T/out" 2>&1
eq "a removed user is refused" "$?" 1
"$WARDD" user del --data "$DATA" alice >"$T/out" 2>&1
eq "removing a missing user fails (exit 1)" "$?" 1
done_testing
