// Feeds arbitrary bytes through the NEC stream scanner, frame parser and reply decoders.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "probes/control/nec_codec.hpp"

using namespace avmon::nec;

namespace {
void decode_all(const Frame& f) {
    (void)decode_power_status(f);
    if (auto d = decode_self_diagnosis(f); d.value)
        for (auto c : d.value->codes) (void)diagnosis_text(c);
    if (auto p = decode_parameter_reply(f); p.value) (void)temperature_celsius(p.value->current);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::span<const std::uint8_t> rest(data, size);
    while (!rest.empty()) {
        const auto s = scan(rest);
        if (s.offset > rest.size()) std::abort();
        if (s.outcome != ScanOutcome::complete) break;
        if (s.length == 0 || s.offset + s.length > rest.size()) std::abort();
        const auto p = parse_frame(rest.subspan(s.offset, s.length));
        if (!p.frame) std::abort();  // the scanner only delimits frames that parse
        decode_all(*p.frame);
        rest = rest.subspan(s.offset + s.length);
    }
    if (auto p = parse_frame(std::span<const std::uint8_t>(data, size)); p.frame) decode_all(*p.frame);
    return 0;
}
