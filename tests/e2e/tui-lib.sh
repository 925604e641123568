# Helpers for the console's e2e tests (t40-t49): users with their own keys
# and homes, and consoles driven in a private tmux server (send-keys in,
# capture-pane out), as tmux's own regression tests do.
#   . "$(dirname "$0")/tui-lib.sh"
. "$(dirname "$0")/lib.sh"
# The console binary; WARD_CONSOLE overrides (a build under test).
CONSOLE=${WARD_CONSOLE:-$WARD}
TMUX_SOCK=$T/tmux.sock
tm() { tmux -S "$TMUX_SOCK" -f /dev/null "$@"; }
trap 'tm kill-server 2>/dev/null; cleanup' EXIT

# as, mkuser, wait_grep: in lib.sh.
# console USER [COLS ROWS]: open USER's console in tmux window USER.
console() {
	u=$1 w=${2:-100} h=${3:-30}
	cat >"$T/run-$u.sh" <<EOS
export HOME=$T/home/$u WARD_USER=$u WARD_HUB=ws://127.0.0.1:$PORT
export TERM=tmux-256color LANG=C.UTF-8 ${CONSOLE_ENV:-}
exec "$CONSOLE" 2>"$T/$u.err"
EOS
	if tm has-session 2>/dev/null; then
		tm new-window -d -n "$u" "sh $T/run-$u.sh"
		tm resize-window -t "$u" -x "$w" -y "$h" 2>/dev/null
	else
		tm new-session -d -s ward -n "$u" -x "$w" -y "$h" \
			"sh $T/run-$u.sh"
	fi
	tm set -g remain-on-exit on >/dev/null
}
# screen USER: what USER's console shows now.
screen() { tm capture-pane -p -t "ward:$1"; }
# keys USER KEYS...: type (tmux send-keys names: Enter, Escape, C-d).
keys() { u=$1; shift; tm send-keys -t "ward:$u" "$@"; }
# type USER TEXT: type TEXT literally.
typetext() { tm send-keys -t "ward:$1" -l "$2"; }
# wait_screen USER PATTERN [SECONDS]: until the screen shows PATTERN
# (grep -E); 0 when it did.
wait_screen() {
	i=0 n=$(( ${3:-5} * 20 ))
	while [ $i -lt $n ]; do
		screen "$1" | grep -Eq -- "$2" && return 0
		sleep 0.05; i=$((i + 1))
	done
	return 1
}
# see NAME USER PATTERN [SECONDS]: a test that USER's screen shows it.
see() {
	if wait_screen "$2" "$3" "${4:-5}"; then ok "$1"
	else not_ok "$1" "wanted: $3" "screen of $2:" "$(screen "$2" | sed 's/^/|/')"
	fi
}
# ingest N [FIELDS]: post N events with summary "msg I" via a shipper token.
ingest_json() {
	curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
		--data-binary @"$1" "$URL/events"
}
# console_done: close the consoles (SIGHUP, as a lost SSH session would),
# fail on sanitizer reports in their stderr, then done_testing.
console_done() {
	tm kill-server 2>/dev/null
	i=0
	while pgrep -f "$T/run-" >/dev/null 2>&1 && [ $i -lt 40 ]; do
		sleep 0.05; i=$((i + 1))
	done
	for f in "$T"/*.err; do
		[ -f "$f" ] || continue
		if grep -q 'ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:' "$f"; then
			not_ok "the console ran clean under the sanitizers ($(basename "$f"))" \
			    "$(grep -A20 'Sanitizer\|runtime error' "$f" | head -40)"
		fi
	done
	done_testing
}
