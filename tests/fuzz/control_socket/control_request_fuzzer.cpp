// Arbitrary bytes as control-socket request lines: each line goes through parse_request, the
// typed argument readers and Dispatcher::handle_line, against a fake daemon that answers every
// callback, so the fuzzer reaches the command handlers (ack/resolve/close/note with unknown
// and edge ids, maintenance add/remove with odd times and durations, reload, filters).
// The whole input is replayed once per fake behaviour: agreeable, refusing (handlers return
// false), and throwing ControlError / std::runtime_error from inside the callbacks.
//
// Invariants (a break aborts so the fuzzer keeps the input):
//  - handle_line never throws and answers exactly one line that parse_response reads back;
//  - the response carries the request's id, and a request parse_request refuses is answered
//    with that same error code;
//  - with a fake that never throws, no request ends as "internal" (that would be a bug in
//    the dispatcher, e.g. a JSON type error, turned into a generic refusal).
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/control/dispatcher.hpp"
#include "daemon/control/json_forms.hpp"
#include "daemon/control/protocol.hpp"
#include "daemon/core/log.hpp"

using namespace avmon;
using namespace avmon::control;

namespace {

void require(bool condition) {
    if (!condition) std::abort();
}

// Audit lines go to the log facade; the fuzzer must not write to the journal or stderr.
class NullSink final : public log::Sink {
public:
    void write(const log::Entry&) override {}
};

enum class Behaviour { agree, refuse, control_error, exception };

constexpr std::int64_t kMaxI = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMinI = std::numeric_limits<std::int64_t>::min();

SysTime at(std::int64_t unix_s) { return SysTime{std::chrono::seconds(unix_s)}; }

// A small daemon: a few alarms in every state (ids 1..4 plus edge ids), two devices, a config
// window and an operator window. Writes change its state like the engine would.
class FakeDaemon {
public:
    explicit FakeDaemon(Behaviour b) : b_(b) {
        const SysTime t0 = at(1'790'000'000);
        auto alarm = [&](std::int64_t id, AlarmState s, Severity sev, std::string device) {
            Alarm a;
            a.id = id;
            a.rule_id = "rule-" + device;
            a.device = device;
            a.room = id % 2 ? "r1" : "r2";
            a.severity = sev;
            a.state = s;
            a.text = "text of " + std::to_string(id);
            a.value = static_cast<double>(id) / 3;
            a.raised_at = t0;
            if (s != AlarmState::raised) a.acked_at = t0 + std::chrono::minutes(1);
            if (s == AlarmState::resolved || s == AlarmState::closed) a.resolved_at = t0 + std::chrono::minutes(2);
            if (s == AlarmState::closed) a.closed_at = t0 + std::chrono::minutes(3);
            a.ack_deadline = t0 + std::chrono::minutes(15);
            return a;
        };
        alarms_ = {alarm(1, AlarmState::raised, Severity::I, "cod-1"),
                   alarm(2, AlarmState::acknowledged, Severity::II, "mic-1"),
                   alarm(3, AlarmState::resolved, Severity::III, "sw-1"),
                   alarm(4, AlarmState::closed, Severity::IV, "disp-1"),
                   alarm(0, AlarmState::raised, Severity::III, "zero"),
                   alarm(-1, AlarmState::raised, Severity::III, "minus"),
                   alarm(kMaxI, AlarmState::raised, Severity::I, "max"),
                   alarm(kMinI, AlarmState::acknowledged, Severity::IV, "min")};
        alarms_[0].text = "bad utf-8 \xff\xfe in a device text";
        alarms_[1].root_alarm_id = 1;
        alarms_[1].value = std::numeric_limits<double>::infinity();
        alarms_[2].value = std::numeric_limits<double>::quiet_NaN();

        DeviceStatus d;
        d.id = "cod-1";
        d.name = "Codec";
        d.room = "r1";
        d.device_class = "codec";
        d.address = "192.0.2.1";
        d.polled = true;
        d.reachable = true;
        d.last_poll = t0;
        d.last_duration = std::chrono::milliseconds(12);
        devices_.push_back(d);
        d.id = "mic-1";
        d.room = "r2";
        d.reachable = false;
        d.consecutive_failures = std::numeric_limits<int>::max();
        d.last_poll.reset();
        devices_.push_back(d);

        config::MaintenanceWindow cfg;
        cfg.id = "mw-config";
        cfg.scope = config::MaintenanceWindow::Scope::room;
        cfg.target = "r1";
        cfg.weekdays = {1, 3};
        cfg.start_minute = 22 * 60;
        cfg.duration = std::chrono::hours(2);
        cfg.reason = "patch night";
        cfg.where = {"avmon.toml", 40, 1};
        windows_.push_back(cfg);
        config::MaintenanceWindow op;
        op.id = "op-1790000000";
        op.scope = config::MaintenanceWindow::Scope::device;
        op.target = "cod-1";
        op.start = t0;
        op.duration = std::chrono::hours(1);
        op.reason = "swap";
        windows_.push_back(op);
    }

    bool throws() const { return b_ == Behaviour::control_error || b_ == Behaviour::exception; }

    ControlHandlers handlers() {
        ControlHandlers h;
        h.status = [this] {
            misbehave("status");
            DaemonStatus s;
            s.version = "0.1.0";
            s.started = at(1'789'000'000);
            s.config_file = "/etc/avmon/avmon.toml";
            s.store_path = "/var/lib/avmon/avmon.db";
            s.store_queued_samples = 3;
            s.store_dropped_samples = std::numeric_limits<std::uint64_t>::max();
            s.store_healthy = b_ == Behaviour::agree;
            s.store_error = b_ == Behaviour::agree ? "" : "disk full";
            s.on_duty = "alice";
            return s;
        };
        h.devices = [this] {
            misbehave("devices");
            return devices_;
        };
        h.alarms = [this] {
            misbehave("alarms");
            return alarms_;
        };
        h.maintenance = [this] { return windows_; };
        h.active_maintenance = [this] { return std::vector<config::MaintenanceWindow>{windows_.front()}; };
        h.target_exists = [this](config::MaintenanceWindow::Scope s, const std::string& id) {
            if (s == config::MaintenanceWindow::Scope::site) return id == "hq";
            for (const auto& d : devices_)
                if ((s == config::MaintenanceWindow::Scope::device ? d.id : d.room) == id) return true;
            return false;
        };
        h.acknowledge = [this](std::int64_t id, const std::string& actor, const std::string&) {
            return change(id, AlarmState::raised, AlarmState::acknowledged, actor);
        };
        h.resolve = [this](std::int64_t id, const std::string& actor, const std::string&, const std::string&) {
            Alarm* a = find(id);
            if (a && a->state != AlarmState::raised && a->state != AlarmState::acknowledged) return false;
            return change(id, a ? a->state : AlarmState::raised, AlarmState::resolved, actor);
        };
        h.close = [this](std::int64_t id, const std::string& actor, const std::string&, const std::string&) {
            return change(id, AlarmState::resolved, AlarmState::closed, actor);
        };
        h.add_note = [this](std::int64_t id, const std::string&, const std::string&) {
            misbehave("note");
            return b_ == Behaviour::agree && find(id) != nullptr;
        };
        h.add_maintenance = [this](const config::MaintenanceWindow& w, const std::string&) {
            misbehave("maintenance.add");
            if (b_ != Behaviour::agree || windows_.size() > 64) return false;
            (void)window_json(w, false);  // what avmond stores must render
            windows_.push_back(w);
            return true;
        };
        h.remove_maintenance = [this](const std::string& id, const std::string&) {
            misbehave("maintenance.remove");
            for (auto it = windows_.begin(); it != windows_.end(); ++it)
                if (it->id == id && b_ == Behaviour::agree) {
                    windows_.erase(it);
                    return true;
                }
            return false;
        };
        h.reload = [this](const std::string&) {
            misbehave("reload");
            ReloadOutcome out;
            out.applied = b_ == Behaviour::agree;
            if (out.applied) out.changes = {"device cod-1: address changed"};
            else out.errors = {"avmon.toml:3:1: devices: \xff not valid"};
            out.warnings = {"a warning"};
            return out;
        };
        h.audit = [this](store::AuditRecord r) {
            ++audits;
            if (b_ == Behaviour::exception) throw std::runtime_error("store queue full");
            require(!r.actor.empty() && !r.action.empty());
        };
        return h;
    }

    int audits = 0;

private:
    void misbehave(const char* what) {
        if (b_ == Behaviour::control_error) throw ControlError(err::not_available, std::string(what) + " refused");
        if (b_ == Behaviour::exception) throw std::runtime_error(std::string(what) + " broke");
    }
    Alarm* find(std::int64_t id) {
        for (auto& a : alarms_)
            if (a.id == id) return &a;
        return nullptr;
    }
    bool change(std::int64_t id, AlarmState from, AlarmState to, const std::string& actor) {
        misbehave("alarm write");
        Alarm* a = find(id);
        if (!a || a->state != from || b_ != Behaviour::agree) return false;
        a->state = to;
        if (to == AlarmState::acknowledged) a->acked_by = actor;
        return true;
    }

    Behaviour b_;
    std::vector<Alarm> alarms_;
    std::vector<DeviceStatus> devices_;
    std::vector<config::MaintenanceWindow> windows_;
};

// The typed readers on every key a request carries: a bad_args refusal or a value, never
// another exception.
void read_every_argument(const Json& args) {
    for (auto it = args.begin(); it != args.end(); ++it) {
        const std::string key = it.key();
        try {
            (void)arg_int(args, key.c_str());
        } catch (const ControlError& e) {
            require(e.code() == err::bad_args);
        }
        try {
            (void)arg_optional_string(args, key.c_str());
            (void)arg_string(args, key.c_str(), false);
        } catch (const ControlError& e) {
            require(e.code() == err::bad_args);
        }
    }
}

void run_line(Dispatcher& d, const FakeDaemon& fake, std::string_view line, const Peer& peer) {
    std::int64_t id = 0;
    std::optional<std::string> parse_error;
    try {
        Request r = parse_request(line, id);
        require(!r.cmd.empty() && r.args.is_object() && r.id == id);
        read_every_argument(r.args);
        (void)encode_request(r);
    } catch (const ControlError& e) {
        parse_error = e.code();
    }

    const std::string out = d.handle_line(line, peer);
    require(!out.empty() && out.back() == '\n');
    require(out.find('\n') == out.size() - 1);
    const Response resp = parse_response(std::string_view(out).substr(0, out.size() - 1));
    require(resp.id == id);
    if (parse_error) require(!resp.ok && resp.code == *parse_error);
    if (!resp.ok) require(!resp.message.empty());
    if (!fake.throws()) require(resp.code != err::internal);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const bool quiet = [] {
        log::set_sink(std::make_unique<NullSink>());
        return true;
    }();
    (void)quiet;

    const std::string_view input(reinterpret_cast<const char*>(data), size);
    std::vector<std::string_view> lines;
    for (std::size_t pos = 0; pos <= input.size();) {
        std::size_t nl = input.find('\n', pos);
        if (nl == std::string_view::npos) nl = input.size();
        lines.push_back(input.substr(pos, nl - pos));
        pos = nl + 1;
    }

    const ManualClock clock(at(1'790'000'600));
    const Peer peer{1000, 1000, 4242, "alice"};
    for (Behaviour b : {Behaviour::agree, Behaviour::refuse, Behaviour::control_error, Behaviour::exception}) {
        FakeDaemon fake(b);
        Dispatcher d(fake.handlers(), clock);
        d.audit_connection(peer, "connected");
        for (auto line : lines) run_line(d, fake, line, peer);
        // A dispatcher with no daemon behind it answers too ("not_available").
        Dispatcher bare(ControlHandlers{}, clock);
        if (b == Behaviour::agree)
            for (auto line : lines) run_line(bare, fake, line, peer);
    }
    return 0;
}
