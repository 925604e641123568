#!/bin/sh
# ward.conf: every key is a flag, the default file is DATA/ward.conf,
# flags on the command line win, and a bad line stops the hub naming
# file and line.
. "$(dirname "$0")/lib.sh"
mkdir -p "$DATA"
P1=$(free_port)
P2=$(free_port)
cat >"$DATA/ward.conf" <<EOC
# the listener and the size limit from the file
listen = 127.0.0.1:$P1
max-body = 100    # bytes
verbose
EOC
TOKEN=$(new_token t75)
# start_hub passes --listen itself; start this one by hand.
"$WARDD" --data "$DATA" >>"$T/hub.log" 2>&1 &
HUB_PID=$!
URL=http://127.0.0.1:$P1
i=0; until curl -s -o /dev/null "$URL/healthz" || [ $i -gt 200 ]; do sleep 0.05; i=$((i + 1)); done
check "DATA/ward.conf is read: the hub listens where it says" curl -sf "$URL/healthz"
printf '{"summary":"%0200d"}' 0 >"$T/big"
eq "max-body from the file" "$(post /events "$T/big" | cut -d' ' -f1)" 413
check "a switch alone (verbose)" grep -q "debug:" "$T/hub.log"
stop_hub
# Flags win.
PORT=$P2
start_hub --max-body 1M || exit 1
eq "--listen on the command line wins over the file's" "$URL" "http://127.0.0.1:$P2"
eq "--max-body on the command line wins" "$(post /events "$T/big" | cut -d' ' -f1)" 200
stop_hub
# --config names another file, which must exist.
printf 'listen = 127.0.0.1:%s\nmin-free = 0\n' "$P1" >"$T/other.conf"
"$WARDD" --data "$DATA" --config "$T/other.conf" >>"$T/hub.log" 2>&1 &
HUB_PID=$!
URL=http://127.0.0.1:$P1
i=0; until curl -s -o /dev/null "$URL/healthz" || [ $i -gt 200 ]; do sleep 0.05; i=$((i + 1)); done
eq "--config FILE replaces DATA/ward.conf" "$(post /events "$T/big" | cut -d' ' -f1)" 200
stop_hub
"$WARDD" --data "$DATA" --config "$T/missing.conf" 2>"$T/err1"
eq "a missing --config file is an error (exit 2)" $? 2
printf 'listen = 127.0.0.1:1\nlisten-on = x\n' >"$T/bad.conf"
"$WARDD" --data "$DATA" --config "$T/bad.conf" 2>"$T/err2"
eq "an unknown key stops the hub (exit 2)" $? 2
check "naming file and line" grep -q "bad.conf:2: unknown key 'listen-on'" "$T/err2"
printf 'retain-delete = maybe\n' >"$T/bad2.conf"
"$WARDD" --data "$DATA" --config "$T/bad2.conf" 2>"$T/err3"
check "a switch with a value is refused" grep -q "bad2.conf:1: retain-delete is a switch" "$T/err3"
printf 'listen\n' >"$T/bad3.conf"
"$WARDD" --data "$DATA" --config "$T/bad3.conf" 2>"$T/err4"
check "a key that needs a value" grep -q "bad3.conf:1: listen needs a value" "$T/err4"
done_testing
