#!/bin/sh
# Install the Debian packages ward's build and tests need.  Idempotent;
# silent when everything is present.
set -e
PKGS="build-essential pkg-config clang libwebsockets-dev libjansson-dev
libsodium-dev libsqlite3-dev zlib1g-dev libyaml-dev libncurses-dev
libcmocka-dev sqlite3 curl jq tmux mandoc procps openssl iproute2
rsyslog rsyslog-elasticsearch rsyslog-openssl
librabbitmq-dev amqp-tools rabbitmq-server
libpcre2-dev libmaxminddb-dev libmaxmind-db-writer-perl python3 libssl-dev
libzstd-dev zstd faketime time
"
# syslog-ng, unpacked privately (it conflicts with rsyslog); a failure
# only makes its e2e test skip.
sh "$(dirname "$0")/fetch-syslog-ng.sh" ||
	echo "deps: syslog-ng could not be fetched; its e2e test will skip"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
# node and npm, for t66's real GELF client (npm gelf-pro,
# tests/fetch-gelf-pro.sh); optional: without them t66 sends crafted
# datagrams only.  Debian's npm is some 360 small packages; a node that
# brings its own npm (NodeSource's) conflicts with it, hence the test.
if ! command -v npm >/dev/null 2>&1; then
	echo "deps: installing nodejs npm (optional)"
	S=""; [ "$(id -u)" -ne 0 ] && S=sudo
	$S apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		$S apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null ||
		echo "deps: nodejs/npm not installed; t66 will use crafted datagrams only"
fi
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
