#pragma once
// An Asio protocol for ICMP sockets of either kind. asio::ip::icmp is SOCK_RAW only; Linux
// "ping sockets" (SOCK_DGRAM + IPPROTO_ICMP[V6]) need no privilege when
// net.ipv4.ping_group_range admits our group, so the socket type is chosen at run time.
#include <netinet/in.h>
#include <sys/socket.h>

#include "daemon/core/asio.hpp"

namespace avmon::icmp {

class IcmpProtocol {
public:
    using endpoint = asio::ip::basic_endpoint<IcmpProtocol>;
    using socket = asio::basic_datagram_socket<IcmpProtocol>;

    static IcmpProtocol dgram_v4() { return {AF_INET, SOCK_DGRAM, IPPROTO_ICMP}; }
    static IcmpProtocol dgram_v6() { return {AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6}; }
    static IcmpProtocol raw_v4() { return {AF_INET, SOCK_RAW, IPPROTO_ICMP}; }
    static IcmpProtocol raw_v6() { return {AF_INET6, SOCK_RAW, IPPROTO_ICMPV6}; }
    // basic_endpoint asks its protocol for these; the socket is always opened explicitly with
    // one of the factories above, so the kind here does not matter.
    static IcmpProtocol v4() { return dgram_v4(); }
    static IcmpProtocol v6() { return dgram_v6(); }

    int family() const { return family_; }
    int type() const { return type_; }
    int protocol() const { return protocol_; }
    bool is_raw() const { return type_ == SOCK_RAW; }

    friend bool operator==(const IcmpProtocol& a, const IcmpProtocol& b) {
        return a.family_ == b.family_ && a.type_ == b.type_ && a.protocol_ == b.protocol_;
    }
    friend bool operator!=(const IcmpProtocol& a, const IcmpProtocol& b) { return !(a == b); }

private:
    IcmpProtocol(int family, int type, int protocol) : family_(family), type_(type), protocol_(protocol) {}
    int family_;
    int type_;
    int protocol_;
};

}  // namespace avmon::icmp
