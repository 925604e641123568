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
# The repeatable listeners and the disk floor from the file: two
# --syslog and a --gelf, each receiving, and min-free refusing ingest.
S1=$(free_port); S2=$(free_port); G1=$(free_port); P3=$(free_port)
cat >"$T/inputs.conf" <<EOC
listen = 127.0.0.1:$P3
syslog = udp://127.0.0.1:$S1
syslog = udp://127.0.0.1:$S2
gelf = udp://127.0.0.1:$G1
min-free = 1000T
EOC
"$WARDD" --data "$DATA" --config "$T/inputs.conf" >>"$T/hub.log" 2>&1 &
HUB_PID=$!
URL=http://127.0.0.1:$P3
i=0; until curl -s -o /dev/null "$URL/healthz" || [ $i -gt 200 ]; do sleep 0.05; i=$((i + 1)); done
/usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for p in sys.argv[1:3]:
    s.sendto(b"<38>Dec  7 10:00:00 box sshd[1]: via %s" % p.encode(), ("127.0.0.1", int(p)))
s.sendto(b"{\"version\":\"1.1\",\"host\":\"box\",\"short_message\":\"via gelf\"}", ("127.0.0.1", int(sys.argv[3])))
' "$S1" "$S2" "$G1"
for u in "syslog\",url=\"udp://127.0.0.1:$S1" "syslog\",url=\"udp://127.0.0.1:$S2" \
    "gelf\",url=\"udp://127.0.0.1:$G1"; do
	i=0; got=
	while [ $i -lt 100 ]; do
		got=$(metric "ward_input_messages_total{input=\"$u\"}")
		[ "${got:-0}" -ge 1 ] && break
		sleep 0.05; i=$((i + 1))
	done
	eq "a listener from a repeated key receives (${u%%\\\"*} ${u##*:})" "${got:-0}" 1
done
eq "min-free from the file: ingest is refused (507)" \
	"$(post /events "$T/big" | cut -d' ' -f1)" 507
stop_hub
# One table: the keys ward.conf(5) lists are exactly the flags --help
# shows, but config, help and version; and wardd(8) has each flag.
"$WARDD" --help | sed -n 's/^  --\([a-z-]*\).*/\1/p' | sort >"$T/flags"
grep -vx 'config\|help\|version' "$T/flags" >"$T/keys.help"
sed -n 's/^\.It Cm \([a-z-]*\).*/\1/p' "$ROOT/man/ward.conf.5" | sort >"$T/keys.man"
check "ward.conf(5) lists exactly the keys of wardd --help" \
	diff "$T/keys.help" "$T/keys.man"
check "every key: syslog, gelf, amqp, retain, min-free, user among them" \
	sh -c "for k in syslog gelf amqp retain min-free user; do grep -qx \$k '$T/keys.man' || exit 1; done"
: >"$T/missing8"
grep '^\.It ' "$ROOT/man/wardd.8" | sed 's/$/ /' >"$T/items8"
while read -r f; do
	esc=$(printf %s "$f" | sed 's/-/\\-/g')
	grep -qF "Fl \\-$esc " "$T/items8" || echo "$f" >>"$T/missing8"
done <"$T/flags"
grep -vx 'help\|version' "$T/missing8" >"$T/missing8b"
eq "wardd(8) describes every flag of --help" "$(cat "$T/missing8b")" ""
done_testing
