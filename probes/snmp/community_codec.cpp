#include "probes/snmp/community_codec.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace avmon::snmp {

namespace {

// BER written back to front: a TLV's content goes in first, so its length is known when the
// header is prepended, and nothing is built twice. Every poll encodes a request, and appending
// to nested strings (the obvious way) cost ~6,000 instructions per 5-OID GET.
class ReverseWriter {
public:
    explicit ReverseWriter(std::string& storage) : s_(storage) {
        if (s_.size() < 512) s_.resize(512);
        pos_ = s_.size();
    }
    std::size_t written() const { return s_.size() - pos_; }
    std::string_view data() const { return {s_.data() + pos_, written()}; }

    void byte(unsigned char b) {
        if (pos_ == 0) grow(1);
        s_[--pos_] = static_cast<char>(b);
    }
    void bytes(std::string_view v) {
        if (pos_ < v.size()) grow(v.size());
        pos_ -= v.size();
        std::memcpy(s_.data() + pos_, v.data(), v.size());
    }
    // Closes the TLV whose content began when written() was `since`.
    void close(unsigned char tag, std::size_t since) {
        std::size_t n = written() - since;
        if (n < 0x80) {
            byte(static_cast<unsigned char>(n));
        } else {
            unsigned char count = 0;
            for (; n; n >>= 8, ++count) byte(static_cast<unsigned char>(n & 0xff));
            byte(0x80 | count);
        }
        byte(tag);
    }
    void integer(std::int64_t value) {
        // Two's complement, minimal length.
        const auto since = written();
        bool more = true;
        while (more) {
            auto b = static_cast<unsigned char>(value & 0xff);
            value >>= 8;  // arithmetic shift keeps the sign
            byte(b);
            more = !((value == 0 && !(b & 0x80)) || (value == -1 && (b & 0x80)));
        }
        close(0x02, since);
    }
    void arc(std::uint64_t a) {
        byte(static_cast<unsigned char>(a & 0x7f));
        for (a >>= 7; a; a >>= 7) byte(static_cast<unsigned char>(0x80 | (a & 0x7f)));
    }
    void oid(const Oid& oid) {
        // The first two arcs share one subidentifier (X.690 8.19.4); parse_oid never gives an
        // empty OID, and a one-arc OID is sent as "arc.0".
        const auto since = written();
        for (std::size_t i = oid.size(); i > 2; --i) arc(oid[i - 1]);
        std::uint64_t first = oid.empty() ? 0 : oid[0];
        std::uint64_t second = oid.size() > 1 ? oid[1] : 0;
        arc(first * 40 + second);
        close(0x06, since);
    }

private:
    void grow(std::size_t at_least) {
        const auto used = written();
        const auto size = std::max(s_.size() * 2, used + at_least + 64);
        std::string bigger(size, '\0');
        std::memcpy(bigger.data() + size - used, s_.data() + pos_, used);
        s_.swap(bigger);
        pos_ = size - used;
    }
    std::string& s_;
    std::size_t pos_;
};

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

// A forward reader over one TLV's content; every length is checked against what is left.
struct BerReader {
    const unsigned char* p;
    const unsigned char* end;

    bool empty() const { return p >= end; }
    // Reads a tag and a definite length (at most 4 length octets) and hands out the content.
    bool next(unsigned char& tag, BerReader& content) {
        if (end - p < 2) return false;
        tag = *p++;
        std::size_t n = *p++;
        if (n & 0x80) {
            const int count = static_cast<int>(n & 0x7f);
            if (count == 0 || count > 4 || end - p < count) return false;  // indefinite or huge
            n = 0;
            for (int i = 0; i < count; ++i) n = (n << 8) | *p++;
        }
        if (n > static_cast<std::size_t>(end - p)) return false;
        content = {p, p + n};
        p += n;
        return true;
    }
    bool expect(unsigned char want, BerReader& content) {
        unsigned char tag = 0;
        return next(tag, content) && tag == want;
    }
    std::size_t size() const { return static_cast<std::size_t>(end - p); }
};

// Two's complement of 1..max_bytes octets, sign-extended to 64 bits.
bool signed_value(const BerReader& c, std::size_t max_bytes, std::int64_t& v) {
    const auto n = c.size();
    if (n == 0 || n > max_bytes) return false;
    std::uint64_t u = (*c.p & 0x80) ? ~std::uint64_t{0} : 0;
    for (auto* q = c.p; q < c.end; ++q) u = (u << 8) | *q;
    v = static_cast<std::int64_t>(u);
    return true;
}

// Unsigned types (Counter32/Gauge32/TimeTicks/Counter64): width octets, or one more when it is
// a leading 0 (the sign octet BER needs for a top bit). Read as plain unsigned, as Net-SNMP
// does: a top bit set without the 0 octet is not taken as a sign.
bool unsigned_value(const BerReader& c, std::size_t width, std::uint64_t& v) {
    const auto n = c.size();
    if (n == 0 || n > width + 1 || (n == width + 1 && *c.p != 0)) return false;
    v = 0;
    for (auto* q = c.p; q < c.end; ++q) v = (v << 8) | *q;
    return true;
}

bool integer_field(BerReader& r, std::int64_t& v) {
    BerReader c{};
    return r.expect(0x02, c) && signed_value(c, 8, v);
}

bool decode_oid(const BerReader& c, Oid& out) {
    out.clear();
    if (c.empty()) return false;
    std::size_t ends = 0;  // subidentifiers: one allocation, not one per doubling
    for (auto* q = c.p; q < c.end; ++q) ends += !(*q & 0x80);
    out.reserve(std::min<std::size_t>(ends + 1, 129));
    std::uint64_t arc = 0;
    int octets = 0;
    for (auto* q = c.p; q < c.end; ++q) {
        if (++octets > 5) return false;  // 5 base-128 octets hold 35 bits: enough to see an overflow
        arc = (arc << 7) | (*q & 0x7f);
        if (*q & 0x80) continue;
        if (out.empty()) {  // the first subidentifier holds two arcs (X.690 8.19.4)
            const std::uint64_t first = arc < 40 ? 0 : arc < 80 ? 1 : 2;
            arc -= first * 40;
            out.push_back(static_cast<std::uint32_t>(first));
        }
        if (arc > 0xffffffffULL || out.size() >= 128) return false;
        out.push_back(static_cast<std::uint32_t>(arc));
        arc = 0;
        octets = 0;
    }
    return octets == 0;  // the last subidentifier ended
}

bool decode_value(unsigned char tag, const BerReader& c, RawValue& v) {
    v.bytes.clear();
    v.oid.clear();
    v.integer = 0;
    v.unsigned_value = 0;
    std::int64_t n = 0;
    switch (tag) {
        case 0x02:
            v.type = ValueType::integer;
            if (!signed_value(c, 8, n)) return false;
            v.integer = n;
            return true;
        case 0x41:
        case 0x42:
        case 0x43:
            v.type = tag == 0x41 ? ValueType::counter32 : tag == 0x42 ? ValueType::gauge32 : ValueType::timeticks;
            if (!unsigned_value(c, 4, v.unsigned_value)) return false;
            v.unsigned_value &= 0xffffffffULL;
            return true;
        case 0x46:
            v.type = ValueType::counter64;
            return unsigned_value(c, 8, v.unsigned_value);
        case 0x06:
            v.type = ValueType::object_id;
            return decode_oid(c, v.oid);
        case 0x05: v.type = ValueType::null; return true;
        case 0x80: v.type = ValueType::no_such_object; return true;
        case 0x81: v.type = ValueType::no_such_instance; return true;
        case 0x82: v.type = ValueType::end_of_mib_view; return true;
        case 0x04: v.type = ValueType::octet_string; break;
        case 0x40: v.type = ValueType::ip_address; break;
        case 0x44: v.type = ValueType::opaque; break;
        default: v.type = ValueType::unknown; break;
    }
    v.bytes.assign(reinterpret_cast<const char*>(c.p), c.size());
    return true;
}

}  // namespace

bool decode_community_response(std::string_view message, CommunityResponse& out) {
    // The varbinds already in `out` are decoded over (their OID buffers reused), then trimmed.
    std::size_t used = 0;
    struct Trim {
        std::vector<VarBind>& v;
        std::size_t& n;
        ~Trim() { v.resize(std::min(n, v.size())); }
    } trim{out.varbinds, used};
    BerReader wire{reinterpret_cast<const unsigned char*>(message.data()),
                   reinterpret_cast<const unsigned char*>(message.data()) + message.size()};
    BerReader msg{}, community{}, pdu{}, list{};
    std::int64_t version = 0, id = 0, status = 0, index = 0;
    if (!wire.expect(0x30, msg) || !integer_field(msg, version) || (version != 0 && version != 1) ||
        !msg.expect(0x04, community) || !msg.expect(0xA2, pdu) || !integer_field(pdu, id) ||
        !integer_field(pdu, status) || !integer_field(pdu, index) || !pdu.expect(0x30, list) ||
        !pdu.empty() || !msg.empty())  // nothing may hide after the varbind list
        return false;
    if (id < INT32_MIN || id > INT32_MAX) return false;
    out.version = static_cast<int>(version);
    out.community = std::string_view(reinterpret_cast<const char*>(community.p), community.size());
    out.request_id = static_cast<std::int32_t>(id);
    out.error_status = static_cast<long>(status);
    out.error_index = static_cast<long>(index);
    std::size_t count = 0;
    for (BerReader scan = list, vb{}; !scan.empty(); ++count)
        if (!scan.expect(0x30, vb)) return false;
    out.varbinds.reserve(count);
    while (!list.empty()) {
        BerReader vb{}, name{}, value{};
        unsigned char tag = 0;
        list.expect(0x30, vb);  // checked above
        VarBind& b = used < out.varbinds.size() ? out.varbinds[used] : out.varbinds.emplace_back();
        ++used;
        if (!vb.expect(0x06, name) || !decode_oid(name, b.oid) || !vb.next(tag, value) ||
            !decode_value(tag, value, b.value) || !vb.empty())
            return false;
    }
    return true;
}

std::string encode_community_request(const CommunityRequest& request) {
    thread_local std::string buffer;  // kept per thread: no allocation but the result
    ReverseWriter w(buffer);
    const auto message = w.written();
    const auto pdu = w.written();
    const auto varbinds = w.written();
    if (request.oids) {
        for (auto it = request.oids->rbegin(); it != request.oids->rend(); ++it) {
            const auto varbind = w.written();
            w.byte(0x00);  // NULL value
            w.byte(0x05);
            w.oid(*it);
            w.close(0x30, varbind);
        }
    }
    w.close(0x30, varbinds);
    const bool bulk = request.command == ReadCommand::get_bulk && request.version != 0;
    w.integer(bulk ? request.max_repetitions : 0);  // error-index, or max-repetitions
    w.integer(0);                                    // error-status, or non-repeaters
    w.integer(request.request_id);
    w.close(pdu_tag(request.command, request.version), pdu);
    const auto community = w.written();
    w.bytes(request.community);
    w.close(0x04, community);
    w.integer(request.version);
    w.close(0x30, message);
    return std::string(w.data());
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
