#!/usr/bin/env bash
# Installs the Debian packages avmon needs to build, test and run its demo; installs only what is missing.
set -euo pipefail

packages=(
  # build
  cmake ninja-build g++ pkg-config
  libboost-dev libboost-program-options-dev libsnmp-dev libfmt-dev catch2
  libsystemd-dev libtomlplusplus-dev libcurl4-openssl-dev libsqlite3-dev nlohmann-json3-dev libssl-dev
  # fuzzing (libFuzzer ships in clang's runtime package)
  clang libclang-rt-14-dev
  # real components used by the tests and the demo
  snmpd snmp snmptrapd snmpsim socat python3-aiosmtpd fping nftables iproute2 sqlite3 openssl
  systemd procps util-linux
  # the HTML report is rendered in headless Chromium in a test
  chromium fonts-dejavu-core
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
