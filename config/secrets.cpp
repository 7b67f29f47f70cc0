#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "config/parse_context.hpp"
#include "daemon/core/log.hpp"

namespace avmon::config::detail {
namespace {

std::optional<std::string> read_whole_file(const std::filesystem::path& p, std::string& why) {
    std::ifstream in(p, std::ios::binary);
    if (!in) {
        why = std::strerror(errno);
        return std::nullopt;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) {
        why = "read error";
        return std::nullopt;
    }
    return ss.str();
}

}  // namespace

std::optional<std::string> resolve_secret(Context& ctx, const std::string& text, const Location& where,
                                          const std::string& key) {
    auto fail = [&](std::string msg) -> std::optional<std::string> {
        ctx.diag.error(where, key, std::move(msg));
        return std::nullopt;
    };

    if (text.rfind("env:", 0) == 0) {
        std::string name = text.substr(4);
        if (name.empty()) return fail("\"env:\" needs a variable name, e.g. \"env:AVMON_COMMUNITY\"");
        if (!ctx.options.resolve_secrets) return text;
        const char* value = ctx.options.getenv ? ctx.options.getenv(name.c_str()) : nullptr;
        if (!value) return fail(fmt::format("environment variable {} is not set", name));
        if (!*value) return fail(fmt::format("environment variable {} is empty", name));
        log::register_secret(value);
        return std::string(value);
    }

    if (text.rfind("file:", 0) == 0) {
        std::filesystem::path p(text.substr(5));
        if (p.empty()) return fail("\"file:\" needs a path, e.g. \"file:/etc/avmon/smtp.pw\"");
        if (p.is_relative()) p = ctx.base_dir / p;
        p = p.lexically_normal();
        if (!ctx.options.resolve_secrets) return text;
        std::string why;
        auto content = read_whole_file(p, why);
        if (!content) return fail(fmt::format("cannot read secret file {}: {}", p.string(), why));
        // The newline `echo secret > file` leaves is not part of the secret.
        while (!content->empty() && (content->back() == '\n' || content->back() == '\r')) content->pop_back();
        if (content->empty()) return fail(fmt::format("secret file {} is empty", p.string()));
        ctx.secret_files.push_back({p, where, key});
        log::register_secret(*content);
        return content;
    }

    if (!text.empty()) {
        ctx.literal_secret_in_config = true;
        if (!ctx.first_literal_secret) ctx.first_literal_secret = where;
        if (ctx.options.resolve_secrets) log::register_secret(text);
    }
    return text;
}

std::optional<std::string> read_secret(Context& ctx, TableReader& r, std::string_view key) {
    auto raw = r.secret_text(key);
    if (!raw) return std::nullopt;
    return resolve_secret(ctx, *raw, r.place().at(key), r.place().key(key));
}

}  // namespace avmon::config::detail
