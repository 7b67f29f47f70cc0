#pragma once
// What `avmonctl report` and `avmonctl fault-report` share: both read the store directly
// (no daemon needed), take the config only for names, zones and SMTP, and write to a file or
// stdout.
#include <optional>
#include <string>
#include <string_view>

#include "config/model.hpp"

namespace avmon::ctl {

// The config for a report: loaded when --config is given or there is no --db (then the
// default path); nullopt without --config when --db names the store. `failed` is set, and
// the errors printed as "avmonctl COMMAND: ...", when the file cannot be loaded.
std::optional<config::Config> load_report_config(std::string_view command, const std::string& config_path,
                                                 bool have_db, bool resolve_secrets, bool& failed);

// Writes the rendered report to `output`; false (and a message) when it cannot.
bool write_report_file(std::string_view command, const std::string& output, const std::string& body);

}  // namespace avmon::ctl
