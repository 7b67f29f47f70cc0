#include "ctl/cmd_support.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "config/loader.hpp"

namespace avmon::ctl {

std::optional<std::string> Options::get(const std::string& name) const {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
}

int usage_error(std::string_view command, std::string_view usage, const std::string& message) {
    std::fprintf(stderr, "avmonctl %.*s: %s\n\n%.*s", static_cast<int>(command.size()), command.data(),
                 message.c_str(), static_cast<int>(usage.size()), usage.data());
    return exit_usage;
}

std::optional<Options> parse_options(std::span<char* const> args, std::string_view command, std::string_view usage,
                                     const std::set<std::string>& valued, const std::set<std::string>& bool_flags,
                                     const std::set<std::string>& maybe_valued) {
    Options o;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string a = args[i];
        std::optional<std::string> inline_value;
        if (a.rfind("--", 0) == 0) {
            if (auto eq = a.find('='); eq != std::string::npos) {
                inline_value = a.substr(eq + 1);
                a = a.substr(0, eq);
            }
        }
        auto value = [&]() -> std::optional<std::string> {
            if (inline_value) return inline_value;
            if (i + 1 >= args.size()) {
                usage_error(command, usage, a + " needs a value");
                return std::nullopt;
            }
            return std::string(args[++i]);
        };
        if (a == "--help" || a == "-h") {
            o.help = true;
        } else if (a == "--json") {
            o.json = true;
        } else if (a == "--socket" || a == "--config") {
            auto v = value();
            if (!v) return std::nullopt;
            (a == "--socket" ? o.socket : o.config) = *v;
        } else if (valued.count(a)) {
            auto v = value();
            if (!v) return std::nullopt;
            o.values[a] = *v;
        } else if (bool_flags.count(a)) {
            o.flags.insert(a);
        } else if (maybe_valued.count(a)) {
            o.flags.insert(a);
            if (inline_value) o.values[a] = *inline_value;
            else if (i + 1 < args.size() && args[i + 1][0] != '-') o.values[a] = args[++i];
        } else if (a == "--") {
            for (++i; i < args.size(); ++i) o.positional.emplace_back(args[i]);
        } else if (a.size() > 1 && a[0] == '-') {
            usage_error(command, usage, "unknown option " + a);
            return std::nullopt;
        } else {
            o.positional.push_back(a);
        }
    }
    return o;
}

std::optional<config::Config> load_config_quiet(const std::string& path, bool print_errors) {
    config::LoadOptions lo;
    lo.resolve_secrets = false;  // avmonctl needs no secrets, and may not be allowed to read them
    auto r = config::load_config_file(path, lo);
    if (!r.ok()) {
        if (print_errors)
            for (const auto& e : r.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
        return std::nullopt;
    }
    return std::move(r.config);
}

std::string socket_path(const Options& o) {
    if (!o.socket.empty()) return o.socket;
    if (const char* env = std::getenv("AVMON_SOCKET"); env && *env) return env;
    if (!o.config.empty()) {
        if (auto cfg = load_config_quiet(o.config, false)) {
            if (!cfg->daemon.control_socket.empty()) return cfg->daemon.control_socket;
            return cfg->daemon.runtime_dir + "/avmond.sock";
        }
    }
    return default_socket;
}

int call(const Options& o, const std::string& cmd, const Json& args, Json& result) {
    const std::string path = socket_path(o);
    control::ControlClient client;
    if (!client.connect(path)) {
        switch (client.failure()) {
            case control::ConnectFailure::not_running:
                std::fprintf(stderr,
                             "avmonctl: avmond is not running (%s at %s): systemctl start avmond, or point "
                             "--socket at its socket\n",
                             client.error().c_str(), path.c_str());
                return exit_not_running;
            case control::ConnectFailure::permission_denied:
                std::fprintf(stderr,
                             "avmonctl: permission denied on %s: add yourself to the socket's group "
                             "(usermod -aG avmon $USER, then log in again) or use sudo\n",
                             path.c_str());
                return exit_permission;
            default:
                std::fprintf(stderr, "avmonctl: cannot connect to avmond at %s: %s\n", path.c_str(),
                             client.error().c_str());
                return exit_not_running;
        }
    }
    control::Response r;
    try {
        r = client.call(cmd, args);
    } catch (const control::ControlError& e) {
        std::fprintf(stderr, "avmonctl: %s (socket %s); is avmond healthy? journalctl -u avmond\n", e.what(),
                     path.c_str());
        return exit_not_running;
    }
    if (!r.ok) {
        if (o.json) {
            print_json(Json{{"ok", false}, {"error", {{"code", r.code}, {"message", r.message}}}});
        } else {
            std::fprintf(stderr, "avmonctl: %s\n", r.message.c_str());
            if (r.code == control::err::unknown_alarm)
                std::fprintf(stderr, "  `avmonctl alarms` lists the alarms avmond holds\n");
            else if (r.code == control::err::unknown_window)
                std::fprintf(stderr, "  `avmonctl maintenance list` shows the windows and their ids\n");
            else if (r.code == control::err::unsupported_version)
                std::fprintf(stderr, "  avmonctl and avmond are different versions: use the avmonctl installed "
                                     "with avmond\n");
        }
        return exit_failed;
    }
    result = std::move(r.result);
    return exit_ok;
}

std::optional<std::string> store_path(const Options& o, int& exit_code) {
    if (!o.config.empty()) {
        auto cfg = load_config_quiet(o.config);
        if (!cfg) {
            std::fprintf(stderr, "avmonctl: %s is not a valid configuration\n", o.config.c_str());
            exit_code = exit_failed;
            return std::nullopt;
        }
        return cfg->store.path;
    }
    Json status;
    exit_code = call(o, "status", Json::object(), status);
    if (exit_code != exit_ok) {
        std::fprintf(stderr, "  (or name the configuration with --config FILE to find the store without avmond)\n");
        return std::nullopt;
    }
    return status.value("store_path", std::string());
}

void print_json(const Json& j) {
    std::fputs((j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n").c_str(), stdout);
}

void print_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
    std::vector<std::size_t> width(header.size(), 0);
    auto measure = [&](const std::vector<std::string>& row) {
        for (std::size_t i = 0; i < row.size() && i < width.size(); ++i) width[i] = std::max(width[i], row[i].size());
    };
    measure(header);
    for (const auto& r : rows) measure(r);
    auto print = [&](const std::vector<std::string>& row) {
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i) {
            line += row[i];
            if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
        }
        std::puts(line.c_str());
    };
    print(header);
    for (const auto& r : rows) print(r);
}

std::string str(const Json& j) {
    if (j.is_null()) return "";
    if (j.is_string()) return j.get<std::string>();
    return j.dump();
}

std::string show_time(const Json& t) { return t.is_null() ? "-" : str(t); }

}  // namespace avmon::ctl
