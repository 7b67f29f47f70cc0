// Fuzzes the ICMP echo reply parser with whatever a socket might deliver. Every input is tried
// as all four kinds of socket (IPv4/IPv6, with/without the IPv4 header of raw sockets).
#include <cstdint>
#include <cstdlib>
#include <span>

#include "probes/icmp/echo_packet.hpp"

using namespace avmon::icmp;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::span<const std::uint8_t> packet(data, size);
    for (Family family : {Family::v4, Family::v6}) {
        for (bool ip_header : {false, true}) {
            auto reply = parse_echo_reply(packet, family, ip_header);
            // An accepted IPv4 reply without a header must carry a valid checksum.
            if (reply && family == Family::v4 && !ip_header && internet_checksum(packet) != 0) std::abort();
        }
    }
    // Whatever id and sequence the input names, our own request must never parse as a reply.
    if (size >= 4) {
        const auto id = static_cast<std::uint16_t>(data[0] << 8 | data[1]);
        const auto seq = static_cast<std::uint16_t>(data[2] << 8 | data[3]);
        for (Family family : {Family::v4, Family::v6})
            if (parse_echo_reply(build_echo_request(family, id, seq), family, false)) std::abort();
    }
    return 0;
}
