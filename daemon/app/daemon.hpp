#pragma once
// avmond's composition root: owns the io_context and wires config -> probes -> scheduler ->
// (store, alarm engine) -> journal/outbox, plus signals, reload and the systemd protocol.
// Everything here runs on the one loop thread except the store writer's own thread.
#include <memory>
#include <string>
#include <unordered_map>

#include "config/model.hpp"
#include "daemon/app/options.hpp"
#include "daemon/app/scheduler.hpp"
#include "daemon/control/control_server.hpp"
#include "daemon/core/asio.hpp"
#include "daemon/core/clock.hpp"
#include "daemon/core/complaint.hpp"
#include "daemon/service/notifier.hpp"

namespace avmon::store { class StoreWriter; }
namespace avmon::alarms { class AlarmEngine; }
namespace avmon::icmp { class Pinger; }
namespace avmon::traps { class TrapReceiver; }
namespace avmon::service { class WatchdogPinger; }
namespace avmon::notify { class MailSender; }

namespace avmon::app {

class Daemon {
public:
    Daemon(Options options, config::Config config);
    ~Daemon();
    // Runs until SIGTERM/SIGINT (or --run-for); returns the process exit code.
    int run();

private:
    void start();
    void shutdown(const char* why);
    control::ReloadOutcome reload(const std::string& actor);
    void audit_reload(const std::string& actor, const char* action, const std::string& detail);
    control::ControlHandlers control_handlers();
    std::string status_line() const;
    void wait_signals();
    void wait_hup();
    void schedule_tick();
    void on_poll(const std::string& device, const PollResult& result);
    ScheduledDevice build_device(const config::DeviceConfig& d);
    void sync_devices(const config::Config& before);
    void index_addresses();
    void start_traps();
    void start_mailer();
    void start_control();

    Options options_;
    std::shared_ptr<const config::Config> config_;  // shared with the engine and the mail sender
    // Trap sender address -> device id, rebuilt with config_: traps arrive at flood rates, the
    // device list can be 10,000 long.
    std::unordered_map<std::string, std::string> device_by_address_;
    SystemClock clock_;
    asio::io_context io_;
    asio::signal_set stop_signals_;
    asio::signal_set hup_signal_;
    asio::steady_timer tick_timer_;
    asio::steady_timer run_for_timer_;
    service::ServiceNotifier notifier_;
    std::unique_ptr<store::StoreWriter> store_;
    std::unique_ptr<notify::MailSender> mailer_;  // declared after store_: destroyed before it
    std::unique_ptr<alarms::AlarmEngine> engine_;
    std::unique_ptr<icmp::Pinger> pinger_;
    std::unique_ptr<traps::TrapReceiver> traps_;
    std::unique_ptr<service::WatchdogPinger> watchdog_;
    std::unique_ptr<Scheduler> scheduler_;
    std::unique_ptr<control::ControlServer> control_;
    SysTime started_{};
    ComplaintTracker unreachable_log_;
    bool stopping_ = false;
    std::uint64_t ticks_ = 0;
    int exit_code_ = exit_ok;
};

// Loads and validates a config file and reports every error and warning as
// "file:line:col: key: message": to the journal (with message ids) when starting the daemon,
// on plain stderr for --check-config. Returns nullopt on errors.
std::optional<config::Config> load_and_report(const std::string& path, bool to_journal);

}  // namespace avmon::app
