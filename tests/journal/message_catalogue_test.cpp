// docs/message-ids.md is the operator's catalogue of journal MESSAGE_IDs: every id the code
// can log must be explained there, and the catalogue must not describe ids that do not exist.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    REQUIRE(in.good());
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// name -> id, from `inline constexpr std::string_view name = "id";`
std::map<std::string, std::string> ids_in_code() {
    static const std::regex decl(R"re(inline constexpr std::string_view (\w+) = "([0-9a-f]+)";)re");
    std::string text = slurp(AVMON_SOURCE_DIR "/daemon/core/message_ids.hpp");
    std::map<std::string, std::string> out;
    for (std::sregex_iterator it(text.begin(), text.end(), decl), end; it != end; ++it)
        out[(*it)[1]] = (*it)[2];
    return out;
}

struct Section {
    std::string id;
    std::string body;
};

// name -> section, from headings "### name — `id`".
std::map<std::string, Section> sections_in_catalogue(const std::string& text) {
    static const std::regex heading(R"(^### (\w+) — `([0-9a-f]+)`\s*$)");
    std::map<std::string, Section> out;
    std::istringstream in(text);
    std::string line;
    Section* current = nullptr;
    while (std::getline(in, line)) {
        std::smatch m;
        if (std::regex_match(line, m, heading)) {
            INFO("heading: " << line);
            CHECK(out.count(m[1]) == 0);  // a name documented twice
            current = &out[m[1]];
            current->id = m[2];
        } else if (line.rfind("#", 0) == 0) {
            current = nullptr;
        } else if (current) {
            current->body += line + "\n";
        }
    }
    return out;
}

}  // namespace

TEST_CASE("journal: message_ids.hpp declares well-formed, unique ids") {
    auto code = ids_in_code();
    REQUIRE(code.size() >= 30);
    std::set<std::string> seen;
    for (const auto& [name, id] : code) {
        INFO(name);
        CHECK(id.size() == 32);
        CHECK(seen.insert(id).second);
    }
}

TEST_CASE("journal: every message id is in docs/message-ids.md and every catalogue entry exists") {
    auto code = ids_in_code();
    std::string doc = slurp(AVMON_SOURCE_DIR "/docs/message-ids.md");
    auto catalogue = sections_in_catalogue(doc);

    for (const auto& [name, id] : code) {
        INFO("in message_ids.hpp: " << name << " " << id);
        auto it = catalogue.find(name);
        REQUIRE(it != catalogue.end());
        CHECK(it->second.id == id);
        // An operator must find what it means, how loud it is, what it carries and what to do.
        for (const char* part : {"- **Priority**:", "- **Meaning**:", "- **Fields**:", "- **What to do**:"}) {
            INFO("part " << part);
            CHECK(it->second.body.find(part) != std::string::npos);
        }
    }
    for (const auto& [name, section] : catalogue) {
        INFO("in the catalogue: " << name << " " << section.id);
        CHECK(code.count(name) == 1);
    }

    // Every 32-hex token in the text (journalctl examples included) is a real id.
    std::set<std::string> known;
    for (const auto& [name, id] : code) known.insert(id);
    static const std::regex hex32(R"(\b[0-9a-f]{32}\b)");
    for (std::sregex_iterator it(doc.begin(), doc.end(), hex32), end; it != end; ++it) {
        INFO("id mentioned in the catalogue: " << it->str());
        CHECK(known.count(it->str()) == 1);
    }
}
