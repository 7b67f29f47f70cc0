#include "daemon/app/daemon.hpp"

#include "daemon/app/device_fingerprint.hpp"

#include <fmt/format.h>

#include <malloc.h>

#include <csignal>
#include <filesystem>
#include <string_view>
#include <unordered_map>
#include <iostream>

#include "config/loader.hpp"
#include "daemon/alarms/alarm_engine.hpp"
#include "daemon/alarms/self_rules.hpp"
#include "daemon/control/maintenance_records.hpp"
#include "daemon/core/log.hpp"
#include "daemon/core/message_ids.hpp"
#include "daemon/notify/mail_sender.hpp"
#include "daemon/service/watchdog_pinger.hpp"
#include "daemon/store/store_reader.hpp"
#include "daemon/store/store_writer.hpp"
#include "probes/control/control_probe.hpp"
#include "probes/icmp/icmp_probe.hpp"
#include "probes/icmp/pinger.hpp"
#include "probes/snmp/snmp_probe.hpp"
#include "probes/traps/trap_receiver.hpp"

namespace avmon::app {

using namespace std::chrono_literals;

namespace {
store::DeviceRecord device_record(const config::DeviceConfig& d) {
    store::DeviceRecord rec;
    rec.id = d.id;
    rec.name = d.name;
    rec.room = d.room;
    rec.device_class = std::string(config::to_string(d.device_class));
    rec.model = d.model;
    return rec;
}
}  // namespace

namespace {
// A config's TOML document tree (~25 MB at 10,000 devices) is freed once the config is
// parsed, but glibc keeps the freed pages of the main heap resident, and the loop thread
// never needs all of them again (10,000 devices: 11 MB of 33 MB still free while polling).
// Handing them back to the kernel lowers avmond's resident and peak memory.
void release_freed_heap() {
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}

// A world-readable file holding secrets has its own message id so it can be found and fixed.
void log_config_warning(const config::ConfigError& w, const std::string& path) {
    log::warning(config::is_insecure_permissions_warning(w) ? msgid::config_insecure : msgid::config_warning,
                 w.to_string(), {{"AVMON_CONFIG", path}});
}
}  // namespace

std::optional<config::Config> load_and_report(const std::string& path, bool to_journal) {
    auto result = config::load_config_file(path);
    for (const auto& w : result.warnings) {
        if (to_journal)
            log_config_warning(w, path);
        else
            std::cerr << w.to_string() << " (warning)\n";
    }
    for (const auto& e : result.errors) {
        if (to_journal)
            log::error(msgid::config_error, e.to_string(), {{"AVMON_CONFIG", path}});
        else
            std::cerr << e.to_string() << "\n";
    }
    if (!result.ok()) return std::nullopt;
    if (to_journal) log::info(msgid::config_loaded, "configuration loaded from " + path);
    return std::move(result.config);
}

Daemon::Daemon(Options options, config::Config config)
    : options_(std::move(options)),
      config_(std::make_shared<const config::Config>(std::move(config))),
      stop_signals_(io_, SIGTERM, SIGINT),
      hup_signal_(io_, SIGHUP),
      tick_timer_(io_),
      run_for_timer_(io_) {}

Daemon::~Daemon() = default;

int Daemon::run() {
    try {
        start();
    } catch (const std::exception& e) {
        log::error(msgid::daemon_start_failed, fmt::format("avmond cannot start: {}", e.what()));
        return exit_runtime;
    }
    io_.run();
    // The loop has ended: stop the mailer first (its verdicts go through the writer), then
    // flush and close the store (it commits everything queued, incl. the last tick's events).
    if (mailer_) mailer_->stop();
    if (store_) store_->stop();
    log::notice(msgid::daemon_stopping, "avmond stopped");
    return exit_code_;
}

void Daemon::start() {
    auto ex = io_.get_executor();
    store_ = std::make_unique<store::StoreWriter>(config_->store, clock_);
    std::vector<Alarm> open;
    std::int64_t next_id = 1;
    {
        store::StoreReader reader(config_->store.path);
        open = reader.open_alarms();
        // Closed alarms of the recurring window too: "N times in M days" survives a restart.
        store::AlarmFilter recent;
        recent.since = clock_.now() - config_->alarms.recurring_window;
        recent.state = AlarmState::closed;
        recent.limit = 100000;
        for (auto& a : reader.alarms(recent)) open.push_back(std::move(a));
        next_id = reader.max_alarm_id() + 1;
    }
    for (const auto& d : config_->devices) store_->enqueue_device(device_record(d));
    index_addresses();

    // Mail goes out off the loop; it reads the outbox the writer fills in the same transaction
    // as each alarm event, and is woken once that transaction has committed.
    if (config_->smtp.enabled) start_mailer();
    engine_ = std::make_unique<alarms::AlarmEngine>(config_, clock_, next_id, [this](const AlarmEvent& e) {
        if (mailer_ && !e.notify.empty())
            store_->enqueue(e, [m = mailer_.get()](std::int64_t) { m->wake(); });
        else
            store_->enqueue(e);
    });
    // Deadlines that passed while we were down escalate now, before the first poll.
    engine_->restore(open);
    engine_->tick();

    pinger_ = std::make_unique<icmp::Pinger>(ex);
    pinger_->start(config_->daemon.icmp_mode);

    scheduler_ = std::make_unique<Scheduler>(
        ex, PollTimingSettings{config_->daemon.jitter, config_->daemon.max_backoff, 3},
        [this](const std::string& device, const PollResult& r) { on_poll(device, r); });
    for (const auto& d : config_->devices) scheduler_->add(build_device(d));
    start_traps();
    {
        // Maintenance windows added with avmonctl outlive restarts: they are in the store.
        store::StoreReader reader(config_->store.path);
        for (const auto& w : control::windows_to_restore(reader.maintenance_windows(), clock_.now()))
            engine_->add_maintenance(w);
    }
    started_ = clock_.now();
    start_control();

    wait_signals();
    schedule_tick();
    if (options_.run_for_seconds) {
        run_for_timer_.expires_after(std::chrono::milliseconds(static_cast<long long>(*options_.run_for_seconds * 1000)));
        run_for_timer_.async_wait([this](boost::system::error_code ec) {
            if (!ec) shutdown("--run-for elapsed");
        });
    }
    watchdog_ = service::start_watchdog(ex, notifier_);
    auto status = fmt::format("polling {} devices in {} rooms; {} open alarms restored", config_->devices.size(),
                              config_->rooms.size(), open.size());
    notifier_.ready(status_line());
    log::notice(msgid::daemon_started, fmt::format("avmond started: {} (config {})", status, config_->source_file));
    release_freed_heap();
}

ScheduledDevice Daemon::build_device(const config::DeviceConfig& d) {
    ScheduledDevice sd;
    sd.id = d.id;
    sd.interval = d.interval;
    auto ex = io_.get_executor();
    const config::Profile* profile = config_->profile_for(d);
    try {
        if (auto p = icmp::make_icmp_probe(*pinger_, d)) sd.probes.push_back(std::move(p));
        if (d.snmp) {
            if (!profile) throw std::invalid_argument("no SNMP profile for this device");
            sd.probes.push_back(snmp::make_snmp_probe(ex, d, *profile));
        }
        if (d.control) {
            if (!profile) throw std::invalid_argument("no profile for protocol " + d.control->protocol);
            sd.probes.push_back(probes::make_control_probe(ex, d, *profile));
        }
    } catch (const std::exception& e) {
        // The config loader checked what it can; what only a probe can judge is reported here
        // and the device is polled by whatever probes could be built.
        log::error(msgid::probe_error, fmt::format("device {}: {}", d.id, e.what()),
                   {{"AVMON_DEVICE", d.id}, {"AVMON_ROOM", d.room}});
    }
    return sd;
}

void Daemon::on_poll(const std::string& device, const PollResult& r) {
    store_->enqueue(r, device);
    engine_->observe(device, r);
    // Only a change is logged; the room (a linear search of the config) is looked up then.
    auto fields = [&] {
        const auto* d = config_->find_device(device);
        return std::vector<log::Field>{{"AVMON_DEVICE", device}, {"AVMON_ROOM", d ? d->room : ""}};
    };
    using Say = ComplaintTracker::Say;
    if (r.reachable) {
        if (unreachable_log_.success(device) == Say::recovered)
            log::notice(msgid::device_recovered, fmt::format("{}: answers again", device), fields());
        return;
    }
    switch (unreachable_log_.failure(device, clock_.now())) {
        case Say::first_failure:
            log::warning(msgid::device_unreachable, fmt::format("{}: unreachable ({})", device, r.error), fields());
            break;
        case Say::reminder: {
            auto since = unreachable_log_.failing_since(device);
            log::warning(msgid::device_still_unreachable,
                         fmt::format("{}: still unreachable since {} ({})", device,
                                     since ? format_utc(*since) : "?", r.error),
                         fields());
            break;
        }
        default: break;
    }
}

void Daemon::start_control() {
    // Under systemd RuntimeDirectory= makes the directory; started by hand it may not exist yet.
    std::error_code ec;
    std::filesystem::create_directories(config_->daemon.runtime_dir, ec);
    try {
        control_ = std::make_unique<control::ControlServer>(io_.get_executor(),
                                                            control::ServerOptions::from(config_->daemon),
                                                            control_handlers(), clock_);
        control_->start();
    } catch (const std::exception& e) {
        // Watching the rooms matters more than being steerable: keep polling and alarming.
        control_.reset();
        log::error(msgid::control_refused,
                   fmt::format("control socket not available, avmonctl cannot reach this daemon: {}", e.what()));
    }
}

void Daemon::start_mailer() {
    notify::MailSenderOptions mail_options;
    mail_options.config = config_;
    mailer_ = std::make_unique<notify::MailSender>(config_->smtp, config_->store.path, *store_, clock_, mail_options);
    mailer_->start();
}

void Daemon::start_traps() {
    if (!config_->traps.enabled) return;
    traps_ = std::make_unique<traps::TrapReceiver>(
        io_.get_executor(), config_->traps,
        [this](std::string_view address) -> std::optional<std::string> {
            auto it = device_by_address_.find(std::string(address));
            if (it == device_by_address_.end()) return std::nullopt;
            return it->second;
        },
        [this](TrapEvent t) {
            store_->enqueue(t);
            engine_->observe_trap(t);
        },
        clock_);
    if (auto err = traps_->start(); !err.empty())
        log::error(msgid::probe_error, "trap receiver not started: " + err);
}

std::string Daemon::status_line() const {
    return fmt::format("polling {} devices, {} unreachable, {} open alarms", scheduler_->size(),
                       scheduler_->unreachable(),
                       engine_->open_alarms().size());
}

void Daemon::schedule_tick() {
    tick_timer_.expires_after(1s);
    tick_timer_.async_wait([this](boost::system::error_code ec) {
        if (ec || stopping_) return;
        // The writer reports failure only after a failed commit; the alarm is raised and kept
        // in memory (shown by avmonctl) and reaches the store once it can be written again.
        engine_->observe_self(alarms::kStoreUnwritableMetric, store_->healthy() ? 0 : 1);
        engine_->tick();
        if (++ticks_ % 10 == 0) notifier_.status(status_line());  // keeps `systemctl status` current
        schedule_tick();
    });
}

void Daemon::wait_signals() {
    stop_signals_.async_wait([this](boost::system::error_code ec, int sig) {
        if (!ec) shutdown(sig == SIGINT ? "SIGINT" : "SIGTERM");
    });
    wait_hup();
}

void Daemon::wait_hup() {
    hup_signal_.async_wait([this](boost::system::error_code ec, int) {
        if (ec || stopping_) return;
        reload("signal SIGHUP");
        wait_hup();  // every SIGHUP is a reload, not only the first
    });
}

void Daemon::index_addresses() {
    device_by_address_ = {};
    // Only the trap receiver asks (it runs when traps were enabled at start); without it the
    // index would be ~1 MB at 10,000 devices for nothing.
    if (!traps_ && !config_->traps.enabled) return;
    // The first device with an address wins, as the linear search it replaces did.
    for (const auto& d : config_->devices)
        if (!d.address.empty()) device_by_address_.emplace(d.address, d.id);
}

void Daemon::sync_devices(const config::Config& before) {
    // Indexed once: Config::find_device is a linear search, and fleets have 10,000 devices.
    std::unordered_map<std::string_view, const config::DeviceConfig*> was, now;
    for (const auto& d : before.devices) was.emplace(d.id, &d);
    for (const auto& d : config_->devices) now.emplace(d.id, &d);
    for (const auto& old : before.devices)
        if (!now.count(old.id)) scheduler_->remove(old.id);
    for (const auto& d : config_->devices) {
        const auto it = was.find(d.id);
        const auto* old = it == was.end() ? nullptr : it->second;
        // Unchanged devices keep their probes (counter baselines, cached SNMPv3 engine ids,
        // open control connections) and their place in the polling rhythm.
        if (old && scheduler_->contains(d.id) && device_fingerprint(before, *old) == device_fingerprint(*config_, d))
            continue;
        store_->enqueue_device(device_record(d));
        scheduler_->add(build_device(d));
    }
}

void Daemon::shutdown(const char* why) {
    if (stopping_) return;
    stopping_ = true;
    notifier_.stopping();
    log::notice(msgid::daemon_stopping, fmt::format("avmond stopping ({})", why));
    if (scheduler_) scheduler_->stop();
    if (traps_) traps_->stop();
    if (control_) control_->stop();
    if (pinger_) pinger_->stop();
    if (watchdog_) watchdog_->stop();
    tick_timer_.cancel();
    run_for_timer_.cancel();
    stop_signals_.cancel();
    hup_signal_.cancel();
    // In-flight polls end by their own deadlines; io_.run() returns when nothing is left.
}

void Daemon::audit_reload(const std::string& actor, const char* action, const std::string& detail) {
    store::AuditRecord audit;
    audit.time = clock_.now();
    audit.actor = actor;
    audit.action = action;
    audit.target = options_.config_path;
    audit.detail = detail;
    store_->enqueue_audit(std::move(audit));
}

control::ReloadOutcome Daemon::reload(const std::string& actor) {
    control::ReloadOutcome outcome;
    outcome.audited = true;  // both branches below write the audit record
    notifier_.reloading();
    auto result = config::load_config_file(options_.config_path);
    for (const auto& w : result.warnings) outcome.warnings.push_back(w.to_string());
    if (!result.ok()) {
        std::string why;
        for (const auto& e : result.errors) {
            why += (why.empty() ? "" : "; ") + e.to_string();
            outcome.errors.push_back(e.to_string());
        }
        log::error(msgid::config_reload_failed, "reload refused, still running the previous configuration: " + why);
        audit_reload(actor, "reload.refused", why);
        notifier_.ready("reload refused; previous configuration kept");
        return outcome;
    }
    for (const auto& w : result.warnings) log_config_warning(w, options_.config_path);
    auto changes = config::describe_changes(*config_, *result.config);
    // One copy of the configuration, shared by the engine and the mail sender.
    const std::shared_ptr<const config::Config> before = config_;
    config_ = std::make_shared<const config::Config>(std::move(*result.config));
    index_addresses();
    engine_->reconfigure(config_);
    sync_devices(*before);
    if (mailer_ && config_->smtp.enabled)
        mailer_->reconfigure(config_->smtp, config_);
    else if (!mailer_ && config_->smtp.enabled)
        start_mailer();
    std::string summary = changes.empty() ? "no changes" : "";
    for (const auto& c : changes) summary += (summary.empty() ? "" : "; ") + c;
    log::notice(msgid::config_reloaded, "configuration reloaded: " + summary);
    audit_reload(actor, "reload", summary);  // describe_changes never prints secret values
    notifier_.ready(status_line());
    release_freed_heap();  // the new config's document tree, and the old config
    outcome.applied = true;
    outcome.changes = std::move(changes);
    return outcome;
}

control::ControlHandlers Daemon::control_handlers() {
    control::ControlHandlers h;
    h.status = [this] {
        const auto st = store_->stats();
        control::DaemonStatus s;
        s.version = AVMON_VERSION;
        s.started = started_;
        s.config_file = options_.config_path;
        s.store_path = config_->store.path;
        s.store_queued_samples = st.queued_samples;
        s.store_queued_records = st.queued_records;
        s.store_dropped_samples = st.dropped_samples;
        s.store_healthy = st.healthy;
        s.store_error = st.last_error;
        s.store_last_flush = st.last_flush;
        s.on_duty = engine_->on_duty();
        return s;
    };
    h.devices = [this] {
        std::map<std::string, DevicePollStatus> polls;
        for (auto& p : scheduler_->status()) polls[p.id] = p;
        std::vector<control::DeviceStatus> out;
        for (const auto& d : config_->devices) {
            control::DeviceStatus s;
            s.id = d.id;
            s.name = d.name;
            s.room = d.room;
            s.device_class = std::string(config::to_string(d.device_class));
            s.address = d.address;
            if (auto it = polls.find(d.id); it != polls.end() && it->second.polled) {
                s.polled = true;
                s.reachable = it->second.reachable;
                s.consecutive_failures = it->second.consecutive_failures;
                s.last_poll = it->second.last_poll;
                s.last_duration = it->second.last_duration;
            }
            out.push_back(std::move(s));
        }
        return out;
    };
    h.alarms = [this] { return engine_->alarms(); };
    h.maintenance = [this] { return engine_->maintenance(); };
    h.active_maintenance = [this] { return engine_->active_maintenance(); };
    h.target_exists = [this](config::MaintenanceWindow::Scope scope, const std::string& id) {
        using S = config::MaintenanceWindow::Scope;
        return scope == S::device ? config_->find_device(id) != nullptr
             : scope == S::room   ? config_->find_room(id) != nullptr
                                  : config_->find_site(id) != nullptr;
    };
    h.acknowledge = [this](std::int64_t id, const std::string& actor, const std::string& note) {
        return engine_->acknowledge(id, actor, note);
    };
    h.resolve = [this](std::int64_t id, const std::string& actor, const std::string& cause, const std::string& action) {
        return engine_->resolve(id, actor, cause, action);
    };
    h.close = [this](std::int64_t id, const std::string& actor, const std::string& cause, const std::string& action) {
        return engine_->close(id, actor, cause, action);
    };
    h.add_note = [this](std::int64_t id, const std::string& actor, const std::string& note) {
        return engine_->add_note(id, actor, note);
    };
    h.add_maintenance = [this](const config::MaintenanceWindow& w, const std::string& actor) {
        if (!engine_->add_maintenance(w)) return false;
        store_->enqueue_maintenance(control::to_record(w, actor, clock_.now()));
        return true;
    };
    h.remove_maintenance = [this](const std::string& id, const std::string& actor) {
        for (const auto& w : engine_->maintenance())
            if (w.id == id && engine_->remove_maintenance(id)) {
                auto rec = control::to_record(w, actor, clock_.now());
                rec.cancelled = clock_.now();  // the row stays as history
                store_->enqueue_maintenance(rec);
                return true;
            }
        return false;
    };
    h.reload = [this](const std::string& actor) { return reload(actor); };
    h.audit = [this](store::AuditRecord r) { store_->enqueue_audit(std::move(r)); };
    return h;
}

}  // namespace avmon::app
