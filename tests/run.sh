#!/bin/sh
# Run every test: the cmocka unit programs (TAP output) and the e2e shell
# scripts (TAP output via tests/e2e/lib.sh).  Prints each failure, then a
# last line "N passed, N failed".  Exit status 0 only when nothing failed.
#   B=build/rel sh tests/run.sh [PATTERN]
B=${B:-build/rel}
pat=${1:-}
log=$(mktemp -d /tmp/ward-tests.XXXXXX)
pass=0 fail=0

count() {	# count NAME FILE: add the TAP results of FILE
	p=$(grep -c '^ok ' "$2")
	f=$(grep -c '^not ok ' "$2")
	pass=$((pass + p)); fail=$((fail + f))
	if [ "$f" -gt 0 ] || [ "$3" -ne 0 -a "$f" -eq 0 ]; then
		echo "FAIL $1 (exit $3)"
		grep -B2 -A12 '^not ok ' "$2" | head -60
		if [ "$f" -eq 0 ]; then
			fail=$((fail + 1)); tail -20 "$2"
		fi
	else
		echo "ok   $1 ($p)"
	fi
}

export CMOCKA_MESSAGE_OUTPUT=TAP
for t in "$B"/tests/test_*; do
	[ -x "$t" ] || continue
	n=$(basename "$t")
	case "$n" in *"$pat"*) ;; *) continue ;; esac
	timeout 600 "$t" >"$log/$n.out" 2>&1; rc=$?
	count "unit/$n" "$log/$n.out" $rc
done
for t in tests/e2e/t[0-9]*.sh; do
	[ -f "$t" ] || continue
	n=$(basename "$t" .sh)
	case "$n" in *"$pat"*) ;; *) continue ;; esac
	timeout 600 sh "$t" >"$log/$n.out" 2>&1; rc=$?
	count "e2e/$n" "$log/$n.out" $rc
done
echo "logs in $log"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
