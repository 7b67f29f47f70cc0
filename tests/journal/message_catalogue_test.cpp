// docs/message-ids.md is the operator's catalogue of journal MESSAGE_IDs: every id the code
// can log must be explained there, and the catalogue must not describe ids that do not exist.
#include <catch2/catch.hpp>

#include <cctype>
#include <fstream>
#include <map>
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

// (Plain string scanning: std::regex trips g++ 12's false -Wmaybe-uninitialized under ASan.)

// The text between `open` and `close` after position `from`, or "" when absent.
std::string between(const std::string& line, const std::string& open, const std::string& close,
                    std::size_t from = 0) {
    auto a = line.find(open, from);
    if (a == std::string::npos) return {};
    a += open.size();
    auto b = line.find(close, a);
    return b == std::string::npos ? std::string() : line.substr(a, b - a);
}

// name -> id, from `inline constexpr std::string_view name = "id";`
std::map<std::string, std::string> ids_in_code() {
    std::istringstream in(slurp(AVMON_SOURCE_DIR "/daemon/core/message_ids.hpp"));
    std::map<std::string, std::string> out;
    const std::string decl = "inline constexpr std::string_view ";
    for (std::string line; std::getline(in, line);) {
        if (line.rfind(decl, 0) != 0) continue;
        std::string name = between(line, decl, " = \"");
        std::string id = between(line, " = \"", "\";");
        INFO(line);
        REQUIRE(!name.empty());
        out[name] = id;
    }
    return out;
}

bool is_hex32(const std::string& s) {
    if (s.size() != 32) return false;
    for (char c : s)
        if (!std::isdigit(static_cast<unsigned char>(c)) && (c < 'a' || c > 'f')) return false;
    return true;
}

struct Section {
    std::string id;
    std::string body;
};

// name -> section, from headings "### name — `id`".
std::map<std::string, Section> sections_in_catalogue(const std::string& text) {
    std::map<std::string, Section> out;
    std::istringstream in(text);
    std::string line;
    Section* current = nullptr;
    while (std::getline(in, line)) {
        if (line.rfind("### ", 0) == 0) {
            INFO("heading: " << line);
            std::string name = between(line, "### ", " — `");
            std::string id = between(line, " — `", "`");
            REQUIRE(!name.empty());
            CHECK(line == "### " + name + " — `" + id + "`");
            CHECK(out.count(name) == 0);  // a name documented twice
            current = &out[name];
            current->id = id;
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
        CHECK(is_hex32(id));
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
    std::size_t mentioned = 0;
    for (std::size_t i = 0; i < doc.size();) {
        if (!std::isalnum(static_cast<unsigned char>(doc[i]))) {
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < doc.size() && std::isalnum(static_cast<unsigned char>(doc[j]))) ++j;
        std::string word = doc.substr(i, j - i);
        if (word.size() == 32) {
            INFO("id mentioned in the catalogue: " << word);
            CHECK(is_hex32(word));
            CHECK(known.count(word) == 1);
            ++mentioned;
        }
        i = j;
    }
    CHECK(mentioned >= code.size());
}
