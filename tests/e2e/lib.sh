# Shared helpers for the e2e tests: start a private hub on a free port with
# a fresh data dir, talk to it with curl, report TAP lines.
#   . tests/e2e/lib.sh
set -u
# The tests run as root and start hubs without --user (wardd(8)).
export WARD_ALLOW_ROOT=1
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WARDD=$ROOT/bin/wardd
WARD=$ROOT/bin/ward
T=$(mktemp -d /tmp/ward-e2e.XXXXXX)
DATA=$T/data
HUB_PID=
n_test=0
n_fail=0
# The tests read the hub's live SQLite files with the sqlite3 shell, which
# gives up at once on a lock a checkpoint or an index rebuild holds for a
# moment ("database is locked"); wait for it, as the hub's readers do.
sqlite3() { command sqlite3 -cmd '.timeout 10000' "$@"; }
# Hubs in the past: FAKELIB is libfaketime's library ("" when it is not
# installed); need_faketime skips a test that cannot do without it.
FAKELIB=$(ls /usr/lib/*/faketime/libfaketimeMT.so.1 2>/dev/null | head -n 1)
need_faketime() {
	[ -n "$FAKELIB" ] || { echo "1..0 # SKIP libfaketime is not installed"; exit 0; }
}

cleanup() {
	[ -n "$HUB_PID" ] && kill "$HUB_PID" 2>/dev/null && wait "$HUB_PID" 2>/dev/null
	[ "$n_fail" -eq 0 ] && rm -rf "$T"
	true
}
# Sanitizer reports in the hub's log fail the test run (make SANITIZE=1).
sanitizer_check() {
	if grep -q 'ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:' \
	    "$T/hub.log" 2>/dev/null; then
		not_ok "the hub ran clean under the sanitizers" \
		    "$(grep -A20 'Sanitizer\|runtime error' "$T/hub.log" | head -40)"
	fi
}
trap cleanup EXIT

ok() { n_test=$((n_test + 1)); echo "ok $n_test - $1"; }
not_ok() {
	n_test=$((n_test + 1)); n_fail=$((n_fail + 1))
	echo "not ok $n_test - $1"
	shift
	for l in "$@"; do echo "#   $l"; done
}
# check NAME COMMAND...: ok when the command succeeds.
check() {
	name=$1; shift
	if "$@" >"$T/check.out" 2>&1; then ok "$name"
	else not_ok "$name" "command: $*" "$(head -c 2000 "$T/check.out")"; fi
}
# eq NAME GOT WANT
eq() {
	if [ "$2" = "$3" ]; then ok "$1"
	else not_ok "$1" "got:  $2" "want: $3"; fi
}
done_testing() {
	[ -n "$HUB_PID" ] && stop_hub
	sanitizer_check
	echo "1..$n_test"; [ "$n_fail" -eq 0 ]
}

free_port() {	# a port nobody listens on (ss from iproute2, else luck)
	while :; do
		p=$(shuf -i 20000-32000 -n 1)	# below the ephemeral range
		ss -Hltn "sport = :$p" 2>/dev/null | grep -q . || { echo $p; return; }
	done
}

# start_hub [wardd options...]: start a hub, wait until it answers.
start_hub() {
	PORT=${PORT:-$(free_port)}
	URL=http://127.0.0.1:$PORT
	"$WARDD" --data "$DATA" --listen 127.0.0.1:$PORT "$@" \
		>>"$T/hub.log" 2>&1 &
	HUB_PID=$!
	i=0
	while ! curl -s -o /dev/null "$URL/healthz"; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 $HUB_PID 2>/dev/null; then
			echo "# hub did not start:"; sed 's/^/#   /' "$T/hub.log"
			return 1
		fi
		sleep 0.05
	done
}
# start_hub_at TIME [FLAGS...]: start_hub with the hub's clock starting at
# TIME ("2026-09-01 12:00:00"): libfaketime preloaded into wardd itself,
# so that HUB_PID is wardd's.
start_hub_at() {
	at_time=$1; shift
	printf '#!/bin/sh\nASAN_OPTIONS=verify_asan_link_order=0 LD_PRELOAD=%s FAKETIME="@%s" exec "%s" "$@"\n' \
	    "$FAKELIB" "$at_time" "$WARDD" >"$T/wardd-at"
	chmod +x "$T/wardd-at"
	at_wardd=$WARDD
	WARDD=$T/wardd-at
	start_hub "$@"
	at_rc=$?
	WARDD=$at_wardd
	return $at_rc
}
stop_hub() {
	kill "$HUB_PID" 2>/dev/null; wait "$HUB_PID" 2>/dev/null; HUB_PID=
}
kill9_hub() {
	kill -9 "$HUB_PID" 2>/dev/null; wait "$HUB_PID" 2>/dev/null; HUB_PID=
}
# new_token NAME [ROLE]: print a fresh token.
new_token() {
	"$WARDD" token add --data "$DATA" "$1" --role "${2:-shipper}" | tail -n 1
}
# post PATH FILE [curl args]: POST FILE, print "STATUS BODY".
post() {
	p=$1 f=$2; shift 2
	curl -s -o "$T/resp" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
		--data-binary @"$f" "$@" "$URL$p" >"$T/code"
	printf '%s %s' "$(cat "$T/code")" "$(cat "$T/resp")"
}
# post_acked PATH FILE [curl args...]: post as a shipper does, sending
# again after each 429 (its Retry-After is 1 s), up to 30 times; prints
# the last answer as post does.
post_acked() {
	n=0
	while r=$(post "$@") && [ "${r%% *}" = 429 ] && [ $n -lt 30 ]; do
		sleep 1; n=$((n + 1))
	done
	printf '%s' "$r"
}
# stored_count: the events shippers sent that the store holds, straight
# from the partitions with sqlite3 — the hub's own errors and warnings
# (category ward), stored whenever they happen, left out.
stored_count() {
	total=0
	for f in "$DATA"/events/*.db; do
		[ -f "$f" ] || continue
		n=$(sqlite3 "$f" "select count(*) from events where category is not 'ward'")
		total=$((total + n))
	done
	echo $total
}
metric() {	# metric NAME: its value from /metrics
	curl -s "$URL/metrics" | awk -v n="$1" '$1 == n { print $2 }'
}
# metric_becomes NAME VALUE: wait up to 15 s for NAME in /metrics to say
# VALUE (some figures are refreshed every few seconds); prints the last.
metric_becomes() {
	i=0
	while v=$(metric "$1") && [ "$v" != "$2" ] && [ $i -lt 150 ]; do
		sleep 0.1; i=$((i + 1))
	done
	printf '%s' "$v"
}

# Console users, each with a key of their own under $T/home/USER.
# as USER ARGS...: run ward as USER against this hub.
as() { u=$1; shift; HOME=$T/home/$u WARD_USER=$u WARD_HUB=ws://127.0.0.1:$PORT "$WARD" "$@"; }
# as_bg USER ARGS...: as, in the background, with $! the ward process itself
# (a function run with & is a subshell: killing its $! leaves ward running).
as_bg() { u=$1; shift; HOME=$T/home/$u WARD_USER=$u WARD_HUB=ws://127.0.0.1:$PORT "$WARD" "$@" & }
# mkuser USER ROLE: a key pair and a hub account.
mkuser() {
	mkdir -p "$T/home/$1"
	as "$1" keygen >/dev/null &&
	"$WARDD" user add --data "$DATA" "$1" "$2" \
		"$T/home/$1/.config/ward/id_ed25519.pub" >/dev/null
}

# wait_grep FILE PATTERN: wait up to 15 s for PATTERN to appear in FILE.
wait_grep() {
	i=0
	while ! grep -q "$2" "$1" 2>/dev/null && [ $i -lt 300 ]; do
		sleep 0.05; i=$((i + 1))
	done
}

# sshd_attack FILE A B: the SSH brute force of the shipper tests — twelve
# failed logins from each of the addresses A and B (a public sample's
# lines: its host, ports and PIDs), a second apart and ending now, as
# RFC 3164 lines (auth.info is <38>) into FILE.  Sets ATTACK_NOW (the
# last line's epoch second) and ATTACK_TS (its time as the lines show it).
sshd_attack() {
	ATTACK_NOW=$(date -u +%s)
	: >"$1"
	n=0
	for port in 45378 47068 49188 50999 52660 54087 55618 57138 58304 59849 32977 35113; do
		n=$((n + 1))
		ATTACK_TS=$(date -u -d "@$((ATTACK_NOW - 12 + n))" '+%b %e %H:%M:%S')
		printf '<38>%s LabSZ sshd[%d]: Failed password for root from %s port %d ssh2\n' \
			"$ATTACK_TS" $((24233 + 2 * n)) "$2" "$port" >>"$1"
		printf '<38>%s LabSZ sshd[%d]: Failed password for root from %s port %d ssh2\n' \
			"$ATTACK_TS" $((24286 + 2 * n)) "$3" "$port" >>"$1"
	done
}

# tcp_send PORT FILE: FILE's bytes over one TCP connection to 127.0.0.1.
tcp_send() {
	/usr/bin/python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(open(sys.argv[2], "rb").read())
s.close()' "$1" "$2"
}

# check_attack_docs DB: the stored documents of sshd_attack's last line
# (port 35113) from A, which the shipper sent as fields, and from B, sent
# as the raw line: both read alike, down to the sshd decoders' fields.
check_attack_docs() {
	want_utc=$(date -u -d "@$ATTACK_NOW" '+%Y-%m-%dT%H:%M:%S.000000+00:00')
	for shape in fields raw; do
		[ $shape = fields ] && ip=$A || ip=$B
		d=$(sqlite3 "$1" "select doc from events_full where summary like '%$ip port 35113%'")
		eq "$shape: the summary is the message (no leading space)" \
			"$(echo "$d" | jq -r .summary)" "Failed password for root from $ip port 35113 ssh2"
		eq "$shape: the host is the sender's" "$(echo "$d" | jq -r .hostname)" LabSZ
		eq "$shape: the program" "$(echo "$d" | jq -r .processname)" sshd
		check "$shape: the PID, as a number" test "$(echo "$d" | jq -r '.processid | numbers')" -gt 24000
		eq "$shape: the time is the line's" "$(echo "$d" | jq -r .utctimestamp)" "$want_utc"
		eq "$shape: severity" "$(echo "$d" | jq -r .severity)" INFO
		eq "$shape: facility" "$(echo "$d" | jq -r .details.facility)" auth
		# the sshd decoders (share/parsers/sshd.yml), after the line is read
		eq "$shape: the attacker's address" "$(echo "$d" | jq -r .details.sourceipaddress)" "$ip"
		eq "$shape: the user name tried" "$(echo "$d" | jq -r .details.username)" root
		eq "$shape: a failed login" "$(echo "$d" | jq -r .details.success)" false
	done
}

# need_syslog_ng: syslog-ng unpacked privately (it conflicts with rsyslog:
# tests/fetch-syslog-ng.sh), or the test skipped when its packages cannot
# be downloaded.  Its configuration goes in $T/syslog-ng.conf.
need_syslog_ng() {
	if ! sh "$ROOT/tests/fetch-syslog-ng.sh"; then
		echo "1..0 # SKIP syslog-ng's packages could not be downloaded (apt-get download syslog-ng-core)"
		exit 0
	fi
	SR=$ROOT/build/syslog-ng/root
	MODS=$(ls -d "$SR"/usr/lib/syslog-ng/[0-9]*)
	mkdir -p "$T/sng"
}
# sng ARGS: exec syslog-ng on $T/syslog-ng.conf (so that, run in a
# subshell, $! is syslog-ng itself, not a shell around it).
sng() {
	LD_LIBRARY_PATH=$SR/usr/lib/x86_64-linux-gnu:$SR/usr/lib/syslog-ng \
	    TZ=UTC exec "$SR/usr/sbin/syslog-ng" --module-path="$MODS" \
	    -f "$T/syslog-ng.conf" -R "$T/sng/persist" -p "$T/sng/pid" \
	    -c "$T/sng/ctl" "$@"
}
# start_syslog_ng: check the configuration, then run syslog-ng in the
# foreground ($SNG its PID), stopped when the test ends.
start_syslog_ng() {
	(sng --syntax-only) >"$T/sng-check" 2>&1
	check "the syslog-ng config is valid" test $? -eq 0
	(sng -F) >"$T/sng.log" 2>&1 &
	SNG=$!
	trap 'kill $SNG 2>/dev/null; cleanup' EXIT
}

# wait_listening PORT: wait up to 10 s for a TCP listener on PORT (a
# shipper the test started).
wait_listening() {
	i=0
	until ss -Hltn "sport = :$1" | grep -q . || [ $i -gt 200 ]; do
		sleep 0.05; i=$((i + 1))
	done
}
