#pragma once
// `avmonctl test-rules --db FILE`: writes what a simulated run saw and did (devices, polls,
// traps, alarms, events and their notifications) into a store file with the product's schema,
// so reports and `avmonctl` read commands can be tried on a realistic month.
#include <memory>
#include <string>

#include "ctl/rule_test/scenario.hpp"
#include "ctl/rule_test/simulation.hpp"

namespace avmon::store {
class StoreWriter;
}

namespace avmon::ctl::rule_test {

class StoreRecorder {
public:
    // Throws std::runtime_error if `path` exists (a run never appends to someone's store) or
    // cannot be created.
    StoreRecorder(const std::string& path, const Scenario& sc);
    ~StoreRecorder();
    Observers observers();
    // Flushes and closes; false (with a reason) if not everything could be written.
    bool finish(std::string& error);

private:
    class FixedClock;
    std::unique_ptr<FixedClock> clock_;
    std::unique_ptr<store::StoreWriter> writer_;
};

}  // namespace avmon::ctl::rule_test
