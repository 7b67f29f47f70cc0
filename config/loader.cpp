// The loader's entry points: read the text, run the passes (tables, profiles, cross
// checks), check file permissions, and hand back a Config only when nothing is wrong.
#include "config/loader.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "config/parse_context.hpp"
#include "config/schema.hpp"

namespace avmon::config {

std::string ConfigError::to_string() const {
    std::string out = where.file.empty() ? std::string("<config>") : where.file;
    if (where.line > 0) {
        out += fmt::format(":{}", where.line);
        if (where.column > 0) out += fmt::format(":{}", where.column);
    }
    out += ": ";
    if (!key.empty()) out += key + ": ";
    out += message;
    return out;
}

std::map<Severity, SeverityPolicy> default_severity_policies() {
    using std::chrono::hours;
    using std::chrono::minutes;
    std::map<Severity, SeverityPolicy> m;
    SeverityPolicy one;
    one.ack_deadline = minutes(30);
    one.resolve_deadline = hours(12);
    one.emergency_after = hours(16);
    m[Severity::I] = one;
    SeverityPolicy two;
    two.resolve_deadline = hours(24);
    m[Severity::II] = two;
    SeverityPolicy three;
    three.resolve_deadline = hours(48);
    m[Severity::III] = three;
    SeverityPolicy four;
    four.resolve_deadline = hours(5 * 24);
    m[Severity::IV] = four;
    return m;
}

EscalationChain default_chain() {
    EscalationChain c;
    c.id = "default";
    c.levels.push_back(EscalationLevel{"on-duty engineer", {"on-duty"}});
    return c;
}

std::uint16_t default_control_port(std::string_view protocol) {
    if (protocol == "pjlink") return 4352;
    if (protocol == "mdc") return 1515;
    if (protocol == "nec") return 7142;
    if (protocol == "shure") return 2202;
    return 0;
}

namespace {

constexpr std::string_view kInsecureSuffix = "is readable by other users; chmod 640";

void flatten(const TableSpec& spec, const std::string& prefix, std::vector<std::string>& out) {
    for (const auto& k : spec.keys) {
        std::string name(k.doc_name.empty() ? k.name : k.doc_name);
        std::string path = prefix.empty() ? name : prefix + "." + name;
        if (k.child)
            flatten(*k.child, path, out);
        else if (std::find(out.begin(), out.end(), path) == out.end())
            out.push_back(path);
    }
}

bool readable_by_others(const std::filesystem::path& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 && (st.st_mode & S_IROTH) != 0;
}

LoadResult run_load(std::string_view text, const std::string& source_name, const std::filesystem::path& base_dir,
                    const LoadOptions& options, bool check_permissions) {
    detail::Context ctx{{}, options, base_dir, source_name, false, std::nullopt, {}};
    detail::ParsedConfig pc;
    LoadResult out;
    bool parsed = false;
    try {
        toml::table root = toml::parse(text, source_name);
        detail::parse_root(ctx, root, pc);
        detail::load_profiles(ctx, pc);
        detail::cross_check(ctx, pc);
        parsed = true;
    } catch (const toml::parse_error& e) {
        ctx.diag.error(detail::location_of(e.source(), source_name), "",
                       fmt::format("TOML syntax error: {}", e.description()));
    }
    if (parsed && check_permissions) {
        if (ctx.literal_secret_in_config && readable_by_others(source_name))
            ctx.diag.warning(Location{source_name, 0, 0}, "",
                             fmt::format("{} holds secrets and {}", source_name, kInsecureSuffix));
        std::set<std::filesystem::path> warned;
        for (const auto& use : ctx.secret_files)
            if (readable_by_others(use.file) && warned.insert(use.file).second)
                ctx.diag.warning(use.where, use.key,
                                 fmt::format("secret file {} {}", use.file.string(), kInsecureSuffix));
    }
    out.errors = std::move(ctx.diag.errors);
    out.warnings = std::move(ctx.diag.warnings);
    if (parsed && out.errors.empty()) out.config = std::move(pc.config);
    return out;
}

}  // namespace

bool is_insecure_permissions_warning(const ConfigError& warning) {
    const std::string& m = warning.message;
    return m.size() >= kInsecureSuffix.size() && m.compare(m.size() - kInsecureSuffix.size(), std::string::npos,
                                                           kInsecureSuffix) == 0;
}

const std::vector<std::string>& known_keys() {
    static const std::vector<std::string> keys = [] {
        std::vector<std::string> out;
        flatten(schema::config_root(), "", out);
        return out;
    }();
    return keys;
}

const std::vector<std::string>& known_profile_keys() {
    static const std::vector<std::string> keys = [] {
        std::vector<std::string> out;
        flatten(schema::profile_file(), "", out);
        return out;
    }();
    return keys;
}

LoadResult parse_config(std::string_view toml_text, const std::string& source_name, const LoadOptions& options) {
    std::error_code ec;
    auto cwd = std::filesystem::current_path(ec);
    return run_load(toml_text, source_name, cwd, options, false);
}

LoadResult load_config_file(const std::string& path, const LoadOptions& options) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        LoadResult out;
        out.errors.push_back({Location{path, 0, 0}, "", fmt::format("cannot read config file: {}", std::strerror(errno))});
        return out;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    std::error_code ec;
    auto abs = std::filesystem::absolute(path, ec);
    return run_load(ss.str(), path, abs.parent_path(), options, true);
}

}  // namespace avmon::config
