#include "probes/snmp/community_codec.hpp"

namespace avmon::snmp {

namespace {

void put_length(std::string& out, std::size_t n) {
    if (n < 0x80) {
        out += static_cast<char>(n);
        return;
    }
    char bytes[sizeof(std::size_t)];
    int count = 0;
    for (; n; n >>= 8) bytes[count++] = static_cast<char>(n & 0xff);
    out += static_cast<char>(0x80 | count);
    while (count) out += bytes[--count];
}

void put_tlv(std::string& out, unsigned char tag, std::string_view content) {
    out += static_cast<char>(tag);
    put_length(out, content.size());
    out.append(content);
}

void put_integer(std::string& out, std::int64_t value) {
    // Two's complement, minimal length.
    char bytes[8];
    int count = 0;
    bool more = true;
    while (more) {
        auto byte = static_cast<unsigned char>(value & 0xff);
        value >>= 8;  // arithmetic shift keeps the sign
        bytes[count++] = static_cast<char>(byte);
        more = !((value == 0 && !(byte & 0x80)) || (value == -1 && (byte & 0x80)));
    }
    out += '\x02';
    out += static_cast<char>(count);
    while (count) out += bytes[--count];
}

void put_arc(std::string& out, std::uint64_t arc) {
    char bytes[10];
    int count = 0;
    do {
        bytes[count++] = static_cast<char>(arc & 0x7f);
        arc >>= 7;
    } while (arc);
    while (count > 1) out += static_cast<char>(0x80 | static_cast<unsigned char>(bytes[--count]));
    out += bytes[0];
}

void put_oid(std::string& out, const Oid& oid) {
    std::string arcs;
    // The first two arcs share one subidentifier (X.690 8.19.4); parse_oid never gives an
    // empty OID, and a one-arc OID is sent as "arc.0".
    std::uint64_t first = oid.empty() ? 0 : oid[0];
    std::uint64_t second = oid.size() > 1 ? oid[1] : 0;
    put_arc(arcs, first * 40 + second);
    for (std::size_t i = 2; i < oid.size(); ++i) put_arc(arcs, oid[i]);
    put_tlv(out, 0x06, arcs);
}

unsigned char pdu_tag(ReadCommand command, int version) {
    switch (command) {
        case ReadCommand::get: return 0xA0;
        case ReadCommand::get_next: return 0xA1;
        case ReadCommand::get_bulk: return version == 0 ? 0xA1 : 0xA5;
    }
    return 0xA0;
}

// Reads a tag and length at `at`; returns the content length or nullopt.
std::optional<std::size_t> read_header(std::string_view m, std::size_t& at, unsigned char tag) {
    if (at + 2 > m.size() || static_cast<unsigned char>(m[at]) != tag) return std::nullopt;
    ++at;
    auto first = static_cast<unsigned char>(m[at++]);
    if (first < 0x80) return first;
    int count = first & 0x7f;
    if (count == 0 || count > 4 || at + static_cast<std::size_t>(count) > m.size()) return std::nullopt;
    std::size_t n = 0;
    for (int i = 0; i < count; ++i) n = (n << 8) | static_cast<unsigned char>(m[at++]);
    return n;
}

}  // namespace

std::string encode_community_request(const CommunityRequest& request) {
    std::string varbinds;
    std::string one;
    if (request.oids) {
        for (const auto& oid : *request.oids) {
            one.clear();
            put_oid(one, oid);
            one += '\x05';  // NULL value
            one += '\x00';
            put_tlv(varbinds, 0x30, one);
        }
    }
    std::string pdu;
    put_integer(pdu, request.request_id);
    const bool bulk = request.command == ReadCommand::get_bulk && request.version != 0;
    put_integer(pdu, 0);  // error-status, or non-repeaters
    put_integer(pdu, bulk ? request.max_repetitions : 0);  // error-index, or max-repetitions
    put_tlv(pdu, 0x30, varbinds);
    std::string body;
    put_integer(body, request.version);
    put_tlv(body, 0x04, request.community);
    put_tlv(body, pdu_tag(request.command, request.version), pdu);
    std::string message;
    message.reserve(body.size() + 6);
    put_tlv(message, 0x30, body);
    return message;
}

std::optional<int> peek_community_version(std::string_view message) {
    std::size_t at = 0;
    if (!read_header(message, at, 0x30)) return std::nullopt;
    auto len = read_header(message, at, 0x02);
    if (!len || *len != 1 || at >= message.size()) return std::nullopt;
    int version = static_cast<unsigned char>(message[at]);
    if (version != 0 && version != 1) return std::nullopt;
    return version;
}

}  // namespace avmon::snmp
