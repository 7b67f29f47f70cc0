#pragma once
// ICMP / ICMPv6 echo request building and echo reply parsing. Asio-free on purpose: replies
// are outside data, so this code is fuzzed (tests/fuzz/icmp) without the network stack.
#include <cstddef>
#include <array>
#include <cstdint>
#include <optional>
#include <span>

namespace avmon::icmp {

enum class Family { v4, v6 };

// Bytes after the 8-byte ICMP header in every request we send: replies must echo them back,
// which tells our replies apart from anybody else's on a raw socket.
inline constexpr std::size_t payload_size = 24;

// An echo request: the 8-byte ICMP header and our payload, built on the stack (one per echo).
inline constexpr std::size_t echo_request_size = 8 + payload_size;
using EchoRequest = std::array<std::uint8_t, echo_request_size>;

// Type 8 (IPv4) / 128 (IPv6), our id and sequence, a recognisable payload. The IPv4 checksum
// is filled in; for ICMPv6 the kernel computes it (it covers the IPv6 pseudo-header, which
// only the kernel knows).
EchoRequest build_echo_request(Family family, std::uint16_t id, std::uint16_t seq);

struct EchoReply {
    std::uint16_t id = 0;
    std::uint16_t seq = 0;
};

// Parses what a socket delivered. `with_ip_header`: raw IPv4 sockets deliver the IPv4 header
// first (raw IPv6 and datagram sockets do not). Returns nothing for anything that is not one
// of our echo replies: truncated, wrong type, bad checksum, foreign payload, garbage.
std::optional<EchoReply> parse_echo_reply(std::span<const std::uint8_t> packet, Family family,
                                          bool with_ip_header);

// RFC 1071 one's-complement sum over `data` (0 over a packet with a correct checksum field).
std::uint16_t internet_checksum(std::span<const std::uint8_t> data);

}  // namespace avmon::icmp
