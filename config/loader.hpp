#pragma once
// Loading avmon.toml and the device profiles into a validated Config.
//
// Every problem is collected (not just the first) as "file:line:col: key: message", with the
// dotted key path of the offending value ("device[3].snmp.timeout"). Secret values
// (communities, v3 keys, passwords) are resolved from "env:NAME" / "file:path" here,
// registered with the log facade for masking, and never appear in an error or warning.
#include <chrono>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/duration.hpp"  // parse_duration, parse_duration_ms, format_duration ...
#include "config/model.hpp"

namespace avmon::config {

struct ConfigError {
    Location where;
    std::string key;      // dotted path, e.g. "device[3].snmp.timeout"; may be empty
    std::string message;  // never contains a secret value
    std::string to_string() const;  // "file:line:col: key: message"
};

struct LoadOptions {
    // Searched after daemon.profile_dirs (tests, `avmond --profile-dir`).
    std::vector<std::string> extra_profile_dirs;
    // false: "env:"/"file:" references stay as written and nothing is registered as a
    // secret (avmonctl check-config without privileges, the fuzzer).
    bool resolve_secrets = true;
    // Where "env:NAME" secrets come from; tests inject their own.
    std::function<const char*(const char*)> getenv = [](const char* name) { return std::getenv(name); };
    // false: daemon.profile_dirs are ignored (only extra_profile_dirs and inline profiles).
    bool use_configured_profile_dirs = true;
};

struct LoadResult {
    std::optional<Config> config;          // set only when there are no errors
    std::vector<ConfigError> errors;
    std::vector<ConfigError> warnings;
    bool ok() const { return config.has_value() && errors.empty(); }
};

// True for the warning that a file holding secrets is readable by other users (log it with
// msgid::config_insecure; other warnings are ordinary config warnings).
bool is_insecure_permissions_warning(const ConfigError& warning);

// Reads and validates the config file; relative paths in it resolve against its directory.
// Warns when the file (or a secret file it names) holds secrets and is readable by others.
LoadResult load_config_file(const std::string& path, const LoadOptions& options = {});

// The same for text in memory, named `source_name` in errors. No file-permission checks;
// relative paths (profile dirs, secret files) resolve against the current directory.
LoadResult parse_config(std::string_view toml_text, const std::string& source_name,
                        const LoadOptions& options = {});

// One profile, as in config/profiles/<name>.toml.
struct ProfileResult {
    std::optional<Profile> profile;        // set only when there are no errors
    std::vector<ConfigError> errors;
    std::vector<ConfigError> warnings;
    bool ok() const { return profile.has_value() && errors.empty(); }
};
ProfileResult load_profile_file(const std::string& path);
ProfileResult parse_profile(std::string_view toml_text, const std::string& source_name);

// What a reload changes, one human line each, e.g. "device r1-proj added",
// "device sw-1: interval 1m -> 30s", "smtp changed". Never prints a secret value.
std::vector<std::string> describe_changes(const Config& before, const Config& after);

// Every key avmon.toml accepts, as dotted paths ("device.snmp.timeout",
// "severity.<level>.ack"); the man page documents exactly these.
const std::vector<std::string>& known_keys();
// Every key a profile file accepts ("profile.name", "metric.source", "rule.kind").
const std::vector<std::string>& known_profile_keys();

// Defaults the loader fills in when the config is silent.
std::map<Severity, SeverityPolicy> default_severity_policies();
EscalationChain default_chain();
// TCP port a control protocol listens on by default (4352, 1515, 7142, 2202); 0 if unknown.
std::uint16_t default_control_port(std::string_view protocol);

}  // namespace avmon::config
