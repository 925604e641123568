#!/bin/sh
# The rules write their matches at most every 250 ms while matches keep
# coming; a hub stopped in between still writes what its rules matched:
# two root logins on two hosts, posted back to back, then the hub told
# to stop at once — both alerts are in the state db afterwards.
. "$(dirname "$0")/lib.sh"
start_hub || exit 1
TOKEN=$(new_token t81)
ROOT_LOGIN=5d1f7b38-6e2a-4c9d-b041-8a3e2f6c7d06
login() { printf '{"summary":"Accepted password for root from 203.0.113.5 port 22 ssh2","processname":"sshd","hostname":"%s"}\n' "$1" >"$T/ev"; post_acked /events "$T/ev" -H 'Content-Type: application/x-ndjson'; }
eq "the first root login is taken" "$(login web1 | cut -d' ' -f1)" 200
eq "the second, right after, is taken" "$(login web2 | cut -d' ' -f1)" 200
stop_hub
eq "both root logins are alerts after the hub stopped" \
	"$(sqlite3 "$DATA/state.db" "select group_key from alerts where rule_id = '$ROOT_LOGIN' order by group_key" | tr '\n' ' ')" "web1 web2 "
done_testing
