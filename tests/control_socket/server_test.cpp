// The control server on a real Unix socket with fake handlers: round trips, malformed and
// hostile clients, SO_PEERCRED actors, audit, socket permissions and stale sockets.
#include <catch2/catch.hpp>

#include <grp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <fstream>

#include "daemon/control/client.hpp"
#include "tests/control_socket/fake_daemon.hpp"

using namespace avmon;
using namespace avmon::control;
using namespace avmon::control::testing;
using namespace std::chrono_literals;

namespace {

ControlClient connected(const ServerFixture& f) {
    ControlClient c;
    REQUIRE(c.connect(f.path()));
    return c;
}

void seed_alarms(FakeDaemon& fake) {
    std::lock_guard l(fake.mu);
    fake.alarm_list = {make_alarm(41, "r1", Severity::I), make_alarm(42, "r2", Severity::III),
                       make_alarm(43, "r1", Severity::II, AlarmState::closed)};
}

}  // namespace

TEST_CASE("control_socket: status, alarms and show round trips", "[control_socket]") {
    ServerFixture f;
    seed_alarms(f.fake);
    {
        std::lock_guard l(f.fake.mu);
        DeviceStatus up{"r1-codec", "Codec", "r1", "codec", "10.0.0.1", true, true, 0, from_unix_ms(1'790'000'300'000)};
        DeviceStatus down{"r1-proj", "Projector", "r1", "display", "10.0.0.2", true, false, 3, {}};
        DeviceStatus fresh{"r2-mic", "Mic", "r2", "mic", "10.0.0.3", false, false, 0, {}};
        f.fake.device_list = {up, down, fresh};
    }
    auto c = connected(f);

    auto st = c.call("status", Json::object());
    REQUIRE(st.ok);
    CHECK(st.result["version"] == "9.9.9");
    CHECK(st.result["uptime_s"] == 360);
    CHECK(st.result["alarms"]["open"] == 2);
    CHECK(st.result["alarms"]["by_severity"]["I"] == 1);
    CHECK(st.result["alarms"]["by_severity"]["II"] == 0);  // 43 is closed
    CHECK(st.result["devices"]["up"] == 1);
    CHECK(st.result["devices"]["down"] == 1);
    CHECK(st.result["devices"]["unknown"] == 1);
    CHECK(st.result["devices"]["rooms"][0]["room"] == "r1");
    CHECK(st.result["devices"]["rooms"][0]["down"] == 1);
    CHECK(st.result["store"]["queued_samples"] == 12);

    auto all = c.call("alarms", Json::object());
    REQUIRE(all.ok);
    CHECK(all.result["alarms"].size() == 3);
    auto r1_open = c.call("alarms", {{"room", "r1"}, {"state", "open"}});
    REQUIRE(r1_open.result["alarms"].size() == 1);
    CHECK(r1_open.result["alarms"][0]["id"] == 41);
    auto sev = c.call("alarms", {{"severity", "III"}});
    REQUIRE(sev.result["alarms"].size() == 1);
    CHECK(sev.result["alarms"][0]["id"] == 42);
    auto bad_sev = c.call("alarms", {{"severity", "V"}});
    CHECK_FALSE(bad_sev.ok);
    CHECK(bad_sev.code == "bad_args");

    auto show = c.call("show", {{"alarm", 42}});
    REQUIRE(show.ok);
    CHECK(show.result["alarm"]["room"] == "r2");
    CHECK(show.result["alarm"]["raised_at"] == format_utc(from_unix_ms(1'790'000'000'000)));
    CHECK(show.result["store_path"] == "/var/lib/avmon/avmon.db");
    auto missing = c.call("show", {{"alarm", 999}});
    CHECK(missing.code == "unknown_alarm");

    auto devs = c.call("devices", Json::object());
    REQUIRE(devs.result["devices"].size() == 3);
    CHECK(devs.result["devices"][1]["state"] == "down");
}

TEST_CASE("control_socket: writes carry the SO_PEERCRED user and are audited", "[control_socket]") {
    ServerFixture f;
    seed_alarms(f.fake);
    auto c = connected(f);
    const std::string me = my_user_name();

    auto ack = c.call("ack", {{"alarm", 41}, {"note", "on my way"}});
    REQUIRE(ack.ok);
    CHECK(ack.result["alarm"]["state"] == "acknowledged");
    CHECK(ack.result["alarm"]["acked_by"] == me);

    auto again = c.call("ack", {{"alarm", 41}});
    CHECK_FALSE(again.ok);
    CHECK(again.code == "invalid_state");
    auto unknown = c.call("ack", {{"alarm", 777}});
    CHECK(unknown.code == "unknown_alarm");
    CHECK(unknown.message.find("777") != std::string::npos);

    auto no_cause = c.call("resolve", {{"alarm", 41}, {"cause", "fan"}});
    CHECK(no_cause.code == "bad_args");
    REQUIRE(c.call("resolve", {{"alarm", 41}, {"cause", "fan"}, {"action", "replaced"}}).ok);
    auto closed = c.call("close", {{"alarm", 41}, {"cause", "fan"}, {"action", "replaced"}});
    REQUIRE(closed.ok);
    CHECK(closed.result["alarm"]["state"] == "closed");
    CHECK(closed.result["alarm"]["cause"] == "fan");
    REQUIRE(c.call("note", {{"alarm", 42}, {"note", "vendor called"}}).ok);

    const auto audits = f.fake.audit_copy();
    REQUIRE(audits.size() == 8);  // login + 7 write attempts (reads are not audited)
    CHECK(audits[0].action == "login");
    CHECK(audits[0].actor == me);
    CHECK(audits[0].detail.find("uid " + std::to_string(::getuid())) != std::string::npos);
    CHECK(audits[1].action == "ack");
    CHECK(audits[1].actor == me);
    CHECK(audits[1].target == "41");
    CHECK(Json::parse(audits[1].before)["state"] == "raised");
    CHECK(Json::parse(audits[1].after)["state"] == "acknowledged");
    CHECK(audits[1].detail == "on my way");
    CHECK(audits[1].time == f.clock.now());
    CHECK(audits[2].detail.find("refused (invalid_state)") == 0);
    CHECK(audits[3].detail.find("refused (unknown_alarm)") == 0);
    CHECK(audits[4].detail.find("refused (bad_args)") == 0);
    CHECK(audits[6].action == "close");
    CHECK(audits[6].detail == "cause: fan; action: replaced");
    CHECK(audits[7].action == "note");
}

TEST_CASE("control_socket: malformed requests get errors and the connection survives", "[control_socket]") {
    ServerFixture f;
    seed_alarms(f.fake);
    auto c = connected(f);
    auto reply = [&](const std::string& line) { return parse_response(c.raw_exchange(line)); };

    auto garbage = reply("\x01\x02 this is not json }\n");
    CHECK(garbage.code == "bad_json");
    CHECK(reply("[1,2,3]\n").code == "bad_request");
    auto version = reply(R"({"v":2,"id":5,"cmd":"status"})" "\n");
    CHECK(version.code == "unsupported_version");
    CHECK(version.id == 5);
    CHECK(reply(R"({"id":6,"cmd":"status"})" "\n").code == "bad_request");
    auto unknown = reply(R"({"v":1,"id":7,"cmd":"format-disk"})" "\n");
    CHECK(unknown.code == "unknown_command");
    CHECK(unknown.message.find("format-disk") != std::string::npos);
    CHECK(reply(R"({"v":1,"id":8,"cmd":"ack","args":[41]})" "\n").code == "bad_request");
    CHECK(reply(R"({"v":1,"id":9,"cmd":"ack","args":{"alarm":"41x"}})" "\n").code == "bad_args");
    CHECK(reply(R"({"v":1,"id":10,"cmd":"ack","args":{}})" "\n").code == "bad_args");
    // Two requests in one write are both answered, in order.
    auto first = c.raw_exchange(R"({"v":1,"id":11,"cmd":"status"})" "\n" R"({"v":1,"id":12,"cmd":"devices"})" "\n");
    CHECK(parse_response(first).id == 11);
    CHECK(parse_response(c.raw_exchange("")).id == 12);
    // Still a working connection after all that.
    auto ok = c.call("show", {{"alarm", 41}});
    CHECK(ok.ok);
}

TEST_CASE("control_socket: a huge line is refused and other clients are not disturbed", "[control_socket]") {
    ServerFixture f;
    seed_alarms(f.fake);
    auto bystander = connected(f);
    auto hog = connected(f);
    const std::string huge(200 * 1024, 'x');
    std::string answer;
    try {
        answer = hog.raw_exchange(huge);
    } catch (const ControlError&) {
        // the server may hang up while we are still sending; then the reply was lost with it
    }
    if (!answer.empty()) CHECK(parse_response(answer).code == "line_too_long");
    // The hog's connection is closed by the server.
    CHECK_THROWS_AS(hog.call("status", Json::object(), 2s), ControlError);
    auto r = bystander.call("status", Json::object());
    CHECK(r.ok);
}

TEST_CASE("control_socket: half a line then close, and a silent client, are cleaned up", "[control_socket]") {
    ServerOptions opts;
    opts.read_timeout = 300ms;
    ServerFixture f(opts);
    {
        auto quitter = connected(f);
        ::send(quitter.fd(), R"({"v":1,"id":1,"cm)", 17, MSG_NOSIGNAL);
    }  // closed mid-line
    auto slow = connected(f);
    ::send(slow.fd(), R"({"v":1,)", 7, MSG_NOSIGNAL);
    // The server closes the slow client at its read deadline: we see EOF, not a reply.
    CHECK(slow.raw_exchange("", 5s).empty());
    auto other = connected(f);
    CHECK(other.call("status", Json::object()).ok);
    // Only `other` is left once the deadlines have run.
    for (int i = 0; i < 50 && f.on_loop([&] { return f.server->connections(); }) > 1; ++i)
        std::this_thread::sleep_for(20ms);
    CHECK(f.on_loop([&] { return f.server->connections(); }) == 1);
}

TEST_CASE("control_socket: connections beyond the limit are told the daemon is busy", "[control_socket]") {
    ServerOptions opts;
    opts.max_connections = 2;
    ServerFixture f(opts);
    auto a = connected(f);
    auto b = connected(f);
    REQUIRE(a.call("status", Json::object()).ok);
    REQUIRE(b.call("status", Json::object()).ok);
    auto c = connected(f);
    auto line = c.raw_exchange("");
    REQUIRE_FALSE(line.empty());
    CHECK(parse_response(line).code == "busy");
    const auto audits = f.fake.audit_copy();
    CHECK(audits.back().detail.find("refused: too many connections") == 0);
}

TEST_CASE("control_socket: maintenance windows and reload", "[control_socket]") {
    ServerFixture f;
    auto c = connected(f);
    auto add = c.call("maintenance.add", {{"scope", "room"},
                                          {"target", "r1"},
                                          {"start", "now"},
                                          {"duration_s", 7200},
                                          {"reason", "projector swap"}});
    REQUIRE(add.ok);
    const std::string id = add.result["window"]["id"];
    CHECK(id == "op-1790000360");
    CHECK(add.result["window"]["end"] == format_utc(f.clock.now() + 2h));
    auto weekly = c.call("maintenance.add", {{"scope", "site"},
                                             {"target", "hq"},
                                             {"weekdays", {2, 4}},
                                             {"at", "22:30"},
                                             {"duration_s", 3600},
                                             {"reason", "patch night"}});
    REQUIRE(weekly.ok);
    CHECK(weekly.result["window"]["id"] == "op-1790000360-2");  // same second, still unique
    CHECK(weekly.result["window"]["at"] == "22:30");

    CHECK(c.call("maintenance.add", {{"scope", "room"}, {"target", "nowhere"}, {"start", "now"},
                                     {"duration_s", 60}, {"reason", "x"}}).code == "unknown_target");
    CHECK(c.call("maintenance.add", {{"scope", "rack"}, {"target", "r1"}, {"start", "now"},
                                     {"duration_s", 60}, {"reason", "x"}}).code == "bad_args");
    CHECK(c.call("maintenance.add", {{"scope", "room"}, {"target", "r1"}, {"start", "yesterday"},
                                     {"duration_s", 60}, {"reason", "x"}}).code == "bad_args");
    CHECK(c.call("maintenance.add", {{"scope", "room"}, {"target", "r1"}, {"start", "2020-01-01T00:00Z"},
                                     {"end", "2020-01-01T01:00Z"}, {"reason", "x"}}).code == "bad_args");
    CHECK(c.call("maintenance.add", {{"scope", "room"}, {"target", "r1"}, {"start", "now"},
                                     {"duration_s", 60}}).code == "bad_args");

    auto list = c.call("maintenance.list", Json::object());
    REQUIRE(list.result["windows"].size() == 2);
    CHECK(list.result["windows"][0]["reason"] == "projector swap");
    CHECK(list.result["windows"][0]["source"] == "avmonctl");

    CHECK(c.call("maintenance.remove", {{"id", "nope"}}).code == "unknown_window");
    REQUIRE(c.call("maintenance.remove", {{"id", id}}).ok);
    CHECK(c.call("maintenance.list", Json::object()).result["windows"].size() == 1);
    {
        std::lock_guard l(f.fake.mu);
        CHECK(f.fake.added_by == std::vector<std::string>{my_user_name(), my_user_name()});
    }

    auto reload = c.call("reload", Json::object());
    REQUIRE(reload.ok);
    CHECK(reload.result["changes"][0] == "device r1-proj added");
    {
        std::lock_guard l(f.fake.mu);
        f.fake.reload_ok = false;
    }
    auto refused = c.call("reload", Json::object());
    CHECK(refused.code == "reload_failed");
    CHECK(refused.message.find("avmon.toml:12:3") != std::string::npos);
    const auto audits = f.fake.audit_copy();
    CHECK(audits.back().action == "reload");
    CHECK(audits.back().detail.find("refused") == 0);
    CHECK(audits[audits.size() - 2].detail == "device r1-proj added");

    // A handler that audits the reload itself (avmond does, for SIGHUP too) gets no second record.
    {
        std::lock_guard l(f.fake.mu);
        f.fake.reload_audits_itself = true;
    }
    const auto before = f.fake.audit_copy().size();
    CHECK(c.call("reload", Json::object()).code == "reload_failed");
    CHECK(f.fake.audit_copy().size() == before);
}

TEST_CASE("control_socket: a handler that throws gives an internal error, not a dead daemon", "[control_socket]") {
    ServerOptions opts;
    ServerFixture f(opts, false);
    f.server = nullptr;
    auto h = f.fake.handlers();
    h.devices = []() -> std::vector<DeviceStatus> { throw std::runtime_error("scheduler exploded"); };
    h.reload = nullptr;
    f.server = std::make_unique<ControlServer>(f.io.get_executor(), f.options, h, f.clock);
    f.server->start();
    f.work.emplace(f.io.get_executor());
    f.thread = std::thread([&] { f.io.run(); });
    auto c = connected(f);
    auto r = c.call("devices", Json::object());
    CHECK(r.code == "internal");
    CHECK(r.message.find("scheduler exploded") != std::string::npos);
    CHECK(c.call("reload", Json::object()).code == "not_available");
    CHECK(c.call("alarms", Json::object()).ok);
}

TEST_CASE("control_socket: socket mode 0660, stale sockets replaced, live ones and files kept", "[control_socket]") {
    ServerFixture f(ServerOptions{}, false);
    // A stale socket: bound once, nobody listening any more.
    {
        int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strcpy(addr.sun_path, f.path().c_str());
        REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        ::close(fd);
    }
    f.start();
    struct stat st{};
    REQUIRE(::stat(f.path().c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0660);
    auto c = connected(f);
    CHECK(c.call("status", Json::object()).ok);

    // A second server on the same path must not steal a live socket.
    ServerOptions same = f.options;
    ControlServer second(f.io.get_executor(), same, f.fake.handlers(), f.clock);
    CHECK_THROWS_WITH(second.start(), Catch::Contains("another avmond is already listening"));
    // ... nor delete a regular file.
    ServerOptions file_opts = f.options;
    file_opts.socket_path = f.dir + "/not-a-socket";
    { std::ofstream(file_opts.socket_path) << "keep me"; }
    ControlServer third(f.io.get_executor(), file_opts, f.fake.handlers(), f.clock);
    CHECK_THROWS_WITH(third.start(), Catch::Contains("is not a socket"));
    CHECK(std::filesystem::exists(file_opts.socket_path));
    ServerOptions bad_group = f.options;
    bad_group.socket_path = f.dir + "/g.sock";
    bad_group.socket_group = "no-such-group-avmon";
    ControlServer fourth(f.io.get_executor(), bad_group, f.fake.handlers(), f.clock);
    CHECK_THROWS_WITH(fourth.start(), Catch::Contains("no-such-group-avmon"));
}

namespace {
// Connects as another user in a forked child; returns "ok:<actor>", "denied" or "error:<text>".
std::string connect_as(const std::string& path, uid_t uid, gid_t gid) {
    int pipefd[2];
    REQUIRE(::pipe(pipefd) == 0);
    pid_t pid = ::fork();
    if (pid == 0) {
        ::close(pipefd[0]);
        std::string out;
        if (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0) {
            out = "error:setuid";
        } else {
            ControlClient c;
            if (!c.connect(path)) {
                out = c.failure() == ConnectFailure::permission_denied ? "denied" : "error:" + c.error();
            } else {
                try {
                    auto r = c.call("ack", {{"alarm", 42}, {"note", "from nobody"}}, 5s);
                    out = r.ok ? "ok:" + r.result["alarm"]["acked_by"].get<std::string>() : "error:" + r.code;
                } catch (const std::exception& e) {
                    out = std::string("error:") + e.what();
                }
            }
        }
        (void)!::write(pipefd[1], out.data(), out.size());
        ::_exit(0);
    }
    ::close(pipefd[1]);
    std::string out;
    char buf[256];
    ssize_t n;
    while ((n = ::read(pipefd[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
    ::close(pipefd[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return out;
}
}  // namespace

TEST_CASE("control_socket: socket permissions refuse other users, the socket group admits them", "[control_socket]") {
    if (::geteuid() != 0) {
        WARN("not root: cannot switch to nobody, skipped");
        return;
    }
    const passwd* nobody = ::getpwnam("nobody");
    REQUIRE(nobody);
    const group* nogroup = ::getgrgid(nobody->pw_gid);
    REQUIRE(nogroup);
    {
        ServerFixture f;  // no socket_group: root:root 0660
        seed_alarms(f.fake);
        CHECK(connect_as(f.path(), nobody->pw_uid, nobody->pw_gid) == "denied");
        // The refused connect never reaches the server: nothing is audited for it (the kernel
        // refuses it at the socket's file permissions); nothing changed either.
        CHECK(f.fake.audit_copy().empty());
        std::lock_guard l(f.fake.mu);
        CHECK(f.fake.alarm_list[1].state == AlarmState::raised);
    }
    {
        ServerOptions opts;
        opts.socket_group = nogroup->gr_name;
        ServerFixture f(opts);
        seed_alarms(f.fake);
        struct stat st{};
        REQUIRE(::stat(f.path().c_str(), &st) == 0);
        CHECK(st.st_gid == nobody->pw_gid);
        CHECK(connect_as(f.path(), nobody->pw_uid, nobody->pw_gid) == "ok:nobody");
        const auto audits = f.fake.audit_copy();
        REQUIRE(audits.size() == 2);
        CHECK(audits[0].actor == "nobody");
        CHECK(audits[1].actor == "nobody");
        CHECK(audits[1].action == "ack");
    }
}
