// Feeds arbitrary bytes through the Shure frame splitter, the reply matcher and the decoder.
#include <cstdint>
#include <string>
#include <string_view>

#include "probes/control/shure_codec.hpp"

using namespace avmon;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view stream(reinterpret_cast<const char*>(data), size);
    auto wanted = shure::reply_to(1, "BATT_CHARGE");
    (void)wanted(stream);
    while (!stream.empty()) {
        auto fs = shure::frame_status(stream);
        if (fs.kind == link::FrameStatus::Kind::incomplete) break;
        std::size_t n = fs.bytes == 0 ? 1 : (fs.bytes > stream.size() ? stream.size() : fs.bytes);
        if (fs.kind == link::FrameStatus::Kind::complete) {
            std::string error;
            if (auto message = shure::parse_message(stream.substr(0, n), error)) {
                auto reading = shure::decode(*message);
                if (reading.status == MetricStatus::ok && !reading.number && reading.text.empty() && !message->value.empty())
                    __builtin_trap();  // a value that decodes to nothing at all
            }
        }
        stream.remove_prefix(n);
    }
    return 0;
}
