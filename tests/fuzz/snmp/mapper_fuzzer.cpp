// Fuzzes the profile mapper with device data shaped by the input: a fixed profile with every
// metric kind, rows and values taken from the bytes, mapped twice (so counter rates run).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "probes/snmp/profile_mapper.hpp"

using namespace avmon;
using namespace avmon::snmp;

namespace {

config::Profile fuzz_profile() {
    config::Profile p;
    auto add = [&](const char* name, const char* oid, config::MetricDef::Kind kind, bool walk, const char* index) {
        config::MetricDef m;
        m.name = name;
        m.source = oid;
        m.kind = kind;
        m.walk = walk;
        m.index_source = index;
        m.value_map = {{"on", 1}, {"off", 0}};
        p.metrics.push_back(m);
    };
    using K = config::MetricDef::Kind;
    add("gauge", "1.3.6.1.4.1.1.1.0", K::gauge, false, "");
    add("fact", "1.3.6.1.4.1.1.2.0", K::fact, false, "");
    add("state", "1.3.6.1.4.1.1.3.0", K::state, false, "");
    add("rows", "1.3.6.1.2.1.2.2.1.8", K::state, true, "1.3.6.1.2.1.31.1.1.1.1");
    add("rate", "1.3.6.1.2.1.31.1.1.1.6", K::counter, true, "1.3.6.1.2.1.31.1.1.1.1");
    add("sensor", ent_sensor_value_oid, K::gauge, true, "");
    add("poe", peth_main_consumption_oid, K::gauge, true, "");
    return p;
}

struct Bytes {
    const std::uint8_t* data;
    std::size_t size;
    std::size_t pos = 0;
    std::uint8_t next() { return pos < size ? data[pos++] : 0; }
    std::string text(std::size_t max) {
        std::size_t n = next() % (max + 1);
        std::string s;
        while (n-- && pos < size) s += static_cast<char>(data[pos++]);
        return s;
    }
    RawValue value() {
        static const ValueType types[] = {ValueType::integer, ValueType::octet_string, ValueType::null,
                                          ValueType::counter32, ValueType::counter64, ValueType::gauge32,
                                          ValueType::no_such_instance, ValueType::end_of_mib_view};
        RawValue v;
        v.type = types[next() % (sizeof types / sizeof types[0])];
        std::uint64_t n = 0;
        for (int i = 0; i < 8; ++i) n = (n << 8) | next();
        v.unsigned_value = v.type == ValueType::counter64 ? n : (n & 0xffffffffULL);
        v.integer = static_cast<std::int32_t>(n);
        if (v.type == ValueType::octet_string) v.bytes = text(16);
        return v;
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const config::Profile profile = fuzz_profile();
    ProfileMapper mapper(profile);
    Bytes in{data, size};
    SysTime t = from_unix_ms(1'700'000'000'000);
    for (int poll = 0; poll < 2; ++poll) {
        RawPoll raw;
        if (in.next() & 1) raw.uptime_ticks = static_cast<std::uint32_t>(in.next()) << (in.next() % 25);
        raw.scalars["1.3.6.1.4.1.1.1.0"] = in.value();
        raw.scalars["1.3.6.1.4.1.1.2.0"] = in.value();
        if (in.next() & 1) raw.scalars["1.3.6.1.4.1.1.3.0"] = in.value();
        else raw.scalar_errors["1.3.6.1.4.1.1.3.0"] = in.text(8);
        for (const auto& column : mapper.columns()) {
            auto& c = raw.columns[to_string(column)];
            std::size_t rows = in.next() % 6;
            for (std::size_t r = 0; r < rows; ++r) c.rows.emplace_back(std::to_string(in.next() % 4), in.value());
            if (in.next() % 7 == 0) c.error = in.text(8);
        }
        PollResult out;
        mapper.map(raw, "fuzz", t, out);
        for (const auto& s : out.samples)
            if (s.metric.empty() || s.device != "fuzz") std::abort();
        t += std::chrono::milliseconds(1 + in.next() * 100);
    }
    return 0;
}
