#!/bin/sh
# Unpack syslog-ng (with its http() destination) into build/syslog-ng/root
# for the e2e tests.  It cannot be installed beside rsyslog (the packages
# conflict), so its Debian packages are downloaded and unpacked privately;
# the tests run it with --module-path and LD_LIBRARY_PATH.  Idempotent;
# exits 1 when the packages cannot be had.
ROOT=$(cd "$(dirname "$0")/.." && pwd)
D=$ROOT/build/syslog-ng
[ -x "$D/root/usr/sbin/syslog-ng" ] && exit 0
rm -rf "$D" && mkdir -p "$D/debs" || exit 1
# the libraries it needs that a ward machine lacks, and the modules
(cd "$D/debs" && apt-get download -q syslog-ng-core syslog-ng-mod-http \
	libivykis0 libnet1 libwrap0 >/dev/null 2>&1) || {
	echo "fetch-syslog-ng: apt-get download failed" >&2; exit 1; }
for f in "$D"/debs/*.deb; do
	dpkg -x "$f" "$D/root" || exit 1
done
[ -x "$D/root/usr/sbin/syslog-ng" ]
