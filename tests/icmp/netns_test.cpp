// ICMP against the real kernel, inside a private network namespace prepared by
// run_in_netns.sh. Each scenario runs only the test cases carrying its tag.
#include <catch2/catch.hpp>

#include <dirent.h>

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include "config/model.hpp"
#include "daemon/core/log.hpp"
#include "daemon/core/message_ids.hpp"
#include "probes/icmp/icmp_probe.hpp"
#include "probes/icmp/pinger.hpp"

using namespace avmon;
using namespace avmon::icmp;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

namespace {

struct CaptureSink : log::Sink {
    std::shared_ptr<std::vector<log::Entry>> out;
    explicit CaptureSink(std::shared_ptr<std::vector<log::Entry>> o) : out(std::move(o)) {}
    void write(const log::Entry& e) override { out->push_back(e); }
};

// Captures log lines for the life of a test.
struct LogCapture {
    std::shared_ptr<std::vector<log::Entry>> lines = std::make_shared<std::vector<log::Entry>>();
    LogCapture() { log::set_sink(std::make_unique<CaptureSink>(lines)); }
    ~LogCapture() { log::set_sink(nullptr); }
    const log::Entry* mode_line() const {
        for (const auto& e : *lines)
            if (e.message_id == msgid::probe_mode) return &e;
        return nullptr;
    }
};

std::string field(const log::Entry& e, const std::string& name) {
    for (const auto& f : e.fields)
        if (f.name == name) return f.value;
    return {};
}

// Runs the loop until `a` completes (the pinger's socket waits keep the loop busy forever).
template <typename T>
T run(asio::io_context& io, awaitable<T> a) {
    std::optional<T> out;
    std::exception_ptr error;
    asio::co_spawn(io, std::move(a), [&](std::exception_ptr e, T v) {
        error = e;
        out = std::move(v);
    });
    while (!out && !error) io.run_one();
    if (error) std::rethrow_exception(error);
    return std::move(*out);
}

config::DeviceConfig device(std::string id, std::string address) {
    config::DeviceConfig d;
    d.id = std::move(id);
    d.address = std::move(address);
    return d;
}

const Sample* find_sample(const PollResult& r, std::string_view metric) {
    for (const auto& s : r.samples)
        if (s.metric == metric) return &s;
    return nullptr;
}

std::size_t open_fds() {
    std::size_t n = 0;
    if (DIR* d = ::opendir("/proc/self/fd")) {
        while (::readdir(d)) ++n;
        ::closedir(d);
    }
    return n;
}

void check_answers(asio::io_context& io, Pinger& pinger, const char* address) {
    auto outcome = run(io, pinger.async_ping(asio::ip::make_address(address), 1000ms));
    INFO(address << ": " << outcome.error);
    CHECK(outcome.replied);
    CHECK(outcome.rtt > 0ns);
    CHECK(outcome.rtt < 50ms);
}

}  // namespace

// ---------------------------------------------------------------- root, ping sockets allowed

TEST_CASE("icmp: auto mode picks ping sockets when ping_group_range allows them", "[root-dgram]") {
    LogCapture logs;
    asio::io_context io;
    Pinger pinger(io.get_executor());
    REQUIRE(pinger.start("auto") == IcmpMode::dgram);
    CHECK(pinger.open_sockets() == 2);
    auto* line = logs.mode_line();
    REQUIRE(line);
    CHECK(line->priority == log::Priority::info);
    CHECK(field(*line, "AVMON_ICMP_MODE") == "dgram");
    CHECK_THAT(line->text, Catch::Contains("unprivileged ping sockets"));
    CHECK_THAT(line->text, Catch::Contains("IPv4 yes, IPv6 yes"));
    check_answers(io, pinger, "127.0.0.1");
    check_answers(io, pinger, "::1");
    check_answers(io, pinger, "::ffff:127.0.0.1");  // v4-mapped goes out on the IPv4 socket
}

TEST_CASE("icmp: an address nobody owns times out at the request deadline", "[root-dgram]") {
    asio::io_context io;
    Pinger pinger(io.get_executor());
    REQUIRE(pinger.start("dgram") == IcmpMode::dgram);
    auto start = SteadyClock::now();
    auto outcome = run(io, pinger.async_ping(asio::ip::make_address("10.213.0.77"), 300ms));
    auto took = SteadyClock::now() - start;
    CHECK_FALSE(outcome.replied);
    CHECK(outcome.error == "timeout");
    CHECK(took >= 290ms);
    CHECK(took < 600ms);
    CHECK(pinger.in_flight() == 0);
}

TEST_CASE("icmp: an unroutable address fails at once with the kernel's reason", "[root-dgram]") {
    asio::io_context io;
    Pinger pinger(io.get_executor());
    REQUIRE(pinger.start("dgram") == IcmpMode::dgram);
    auto start = SteadyClock::now();
    auto outcome = run(io, pinger.async_ping(asio::ip::make_address("10.214.0.9"), 2000ms));
    CHECK_FALSE(outcome.replied);
    CHECK(outcome.error != "timeout");
    CHECK_THAT(outcome.error, Catch::Contains("route", Catch::CaseSensitive::No) ||
                                  Catch::Contains("unreachable", Catch::CaseSensitive::No));
    CHECK(SteadyClock::now() - start < 200ms);
}

TEST_CASE("icmp: the probe reports a local device reachable with sane RTT and no loss", "[root-dgram]") {
    asio::io_context io;
    Pinger pinger(io.get_executor());
    REQUIRE(pinger.start("auto") == IcmpMode::dgram);
    for (const char* address : {"127.0.0.1", "::1", "localhost"}) {
        INFO(address);
        auto probe = make_icmp_probe(pinger, device("proj-101", address), {.count = 3, .spacing = 20ms});
        REQUIRE(probe);
        CHECK(probe->kind() == "icmp");
        auto start = SteadyClock::now();
        auto result = run(io, probe->poll(SteadyClock::now() + 3s));
        INFO(result.error);
        CHECK(result.reachable);
        CHECK(result.error.empty());
        CHECK(SteadyClock::now() - start >= 40ms);  // three requests, 20 ms apart
        auto* loss = find_sample(result, metric_loss_pct);
        auto* rtt = find_sample(result, metric_rtt_ms);
        REQUIRE(loss);
        REQUIRE(rtt);
        CHECK(loss->device == "proj-101");
        CHECK(loss->value == 0);
        CHECK(rtt->value > 0);
        CHECK(rtt->value < 50);
    }
}

TEST_CASE("icmp: the probe reports a silent device unreachable within its deadline", "[root-dgram]") {
    asio::io_context io;
    Pinger pinger(io.get_executor());
    REQUIRE(pinger.start("auto") == IcmpMode::dgram);
    auto probe = make_icmp_probe(pinger, device("mic-7", "10.213.0.77"),
                                 {.count = 3, .spacing = 10ms, .timeout = 5000ms});
    REQUIRE(probe);
    auto deadline = SteadyClock::now() + 400ms;
    auto result = run(io, probe->poll(deadline));
    CHECK(SteadyClock::now() < deadline + 100ms);  // the request timeout is cut to the deadline
    CHECK_FALSE(result.reachable);
    CHECK_THAT(result.error, Catch::Contains("no echo reply from 10.213.0.77 to 3 requests (timeout)"));
    auto* loss = find_sample(result, metric_loss_pct);
    REQUIRE(loss);
    CHECK(loss->value == 100);
    CHECK_FALSE(find_sample(result, metric_rtt_ms));
}

TEST_CASE("icmp: an unknown name is an unreachable poll naming the address", "[root-dgram]") {
    asio::io_context io;
    Pinger pinger(io.get_executor());
    REQUIRE(pinger.start("auto") == IcmpMode::dgram);
    auto probe = make_icmp_probe(pinger, device("disp-3", "no-such-host.invalid"));
    REQUIRE(probe);
    auto result = run(io, probe->poll(SteadyClock::now() + 2s));
    CHECK_FALSE(result.reachable);
    CHECK_THAT(result.error, Catch::Contains("cannot resolve 'no-such-host.invalid'"));
}

TEST_CASE("icmp: mode off opens nothing and makes no probes", "[root-dgram]") {
    LogCapture logs;
    asio::io_context io;
    Pinger pinger(io.get_executor());
    CHECK(pinger.start("off") == IcmpMode::off);
    CHECK(pinger.open_sockets() == 0);
    REQUIRE(logs.mode_line());
    CHECK(field(*logs.mode_line(), "AVMON_ICMP_MODE") == "off");
    CHECK_FALSE(make_icmp_probe(pinger, device("d", "127.0.0.1")));
    auto outcome = run(io, pinger.async_ping(asio::ip::make_address("127.0.0.1"), 100ms));
    CHECK_FALSE(outcome.replied);
    CHECK(outcome.error == "ICMP probing is off");
}

TEST_CASE("icmp: devices with icmp = false or no address get no probe", "[root-dgram]") {
    asio::io_context io;
    Pinger pinger(io.get_executor());
    REQUIRE(pinger.start("auto") == IcmpMode::dgram);
    auto d = device("d", "127.0.0.1");
    d.icmp = false;
    CHECK_FALSE(make_icmp_probe(pinger, d));
    CHECK_FALSE(make_icmp_probe(pinger, device("serial-only", "")));
}

TEST_CASE("icmp: 1000 devices are pinged in one cycle through one socket per family", "[root-dgram]") {
    asio::io_context io;
    Pinger pinger(io.get_executor());
    REQUIRE(pinger.start("auto") == IcmpMode::dgram);
    const std::size_t fds_before = open_fds();

    std::vector<std::unique_ptr<probes::Probe>> fleet;
    for (int i = 0; i < 1000; ++i) {
        const int host = i + 1;  // 127.0.0.1 ... 127.0.3.232: the whole of 127/8 answers on lo
        auto address = "127.0." + std::to_string(host / 256) + "." + std::to_string(host % 256);
        fleet.push_back(make_icmp_probe(pinger, device("dev-" + std::to_string(i), address),
                                        {.count = 3, .spacing = 10ms, .timeout = 2000ms}));
    }
    std::size_t done = 0, reachable = 0, max_fds = 0;
    asio::steady_timer sampler(io);
    std::function<void()> sample = [&] {
        max_fds = std::max(max_fds, open_fds());
        sampler.expires_after(5ms);
        sampler.async_wait([&](const boost::system::error_code& ec) {
            if (!ec) sample();
        });
    };
    sample();
    auto start = SteadyClock::now();
    for (auto& probe : fleet) {
        asio::co_spawn(io, probe->poll(SteadyClock::now() + 5s), [&](std::exception_ptr e, PollResult r) {
            ++done;
            if (!e && r.reachable && find_sample(r, metric_loss_pct)->value == 0) ++reachable;
        });
    }
    while (done < fleet.size()) io.run_one();
    auto took = SteadyClock::now() - start;
    sampler.cancel();
    INFO("took " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms");
    CHECK(reachable == 1000);
    CHECK(took < 3s);  // one after the other would take 1000 x 20 ms
    CHECK(max_fds <= fds_before + 1);  // no socket per device (+1: the sampler's own readdir)
    CHECK(pinger.open_sockets() == 2);
    CHECK(pinger.in_flight() == 0);
}

TEST_CASE("icmp: requests beyond the in-flight limit wait their turn and still get answers", "[root-dgram]") {
    asio::io_context io;
    Pinger pinger(io.get_executor(), 4);
    REQUIRE(pinger.start("dgram") == IcmpMode::dgram);
    int replied = 0, finished = 0;
    for (int i = 0; i < 60; ++i) {
        pinger.ping(asio::ip::make_address(i % 3 ? "127.0.0.1" : "::1"), 2000ms, [&](PingOutcome o) {
            ++finished;
            if (o.replied) ++replied;
        });
    }
    CHECK(pinger.in_flight() == 60);
    // A silent target in the queue still times out on its own deadline.
    auto silent = run(io, pinger.async_ping(asio::ip::make_address("10.213.0.77"), 200ms));
    CHECK(silent.error == "timeout");
    while (finished < 60) io.run_one();
    CHECK(replied == 60);
    CHECK(pinger.in_flight() == 0);
}

TEST_CASE("icmp: a short deadline sent after a long one ends first", "[root-dgram]") {
    // One timer serves every open request: a later, earlier-ending deadline must bring it forward.
    asio::io_context io;
    Pinger pinger(io.get_executor());
    REQUIRE(pinger.start("dgram") == IcmpMode::dgram);
    std::optional<PingOutcome> slow, quick;
    SteadyClock::time_point slow_at{}, quick_at{};
    const auto start = SteadyClock::now();
    pinger.ping(asio::ip::make_address("10.213.0.77"), 1500ms, [&](PingOutcome o) {
        slow = o;
        slow_at = SteadyClock::now();
    });
    pinger.ping(asio::ip::make_address("10.213.0.78"), 100ms, [&](PingOutcome o) {
        quick = o;
        quick_at = SteadyClock::now();
    });
    auto answered = run(io, pinger.async_ping(asio::ip::make_address("127.0.0.1"), 1000ms));
    CHECK(answered.replied);
    while (!slow || !quick) io.run_one();
    CHECK(quick->error == "timeout");
    CHECK(slow->error == "timeout");
    CHECK(quick_at - start >= 100ms);
    CHECK(quick_at - start < 1000ms);
    CHECK(slow_at - start >= 1500ms);
    CHECK(pinger.in_flight() == 0);
}

TEST_CASE("icmp: stopping the pinger completes open requests with a reason", "[root-dgram]") {
    asio::io_context io;
    std::optional<PingOutcome> outcome;
    {
        Pinger pinger(io.get_executor());
        REQUIRE(pinger.start("dgram") == IcmpMode::dgram);
        pinger.ping(asio::ip::make_address("10.213.0.77"), 5000ms, [&](PingOutcome o) { outcome = o; });
    }  // destroyed with the request open
    io.run();  // returns: nothing is left waiting once the sockets are closed
    REQUIRE(outcome);
    CHECK_FALSE(outcome->replied);
    CHECK(outcome->error == "ICMP pinger stopped");
}

// ---------------------------------------------------------------- root, ping sockets refused

TEST_CASE("icmp: auto mode falls back to raw sockets and says how to avoid them", "[root-raw]") {
    LogCapture logs;
    asio::io_context io;
    Pinger pinger(io.get_executor());
    REQUIRE(pinger.start("auto") == IcmpMode::raw);
    auto* line = logs.mode_line();
    REQUIRE(line);
    CHECK(field(*line, "AVMON_ICMP_MODE") == "raw");
    CHECK_THAT(line->text, Catch::Contains("raw sockets"));
    CHECK_THAT(line->text, Catch::Contains("sysctl net.ipv4.ping_group_range=\"0 2147483647\""));
    check_answers(io, pinger, "127.0.0.1");
    check_answers(io, pinger, "::1");
    auto probe = make_icmp_probe(pinger, device("codec-1", "127.0.0.1"), {.count = 3, .spacing = 10ms});
    auto result = run(io, probe->poll(SteadyClock::now() + 2s));
    CHECK(result.reachable);
    CHECK(find_sample(result, metric_loss_pct)->value == 0);
}

TEST_CASE("icmp: two raw pingers only take their own replies", "[root-raw]") {
    asio::io_context io;
    Pinger a(io.get_executor()), b(io.get_executor());
    REQUIRE(a.start("raw") == IcmpMode::raw);
    REQUIRE(b.start("raw") == IcmpMode::raw);
    // Both raw sockets see every echo reply on the host; the echo id tells them apart.
    int replied = 0, finished = 0;
    for (int i = 0; i < 50; ++i) {
        for (Pinger* p : {&a, &b}) {
            p->ping(asio::ip::make_address(i % 2 ? "127.0.0.1" : "::1"), 1000ms, [&](PingOutcome o) {
                ++finished;
                if (o.replied) ++replied;
            });
        }
    }
    while (finished < 100) io.run_one();
    CHECK(replied == 100);
}

TEST_CASE("icmp: dgram mode without ping_group_range names the sysctl to set", "[root-raw]") {
    LogCapture logs;
    asio::io_context io;
    Pinger pinger(io.get_executor());
    CHECK(pinger.start("dgram") == IcmpMode::off);
    CHECK(pinger.open_sockets() == 0);
    auto* line = logs.mode_line();
    REQUIRE(line);
    CHECK(line->priority == log::Priority::err);
    CHECK_THAT(line->text, Catch::Contains("ping sockets refused"));
    CHECK_THAT(line->text, Catch::Contains("sysctl net.ipv4.ping_group_range=\"0 2147483647\""));
    CHECK_THAT(line->text, !Catch::Contains("CAP_NET_RAW"));
    CHECK(pinger.problem() == line->text);
}

// ---------------------------------------------------------------- nobody, ping sockets allowed

TEST_CASE("icmp: an unprivileged user pings through ping sockets", "[user-dgram]") {
    REQUIRE(::geteuid() != 0);
    LogCapture logs;
    asio::io_context io;
    Pinger pinger(io.get_executor());
    REQUIRE(pinger.start("auto") == IcmpMode::dgram);
    check_answers(io, pinger, "127.0.0.1");
    check_answers(io, pinger, "::1");
}

TEST_CASE("icmp: raw mode without CAP_NET_RAW says which capability to grant", "[user-dgram]") {
    LogCapture logs;
    asio::io_context io;
    Pinger pinger(io.get_executor());
    CHECK(pinger.start("raw") == IcmpMode::off);
    auto* line = logs.mode_line();
    REQUIRE(line);
    CHECK_THAT(line->text, Catch::Contains("raw ICMP sockets refused"));
    CHECK_THAT(line->text, Catch::Contains("AmbientCapabilities=CAP_NET_RAW"));
}

// ---------------------------------------------------------------- nobody, ping sockets refused

TEST_CASE("icmp: with neither socket kind allowed ICMP is off and the log says both remedies", "[user-none]") {
    REQUIRE(::geteuid() != 0);
    LogCapture logs;
    asio::io_context io;
    Pinger pinger(io.get_executor());
    CHECK(pinger.start("auto") == IcmpMode::off);
    auto* line = logs.mode_line();
    REQUIRE(line);
    CHECK(line->priority == log::Priority::err);
    CHECK(field(*line, "AVMON_ICMP_MODE") == "off");
    CHECK_THAT(line->text, Catch::Contains("sysctl net.ipv4.ping_group_range=\"0 2147483647\""));
    CHECK_THAT(line->text, Catch::Contains("CAP_NET_RAW"));
    CHECK_FALSE(make_icmp_probe(pinger, device("d", "127.0.0.1")));
}

// ---------------------------------------------------------------- 30 % loss injected by nftables

TEST_CASE("icmp: loss injected by nftables shows as icmp_loss_pct near 30", "[loss]") {
    asio::io_context io;
    Pinger pinger(io.get_executor());
    REQUIRE(pinger.start("auto") == IcmpMode::dgram);
    for (const char* address : {"127.0.0.1", "::1"}) {
        INFO(address);
        auto probe = make_icmp_probe(pinger, device("sw-3f", address),
                                     {.count = 400, .spacing = 1ms, .timeout = 300ms, .window = 400});
        auto result = run(io, probe->poll(SteadyClock::now() + 10s));
        CHECK(result.reachable);
        auto* loss = find_sample(result, metric_loss_pct);
        REQUIRE(loss);
        // 400 requests at p = 0.3: sd is 2.3 points, so 20..40 is more than 4 sd either way.
        CHECK(loss->value > 20);
        CHECK(loss->value < 40);
        REQUIRE(find_sample(result, metric_rtt_ms));
        CHECK(find_sample(result, metric_rtt_ms)->value < 50);
    }
}
