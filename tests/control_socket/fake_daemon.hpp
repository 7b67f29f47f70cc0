#pragma once
// A stand-in for avmond behind the control socket: alarms, windows and devices in plain
// vectors, every audit record kept, and a real ControlServer on its own loop thread.
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>

#include "daemon/control/control_server.hpp"

namespace avmon::control::testing {

inline Alarm make_alarm(std::int64_t id, std::string room, Severity sev, AlarmState state = AlarmState::raised) {
    Alarm a;
    a.id = id;
    a.rule_id = "unreachable";
    a.device = room + "-codec";
    a.room = std::move(room);
    a.severity = sev;
    a.state = state;
    a.text = "codec unreachable";
    a.raised_at = from_unix_ms(1'790'000'000'000);
    return a;
}

struct FakeDaemon {
    mutable std::mutex mu;  // handlers run on the loop thread, the test reads from its own
    std::vector<Alarm> alarm_list;
    std::vector<config::MaintenanceWindow> windows;
    std::vector<DeviceStatus> device_list;
    std::vector<store::AuditRecord> audits;
    bool reload_ok = true;
    bool reload_audits_itself = false;
    std::string store_path = "/var/lib/avmon/avmon.db";
    std::vector<std::string> added_by;

    ControlHandlers handlers() {
        ControlHandlers h;
        h.status = [this] {
            DaemonStatus s;
            s.version = "9.9.9";
            s.started = from_unix_ms(1'790'000'000'000);
            s.config_file = "/etc/avmon/avmon.toml";
            std::lock_guard l(mu);
            s.store_path = store_path;
            s.store_queued_samples = 12;
            s.on_duty = "alice";
            return s;
        };
        h.devices = [this] {
            std::lock_guard l(mu);
            return device_list;
        };
        h.alarms = [this] {
            std::lock_guard l(mu);
            return alarm_list;
        };
        h.maintenance = [this] {
            std::lock_guard l(mu);
            return windows;
        };
        h.active_maintenance = [] { return std::vector<config::MaintenanceWindow>{}; };
        h.target_exists = [](config::MaintenanceWindow::Scope, const std::string& id) { return id != "nowhere"; };
        auto transition = [this](std::int64_t id, const std::string& actor, AlarmState from_max, AlarmState to) {
            std::lock_guard l(mu);
            for (auto& a : alarm_list)
                if (a.id == id) {
                    if (static_cast<int>(a.state) > static_cast<int>(from_max)) return false;
                    a.state = to;
                    if (to == AlarmState::acknowledged) a.acked_by = actor;
                    return true;
                }
            return false;
        };
        h.acknowledge = [transition](std::int64_t id, const std::string& actor, const std::string&) {
            return transition(id, actor, AlarmState::raised, AlarmState::acknowledged);
        };
        h.resolve = [transition](std::int64_t id, const std::string& actor, const std::string&, const std::string&) {
            return transition(id, actor, AlarmState::acknowledged, AlarmState::resolved);
        };
        h.close = [this, transition](std::int64_t id, const std::string& actor, const std::string& cause,
                                     const std::string& action) {
            if (!transition(id, actor, AlarmState::resolved, AlarmState::closed)) return false;
            std::lock_guard l(mu);
            for (auto& a : alarm_list)
                if (a.id == id) a.cause = cause, a.action = action;
            return true;
        };
        h.add_note = [this](std::int64_t id, const std::string&, const std::string&) {
            std::lock_guard l(mu);
            for (auto& a : alarm_list)
                if (a.id == id) return true;
            return false;
        };
        h.add_maintenance = [this](const config::MaintenanceWindow& w, const std::string& actor) {
            std::lock_guard l(mu);
            windows.push_back(w);
            added_by.push_back(actor);
            return true;
        };
        h.remove_maintenance = [this](const std::string& id, const std::string&) {
            std::lock_guard l(mu);
            return std::erase_if(windows, [&](const auto& w) { return w.id == id; }) > 0;
        };
        h.reload = [this](const std::string&) {
            std::lock_guard l(mu);
            ReloadOutcome o;
            o.audited = reload_audits_itself;
            if (reload_ok) {
                o.applied = true;
                o.changes = {"device r1-proj added"};
            } else {
                o.errors = {"/etc/avmon/avmon.toml:12:3: device[0].interval: not a duration"};
            }
            return o;
        };
        h.audit = [this](store::AuditRecord r) {
            std::lock_guard l(mu);
            audits.push_back(std::move(r));
        };
        return h;
    }

    std::vector<store::AuditRecord> audit_copy() const {
        std::lock_guard l(mu);
        return audits;
    }
};

// A temp dir (0755 so other users can reach the socket inside) with a running server.
struct ServerFixture {
    explicit ServerFixture(ServerOptions opts = {}, bool start_now = true) {
        char tmpl[] = "/tmp/avmon-ctlsock-XXXXXX";
        dir = ::mkdtemp(tmpl);
        ::chmod(dir.c_str(), 0755);
        opts.socket_path = dir + "/avmond.sock";
        options = opts;
        if (start_now) start();
    }
    void start() {
        server = std::make_unique<ControlServer>(io.get_executor(), options, fake.handlers(), clock);
        server->start();
        work.emplace(io.get_executor());
        thread = std::thread([this] { io.run(); });
    }
    ~ServerFixture() {
        if (thread.joinable()) {
            asio::post(io, [this] { server->stop(); });
            work.reset();
            io.stop();
            thread.join();
        }
        server.reset();
        std::filesystem::remove_all(dir);
    }
    std::string path() const { return options.socket_path; }
    // Runs f on the loop thread and waits (the server's state is loop-thread only).
    template <typename F>
    auto on_loop(F f) {
        std::promise<decltype(f())> p;
        asio::post(io, [&] { p.set_value(f()); });
        return p.get_future().get();
    }

    std::string dir;
    ServerOptions options;
    FakeDaemon fake;
    ManualClock clock{from_unix_ms(1'790'000'360'000)};
    asio::io_context io;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
    std::unique_ptr<ControlServer> server;
    std::thread thread;
};

inline std::string my_user_name() {
    const passwd* pw = ::getpwuid(::getuid());
    return pw ? pw->pw_name : "uid:" + std::to_string(::getuid());
}

}  // namespace avmon::control::testing
