#pragma once
// Compares a simulated run with a scenario's [expect] section and explains every mismatch
// as expected-versus-got lines, promtool style.
#include <string>
#include <vector>

#include "ctl/rule_test/scenario.hpp"
#include "ctl/rule_test/simulation.hpp"

namespace avmon::ctl::rule_test {

struct Verdict {
    int passed = 0;
    int failed = 0;
    std::vector<std::string> report;  // lines to print for the failures (empty when all pass)
};

Verdict check(const Scenario& sc, const Run& run);

// One event as a timeline line: "+30m  escalated     codec/unreachable  alarm 1 level 1 -> lin@example.com".
std::string describe_event(const Scenario& sc, const AlarmEvent& e);
// "+1d2h30m" (offset from the scenario start).
std::string offset_text(const Scenario& sc, SysTime t);

}  // namespace avmon::ctl::rule_test
