#include "probes/snmp/usm_discovery_codec.hpp"

namespace avmon::snmp {

namespace {

// ---- encoding (short definite lengths suffice: the probe is well under 128 bytes) ----

std::string tlv(unsigned char tag, const std::string& content) {
    std::string out;
    out += static_cast<char>(tag);
    out += static_cast<char>(content.size());
    out += content;
    return out;
}

std::string integer(std::int64_t v) {
    std::string bytes;
    // Minimal two's-complement big-endian encoding.
    do {
        bytes.insert(bytes.begin(), static_cast<char>(v & 0xff));
        v >>= 8;
    } while (v != 0 && v != -1);
    if (v == 0 && (static_cast<unsigned char>(bytes.front()) & 0x80)) bytes.insert(bytes.begin(), '\0');
    if (v == -1 && !(static_cast<unsigned char>(bytes.front()) & 0x80)) bytes.insert(bytes.begin(), '\xff');
    return tlv(0x02, bytes);
}

std::string octets(const std::string& s) { return tlv(0x04, s); }
std::string sequence(const std::string& s) { return tlv(0x30, s); }

// ---- decoding ----

class Reader {
public:
    explicit Reader(std::string_view data) : data_(data) {}

    // Reads one TLV with the expected tag; its content goes to `content`.
    bool next(unsigned char tag, std::string_view& content) {
        if (pos_ >= data_.size() || static_cast<unsigned char>(data_[pos_]) != tag) return false;
        ++pos_;
        if (pos_ >= data_.size()) return false;
        std::size_t len = static_cast<unsigned char>(data_[pos_++]);
        if (len & 0x80) {
            std::size_t count = len & 0x7f;
            if (count == 0 || count > 4 || pos_ + count > data_.size()) return false;
            len = 0;
            for (std::size_t i = 0; i < count; ++i) len = (len << 8) | static_cast<unsigned char>(data_[pos_++]);
        }
        if (len > data_.size() - pos_) return false;
        content = data_.substr(pos_, len);
        pos_ += len;
        return true;
    }

    bool next_integer(std::int64_t& value) {
        std::string_view c;
        if (!next(0x02, c) || c.empty() || c.size() > 8) return false;
        std::int64_t v = (static_cast<unsigned char>(c[0]) & 0x80) ? -1 : 0;
        for (char ch : c) v = static_cast<std::int64_t>((static_cast<std::uint64_t>(v) << 8) | static_cast<unsigned char>(ch));
        value = v;
        return true;
    }

private:
    std::string_view data_;
    std::size_t pos_ = 0;
};

}  // namespace

std::string build_discovery_probe(std::int32_t msg_id, std::int32_t request_id) {
    std::string global = sequence(integer(msg_id) + integer(65507) + octets(std::string(1, '\x04')) + integer(3));
    std::string usm = sequence(octets("") + integer(0) + integer(0) + octets("") + octets("") + octets(""));
    std::string get_pdu = tlv(0xA0, integer(request_id) + integer(0) + integer(0) + sequence(""));
    std::string scoped = sequence(octets("") + octets("") + get_pdu);
    return sequence(integer(3) + global + octets(usm) + scoped);
}

std::optional<EngineReport> parse_discovery_report(std::string_view datagram) {
    Reader message(datagram);
    std::string_view body;
    if (!message.next(0x30, body)) return std::nullopt;
    Reader fields(body);
    std::int64_t version = 0;
    if (!fields.next_integer(version) || version != 3) return std::nullopt;
    std::string_view global;
    if (!fields.next(0x30, global)) return std::nullopt;
    EngineReport report;
    Reader header(global);
    std::int64_t max_size = 0, model = 0;
    std::string_view flags;
    if (!header.next_integer(report.msg_id) || !header.next_integer(max_size) || !header.next(0x04, flags) ||
        !header.next_integer(model) || model != 3)
        return std::nullopt;
    std::string_view security;
    if (!fields.next(0x04, security)) return std::nullopt;
    Reader usm_outer(security);
    std::string_view usm_body;
    if (!usm_outer.next(0x30, usm_body)) return std::nullopt;
    Reader usm(usm_body);
    std::string_view engine;
    std::int64_t boots = 0, time = 0;
    if (!usm.next(0x04, engine) || !usm.next_integer(boots) || !usm.next_integer(time)) return std::nullopt;
    // RFC 3411: an engine id is 5..32 octets; boots and time are 0..2^31-1.
    if (engine.size() < 5 || engine.size() > 32 || boots < 0 || boots > 0x7fffffff || time < 0 || time > 0x7fffffff)
        return std::nullopt;
    report.engine_id.assign(engine.data(), engine.size());
    report.boots = static_cast<std::uint32_t>(boots);
    report.time = static_cast<std::uint32_t>(time);
    return report;
}

}  // namespace avmon::snmp
