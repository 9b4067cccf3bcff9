#!/usr/bin/env bash
# Install the Debian packages skiff's tests need; quiet and idempotent.
set -euo pipefail
# libseccomp-dev: only for the tests, whose comparison of skiff's seccomp
# filters with libseccomp's links libseccomp (a dev-dependency); building
# and installing skiff needs no -dev package. uidmap and passt: rootless;
# sudo: a rootless test runs skiff through `sudo -u`.
PKGS="python3 busybox-static docker-registry skopeo jq apache2-utils openssl util-linux mount e2fsprogs xfsprogs libseccomp-dev nftables iproute2 curl uidmap passt sudo"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
# The rootless tests' user, with subordinate ids (as root only).
ensure_test_user() {
  [ "$(id -u)" = 0 ] || return 0
  local u=skiff-rootless
  id "$u" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$u"
  grep -q "^$u:" /etc/subuid 2>/dev/null || usermod --add-subuids 300000-365535 "$u"
  grep -q "^$u:" /etc/subgid 2>/dev/null || usermod --add-subgids 300000-365535 "$u"
  # pasta opens /dev/net/tun as the user: Debian's udev makes it 0666
  # (this VM has 0600); skiff itself never changes it.
  [ -c /dev/net/tun ] && chmod 0666 /dev/net/tun
  return 0
}
if [ -z "$missing" ]; then
  ensure_test_user
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "test-deps: missing packages:$missing (run as root to install them)" >&2
  exit 1
fi
echo "test-deps: installing$missing" >&2
# Keep package scripts from starting docker-registry as a service on :5000.
policy_made=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  policy_made=1
fi
trap '[ "$policy_made" = 1 ] && rm -f /usr/sbin/policy-rc.d' EXIT
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
ensure_test_user
