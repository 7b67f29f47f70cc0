#pragma once
// How a protocol tells the link layer where a reply ends. Asio-free, so protocol codecs
// (which are fuzzed) can build predicates without pulling in the I/O code.
#include <cstddef>
#include <functional>
#include <string_view>

namespace avmon::link {

// What a FrameComplete predicate says about the bytes buffered so far.
struct FrameStatus {
    enum class Kind {
        incomplete,  // need more bytes
        complete,    // the first `bytes` bytes are one reply frame
        garbage,     // the first `bytes` bytes are junk (or an unrelated frame): drop them, look again
    };
    Kind kind = Kind::incomplete;
    std::size_t bytes = 0;

    static FrameStatus incomplete() { return {Kind::incomplete, 0}; }
    static FrameStatus complete(std::size_t n) { return {Kind::complete, n}; }
    static FrameStatus garbage(std::size_t n) { return {Kind::garbage, n}; }
};

// Called with everything received and not yet consumed, every time more arrives.
// It may be called many times for one request; it may keep state of its own (e.g. record
// unrelated frames it skips). It must not throw.
using FrameComplete = std::function<FrameStatus(std::string_view buffered)>;

// The common case: a frame ends with `terminator` (inclusive).
inline FrameComplete frame_until(char terminator) {
    return [terminator](std::string_view b) {
        auto pos = b.find(terminator);
        return pos == std::string_view::npos ? FrameStatus::incomplete() : FrameStatus::complete(pos + 1);
    };
}

}  // namespace avmon::link
