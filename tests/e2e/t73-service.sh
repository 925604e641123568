#!/bin/sh
# Running as a service: the systemd unit verifies, readiness, reload and
# stop reach $NOTIFY_SOCKET, the log goes to the journal with priorities,
# root is refused without --user or --allow-root, and --user gives root
# up once the port and files are open.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3

# The unit as make install writes it, checked by systemd's own tool.
sed "s|@BINDIR@|$ROOT/bin|g" "$ROOT/share/systemd/wardd.service" >"$T/wardd.service"
# Its Documentation= is looked up with man(1): the pages of this tree.
mkdir -p "$T/man/man8"
cp "$ROOT/man/wardd.8" "$T/man/man8/"
if command -v systemd-analyze >/dev/null; then
	MANPATH=$T/man systemd-analyze verify "$T/wardd.service" >"$T/verify" 2>&1
	eq "the unit passes systemd-analyze verify" "$(cat "$T/verify")" ""
fi

# sd_notify: a datagram socket stands in for systemd.
$PY - "$T/notify" >"$T/notes" <<'EOS' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(60)
for _ in range(4):
    print(s.recv(4096).decode(), flush=True)
EOS
LISTENER=$!
i=0; while [ ! -S "$T/notify" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
: >"$T/hub.log"
NOTIFY_SOCKET=$T/notify
JOURNAL_STREAM=$(stat -c '%d:%i' "$T/hub.log")	# as if it were the journal
export NOTIFY_SOCKET JOURNAL_STREAM
start_hub || exit 1
wait_grep "$T/notes" "READY=1"
eq "READY=1 once it listens" "$(head -n 1 "$T/notes")" "READY=1"
kill -HUP $HUB_PID
wait_grep "$T/notes" "RELOADING=1"
i=0; while [ "$(grep -c READY=1 "$T/notes")" -lt 2 ] && [ $i -lt 300 ]; do sleep 0.05; i=$((i + 1)); done
eq "SIGHUP: RELOADING=1, then READY=1" "$(sed -n '2,3p' "$T/notes" | tr '\n' ' ')" "RELOADING=1 READY=1 "
stop_hub
wait $LISTENER
eq "STOPPING=1 at the end" "$(sed -n 4p "$T/notes")" "STOPPING=1"
check "to the journal, lines carry their priority" grep -q '^<6>info: listening on' "$T/hub.log"
unset NOTIFY_SOCKET JOURNAL_STREAM

# Root without --user.
if [ "$(id -u)" = 0 ]; then
	env -u WARD_ALLOW_ROOT "$WARDD" --data "$T/r" --listen 127.0.0.1:$(free_port) >/dev/null 2>"$T/root.err"
	eq "root without --user is refused (exit 2)" $? 2
	check "saying what to do" grep -q "refusing to run as root: give --user NAME" "$T/root.err"
	eq "and nothing is created" "$(ls -d "$T/r" 2>/dev/null)" ""
	chmod 755 "$T"
	P=$(free_port)
	env -u WARD_ALLOW_ROOT "$WARDD" --data "$T/u" --listen 127.0.0.1:$P --user nobody >"$T/u.log" 2>&1 &
	U=$!
	i=0; until curl -s -o /dev/null "http://127.0.0.1:$P/healthz" || [ $i -gt 200 ]; do sleep 0.05; i=$((i + 1)); done
	eq "--user nobody: the hub runs as nobody" "$(awk '/^Uid:/ { print $2, $3, $4, $5 }' /proc/$U/status)" "65534 65534 65534 65534"
	eq "its files are nobody's" "$(find "$T/u" ! -user nobody | wc -l)" 0
	P2=$(free_port)
	mkdir "$T/rootowned"
	env -u WARD_ALLOW_ROOT "$WARDD" --data "$T/rootowned" --listen 127.0.0.1:$P2 --user nobody >/dev/null 2>"$T/own.err"
	check "a data directory that is not the user's is refused" grep -q "belongs to uid 0, not nobody" "$T/own.err"
	kill $U; wait $U
fi
done_testing
