// avmonctl audit [--since TIME]: the operations log (logins, acks, maintenance, reloads),
// read straight from the store.
#include <cstdio>

#include "config/duration.hpp"
#include "ctl/cmd_support.hpp"
#include "ctl/command.hpp"
#include "daemon/store/store_reader.hpp"

namespace avmon::ctl {
namespace {

constexpr std::string_view kUsage =
    "usage: avmonctl audit [--since TIME|DURATION] [--limit N] [--store DB] [--json]\n"
    "                      [--socket PATH] [--config FILE]\n"
    "\n"
    "Shows the audit log: control-socket logins, acks, resolves, notes, maintenance windows and\n"
    "reloads, with who (Unix user), when, what, and the state before and after. --since takes\n"
    "YYYY-MM-DDTHH:MM[:SS]Z (UTC) or a duration back from now (default 7d). The store is --store\n"
    "DB, else the one in --config FILE, else the one avmond reports.\n";

int run_audit(std::span<char* const> args) {
    auto o = parse_options(args, "audit", kUsage, {"--since", "--limit", "--store"});
    if (!o) return exit_usage;
    if (o->help) return std::fputs(kUsage.data(), stdout), exit_ok;
    if (!o->positional.empty()) return usage_error("audit", kUsage, "unexpected argument " + o->positional[0]);
    const SysTime now = std::chrono::system_clock::now();
    SysTime since = now - std::chrono::hours(24 * 7);
    if (auto s = o->get("--since")) {
        if (auto d = config::parse_duration(*s)) since = now - *d;
        else if (!parse_utc(*s, since))
            return usage_error("audit", kUsage, "--since \"" + *s + "\" is neither a time nor a duration");
    }
    int limit = 1000;
    if (auto l = o->get("--limit")) {
        try {
            limit = std::stoi(*l);
        } catch (const std::exception&) {
            limit = 0;
        }
        if (limit <= 0) return usage_error("audit", kUsage, "--limit must be a positive number");
    }
    std::string path;
    if (auto s = o->get("--store")) {
        path = *s;
    } else {
        int rc = exit_ok;
        auto p = store_path(*o, rc);
        if (!p) return rc;
        path = *p;
    }
    std::vector<store::AuditRecord> records;
    try {
        store::StoreReader reader(path);
        records = reader.audit(since, now + std::chrono::minutes(1), limit);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "avmonctl: cannot read the store %s: %s\n", path.c_str(), e.what());
        return exit_failed;
    }
    if (o->json) {
        Json list = Json::array();
        for (const auto& r : records)
            list.push_back({{"id", r.id}, {"time", format_utc(r.time)}, {"actor", r.actor}, {"action", r.action},
                            {"target", r.target}, {"before", r.before}, {"after", r.after}, {"detail", r.detail}});
        return print_json(Json{{"audit", list}}), exit_ok;
    }
    if (records.empty()) return std::puts("no audit records in that period"), exit_ok;
    std::vector<std::vector<std::string>> rows;
    for (const auto& r : records) {
        std::string change = r.before.empty() && r.after.empty() ? "" : r.before + " -> " + r.after;
        rows.push_back({format_utc(r.time), r.actor, r.action, r.target,
                        r.detail + (change.empty() ? "" : (r.detail.empty() ? "" : "; ") + change)});
    }
    print_table({"TIME", "ACTOR", "ACTION", "TARGET", "DETAIL"}, rows);
    return exit_ok;
}

const CommandRegistration reg{{"audit", "the audit log of operations", "[--since TIME]", run_audit}};

}  // namespace
}  // namespace avmon::ctl
