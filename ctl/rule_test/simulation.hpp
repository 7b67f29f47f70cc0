#pragma once
// Runs a scenario through the real AlarmEngine on a ManualClock, jumping from one input,
// action or engine timer to the next, so a simulated month takes seconds.
#include <functional>
#include <string>
#include <vector>

#include "ctl/rule_test/scenario.hpp"
#include "daemon/core/alarm_event.hpp"
#include "daemon/core/observation.hpp"

namespace avmon::ctl::rule_test {

struct Run {
    std::vector<AlarmEvent> events;      // in emission order
    std::vector<Alarm> final_alarms;     // every alarm ever seen, as it stood last (by id)
    std::vector<Sample> samples;         // what the scripted probes "measured"
    std::vector<std::string> problems;   // actions that could not be applied ("no alarm matches ...")
    std::size_t steps = 0;               // instants the simulation stopped at
};

// Optional taps on everything the simulated daemon sees and emits, e.g. to write a store.
struct Observers {
    std::function<void(const AlarmEvent&)> event;
    std::function<void(const std::string& device, const PollResult&)> poll;
    std::function<void(const TrapEvent&)> trap;
};

Run simulate(const Scenario& sc, const Observers& observers = {});

}  // namespace avmon::ctl::rule_test
