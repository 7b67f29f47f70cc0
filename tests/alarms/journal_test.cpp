// Every state change writes one journal line with the fields operators filter on.
#include <catch2/catch.hpp>

#include "daemon/core/log.hpp"
#include "daemon/core/message_ids.hpp"
#include "tests/alarms/engine_harness.hpp"

using namespace avmon;
using namespace avmon::alarms;
using namespace avmon::alarms::testing;
using namespace std::chrono_literals;

namespace {
struct Capture : log::Sink {
    std::vector<log::Entry>* out;
    explicit Capture(std::vector<log::Entry>* o) : out(o) {}
    void write(const log::Entry& e) override { out->push_back(e); }
};
std::string field(const log::Entry& e, const std::string& name) {
    for (const auto& f : e.fields)
        if (f.name == name) return f.value;
    return "<missing>";
}
}  // namespace

TEST_CASE("alarms: journal lines carry priority by severity, message ids and structured fields", "[alarms][journal]") {
    std::vector<log::Entry> lines;
    log::set_sink(std::make_unique<Capture>(&lines));
    log::set_max_priority(log::Priority::debug);
    auto c = base_config();
    add_device(c, "codec", "board").rules.push_back(unreachable_rule(Severity::I));
    Harness h(c);
    h.reachability("codec", false);
    h.advance(31min);
    REQUIRE(h.engine->acknowledge(h.engine->open_alarms().at(0)->id, "zhang"));
    log::set_sink(nullptr);

    std::vector<const log::Entry*> alarm_lines;
    for (const auto& l : lines)
        if (field(l, "AVMON_ALARM_ID") != "<missing>") alarm_lines.push_back(&l);
    REQUIRE(alarm_lines.size() == 3);
    const auto& raised = *alarm_lines[0];
    CHECK(raised.message_id == msgid::alarm_raised);
    CHECK(raised.priority == log::Priority::crit);
    CHECK(field(raised, "AVMON_ROOM") == "board");
    CHECK(field(raised, "AVMON_DEVICE") == "codec");
    CHECK(field(raised, "AVMON_SEVERITY") == "I");
    CHECK(field(raised, "AVMON_STATE") == "raised");
    CHECK(field(raised, "AVMON_RULE") == "unreachable");
    CHECK(field(raised, "AVMON_ESCALATION_LEVEL") == "0");
    CHECK(raised.text.find("dev codec is unreachable") != std::string::npos);
    CHECK(alarm_lines[1]->message_id == msgid::alarm_escalated);
    CHECK(field(*alarm_lines[1], "AVMON_ESCALATION_LEVEL") == "1");
    CHECK(alarm_lines[2]->message_id == msgid::alarm_acknowledged);
    CHECK(field(*alarm_lines[2], "AVMON_STATE") == "acknowledged");
    CHECK(alarm_lines[2]->text.find("zhang") != std::string::npos);
}
