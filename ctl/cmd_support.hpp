#pragma once
// What the control-socket subcommands share: option parsing (global --socket/--config/--json
// plus each command's own), talking to avmond with the documented exit codes and messages,
// finding the store for direct read-only access, and plain-text tables.
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "daemon/control/client.hpp"
#include "daemon/control/protocol.hpp"

namespace avmon::ctl {

using control::Json;

// Documented in docs/avmonctl.1.md.
enum Exit : int {
    exit_ok = 0,
    exit_failed = 1,          // avmond (or the store / config) reported an error
    exit_usage = 2,
    exit_not_running = 3,     // no socket, nobody listening, or the connection broke
    exit_permission = 4,      // the socket's permissions refuse this user
};

inline constexpr const char* default_socket = "/run/avmon/avmond.sock";
inline constexpr const char* default_config = "/etc/avmon/avmon.toml";

struct Options {
    std::string socket;                          // --socket
    std::string config;                          // --config
    bool json = false;                           // --json
    std::vector<std::string> positional;
    std::map<std::string, std::string> values;   // "--note" -> text
    std::set<std::string> flags;                 // "--all"
    bool help = false;

    std::optional<std::string> get(const std::string& name) const;
    bool has(const std::string& name) const { return flags.count(name) || values.count(name); }
};

// Parses args; `valued` lists options that take a value, `bool_flags` those that do not, and
// `maybe_valued` those that take the next argument as value when it is not an option
// ("--mail" or "--mail a@x,b@y"; a flag without one). On a usage error prints it with the
// usage text and returns nullopt.
std::optional<Options> parse_options(std::span<char* const> args, std::string_view command,
                                     std::string_view usage, const std::set<std::string>& valued,
                                     const std::set<std::string>& bool_flags = {},
                                     const std::set<std::string>& maybe_valued = {});
int usage_error(std::string_view command, std::string_view usage, const std::string& message);

// The socket to use: --socket, $AVMON_SOCKET, the --config file's daemon settings, the default.
std::string socket_path(const Options& o);

// One request to avmond. On success returns exit_ok and fills `result`; otherwise prints what
// went wrong and what to do, and returns the exit code (1, 3 or 4).
int call(const Options& o, const std::string& cmd, const Json& args, Json& result);

// The config without resolving secrets (no privileges needed); prints errors, nullopt if invalid.
std::optional<config::Config> load_config_quiet(const std::string& path, bool print_errors = true);
// The store file: from --config when given, else from avmond's status. Prints why not.
std::optional<std::string> store_path(const Options& o, int& exit_code);

// Prints the JSON result (for --json).
void print_json(const Json& j);

// A plain-text table: columns padded to the widest cell, the last column unpadded.
void print_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);

// "2026-11-24T06:53:00Z" from a JSON time (or "-" for null).
std::string show_time(const Json& t);
std::string str(const Json& j);  // a JSON scalar as text ("" for null)

}  // namespace avmon::ctl
