#!/bin/sh
# Every subcommand wardd --help lists: `wardd SUB --help` prints the same
# synopsis on standard output and exits 0, a usage error (SUB alone)
# prints it on standard error and exits 2,
# and wardd(8) has a SYNOPSIS entry for each form.  The synopses have one
# home (hub/main.c's table); this catches a subcommand that prints one of
# its own that says otherwise.  No hub is started.
. "$(dirname "$0")/lib.sh"
# The forms of a synopsis in file $1, one a line without "wardd ":
# "       wardd WORD ..." lines (the first "usage: wardd WORD ..."), each
# with its continuation lines (deeper indented) joined to it.
forms() {
	sed 's/^usage: wardd /       wardd /' "$1" | awk '
	/^       wardd [a-z]/ { if (f != "") print f; f = substr($0, 14); next }
	/^            / && f != "" { sub(/^ +/, ""); f = f " " $0; next }
	{ if (f != "") print f; f = "" } END { if (f != "") print f }'
}
"$WARDD" --help >"$T/help"
eq "wardd --help exits 0" "$?" 0
forms "$T/help" >"$T/forms"
check "wardd --help lists the subcommands" test "$(wc -l <"$T/forms")" -ge 10
# The subcommands: a first word whose --help prints a synopsis is one
# (token: add, list and del); one whose --help is a usage error has a
# subcommand a second word (rules: check and test).
cut -d' ' -f1 "$T/forms" | uniq >"$T/words"
while read -r w1; do
	if "$WARDD" "$w1" --help >/dev/null 2>&1; then echo "$w1"
	else grep "^$w1 " "$T/forms" | cut -d' ' -f1,2; fi
done <"$T/words" >"$T/subs"
check "... among them a subcommand of two words" grep -qx 'rules check' "$T/subs"
while read -r sub; do
	"$WARDD" $sub --help >"$T/out" 2>"$T/err"
	eq "wardd $sub --help exits 0" "$?" 0
	forms "$T/out" >"$T/got"
	grep -e "^$sub\( \|\$\)" "$T/forms" >"$T/want"
	check "... its synopsis on standard output, as wardd --help has it" \
		diff "$T/want" "$T/got"
	eq "... nothing on standard error" "$(cat "$T/err")" ""
	"$WARDD" $sub >"$T/out" 2>"$T/err"
	eq "wardd $sub alone: a usage error, exit 2" "$?" 2
	forms "$T/err" >"$T/got"
	check "... its synopsis on standard error, the same" diff "$T/want" "$T/got"
done <"$T/subs"
"$WARDD" archive list >/dev/null 2>"$T/err"
check "wardd archive list alone names itself" grep -q '^wardd: archive list: --data DIR is required' "$T/err"
# wardd(8): each form's words after .Nm in SYNOPSIS (.Cm WORDS).
sed -n '/^\.Sh SYNOPSIS/,/^\.Sh /p' "$ROOT/man/wardd.8" |
	sed -n 's/^\.Cm \(.*\)/\1/p' >"$T/man"
: >"$T/missing"
while read -r w1 w2 rest; do
	case $w2 in [a-z]*) f="$w1 $w2" ;; *) f=$w1 ;; esac
	grep -qx "$f" "$T/man" || echo "$f" >>"$T/missing"
done <"$T/forms"
eq "wardd(8) has every form of wardd --help in its SYNOPSIS" "$(cat "$T/missing")" ""
done_testing
