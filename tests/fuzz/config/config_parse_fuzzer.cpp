// Arbitrary bytes as avmon.toml and as a profile file: the loader must never crash, hang
// or leak, and what it returns must be self-consistent.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "config/loader.hpp"

namespace {

void require(bool condition) {
    if (!condition) std::abort();  // an invariant broke: let the fuzzer keep the input
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace avmon::config;
    std::string_view text(reinterpret_cast<const char*>(data), size);

    LoadOptions options;
    options.resolve_secrets = false;              // no environment, no secret files
    options.use_configured_profile_dirs = false;  // the input must not make us scan the disk
    options.getenv = [](const char*) -> const char* { return nullptr; };

    LoadResult r = parse_config(text, "fuzz.toml", options);
    require(r.ok() == (r.config.has_value() && r.errors.empty()));
    require(r.config.has_value() == r.errors.empty());
    for (const auto& e : r.errors) require(!e.to_string().empty() && !e.message.empty());
    if (r.config) {
        const Config& c = *r.config;
        for (const auto& d : c.devices) {
            require(c.find_device(d.id) != nullptr);
            (void)c.rules_for(d);
            if (!d.profile.empty()) require(c.profile_for(d) != nullptr);
        }
        require(c.policies.size() == 4);
        require(!c.chains.empty());
        require(describe_changes(c, c).empty());
    }

    ProfileResult p = parse_profile(text, "fuzz-profile.toml");
    require(p.profile.has_value() == p.errors.empty());
    return 0;
}
