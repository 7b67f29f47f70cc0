#include "config/reader.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

namespace avmon::config::detail {

void Diagnostics::error(Location where, std::string key, std::string message) {
    errors.push_back({std::move(where), std::move(key), std::move(message)});
}
void Diagnostics::warning(Location where, std::string key, std::string message) {
    warnings.push_back({std::move(where), std::move(key), std::move(message)});
}

Location location_of(const toml::source_region& region, const std::string& fallback_file) {
    Location loc;
    loc.file = region.path ? *region.path : fallback_file;
    loc.line = static_cast<int>(region.begin.line);
    loc.column = static_cast<int>(region.begin.column);
    return loc;
}

std::string Place::key(std::string_view k) const {
    if (path.empty()) return std::string(k);
    return path + "." + std::string(k);
}

Location Place::at() const {
    if (table) {
        Location loc = location_of(table->source(), fallback.file);
        if (loc.line > 0) return loc;
    }
    return fallback;
}

Location Place::at(std::string_view k) const {
    if (table) {
        if (const toml::node* n = table->get(k)) {
            Location loc = location_of(n->source(), fallback.file);
            if (loc.line > 0) return loc;
        }
    }
    return at();
}

bool is_identifier(std::string_view s) {
    if (s.empty() || s.size() > 64) return false;
    auto ok_first = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    };
    if (!ok_first(s[0])) return false;
    for (char c : s)
        if (!ok_first(c) && c != '-' && c != '_' && c != '.' && c != ':') return false;
    return true;
}

bool is_numeric_oid(std::string_view s) {
    if (!s.empty() && s[0] == '.') s.remove_prefix(1);
    if (s.empty() || s.size() > 1408) return false;  // 128 sub-identifiers of 10 digits + dots
    int parts = 0;
    bool digit_seen = false;
    for (char c : s) {
        if (c >= '0' && c <= '9') {
            digit_seen = true;
        } else if (c == '.') {
            if (!digit_seen) return false;
            digit_seen = false;
            ++parts;
        } else {
            return false;
        }
    }
    return digit_seen && parts >= 1;
}

std::string toml_type_name(const toml::node& n) {
    switch (n.type()) {
        case toml::node_type::string: return "a string";
        case toml::node_type::integer: return "an integer";
        case toml::node_type::floating_point: return "a float";
        case toml::node_type::boolean: return "a boolean";
        case toml::node_type::table: return "a table";
        case toml::node_type::array: return "an array";
        case toml::node_type::date: return "a date";
        case toml::node_type::time: return "a time";
        case toml::node_type::date_time: return "a date-time";
        default: return "nothing";
    }
}

TableReader::TableReader(Diagnostics& diag, Place place, const TableSpec& spec, bool report_unknown)
    : diag_(diag), place_(std::move(place)), spec_(spec) {
    if (!place_.table || !report_unknown) return;
    for (auto&& [k, v] : *place_.table) {
        if (spec_.allows(k.str())) continue;
        Location loc = location_of(k.source(), place_.fallback.file);
        if (loc.line == 0) loc = place_.at();
        diag_.error(loc, place_.key(k.str()),
                    fmt::format("unknown key '{}'; allowed here: {}", k.str(), spec_.allowed_list()));
    }
}

void TableReader::check_declared(std::string_view key) const {
    // A key read but not declared in schema.cpp would be silently rejected as "unknown":
    // that is a bug in the loader, not in the user's file.
    if (!spec_.allows(key)) throw std::logic_error("config loader reads undeclared key " + std::string(key));
}

bool TableReader::has(std::string_view key) const { return node(key) != nullptr; }

const toml::node* TableReader::node(std::string_view key) const {
    check_declared(key);
    return place_.table ? place_.table->get(key) : nullptr;
}

void TableReader::type_error(std::string_view key, std::string_view expected) {
    const toml::node* n = node(key);
    error(key, fmt::format("expected {}, found {}", expected, n ? toml_type_name(*n) : "nothing"));
}

void TableReader::error(std::string_view key, std::string message) {
    diag_.error(place_.at(key), place_.key(key), std::move(message));
}
void TableReader::warning(std::string_view key, std::string message) {
    diag_.warning(place_.at(key), place_.key(key), std::move(message));
}
void TableReader::error_here(std::string message) { diag_.error(place_.at(), place_.path, std::move(message)); }
void TableReader::missing(std::string_view key) {
    diag_.error(place_.at(), place_.key(key), "missing required key");
}

std::optional<std::string> TableReader::string(std::string_view key) {
    const toml::node* n = node(key);
    if (!n) return std::nullopt;
    if (auto s = n->value<std::string>(); s && n->is_string()) return *s;
    type_error(key, "a string");
    return std::nullopt;
}

std::optional<std::string> TableReader::required_string(std::string_view key) {
    if (!has(key)) {
        missing(key);
        return std::nullopt;
    }
    auto s = string(key);
    if (s && s->empty()) {
        error(key, "must not be empty");
        return std::nullopt;
    }
    return s;
}

std::optional<std::string> TableReader::secret_text(std::string_view key) {
    const toml::node* n = node(key);
    if (!n) return std::nullopt;
    if (n->is_string()) return n->as_string()->get();
    type_error(key, "a string");  // names the type only, never the content
    return std::nullopt;
}

std::optional<bool> TableReader::boolean(std::string_view key) {
    const toml::node* n = node(key);
    if (!n) return std::nullopt;
    if (n->is_boolean()) return n->as_boolean()->get();
    type_error(key, "a boolean (true or false)");
    return std::nullopt;
}

std::optional<std::int64_t> TableReader::integer(std::string_view key, std::int64_t min, std::int64_t max) {
    const toml::node* n = node(key);
    if (!n) return std::nullopt;
    if (!n->is_integer()) {
        type_error(key, "an integer");
        return std::nullopt;
    }
    std::int64_t v = n->as_integer()->get();
    if (v < min || v > max) {
        error(key, fmt::format("{} is out of range {}..{}", v, min, max));
        return std::nullopt;
    }
    return v;
}

std::optional<double> TableReader::number(std::string_view key, double min, double max) {
    const toml::node* n = node(key);
    if (!n) return std::nullopt;
    double v = 0;
    if (n->is_integer())
        v = static_cast<double>(n->as_integer()->get());
    else if (n->is_floating_point())
        v = n->as_floating_point()->get();
    else {
        type_error(key, "a number");
        return std::nullopt;
    }
    if (!std::isfinite(v) || v < min || v > max) {
        error(key, fmt::format("{} is out of range {}..{}", v, min, max));
        return std::nullopt;
    }
    return v;
}

std::optional<std::chrono::milliseconds> TableReader::duration_ms(std::string_view key, std::chrono::milliseconds min,
                                                                  std::chrono::milliseconds max) {
    const toml::node* n = node(key);
    if (!n) return std::nullopt;
    if (!n->is_string()) {
        type_error(key, "a duration string such as \"30s\", \"5m\" or \"1h30m\"");
        return std::nullopt;
    }
    const std::string& text = n->as_string()->get();
    auto d = parse_duration_ms(text);
    if (!d) {
        error(key, fmt::format("malformed duration \"{}\"; use e.g. \"500ms\", \"30s\", \"5m\", \"12h\", \"5d\", \"1h30m\"",
                               text));
        return std::nullopt;
    }
    if (*d < min || *d > max) {
        error(key, fmt::format("{} is out of range {}..{}", text, format_duration(min), format_duration(max)));
        return std::nullopt;
    }
    return d;
}

std::optional<std::chrono::seconds> TableReader::duration(std::string_view key, std::chrono::seconds min,
                                                          std::chrono::seconds max) {
    auto d = duration_ms(key, min, max);
    if (!d) return std::nullopt;
    if (d->count() % 1000 != 0) {
        error(key, "must be whole seconds");
        return std::nullopt;
    }
    return std::chrono::duration_cast<std::chrono::seconds>(*d);
}

std::optional<std::vector<std::string>> TableReader::strings(std::string_view key) {
    const toml::node* n = node(key);
    if (!n) return std::nullopt;
    const toml::array* a = n->as_array();
    if (!a) {
        type_error(key, "an array of strings");
        return std::nullopt;
    }
    std::vector<std::string> out;
    bool ok = true;
    for (std::size_t i = 0; i < a->size(); ++i) {
        const toml::node& e = *a->get(i);
        if (!e.is_string()) {
            Location loc = location_of(e.source(), place_.fallback.file);
            diag_.error(loc.line ? loc : place_.at(key), fmt::format("{}[{}]", place_.key(key), i),
                        "expected a string, found " + toml_type_name(e));
            ok = false;
            continue;
        }
        out.push_back(e.as_string()->get());
    }
    if (!ok) return std::nullopt;
    return out;
}

std::optional<std::vector<std::int64_t>> TableReader::integers(std::string_view key, std::int64_t min,
                                                               std::int64_t max) {
    const toml::node* n = node(key);
    if (!n) return std::nullopt;
    const toml::array* a = n->as_array();
    if (!a) {
        type_error(key, "an array of integers");
        return std::nullopt;
    }
    std::vector<std::int64_t> out;
    bool ok = true;
    for (std::size_t i = 0; i < a->size(); ++i) {
        const toml::node& e = *a->get(i);
        std::string k = fmt::format("{}[{}]", place_.key(key), i);
        Location loc = location_of(e.source(), place_.fallback.file);
        if (!loc.line) loc = place_.at(key);
        if (!e.is_integer()) {
            diag_.error(loc, k, "expected an integer, found " + toml_type_name(e));
            ok = false;
        } else if (auto v = e.as_integer()->get(); v < min || v > max) {
            diag_.error(loc, k, fmt::format("{} is out of range {}..{}", v, min, max));
            ok = false;
        } else {
            out.push_back(v);
        }
    }
    if (!ok) return std::nullopt;
    return out;
}

std::optional<std::string> TableReader::one_of(std::string_view key, std::initializer_list<std::string_view> choices) {
    auto s = string(key);
    if (!s) return std::nullopt;
    for (auto c : choices)
        if (*s == c) return s;
    std::string list;
    for (auto c : choices) list += (list.empty() ? "" : ", ") + std::string(c);
    error(key, fmt::format("unknown value \"{}\"; expected one of: {}", *s, list));
    return std::nullopt;
}

std::optional<std::string> TableReader::identifier(std::string_view key, bool required) {
    if (!has(key)) {
        if (required) missing(key);
        return std::nullopt;
    }
    auto s = string(key);
    if (!s) return std::nullopt;
    if (!is_identifier(*s)) {
        error(key, fmt::format("invalid id \"{}\": use 1-64 letters, digits, '-', '_', '.' or ':', "
                               "starting with a letter or digit",
                               *s));
        return std::nullopt;
    }
    return s;
}

std::optional<std::string> TableReader::path(std::string_view key, const std::filesystem::path& base_dir) {
    auto s = string(key);
    if (!s || s->empty()) return s;
    std::filesystem::path p(*s);
    if (p.is_relative()) p = base_dir / p;
    return p.lexically_normal().string();
}

std::optional<Place> TableReader::table(std::string_view key) {
    const toml::node* n = node(key);
    if (!n) return std::nullopt;
    if (!n->is_table()) {
        type_error(key, "a table");
        return std::nullopt;
    }
    return Place{n->as_table(), place_.key(key), place_.at(key)};
}

std::vector<Place> TableReader::tables(std::string_view key) {
    std::vector<Place> out;
    const toml::node* n = node(key);
    if (!n) return out;
    const toml::array* a = n->as_array();
    if (!a) {
        type_error(key, fmt::format("an array of tables ([[{}]])", key));
        return out;
    }
    out.reserve(a->size());
    for (std::size_t i = 0; i < a->size(); ++i) {
        const toml::node& e = *a->get(i);
        std::string k = fmt::format("{}[{}]", place_.key(key), i);
        Location loc = location_of(e.source(), place_.fallback.file);
        if (!loc.line) loc = place_.at(key);
        if (!e.is_table()) {
            diag_.error(loc, k, "expected a table, found " + toml_type_name(e));
            continue;
        }
        out.push_back(Place{e.as_table(), k, loc});
    }
    return out;
}

}  // namespace avmon::config::detail
