#!/bin/sh
# ensure-prometheus.sh — make sure a `prometheus` server binary is on PATH for the tests that
# scrape the demo services (integrations/prometheus/promtest). Installs Debian's `prometheus`
# package when the binary is missing; never starts the Debian service: every test starts its own
# prometheus with a temporary config and data directory on a free loopback port.
#
#   sh scripts/ensure-prometheus.sh
set -eu

if command -v prometheus >/dev/null 2>&1; then
	echo "prometheus: $(command -v prometheus) present"
	exit 0
fi

SUDO=
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null 2>&1 || {
		echo "prometheus is missing and this user cannot install packages; run as root: apt-get install -y prometheus" >&2
		exit 1
	}
	SUDO=sudo
fi

# policy-rc.d exit 101 tells invoke-rc.d not to start the service the package ships: the tests
# run their own server, and a system one would hold port 9090 for nothing.
POLICY=/usr/sbin/policy-rc.d
CREATED_POLICY=
if [ ! -e "$POLICY" ]; then
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
	$SUDO chmod 755 "$POLICY"
	CREATED_POLICY=1
fi
cleanup() { if [ -n "$CREATED_POLICY" ]; then $SUDO rm -f "$POLICY"; fi; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends prometheus

command -v prometheus >/dev/null 2>&1 || {
	echo "apt-get installed the prometheus package but no prometheus binary is on PATH" >&2
	exit 1
}
echo "prometheus: $(prometheus --version 2>&1 | head -n 1)"
