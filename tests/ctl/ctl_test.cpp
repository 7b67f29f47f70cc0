// avmonctl end to end against the real control server with fake handlers (and a real store
// for timelines, audit and backup): tables, --json, exit codes 0-4 and their messages.
#include <catch2/catch.hpp>

#include <pwd.h>
#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "daemon/store/sqlite.hpp"
#include "daemon/store/store_reader.hpp"
#include "daemon/store/store_writer.hpp"
#include "tests/control_socket/fake_daemon.hpp"
#include "tests/ctl/run_ctl.hpp"

using namespace avmon;
using namespace avmon::control;
using namespace avmon::control::testing;
using namespace avmon::ctl::testing;
using namespace std::chrono_literals;
using Catch::Contains;

namespace {

void seed(FakeDaemon& fake) {
    std::lock_guard l(fake.mu);
    fake.alarm_list = {make_alarm(41, "r1", Severity::I), make_alarm(42, "r2", Severity::III),
                       make_alarm(43, "r1", Severity::II, AlarmState::closed)};
    DeviceStatus up{"r1-codec", "Codec", "r1", "codec", "10.0.0.1", true, true, 0, from_unix_ms(1'790'000'300'000)};
    DeviceStatus down{"r1-proj", "Projector", "r1", "display", "10.0.0.2", true, false, 3, {}};
    fake.device_list = {up, down};
}

std::vector<std::string> with_socket(const ServerFixture& f, std::vector<std::string> args) {
    args.push_back("--socket");
    args.push_back(f.path());
    return args;
}

config::StoreConfig store_cfg(const std::string& dir) {
    config::StoreConfig c;
    c.path = dir + "/avmon.db";
    c.flush_interval = 5ms;
    c.queue_limit = 10'000'000;
    return c;
}

AlarmEvent event(const Alarm& a, AlarmEventKind kind, SysTime t, std::string actor, std::string note) {
    AlarmEvent e;
    e.kind = kind;
    e.time = t;
    e.actor = std::move(actor);
    e.note = std::move(note);
    e.alarm = a;
    return e;
}

}  // namespace

TEST_CASE("ctl: status and devices print tables, --json prints the daemon's answer", "[ctl]") {
    ServerFixture f;
    seed(f.fake);
    auto st = run_ctl(with_socket(f, {"status"}));
    REQUIRE(st.exit_code == 0);
    CHECK_THAT(st.out, Contains("avmond 9.9.9, up 6m 0s"));
    CHECK_THAT(st.out, Contains("alarms   2 open (2 unacknowledged): I 1, II 0, III 1, IV 0"));
    CHECK_THAT(st.out, Contains("devices  2: 1 up, 1 down, 0 not polled yet"));
    CHECK_THAT(st.out, Contains("ROOM  UP  DOWN  UNKNOWN  LAST POLL"));
    CHECK_THAT(st.out, Contains("store queue: 12 samples"));
    auto js = run_ctl(with_socket(f, {"status", "--json"}));
    REQUIRE(js.exit_code == 0);
    auto j = Json::parse(js.out);
    CHECK(j["version"] == "9.9.9");
    CHECK(j["devices"]["down"] == 1);

    auto dev = run_ctl(with_socket(f, {"devices"}));
    REQUIRE(dev.exit_code == 0);
    CHECK_THAT(dev.out, Contains("DEVICE    ROOM  CLASS    ADDRESS   STATE  FAILS  LAST POLL"));
    CHECK_THAT(dev.out, Contains("r1-proj   r1    display  10.0.0.2  down   3"));
    CHECK(Json::parse(run_ctl(with_socket(f, {"devices", "--json"})).out)["devices"].size() == 2);
}

TEST_CASE("ctl: alarms with filters, table and json", "[ctl]") {
    ServerFixture f;
    seed(f.fake);
    auto all = run_ctl(with_socket(f, {"alarms"}));
    REQUIRE(all.exit_code == 0);
    CHECK_THAT(all.out, Contains("ID  SEV  STATE   ROOM  DEVICE    RAISED"));
    CHECK_THAT(all.out, Contains("41  I    raised  r1    r1-codec"));
    auto open_r1 = run_ctl(with_socket(f, {"alarms", "--room", "r1", "--state", "open", "--json"}));
    REQUIRE(open_r1.exit_code == 0);
    auto j = Json::parse(open_r1.out);
    REQUIRE(j["alarms"].size() == 1);
    CHECK(j["alarms"][0]["id"] == 41);
    auto bad = run_ctl(with_socket(f, {"alarms", "--severity", "V"}));
    CHECK(bad.exit_code == 1);
    CHECK_THAT(bad.err, Contains("severity \"V\" is not one of I, II, III, IV"));
    CHECK(run_ctl(with_socket(f, {"alarms", "--bogus"})).exit_code == 2);
}

TEST_CASE("ctl: ack, resolve, close, note and their exit codes", "[ctl]") {
    ServerFixture f;
    seed(f.fake);
    auto ack = run_ctl(with_socket(f, {"ack", "41", "--note", "on my way"}));
    REQUIRE(ack.exit_code == 0);
    CHECK_THAT(ack.out, Contains("alarm 41 is now acknowledged"));
    {
        std::lock_guard l(f.fake.mu);
        CHECK(f.fake.alarm_list[0].acked_by == my_user_name());
    }
    auto unknown = run_ctl(with_socket(f, {"ack", "999"}));
    CHECK(unknown.exit_code == 1);
    CHECK_THAT(unknown.err, Contains("alarm 999 is not open in avmond"));
    CHECK_THAT(unknown.err, Contains("avmonctl alarms"));
    auto unknown_json = run_ctl(with_socket(f, {"ack", "999", "--json"}));
    CHECK(unknown_json.exit_code == 1);
    CHECK(Json::parse(unknown_json.out)["error"]["code"] == "unknown_alarm");
    auto twice = run_ctl(with_socket(f, {"ack", "41"}));
    CHECK(twice.exit_code == 1);
    CHECK_THAT(twice.err, Contains("alarm 41 is acknowledged: it cannot be acknowledged"));

    auto usage = run_ctl(with_socket(f, {"ack", "forty-one"}));
    CHECK(usage.exit_code == 2);
    CHECK_THAT(usage.err, Contains("is not a number"));
    CHECK_THAT(usage.err, Contains("usage: avmonctl ack ID"));
    auto no_cause = run_ctl(with_socket(f, {"resolve", "41", "--action", "x"}));
    CHECK(no_cause.exit_code == 2);
    CHECK_THAT(no_cause.err, Contains("resolve needs --cause TEXT and --action TEXT"));
    CHECK(run_ctl(with_socket(f, {"ack"})).exit_code == 2);
    CHECK(run_ctl(with_socket(f, {"ack", "99999999999999999999999"})).exit_code == 2);
    CHECK(run_ctl(with_socket(f, {"show", "99999999999999999999999"})).exit_code == 2);
    CHECK(run_ctl(with_socket(f, {"ack", "41", "--note"})).exit_code == 2);

    auto res = run_ctl(with_socket(f, {"resolve", "41", "--cause", "fan", "--action=replaced fan"}));
    REQUIRE(res.exit_code == 0);
    CHECK_THAT(res.out, Contains("alarm 41 is now resolved"));
    auto close = run_ctl(with_socket(f, {"close", "41", "--cause", "fan", "--action", "replaced", "--json"}));
    REQUIRE(close.exit_code == 0);
    CHECK(Json::parse(close.out)["alarm"]["cause"] == "fan");
    auto note = run_ctl(with_socket(f, {"note", "42", "vendor", "called", "back"}));
    REQUIRE(note.exit_code == 0);
    CHECK_THAT(note.out, Contains("note added to alarm 42"));

    const auto audits = f.fake.audit_copy();
    int logins = 0;
    for (const auto& a : audits) logins += a.action == "login";
    CHECK(logins >= 7);  // every avmonctl run is a connection
    CHECK(std::any_of(audits.begin(), audits.end(),
                      [](const auto& a) { return a.action == "resolve" && a.detail == "cause: fan; action: replaced fan"; }));
}

TEST_CASE("ctl: a missing daemon exits 3 and a refused socket exits 4, both saying what to do", "[ctl]") {
    char tmpl[] = "/tmp/avmon-ctl-XXXXXX";
    std::string dir = ::mkdtemp(tmpl);
    auto none = run_ctl({"status", "--socket", dir + "/avmond.sock"});
    CHECK(none.exit_code == 3);
    CHECK_THAT(none.err, Contains("avmond is not running"));
    CHECK_THAT(none.err, Contains(dir + "/avmond.sock"));
    CHECK_THAT(none.err, Contains("systemctl start avmond"));
    // A stale socket file nobody listens on: also "not running".
    {
        ServerFixture f(ServerOptions{}, false);
        int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strcpy(addr.sun_path, f.path().c_str());
        REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        auto stale = run_ctl(with_socket(f, {"alarms"}));
        ::close(fd);
        CHECK(stale.exit_code == 3);
    }
    std::filesystem::remove_all(dir);

    if (::geteuid() != 0) {
        WARN("not root: the permission-denied case needs another user");
        return;
    }
    const passwd* nobody = ::getpwnam("nobody");
    REQUIRE(nobody);
    ServerFixture f;
    seed(f.fake);
    auto denied = run_ctl(with_socket(f, {"ack", "41"}), std::make_pair(nobody->pw_uid, nobody->pw_gid));
    CHECK(denied.exit_code == 4);
    CHECK_THAT(denied.err, Contains("permission denied on " + f.path()));
    CHECK_THAT(denied.err, Contains("usermod -aG avmon"));
    std::lock_guard l(f.fake.mu);
    CHECK(f.fake.alarm_list[0].state == AlarmState::raised);
}

TEST_CASE("ctl: show prints the alarm and its timeline from the store, old alarms from the store", "[ctl]") {
    ServerFixture f;
    seed(f.fake);
    SystemClock clock;
    {
        store::StoreWriter writer(store_cfg(f.dir), clock);
        Alarm a = make_alarm(41, "r1", Severity::I);
        writer.enqueue(event(a, AlarmEventKind::raised, a.raised_at, "avmond", ""));
        a.state = AlarmState::acknowledged;
        writer.enqueue(event(a, AlarmEventKind::acknowledged, a.raised_at + 5min, "alice", "on my way"));
        Alarm old = make_alarm(7, "r9", Severity::IV, AlarmState::closed);
        old.cause = "filter dusty";
        writer.enqueue(event(old, AlarmEventKind::closed, old.raised_at, "bob", "cleaned"));
        REQUIRE(writer.flush());
    }
    {
        std::lock_guard l(f.fake.mu);
        f.fake.store_path = f.dir + "/avmon.db";
    }
    auto show = run_ctl(with_socket(f, {"show", "41"}));
    REQUIRE(show.exit_code == 0);
    CHECK_THAT(show.out, Contains("alarm 41  severity I  raised"));
    CHECK_THAT(show.out, Contains("TIME"));
    CHECK_THAT(show.out, Contains("acknowledged  alice"));
    CHECK_THAT(show.out, Contains("on my way"));
    auto js = Json::parse(run_ctl(with_socket(f, {"show", "41", "--json"})).out);
    REQUIRE(js["timeline"].size() == 2);
    CHECK(js["timeline"][1]["actor"] == "alice");

    auto old = run_ctl(with_socket(f, {"show", "7"}));
    REQUIRE(old.exit_code == 0);
    CHECK_THAT(old.out, Contains("alarm 7  severity IV  closed"));
    CHECK_THAT(old.out, Contains("cause: filter dusty"));
    auto none = run_ctl(with_socket(f, {"show", "8"}));
    CHECK(none.exit_code == 1);
    CHECK_THAT(none.err, Contains("no alarm 8 in the store either"));
    CHECK(run_ctl(with_socket(f, {"show"})).exit_code == 2);
}

TEST_CASE("ctl: maintenance add, list and remove", "[ctl]") {
    ServerFixture f;
    auto add = run_ctl(with_socket(f, {"maintenance", "add", "--room", "r1", "--start", "now", "--duration", "2h",
                                       "--reason", "projector swap"}));
    REQUIRE(add.exit_code == 0);
    CHECK_THAT(add.out, Contains("maintenance window op-1790000360 added: room r1 from"));
    auto weekly = run_ctl(with_socket(f, {"maintenance", "add", "--site", "hq", "--weekly", "tue,thu", "--at",
                                          "22:30", "--duration", "1h30m", "--reason", "patch night"}));
    REQUIRE(weekly.exit_code == 0);
    CHECK_THAT(weekly.out, Contains("weekly at 22:30 for 1h30m"));
    auto list = run_ctl(with_socket(f, {"maintenance", "list"}));
    REQUIRE(list.exit_code == 0);
    CHECK_THAT(list.out, Contains("ID               TARGET   WHEN"));
    CHECK_THAT(list.out, Contains("Tue,Thu 22:30 for 1h30m"));
    CHECK_THAT(list.out, Contains("projector swap"));

    CHECK(run_ctl(with_socket(f, {"maintenance", "add", "--room", "r1", "--device", "d", "--start", "now",
                                  "--duration", "1h", "--reason", "x"})).exit_code == 2);
    CHECK(run_ctl(with_socket(f, {"maintenance", "add", "--room", "r1", "--start", "now", "--duration", "2 hours",
                                  "--reason", "x"})).exit_code == 2);
    CHECK(run_ctl(with_socket(f, {"maintenance", "add", "--room", "r1", "--start", "now", "--duration", "1h"}))
              .exit_code == 2);
    auto unknown_target = run_ctl(with_socket(f, {"maintenance", "add", "--room", "nowhere", "--start", "now",
                                                  "--duration", "1h", "--reason", "x"}));
    CHECK(unknown_target.exit_code == 1);
    CHECK_THAT(unknown_target.err, Contains("no room \"nowhere\" in the configuration"));

    auto rm = run_ctl(with_socket(f, {"maintenance", "remove", "op-1790000360"}));
    REQUIRE(rm.exit_code == 0);
    auto rm_again = run_ctl(with_socket(f, {"maintenance", "remove", "op-1790000360"}));
    CHECK(rm_again.exit_code == 1);
    CHECK_THAT(rm_again.err, Contains("avmonctl maintenance list"));
    CHECK(Json::parse(run_ctl(with_socket(f, {"maintenance", "list", "--json"})).out)["windows"].size() == 1);
}

TEST_CASE("ctl: reload shows what changed, a refused reload exits 1 with the errors", "[ctl]") {
    ServerFixture f;
    auto ok = run_ctl(with_socket(f, {"reload"}));
    REQUIRE(ok.exit_code == 0);
    CHECK_THAT(ok.out, Contains("configuration reloaded:\n  device r1-proj added"));
    {
        std::lock_guard l(f.fake.mu);
        f.fake.reload_ok = false;
    }
    auto refused = run_ctl(with_socket(f, {"reload"}));
    CHECK(refused.exit_code == 1);
    CHECK_THAT(refused.err, Contains("avmon.toml:12:3: device[0].interval: not a duration"));
    CHECK_THAT(refused.err, Contains("keeps the previous one"));
}

TEST_CASE("ctl: backup of a store under concurrent writes is a valid database", "[ctl]") {
    char tmpl[] = "/tmp/avmon-ctl-backup-XXXXXX";
    std::string dir = ::mkdtemp(tmpl);
    SystemClock clock;
    auto cfg = store_cfg(dir);
    store::StoreWriter writer(cfg, clock);
    const auto t0 = clock.now() - 24h;
    auto batch = [&](int round) {
        std::vector<Sample> v;
        for (int i = 0; i < 1000; ++i)
            v.push_back(Sample{"sw-" + std::to_string(i % 20), "if_in_bps." + std::to_string(i % 50),
                               t0 + std::chrono::seconds(round), double(i)});
        return v;
    };
    for (int r = 0; r < 30; ++r) writer.enqueue(batch(r));
    REQUIRE(writer.flush());
    std::atomic<bool> stop{false};
    std::atomic<int> rounds{30};
    std::thread producer([&] {
        while (!stop) {
            writer.enqueue(batch(rounds++));
            std::this_thread::sleep_for(1ms);
        }
    });
    std::this_thread::sleep_for(30ms);
    auto r = run_ctl({"backup", dir + "/copy.db", "--store", cfg.path});
    stop = true;
    producer.join();
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Contains("backed up " + cfg.path + " to " + dir + "/copy.db"));
    {
        store::StoreReader copy(dir + "/copy.db");
        store::Statement check(copy.database(), "PRAGMA integrity_check");
        REQUIRE(check.step());
        CHECK(check.get_text(0) == "ok");
        CHECK(copy.sample_count() >= 30'000);
        CHECK(copy.sample_count() % 1000 == 0);  // whole commits only
    }
    auto same = run_ctl({"backup", cfg.path, "--store", cfg.path});
    CHECK(same.exit_code == 2);
    auto bad = run_ctl({"backup", dir + "/copy2.db", "--store", dir + "/missing.db"});
    CHECK(bad.exit_code == 1);
    CHECK_THAT(bad.err, Contains("backup of " + dir + "/missing.db"));
    writer.stop();
    std::filesystem::remove_all(dir);
}

TEST_CASE("ctl: backup and audit find the store through avmond's status", "[ctl]") {
    ServerFixture f;
    SystemClock clock;
    {
        store::StoreWriter writer(store_cfg(f.dir), clock);
        store::AuditRecord a;
        a.time = clock.now() - 1h;
        a.actor = "alice";
        a.action = "ack";
        a.target = "41";
        a.before = R"({"state":"raised"})";
        a.after = R"({"state":"acknowledged"})";
        a.detail = "on my way";
        writer.enqueue_audit(a);
        a.time = clock.now() - 30 * 24h;
        a.action = "reload";
        writer.enqueue_audit(a);
        REQUIRE(writer.flush());
    }
    {
        std::lock_guard l(f.fake.mu);
        f.fake.store_path = f.dir + "/avmon.db";
    }
    auto audit = run_ctl(with_socket(f, {"audit"}));
    REQUIRE(audit.exit_code == 0);
    CHECK_THAT(audit.out, Contains("alice  ack     41"));
    CHECK_THAT(audit.out, Contains(R"(on my way; {"state":"raised"} -> {"state":"acknowledged"})"));
    CHECK(audit.out.find("reload") == std::string::npos);  // older than the default 7 days
    auto month = Json::parse(run_ctl(with_socket(f, {"audit", "--since", "60d", "--json"})).out);
    CHECK(month["audit"].size() == 2);
    CHECK(run_ctl(with_socket(f, {"audit", "--since", "last tuesday"})).exit_code == 2);

    auto backup = run_ctl(with_socket(f, {"backup", f.dir + "/copy.db"}));
    REQUIRE(backup.exit_code == 0);
    store::StoreReader copy(f.dir + "/copy.db");
    CHECK(copy.audit(clock.now() - 60 * 24h, clock.now(), 10).size() == 2);
}

TEST_CASE("ctl: check-config reports errors with file:line and exits 1", "[ctl]") {
    auto good = run_ctl({"check-config", std::string(AVMON_SOURCE_DIR) + "/config/examples/avmon.toml"});
    CHECK(good.exit_code == 0);
    CHECK_THAT(good.out, Contains("valid ("));
    char tmpl[] = "/tmp/avmon-ctl-cfg-XXXXXX";
    std::string dir = ::mkdtemp(tmpl);
    { std::ofstream(dir + "/bad.toml") << "[daemon]\ndefault_interval = \"soon\"\nbogus_key = 1\n"; }
    auto bad = run_ctl({"check-config", dir + "/bad.toml"});
    CHECK(bad.exit_code == 1);
    CHECK_THAT(bad.err, Contains(dir + "/bad.toml:2:"));
    auto js = run_ctl({"check-config", dir + "/bad.toml", "--json"});
    CHECK(js.exit_code == 1);
    CHECK(Json::parse(js.out)["valid"] == false);
    CHECK(run_ctl({"check-config", "a.toml", "b.toml"}).exit_code == 2);
    std::filesystem::remove_all(dir);
}

TEST_CASE("ctl: every command answers --help with its usage", "[ctl]") {
    auto help = run_ctl({"--help"});
    REQUIRE(help.exit_code == 0);
    for (const char* cmd : {"status", "alarms", "show", "ack", "resolve", "close", "note", "maintenance", "reload",
                            "backup", "devices", "check-config", "audit"}) {
        CHECK_THAT(help.out, Contains(std::string("  ") + cmd + " "));
        auto h = run_ctl({cmd, "--help"});
        CHECK(h.exit_code == 0);
        CHECK_THAT(h.out, Contains(std::string("usage: avmonctl ") + cmd));
    }
}
