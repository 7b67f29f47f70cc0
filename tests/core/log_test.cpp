#include <catch2/catch.hpp>

#include "daemon/core/log.hpp"
#include "daemon/core/message_ids.hpp"

using namespace avmon;

namespace {
struct CaptureSink : log::Sink {
    std::vector<log::Entry>* out;
    explicit CaptureSink(std::vector<log::Entry>* o) : out(o) {}
    void write(const log::Entry& e) override { out->push_back(e); }
};
}  // namespace

TEST_CASE("registered secrets never reach a sink, in text or fields") {
    std::vector<log::Entry> lines;
    log::set_sink(std::make_unique<CaptureSink>(&lines));
    log::register_secret("s3cret-community");
    log::error(msgid::probe_error, "snmp: community s3cret-community rejected",
               {{"AVMON_DEVICE", "sw-1"}, {"AVMON_DETAIL", "community=s3cret-community"}});
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].text == "snmp: community *** rejected");
    CHECK(lines[0].fields[1].value == "community=***");
    CHECK(lines[0].message_id == msgid::probe_error);
    CHECK(lines[0].priority == log::Priority::err);
    log::set_sink(nullptr);
}

TEST_CASE("lines below the configured priority are dropped") {
    std::vector<log::Entry> lines;
    log::set_sink(std::make_unique<CaptureSink>(&lines));
    log::set_max_priority(log::Priority::notice);
    log::debug("", "noise");
    log::info("", "more noise");
    log::notice("", "kept");
    log::set_max_priority(log::Priority::info);
    CHECK(lines.size() == 1);
    log::set_sink(nullptr);
}
