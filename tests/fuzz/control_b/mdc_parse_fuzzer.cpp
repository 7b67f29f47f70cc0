// Feeds arbitrary bytes through the MDC stream scanner, frame parser and every decoder, the
// way the probe does with what a display (or line noise) sends.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "probes/control/mdc_codec.hpp"

using namespace avmon::mdc;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::span<const std::uint8_t> rest(data, size);
    (void)is_secured_protocol_greeting(rest);
    while (!rest.empty()) {
        const auto s = scan_response(rest);
        if (s.offset > rest.size()) std::abort();
        if (s.outcome != ScanOutcome::complete) break;
        if (s.length == 0 || s.offset + s.length > rest.size()) std::abort();
        const auto frame = rest.subspan(s.offset, s.length);
        const auto p = parse_response(frame);
        if (!p.response) std::abort();  // the scanner only delimits frames that parse
        for (auto c : {Command::status, Command::serial_number, Command::error_status, Command::software_version,
                       Command::power, Command::input_source, Command::panel_on_time, Command::model_name,
                       Command::panel}) {
            (void)decode(c, p.response->data);
        }
        rest = rest.subspan(s.offset + s.length);
    }
    // The parser must also cope with undelimited input.
    (void)parse_response(std::span<const std::uint8_t>(data, size));
    return 0;
}
