#!/bin/sh
# A flood of bad handshakes from one address (as a NAT or a proxy would
# carry them): it does not keep a good key from signing in from that same
# address, and the audit log grows by a bounded number of rows, the
# repeated refusals counted in summaries.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3

# flood N USER...: N handshakes over raw sockets, in turn as each USER,
# with a signature that cannot be right; prints how many got an answer.
flood() {
	"$PY" - "$PORT" "$@" <<'EOPY'
import base64, json, os, socket, sys
port, n, users = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
def frame(text):
    b = text.encode(); m = os.urandom(4)
    hdr = bytes([0x81]) + (bytes([0x80 | len(b)]) if len(b) < 126 else
          bytes([0x80 | 126]) + len(b).to_bytes(2, "big"))
    return hdr + m + bytes(c ^ m[i % 4] for i, c in enumerate(b))
answered = 0
for i in range(n):
    u = users[i % len(users)].replace("%d", str(i))
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ward.v3\r\n\r\n").encode())
    auth = {"type": "auth", "user": u,
        "nonce": base64.b64encode(os.urandom(32)).decode(),
        "signature": base64.b64encode(os.urandom(64)).decode()}
    got = b""
    try:
        while b"hello" not in got:
            d = s.recv(4096)
            if not d: break
            got += d
        s.sendall(frame(json.dumps(auth)))
        while True:
            d = s.recv(4096)
            if not d: break
            got += d
    except OSError:
        pass
    if b'"type":"error"' in got: answered += 1
    s.close()
print(answered)
EOPY
}
rows() { sqlite3 "$DATA/state.db" "select count(*) from audit where kind = 'auth'"; }

start_hub || exit 1
mkuser alice lead; mkuser bob handler
check "alice signs in" as alice whoami
before=$(rows)
last=$(sqlite3 "$DATA/state.db" 'select coalesce(max(id), 0) from audit')

n=$(flood 300 bob 'nobody%d' mallory)
eq "300 bad handshakes from one address are each refused" "$n" 300
as alice whoami >"$T/out" 2>&1; rc=$?
eq "alice's good key still gets in from that address" "$rc" 0

after=$(rows)
added=$((after - before))
echo "# $added audit rows for 300 refused handshakes"
check "the audit grew by a bounded number of rows ($added)" test "$added" -le 12
stop_hub
summaries=$(sqlite3 "$DATA/state.db" "select count(*) from audit where kind = 'auth' and message like '% more refused handshakes from 127.0.0.1 as %' and json_extract(request, '\$.refused') > 0")
check "at shutdown the refusals not itemised are summarized ($summaries rows)" test "$summaries" -ge 1
refused=$(sqlite3 "$DATA/state.db" "select sum(coalesce(json_extract(request, '\$.refused'), 1)) from audit where kind = 'auth' and name = 'handshake' and id > $last")
eq "... and every refusal is counted in the audit" "$refused" 300
check "the names the flood used had to wait at that address" \
	grep -q "as bob in [0-9]* s; the last: too many failed handshakes as 'bob' from 127.0.0.1; try again in" "$T/hub.log"
done_testing
