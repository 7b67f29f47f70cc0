// avmon.toml(5) documents exactly the keys the loader accepts: every accepted key has a
// row in a key table, and every row names a key the loader accepts.
#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <sstream>

#include "config/loader.hpp"

using namespace avmon::config;

namespace {

std::string read_man_page() {
    std::ifstream in(std::string(AVMON_SOURCE_DIR) + "/docs/avmon.toml.5.md");
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// First column of every key-table row: "| `daemon.jitter` | ...".
std::set<std::string> documented_keys(const std::string& page) {
    std::set<std::string> keys;
    std::istringstream lines(page);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.rfind("| `", 0) != 0) continue;
        auto end = line.find('`', 3);
        if (end != std::string::npos) keys.insert(line.substr(3, end - 3));
    }
    return keys;
}

// Rules and metrics are documented once: "[[device.rule]]" and "[[profile.rule]]" take the
// keys of "rule", "[[profile.metric]]" those of a profile file's "metric".
std::string documented_name(const std::string& key) {
    for (const char* prefix : {"device.rule.", "profile.rule."})
        if (key.rfind(prefix, 0) == 0) return "rule." + key.substr(std::string(prefix).size());
    if (key.rfind("profile.metric.", 0) == 0) return "metric." + key.substr(15);
    return key;
}

}  // namespace

TEST_CASE("config every key the loader accepts is documented in avmon.toml(5)", "[config][docs]") {
    const std::string page = read_man_page();
    REQUIRE_FALSE(page.empty());
    const auto documented = documented_keys(page);
    REQUIRE(documented.size() > 100);
    std::vector<std::string> accepted = known_keys();
    accepted.insert(accepted.end(), known_profile_keys().begin(), known_profile_keys().end());
    REQUIRE(accepted.size() > 150);
    for (const auto& key : accepted) {
        INFO("undocumented key: " << key << " (documented as " << documented_name(key) << ")");
        CHECK(documented.count(documented_name(key)) == 1);
    }
}

TEST_CASE("config every documented key is accepted by the loader", "[config][docs]") {
    std::set<std::string> accepted;
    for (const auto& k : known_keys()) accepted.insert(documented_name(k));
    for (const auto& k : known_profile_keys()) accepted.insert(k);
    for (const auto& key : documented_keys(read_man_page())) {
        INFO("documented but unknown to the loader: " << key);
        CHECK(accepted.count(key) == 1);
    }
}

TEST_CASE("config known_keys are dotted paths of real tables", "[config][docs]") {
    const auto& keys = known_keys();
    auto has = [&](const char* k) { return std::find(keys.begin(), keys.end(), k) != keys.end(); };
    CHECK(has("device.snmp.timeout"));
    CHECK(has("device.snmp.v3.priv_key"));
    CHECK(has("device.control.serial.baud"));
    CHECK(has("severity.<level>.ack"));
    CHECK(has("alarms.flap.stop"));
    CHECK(has("traps.map.oid"));
    CHECK_FALSE(has("device.snmp"));  // tables are not keys
}

TEST_CASE("config the man page's minimal example loads", "[config][docs]") {
    const std::string page = read_man_page();
    auto start = page.find("A minimal file:");
    REQUIRE(start != std::string::npos);
    std::istringstream lines(page.substr(start));
    std::string line, text;
    std::getline(lines, line);  // the heading line itself
    while (std::getline(lines, line)) {
        if (line.empty()) {
            text += "\n";
            continue;
        }
        if (line.rfind("    ", 0) != 0) break;
        text += line.substr(4) + "\n";
    }
    LoadOptions o;
    o.use_configured_profile_dirs = false;
    LoadResult r = parse_config(text, "minimal.toml", o);
    std::string why;
    for (const auto& e : r.errors) why += e.to_string() + "\n";
    for (const auto& w : r.warnings) why += w.to_string() + "\n";
    INFO(text << why);
    REQUIRE(r.ok());
    CHECK(r.warnings.empty());
    CHECK(r.config->devices.size() == 1);
}
