// Feeds arbitrary bytes through the PJLink stream splitter, greeting and reply parsers and the
// decoder of every item, the way the probe does with what a projector sends.
#include <cstdint>
#include <string_view>

#include "probes/control/pjlink_codec.hpp"

using namespace avmon;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view stream(reinterpret_cast<const char*>(data), size);
    static constexpr std::string_view kItems[] = {"POWR", "ERST", "LAMP", "INPT", "AVMT", "CLSS", "NAME", "INF1",
                                                  "INF2", "INFO", "FILT", "SNUM", "SVER", "RLMP", "RFIL"};
    while (!stream.empty()) {
        auto fs = pjlink::frame_status(stream);
        if (fs.kind == link::FrameStatus::Kind::incomplete) break;
        std::size_t n = fs.bytes == 0 ? 1 : (fs.bytes > stream.size() ? stream.size() : fs.bytes);
        if (fs.kind == link::FrameStatus::Kind::complete) {
            std::string_view frame = stream.substr(0, n);
            std::string error;
            (void)pjlink::parse_greeting(frame, error);
            if (auto reply = pjlink::parse_reply(frame, error)) {
                for (auto name : kItems) {
                    auto readings = pjlink::decode(*pjlink::find_item(name), *reply);
                    if (readings.empty()) __builtin_trap();  // every item yields at least one reading
                }
            }
        }
        stream.remove_prefix(n);
    }
    return 0;
}
