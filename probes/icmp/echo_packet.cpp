#include "probes/icmp/echo_packet.hpp"

#include <algorithm>
#include <array>

namespace avmon::icmp {
namespace {

constexpr std::uint8_t echo_request_v4 = 8, echo_reply_v4 = 0;
constexpr std::uint8_t echo_request_v6 = 128, echo_reply_v6 = 129;
constexpr std::size_t header_size = 8;
constexpr std::uint8_t ip_protocol_icmp = 1;

// Fixed marker text, padded with a counting pattern so routers that mangle payloads show up.
constexpr std::array<std::uint8_t, payload_size> make_payload() {
    std::array<std::uint8_t, payload_size> p{};
    constexpr char marker[] = "avmond-echo:";
    std::size_t i = 0;
    for (; marker[i] != 0; ++i) p[i] = static_cast<std::uint8_t>(marker[i]);
    for (; i < payload_size; ++i) p[i] = static_cast<std::uint8_t>(i);
    return p;
}
constexpr auto our_payload = make_payload();

std::uint16_t read16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }

}  // namespace

std::uint16_t internet_checksum(std::span<const std::uint8_t> data) {
    std::uint32_t sum = 0;
    std::size_t i = 0;
    for (; i + 1 < data.size(); i += 2) sum += read16(&data[i]);
    if (i < data.size()) sum += static_cast<std::uint32_t>(data[i]) << 8;
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum & 0xffff);
}

EchoRequest build_echo_request(Family family, std::uint16_t id, std::uint16_t seq) {
    static_assert(echo_request_size == header_size + payload_size);
    EchoRequest packet{};
    packet[0] = family == Family::v4 ? echo_request_v4 : echo_request_v6;
    packet[4] = static_cast<std::uint8_t>(id >> 8);
    packet[5] = static_cast<std::uint8_t>(id);
    packet[6] = static_cast<std::uint8_t>(seq >> 8);
    packet[7] = static_cast<std::uint8_t>(seq);
    std::copy(our_payload.begin(), our_payload.end(), packet.begin() + header_size);
    if (family == Family::v4) {
        std::uint16_t sum = internet_checksum(packet);
        packet[2] = static_cast<std::uint8_t>(sum >> 8);
        packet[3] = static_cast<std::uint8_t>(sum);
    }
    return packet;
}

std::optional<EchoReply> parse_echo_reply(std::span<const std::uint8_t> packet, Family family,
                                          bool with_ip_header) {
    if (with_ip_header && family == Family::v4) {
        if (packet.size() < 20) return std::nullopt;
        const std::uint8_t version = packet[0] >> 4;
        const std::size_t ihl = static_cast<std::size_t>(packet[0] & 0x0f) * 4;
        if (version != 4 || ihl < 20 || ihl > packet.size()) return std::nullopt;
        if (packet[9] != ip_protocol_icmp) return std::nullopt;
        const std::size_t total = read16(&packet[2]);
        // Trust neither length alone: use what both the header and the datagram agree on.
        if (total < ihl) return std::nullopt;
        packet = packet.subspan(ihl, std::min(total, packet.size()) - ihl);
    }
    if (packet.size() < header_size + payload_size) return std::nullopt;
    const std::uint8_t expected = family == Family::v4 ? echo_reply_v4 : echo_reply_v6;
    if (packet[0] != expected || packet[1] != 0) return std::nullopt;
    if (family == Family::v4 && internet_checksum(packet) != 0) return std::nullopt;
    if (!std::equal(our_payload.begin(), our_payload.end(), packet.begin() + header_size))
        return std::nullopt;
    return EchoReply{read16(&packet[4]), read16(&packet[6])};
}

}  // namespace avmon::icmp
