#!/bin/sh
# Example response action: block the source address of an alert (the
# group key of an SSH brute force, for instance) with nftables.  Reads the
# alert JSON on standard input; prints what it did (kept on the alert's
# timeline).  Needs jq, and CAP_NET_ADMIN for wardd's user.
set -eu
alert=$(cat)
addr=$(printf '%s' "$alert" | jq -r '.group')
case "$addr" in
*[!0-9a-fA-F.:]*|"") echo "not an address: $addr"; exit 2 ;;
esac
if [ "${WARD_DRY_RUN:-0}" = 1 ]; then
	echo "would block $addr (alert $WARD_ALERT_ID)"
	exit 0
fi
nft add element inet filter ward_blocked "{ $addr }"
echo "blocked $addr (alert $WARD_ALERT_ID, $WARD_ALERT_SEVERITY)"
