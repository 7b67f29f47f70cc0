// The dispatcher without sockets: parse errors keep the request id, unset handlers are
// "not_available", and nothing it is given makes it throw.
#include <catch2/catch.hpp>

#include "daemon/control/dispatcher.hpp"
#include "daemon/control/maintenance_records.hpp"

using namespace avmon;
using namespace avmon::control;

TEST_CASE("control_socket: dispatcher answers every line with one response line", "[control_socket]") {
    ManualClock clock(from_unix_ms(1'790'000'000'000));
    Dispatcher d(ControlHandlers{}, clock);
    Peer peer{1000, 1000, 42, "alice"};
    auto resp = [&](std::string_view line) {
        std::string out = d.handle_line(line, peer);
        REQUIRE(!out.empty());
        CHECK(out.back() == '\n');
        CHECK(std::count(out.begin(), out.end(), '\n') == 1);
        return parse_response(std::string_view(out).substr(0, out.size() - 1));
    };
    CHECK(resp(R"({"v":1,"id":3,"cmd":"status"})").code == "not_available");
    CHECK(resp(R"({"v":1,"id":3,"cmd":"status"})").id == 3);
    CHECK(resp("").code == "bad_json");
    CHECK(resp(R"({"v":1,"id":"x","cmd":"status"})").code == "bad_request");
    CHECK(resp(R"({"v":1,"id":4,"cmd":""})").code == "bad_request");
    CHECK(resp(R"({"v":1.5,"id":4,"cmd":"status"})").code == "bad_request");
    CHECK(resp("{\"v\":1,\"id\":4,\"cmd\":\"st\xff\xfe\"}").code != "");  // invalid UTF-8 never throws
    CHECK(resp(R"({"v":1,"id":9223372036854775807,"cmd":"ack","args":{"alarm":99999999999999999999}})").code ==
          "bad_args");
    CHECK(d.is_write("ack"));
    CHECK_FALSE(d.is_write("status"));
}

TEST_CASE("control_socket: request and response encoding round trip", "[control_socket]") {
    Request r;
    r.id = 17;
    r.cmd = "resolve";
    r.args = {{"alarm", 5}, {"cause", "line\nbreak"}};
    std::string line = encode_request(r);
    REQUIRE(line.back() == '\n');
    REQUIRE(std::count(line.begin(), line.end(), '\n') == 1);  // embedded newlines are escaped
    std::int64_t id = 0;
    auto back = parse_request(std::string_view(line).substr(0, line.size() - 1), id);
    CHECK(id == 17);
    CHECK(back.cmd == "resolve");
    CHECK(back.args["cause"] == "line\nbreak");
    auto ok = parse_response(ok_response(17, {{"x", 1}}));
    CHECK(ok.ok);
    CHECK(ok.result["x"] == 1);
    auto err = parse_response(error_response(18, "unknown_alarm", "no alarm 5"));
    CHECK_FALSE(err.ok);
    CHECK(err.code == "unknown_alarm");
    CHECK(err.message == "no alarm 5");
}

TEST_CASE("control_socket: operator windows survive the store round trip", "[control_socket]") {
    const SysTime now = from_unix_ms(1'790'000'000'000);
    config::MaintenanceWindow once;
    once.id = "op-1";
    once.scope = config::MaintenanceWindow::Scope::room;
    once.target = "r1";
    once.start = now - std::chrono::hours(1);
    once.duration = std::chrono::hours(3);
    once.reason = "swap";
    config::MaintenanceWindow weekly = once;
    weekly.id = "op-2";
    weekly.scope = config::MaintenanceWindow::Scope::site;
    weekly.weekdays = {2, 4};
    weekly.start_minute = 22 * 60;
    config::MaintenanceWindow over = once;
    over.id = "op-3";
    over.duration = std::chrono::minutes(30);

    auto r1 = to_record(once, "alice", now);
    CHECK(r1.scope == "room");
    REQUIRE(r1.end);
    CHECK(*r1.end == once.start + once.duration);
    CHECK(r1.created_by == "alice");
    auto r2 = to_record(weekly, "bob", now);
    CHECK_FALSE(r2.end);
    auto r3 = to_record(over, "alice", now);
    auto r4 = to_record(once, "alice", now);
    r4.id = "op-4";
    r4.cancelled = now;

    auto restored = windows_to_restore({r1, r2, r3, r4}, now);
    REQUIRE(restored.size() == 2);  // op-3 is over, op-4 was removed
    CHECK(restored[0].id == "op-1");
    CHECK(restored[0].scope == config::MaintenanceWindow::Scope::room);
    CHECK(restored[0].duration == once.duration);
    CHECK(restored[1].id == "op-2");
    CHECK(restored[1].weekdays == std::vector<int>{2, 4});
    CHECK(restored[1].start_minute == 22 * 60);
    CHECK(restored[1].duration == weekly.duration);
}
