#!/usr/bin/env bash
# Runs an ICMP test binary inside a private network namespace set up for one scenario, so the
# tests never send a packet outside it and need nothing from the host's sysctls.
#   run_in_netns.sh SCENARIO BINARY [catch arguments...]
# Scenarios:
#   root-dgram  root, ping sockets allowed; veth avm-silent0 10.213.0.1/24 (10.213.0.77 answers nobody),
#               10.214.0.0/24 routed "unreachable"
#   root-raw    root, ping sockets refused (ping_group_range "1 0"): raw sockets only
#   user-dgram  as nobody, ping sockets allowed
#   user-none   as nobody, ping sockets refused: no ICMP at all
#   loss        root, ping sockets allowed, nftables drops 30 % of echo requests
set -euo pipefail
if [ -z "${AVMON_ICMP_IN_NETNS:-}" ]; then
  AVMON_ICMP_IN_NETNS=1 exec unshare -n bash "$0" "$@"
fi
scenario=$1
binary=$2
shift 2

ip link set lo up
allow_ping_sockets() { sysctl -q -w net.ipv4.ping_group_range="0 2147483647"; }
refuse_ping_sockets() { sysctl -q -w net.ipv4.ping_group_range="1 0"; }
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all -- "$@"; }

case "$scenario" in
  root-dgram)
    allow_ping_sockets
    # Both veth ends stay in this namespace and the far end has no address: ARP for
    # 10.213.0.77 goes unanswered, so echo requests to it vanish (the kernel has no dummy driver).
    ip link add avm-silent0 type veth peer name avm-silent1
    ip addr add 10.213.0.1/24 dev avm-silent0
    ip link set avm-silent0 up
    ip link set avm-silent1 up
    ip route add unreachable 10.214.0.0/24
    exec "$binary" "$@"
    ;;
  root-raw)
    refuse_ping_sockets
    exec "$binary" "$@"
    ;;
  user-dgram)
    allow_ping_sockets
    as_nobody "$binary" "$@"
    ;;
  user-none)
    refuse_ping_sockets
    as_nobody "$binary" "$@"
    ;;
  loss)
    allow_ping_sockets
    nft -f - <<'NFT'
table inet avmon_chaos {
  chain out {
    type filter hook output priority 0; policy accept;
    icmp type echo-request numgen random mod 100 < 30 counter drop
    icmpv6 type echo-request numgen random mod 100 < 30 counter drop
  }
}
NFT
    status=0
    "$binary" "$@" || status=$?
    nft list table inet avmon_chaos | grep -o 'counter packets [0-9]*' | sed 's/^/nft dropped: /'
    exit $status
    ;;
  *)
    echo "run_in_netns.sh: unknown scenario '$scenario'" >&2
    exit 2
    ;;
esac
