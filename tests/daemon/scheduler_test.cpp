#include <catch2/catch.hpp>

#include "daemon/app/scheduler.hpp"

using namespace avmon;
using namespace avmon::app;
using namespace std::chrono;

namespace {
// A probe whose device either answers at once or never answers (it waits for the deadline).
class FakeProbe : public probes::Probe {
public:
    FakeProbe(asio::any_io_executor ex, bool dead) : ex_(ex), dead_(dead) {}
    awaitable<PollResult> poll(probes::SteadyTime deadline) override {
        PollResult r;
        if (dead_) {
            asio::steady_timer t(ex_);
            t.expires_at(deadline);
            boost::system::error_code ec;
            co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            r.error = "timeout";
        } else {
            r.reachable = true;
            r.samples.push_back({"", "value", system_clock::now(), 1});
        }
        r.time = system_clock::now();
        co_return r;
    }
    std::string_view kind() const override { return "fake"; }

private:
    asio::any_io_executor ex_;
    bool dead_;
};
}  // namespace

TEST_CASE("dead devices do not delay the others, and removed devices stop polling") {
    asio::io_context io;
    std::map<std::string, int> polls;
    Scheduler s(io.get_executor(), {0.0, seconds(600), 3},
                [&](const std::string& dev, const PollResult& r) {
                    CHECK(r.samples.front().metric == "probe_up.fake");
                    ++polls[dev];
                });
    for (int i = 0; i < 50; ++i) {
        ScheduledDevice d;
        d.id = "dev" + std::to_string(i);
        d.interval = milliseconds(100);
        d.probes.push_back(std::make_unique<FakeProbe>(io.get_executor(), i % 10 == 0));
        s.add(std::move(d));
    }
    io.run_for(milliseconds(1050));
    for (int i = 0; i < 50; ++i) {
        auto id = "dev" + std::to_string(i);
        if (i % 10 == 0)
            CHECK(polls[id] <= 10);  // each dead poll lasts its full interval budget
        else
            CHECK(polls[id] >= 8);   // ~10 polls in 1 s at 100 ms whatever the dead ones do
    }
    auto st = s.status();
    REQUIRE(st.size() == 50);
    CHECK(s.unreachable() == 5);  // dev0, dev10 ... dev40
    for (auto& d : st) {
        if (d.id == "dev0") CHECK(d.consecutive_failures > 0);
        if (d.id == "dev1") CHECK(d.reachable);
    }
    int before = polls["dev1"];
    s.remove("dev1");
    io.restart();
    io.run_for(milliseconds(300));
    CHECK(polls["dev1"] == before);
    CHECK(polls["dev2"] > 0);
    s.stop();
    io.restart();
    io.run_for(milliseconds(200));  // loops wind down without touching freed state (ASan)
}
