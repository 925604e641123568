#!/bin/sh
# make demo's main job: a hub with the replayed scenario, and the search
# commands it prints work.
. "$(dirname "$0")/lib.sh"
export WARD_DEMO_PORT=$(free_port) DEMO_SPEED=100 DEMO_SECONDS=2
sh "$ROOT/share/demo/run.sh" >"$T/demo.out" 2>&1 &
demo=$!
i=0
until grep -q '^Stored:' "$T/demo.out" || [ $i -gt 600 ]; do sleep 0.1; i=$((i + 1)); done
check "the demo replays and reports what it stored" grep -q '^Stored: [0-9]' "$T/demo.out"
eq "every scenario event is stored" "$(sed -n 's/^Stored: \([0-9]*\) events.*/\1/p' "$T/demo.out")" 941
cmd=$(grep -m1 "summary:Failed" "$T/demo.out" | sed 's/^ *//')
sh -c "$cmd" >"$T/found"
eq "the printed search finds the brute force (5 shown)" "$(grep -c '"id":' "$T/found")" 5
check "... and its last line says more match" sh -c "tail -n 1 '$T/found' | jq -e .limited"
cmd=$(grep -m1 "count+by+hostname" "$T/demo.out" | sed 's/^ *//')
n=$(sh -c "$cmd" | jq -r 'select(.hostname == "bastion") | .count')
check "the printed count by counts the bastion's logins" test "${n:-0}" -gt 0
cmd=$(grep -m1 -- "--user bob" "$T/demo.out" | sed 's/^ *//')
eq "the printed console command logs bob in" "$(sh -c "$cmd whoami --json" | jq -r .role)" handler
wait $demo
check "the demo stops its hub" sh -c "! curl -s -o /dev/null http://127.0.0.1:$WARD_DEMO_PORT/healthz"
done_testing
