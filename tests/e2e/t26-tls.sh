#!/bin/sh
# TLS: the hub serves https and wss with --tls-cert/--tls-key; shippers
# ingest over https and the console logs in over wss.  The handshake is
# bound to the TLS connection: through a proxy that terminates TLS with a
# certificate of its own, even one the console trusts, signing in fails.
. "$(dirname "$0")/lib.sh"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" \
	-days 2 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null
check "a self-signed certificate is made" test -s "$T/cert.pem"
PORT=$(free_port)
"$WARDD" --data "$DATA" --listen 127.0.0.1:$PORT --tls-cert "$T/cert.pem" \
	--tls-key "$T/key.pem" >>"$T/hub.log" 2>&1 &
HUB_PID=$!
i=0
until curl -s -o /dev/null --cacert "$T/cert.pem" "https://127.0.0.1:$PORT/healthz" || [ $i -gt 100 ]; do
	sleep 0.05; i=$((i + 1))
done
TOKEN=$(new_token tls)
eq "https ingest works" "$(curl -s --cacert "$T/cert.pem" -H "Authorization: Bearer $TOKEN" \
	-d '{"summary":"over tls"}' "https://127.0.0.1:$PORT/events")" '{"accepted":1,"rejected":0}'
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$PORT/healthz")
check "plain http is not served on a TLS port" test "$code" != 200
export HOME="$T/home"
mkdir -p "$HOME"
"$WARD" keygen --key "$T/al.key" >/dev/null
"$WARDD" user add --data "$DATA" al lead "$T/al.key.pub" >/dev/null
out=$("$WARD" --hub "wss://127.0.0.1:$PORT" --user al --key "$T/al.key" --tls-ca "$T/cert.pem" whoami --json 2>"$T/err")
eq "the console logs in over wss" "$(echo "$out" | jq -r .role)" lead
out=$("$WARD" --hub "wss://127.0.0.1:$PORT" --user al --key "$T/al.key" --tls-ca "$T/cert.pem" incident create --title "tls incident" 2>&1 | tail -n 1)
check "and works over it" sh -c "echo '$out' | grep -q '^INC-[0-9]'"

# A man in the middle: terminates TLS with its own certificate (one the
# console trusts, as a corporate proxy's CA would be) and relays the bytes
# to the hub over a TLS connection of its own.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/mitm.key" -out "$T/mitm.pem" \
	-days 2 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null
MITM=$(free_port)
/usr/bin/python3 - "$MITM" "$PORT" "$T/mitm.pem" "$T/mitm.key" >"$T/mitm.log" 2>&1 <<'EOPY' &
import select, socket, ssl, sys, threading
lport, hport, cert, key = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
srv = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); srv.load_cert_chain(cert, key)
cli = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
cli.check_hostname = False; cli.verify_mode = ssl.CERT_NONE
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", lport)); ls.listen(8)
def relay(a, b):
    try:
        while True:
            r, _, _ = select.select([a, b], [], [], 30)
            if not r: return
            for x in r:
                y = b if x is a else a
                d = x.recv(65536)
                if not d: return
                y.sendall(d)
                while x.pending(): y.sendall(x.recv(65536))
    except (OSError, ssl.SSLError): pass
    finally: a.close(); b.close()
print("relaying", flush=True)
while True:
    c, _ = ls.accept()
    try:
        a = srv.wrap_socket(c, server_side=True)
        b = cli.wrap_socket(socket.create_connection(("127.0.0.1", hport)),
            server_hostname="127.0.0.1")
    except (OSError, ssl.SSLError):
        c.close(); continue
    threading.Thread(target=relay, args=(a, b), daemon=True).start()
EOPY
MITM_PID=$!
wait_grep "$T/mitm.log" relaying
# The relay is the test's own scaffolding: give it a few tries (a
# fresh-clone run once saw its first connection fail, curl's 000).
for i in 1 2 3 4 5; do
	code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$T/mitm.pem" "https://127.0.0.1:$MITM/healthz")
	[ "$code" = 200 ] && break
	sleep 0.2
done
eq "the proxy relays https to the hub" "$code" 200
# (Again a few tries: under load the relay itself has dropped a
# connection before the hub answered; the hub's refusal is what counts.)
for i in 1 2 3; do
	"$WARD" --hub "wss://127.0.0.1:$MITM" --user al --key "$T/al.key" --tls-ca "$T/mitm.pem" \
		whoami >"$T/out" 2>&1; rc=$?
	[ $rc -ne 1 ] || grep -q "on this TLS connection" "$T/out" && break
	cat "$T/out" >>"$T/mitm-tries"
	sleep 0.5
done
eq "through a TLS-terminating proxy the console cannot sign in" "$rc" 1
check "... the hub refuses a signature made for another TLS connection" \
	grep -q "does not match the key registered for 'al' on this TLS connection" "$T/out"
kill $MITM_PID 2>/dev/null; wait $MITM_PID 2>/dev/null
out=$("$WARD" --hub "wss://127.0.0.1:$PORT" --user al --key "$T/al.key" --tls-ca "$T/cert.pem" whoami --json 2>"$T/err")
eq "straight to the hub it signs in as before" "$(echo "$out" | jq -r .role)" lead
done_testing
