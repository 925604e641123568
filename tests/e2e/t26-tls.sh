#!/bin/sh
# TLS: the hub serves https and wss with --tls-cert/--tls-key; shippers
# ingest over https and the console logs in over wss.
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
done_testing
