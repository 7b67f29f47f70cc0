#include <catch2/catch.hpp>

#include <time.h>
#include <unistd.h>

#include "daemon/core/log.hpp"
#include "daemon/service/notifier.hpp"
#include "tests/service/notify_listener.hpp"

using avmon::service::ServiceNotifier;
using avmon::test::NotifyListener;

namespace {
unsigned long long now_monotonic_usec() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<unsigned long long>(ts.tv_sec) * 1000000ULL + static_cast<unsigned long long>(ts.tv_nsec) / 1000ULL;
}
}  // namespace

TEST_CASE("service: each state reaches NOTIFY_SOCKET with its exact payload") {
    NotifyListener manager;
    ServiceNotifier n;
    CHECK(n.ready("polling 12 devices"));
    CHECK(n.status("reloading configuration"));
    CHECK(n.stopping());
    CHECK(n.watchdog_ping());
    CHECK(n.ready());
    auto got = manager.wait_for(5);
    REQUIRE(got.size() == 5);
    CHECK(got[0].payload == "READY=1\nSTATUS=polling 12 devices");
    CHECK(got[1].payload == "STATUS=reloading configuration");
    CHECK(got[2].payload == "STOPPING=1");
    CHECK(got[3].payload == "WATCHDOG=1");
    CHECK(got[4].payload == "READY=1");
}

TEST_CASE("service: reloading carries RELOADING=1 and the current CLOCK_MONOTONIC in usec") {
    NotifyListener manager;
    ServiceNotifier n;
    auto before = now_monotonic_usec();
    CHECK(n.reloading());
    auto after = now_monotonic_usec();
    auto got = manager.wait_for(1);
    REQUIRE(got.size() == 1);
    const std::string& p = got[0].payload;
    const std::string prefix = "RELOADING=1\nMONOTONIC_USEC=";
    REQUIRE(p.rfind(prefix, 0) == 0);
    auto stamp = std::stoull(p.substr(prefix.size()));
    CHECK(stamp >= before);
    CHECK(stamp <= after);
    CHECK(p.find('\n', prefix.size()) == std::string::npos);
}

TEST_CASE("service: extend_timeout asks for more start-up time in microseconds") {
    NotifyListener manager;
    ServiceNotifier n;
    CHECK(n.extend_timeout(std::chrono::seconds(90)));
    CHECK(n.extend_timeout(std::chrono::microseconds(-5)));  // nonsense clamps to 0, never "-5"
    auto got = manager.wait_for(2);
    REQUIRE(got.size() == 2);
    CHECK(got[0].payload == "EXTEND_TIMEOUT_USEC=90000000");
    CHECK(got[1].payload == "EXTEND_TIMEOUT_USEC=0");
}

TEST_CASE("service: a status text cannot forge other assignments and hides secrets") {
    NotifyListener manager;
    avmon::log::register_secret("smtp-pa55word");
    ServiceNotifier n;
    CHECK(n.status("login failed\nREADY=1\rpassword smtp-pa55word"));
    auto got = manager.wait_for(1);
    REQUIRE(got.size() == 1);
    CHECK(got[0].payload == "STATUS=login failed READY=1 password ***");
}

TEST_CASE("service: outside systemd every call is a no-op that says so") {
    unsetenv("NOTIFY_SOCKET");
    ServiceNotifier n;
    CHECK_FALSE(n.ready("x"));
    CHECK_FALSE(n.stopping());
    CHECK_FALSE(n.watchdog_ping());
    CHECK_FALSE(n.reloading());
}

TEST_CASE("service: watchdog interval comes from WATCHDOG_USEC for this pid only") {
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
    ServiceNotifier n;
    CHECK_FALSE(n.watchdog_interval().has_value());

    setenv("WATCHDOG_USEC", "2000000", 1);
    setenv("WATCHDOG_PID", std::to_string(getpid()).c_str(), 1);
    auto iv = n.watchdog_interval();
    REQUIRE(iv.has_value());
    CHECK(*iv == std::chrono::seconds(2));

    // Meant for another process (a parent that forked us): not ours to feed.
    setenv("WATCHDOG_PID", std::to_string(getpid() + 1).c_str(), 1);
    CHECK_FALSE(n.watchdog_interval().has_value());

    // No WATCHDOG_PID: the watchdog applies to whoever reads it.
    unsetenv("WATCHDOG_PID");
    iv = n.watchdog_interval();
    REQUIRE(iv.has_value());
    CHECK(*iv == std::chrono::seconds(2));

    setenv("WATCHDOG_USEC", "garbage", 1);
    CHECK_FALSE(n.watchdog_interval().has_value());
    unsetenv("WATCHDOG_USEC");
}
