// Build tool: turns docs/message-ids.md into a journald message catalogue (avmon.catalog), so
// `journalctl -x` explains every avmond line next to it. The Markdown file stays the single
// source; this only reshapes each "### name — `id`" section.
//   make_catalog <message-ids.md> <avmon.catalog> <docdir>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

// Markdown emphasis and code marks mean nothing in a terminal.
std::string plain(std::string s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '`') continue;
        if (s.compare(i, 2, "**") == 0) {
            ++i;
            continue;
        }
        out += s[i];
    }
    return out;
}

std::string after(const std::string& line, const std::string& prefix) {
    return line.rfind(prefix, 0) == 0 ? line.substr(prefix.size()) : std::string();
}

struct Entry {
    std::string id, name, subject, priority, meaning, fields, todo;
};

}  // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        std::cerr << "usage: make_catalog message-ids.md avmon.catalog docdir\n";
        return 2;
    }
    std::ifstream in(argv[1]);
    if (!in) {
        std::cerr << "make_catalog: cannot read " << argv[1] << "\n";
        return 1;
    }
    std::vector<Entry> entries;
    const std::string dash = " — `";
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("### ", 0) == 0) {
            auto d = line.find(dash);
            auto end = line.rfind('`');
            if (d == std::string::npos || end <= d + dash.size()) {
                std::cerr << argv[1] << ": malformed heading: " << line << "\n";
                return 1;
            }
            entries.push_back({line.substr(d + dash.size(), end - d - dash.size()), line.substr(4, d - 4), {}, {}, {}, {}, {}});
        } else if (line.rfind("## ", 0) == 0) {
            continue;
        } else if (!entries.empty()) {
            Entry& e = entries.back();
            if (line.size() > 2 && line.front() == '*' && line.back() == '*' && e.subject.empty())
                e.subject = line.substr(1, line.size() - 2 - (line[line.size() - 2] == '.' ? 1 : 0));
            else if (auto v = after(line, "- **Priority**: "); !v.empty()) e.priority = plain(v);
            else if (auto v = after(line, "- **Meaning**: "); !v.empty()) e.meaning = plain(v);
            else if (auto v = after(line, "- **Fields**: "); !v.empty()) e.fields = plain(v);
            else if (auto v = after(line, "- **What to do**: "); !v.empty()) e.todo = plain(v);
        }
    }
    std::ostringstream out;
    out << "#  avmond journal message catalogue, generated from message-ids.md.\n"
           "#  Installed to lib/systemd/catalog; `journalctl --update-catalog` makes `journalctl -x` show it.\n\n";
    for (const auto& e : entries) {
        if (e.id.size() != 32 || e.subject.empty() || e.meaning.empty() || e.todo.empty()) {
            std::cerr << argv[1] << ": incomplete entry " << e.name << "\n";
            return 1;
        }
        out << "-- " << e.id << "\n"
            << "Subject: " << e.subject << "\n"
            << "Defined-By: avmon\n"
            << "Documentation: man:avmond(8)\n"
            << "Documentation: file:" << argv[3] << "/message-ids.md\n\n"
            << e.meaning << "\n\n"
            << "Priority: " << e.priority << "\n"
            << "Fields: " << e.fields << "\n\n"
            << "What to do: " << e.todo << "\n\n";
    }
    std::ofstream file(argv[2]);
    file << out.str();
    if (!file) {
        std::cerr << "make_catalog: cannot write " << argv[2] << "\n";
        return 1;
    }
    return 0;
}
