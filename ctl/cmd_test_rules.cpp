// avmonctl test-rules FILE...: runs alarm scenarios through the real engine in simulated time
// and checks the expected alarms, events and notifications (docs/rule-tests.md).
#include <chrono>
#include <memory>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "ctl/command.hpp"
#include "ctl/rule_test/expectations.hpp"
#include "ctl/rule_test/scenario.hpp"
#include "ctl/rule_test/simulation.hpp"
#include "ctl/rule_test/store_recorder.hpp"
#include "daemon/core/log.hpp"

namespace avmon::ctl {
namespace {

constexpr std::string_view kUsage =
    "usage: avmonctl test-rules [--timeline] [--journal] [--db NEW.db] FILE...\n"
    "\n"
    "Runs each scenario file (TOML: config, inputs, actions, expectations; see docs/rule-tests.md)\n"
    "through the alarm engine in simulated time and compares the outcome with its [expect] section.\n"
    "  --timeline   print every alarm event of every scenario, also when it passes\n"
    "  --journal    show the journal lines the engine writes (hidden by default)\n"
    "  --db FILE    also write the run (devices, polls, traps, alarms, events, outbox) into a new\n"
    "               store file with the product's schema (one scenario only)\n"
    "Exit status: 0 all scenarios pass, 1 a scenario failed or could not be read, 2 usage error.\n";

int run_test_rules(std::span<char* const> args) {
    std::vector<std::string> files;
    bool timeline = false, journal = false;
    std::string db;
    for (std::size_t i = 0; i < args.size(); ++i) {
        char* const arg = args[i];
        const std::string_view a = arg;
        if (a == "--db") {
            if (i + 1 >= args.size()) {
                std::fprintf(stderr, "avmonctl test-rules: --db needs a file name\n\n%s", kUsage.data());
                return 2;
            }
            db = args[++i];
            continue;
        }
        if (a == "--help" || a == "-h") {
            std::fputs(kUsage.data(), stdout);
            return 0;
        }
        if (a == "--timeline") timeline = true;
        else if (a == "--journal") journal = true;
        else if (a.size() > 1 && a[0] == '-') {
            std::fprintf(stderr, "avmonctl test-rules: unknown option %s\n\n%s", arg, kUsage.data());
            return 2;
        } else files.emplace_back(a);
    }
    if (files.empty()) {
        std::fputs(kUsage.data(), stderr);
        return 2;
    }
    if (!db.empty() && files.size() != 1) {
        std::fprintf(stderr, "avmonctl test-rules: --db writes one scenario; give exactly one FILE\n");
        return 2;
    }
    // The engine journals every state change; in a test run that is noise unless asked for.
    if (!journal) log::set_max_priority(log::Priority::emerg);

    int scenarios_ok = 0, scenarios_failed = 0, checks_ok = 0, checks_failed = 0;
    for (const auto& file : files) {
        rule_test::Scenario sc;
        try {
            sc = rule_test::load_scenario(file);
        } catch (const std::exception& e) {
            std::printf("FAIL  %s: cannot run\n  %s\n", file.c_str(), e.what());
            ++scenarios_failed;
            continue;
        }
        const auto t0 = std::chrono::steady_clock::now();
        std::unique_ptr<rule_test::StoreRecorder> recorder;
        if (!db.empty()) {
            try {
                recorder = std::make_unique<rule_test::StoreRecorder>(db, sc);
            } catch (const std::exception& e) {
                std::printf("FAIL  %s: %s\n", file.c_str(), e.what());
                ++scenarios_failed;
                continue;
            }
        }
        const rule_test::Run run = rule_test::simulate(sc, recorder ? recorder->observers() : rule_test::Observers{});
        if (recorder) {
            std::string error;
            if (!recorder->finish(error)) {
                std::printf("FAIL  %s: %s\n", file.c_str(), error.c_str());
                ++scenarios_failed;
                continue;
            }
            std::printf("wrote %s\n", db.c_str());
        }
        const rule_test::Verdict v = rule_test::check(sc, run);
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        checks_ok += v.passed;
        checks_failed += v.failed;
        const bool ok = v.failed == 0;
        (ok ? scenarios_ok : scenarios_failed)++;
        std::printf("%s  %s (%s): %d passed, %d failed [%zu events, %zu steps, %.0f ms]\n", ok ? "PASS" : "FAIL",
                    file.c_str(), sc.name.c_str(), v.passed, v.failed, run.events.size(), run.steps, ms);
        if (v.passed + v.failed == 0) std::printf("  note: this scenario has no expectations\n");
        for (const auto& line : v.report) std::printf("  %s\n", line.c_str());
        if (!ok || timeline) {
            std::printf("  timeline (got):\n");
            for (const auto& e : run.events) std::printf("    %s\n", rule_test::describe_event(sc, e).c_str());
            if (run.events.empty()) std::printf("    (no events)\n");
        }
    }
    std::printf("\nscenarios: %d passed, %d failed; checks: %d passed, %d failed\n", scenarios_ok, scenarios_failed,
                checks_ok, checks_failed);
    return scenarios_failed == 0 ? 0 : 1;
}

const CommandRegistration registration{
    {"test-rules", "run alarm-rule scenarios in simulated time and check their expectations", "FILE...",
     run_test_rules}};

}  // namespace
}  // namespace avmon::ctl
