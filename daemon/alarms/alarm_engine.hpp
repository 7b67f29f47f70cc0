#pragma once
// The alarm engine: turns observations (polls, traps) and operator actions into alarms and a
// stream of AlarmEvents. Rule evaluation -> debounce/hysteresis/flapping -> dependency and
// maintenance suppression -> the raised/acknowledged/resolved/closed state machine ->
// escalation deadlines, reminders and who to notify (roster, chains).
//
// It knows nothing of SNMP, SQLite, SMTP or Asio, and runs on the loop thread only. Time comes
// from the injected Clock, so the same code runs in the daemon and in `avmonctl test-rules`.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/model.hpp"
#include "daemon/alarms/roster.hpp"
#include "daemon/alarms/maintenance_schedule.hpp"
#include "daemon/core/alarm_event.hpp"
#include "daemon/core/clock.hpp"
#include "daemon/core/observation.hpp"

namespace avmon::alarms {

using EventSink = std::function<void(const AlarmEvent&)>;

class AlarmEngine {
public:
    // next_alarm_id: the first id to hand out (the store's max id + 1). Throws
    // std::runtime_error if a configured time zone cannot be read.
    AlarmEngine(const config::Config& cfg, const Clock& clock, std::int64_t next_alarm_id, EventSink sink);
    // The same, sharing the caller's config instead of copying it (10,000 devices: ~9 MiB).
    AlarmEngine(std::shared_ptr<const config::Config> cfg, const Clock& clock, std::int64_t next_alarm_id,
                EventSink sink);
    ~AlarmEngine();
    AlarmEngine(const AlarmEngine&) = delete;
    AlarmEngine& operator=(const AlarmEngine&) = delete;

    // ---- observations ----
    // One call per probe poll of a device: reachability, samples and unreadable metrics.
    // `probe` names the probe ("icmp", "snmp", "pjlink"...) when a device has several: the
    // device counts as unreachable only while the latest result of every probe says so.
    void observe(const std::string& device, const PollResult& result, std::string_view probe = {});
    // avmond's own health, as a metric of the built-in device config::kSelfDeviceId (see
    // self_rules.hpp), e.g. observe_self(kStoreUnwritableMetric, writer_healthy ? 0 : 1).
    void observe_self(std::string_view metric, double value);
    // A mapped trap (device must be set; traps from unknown senders are ignored here).
    void observe_trap(const TrapEvent& trap);
    // Timers: debounce expiry, clear_for expiry, deadlines, reminders, maintenance start/end.
    // Call it every second, or at next_timer() in simulations; calling it more often is harmless.
    void tick();
    // The earliest instant at which tick() has something to do (nullopt: nothing scheduled).
    std::optional<SysTime> next_timer() const;

    // ---- operator actions (actor: the Unix user) ----
    bool acknowledge(std::int64_t id, const std::string& actor, const std::string& note = "");
    bool resolve(std::int64_t id, const std::string& actor, const std::string& cause = "",
                 const std::string& action = "");
    // Records cause and action; resolves first when still open.
    bool close(std::int64_t id, const std::string& actor, const std::string& cause, const std::string& action);
    bool add_note(std::int64_t id, const std::string& actor, const std::string& note);

    // ---- maintenance windows (config windows are always present; these add to them) ----
    // Replaces a runtime window with the same id. Returns false if a config window has that id.
    bool add_maintenance(const config::MaintenanceWindow& w);
    bool remove_maintenance(const std::string& id);
    std::vector<config::MaintenanceWindow> maintenance() const;
    // Windows in force now.
    std::vector<config::MaintenanceWindow> active_maintenance() const;

    // ---- restart and reload ----
    // After a restart: the store's open alarms, plus resolved-but-unclosed ones of the last
    // recurring window and closed ones inside the reopen window; alarms raised inside the
    // recurring window (closed ones too) also rebuild the recurring-problem history.
    // Timers resume from the stored wall-clock deadlines; deadlines that passed while the
    // daemon was down escalate on the next tick(), once each, in order.
    void restore(const std::vector<Alarm>& alarms);
    // Reload: devices and rules that still exist keep their state; alarms of removed
    // devices/rules are resolved with a note.
    void reconfigure(const config::Config& cfg);
    void reconfigure(std::shared_ptr<const config::Config> cfg);

    // ---- status ----
    // Alarms in memory: open ones, resolved ones not yet closed (up to the recurring window,
    // so they can still be closed with cause and action), closed ones within the reopen window.
    const std::vector<Alarm>& alarms() const { return alarms_; }
    const Alarm* find(std::int64_t id) const;
    std::vector<const Alarm*> open_alarms() const;
    std::int64_t next_alarm_id() const { return next_id_; }
    // Who is on duty now (person id).
    std::string on_duty() const;

private:
    struct DeviceInfo;
    struct Track;

    // Returns the alarms of conditions whose device or rule is gone (to resolve).
    std::vector<std::int64_t> build(std::shared_ptr<const config::Config> cfg);
    Track& track_for(DeviceInfo& dev, const config::RuleConfig& rule, const std::string& metric,
                     const std::string& row);
    void evaluate(Track& t, bool bad, double value);
    void update_armed(Track& t);
    std::set<Track*> armed_;  // tracks waiting for a debounce or clear_for to expire
    void settle(Track& t);
    void fire(Track& t);
    void clear(Track& t);
    void on_flap_change(Track& t);
    void refresh_suppression(const std::string* only_device = nullptr);
    void after_observation(const std::string& device, const DeviceInfo& dev, bool was_down);
    bool is_down(const DeviceInfo& dev) const;
    std::uint64_t probe_bit(std::string_view probe);
    void run_deadlines();
    void run_maintenance_transitions();

    Alarm* alarm_ptr(std::int64_t id);
    Alarm& insert_by_id(const Alarm& a);
    Alarm* open_alarm_of(const Track& t);
    const Track* track_of(const Alarm& a) const;
    std::uint64_t eval_seq_ = 0;                      // counts evaluations (freshness of a condition)
    std::map<std::int64_t, std::uint64_t> lifted_at_;  // alarm id -> eval_seq_ when its root cause recovered
    struct Suppression {
        bool suppressed = false;
        std::string reason;
        std::optional<std::int64_t> root;
        bool pending = false;  // an ancestor's down-condition is still being debounced
    };
    Suppression suppression_for(std::string_view device) const;
    bool device_down(const DeviceInfo& dev, const Alarm** root_alarm, const Track** root_track) const;
    bool device_pending_down(const DeviceInfo& dev) const;

    void set_deadlines(Alarm& a, SysTime from);
    void emit(AlarmEventKind kind, Alarm& a, const std::string& actor, const std::string& note, bool notify,
              int notify_level_from = -1);
    std::vector<NotificationRequest> recipients(const Alarm& a, int level_from, int level_to) const;
    const config::SeverityPolicy& policy(Severity s) const;
    void remember_raise(Alarm& a);
    void prune();
    std::chrono::seconds retention(const Alarm& a) const;

    const Clock& clock_;
    EventSink sink_;
    std::int64_t next_id_;
    std::shared_ptr<const config::Config> cfg_;
    // By id (a view of the config's, or kSelfDeviceId); every observation looks here. Each
    // device owns its tracks.
    std::unordered_map<std::string_view, DeviceInfo> devices_;
    std::vector<std::string> probe_names_;  // DeviceInfo::probe_up's bits
    std::vector<Alarm> alarms_;
    std::map<std::string, std::vector<SysTime>> raise_history_;  // key -> raise times (recurring)
    std::vector<ScheduledWindow> config_windows_, runtime_windows_;
    std::set<std::string> active_windows_;  // ids in force at the last tick (journal lines)
    std::unique_ptr<RosterClock> roster_;
    std::map<std::int64_t, std::set<int>> fired_;  // alarm id -> deadlines already acted on (0 ack, 1 resolve, 2 emergency)
    std::map<std::int64_t, SysTime> next_reminder_;
};

// "port_down" or "port_down@Gi1/0/12": the Alarm's rule_id carries the row of a walked metric
// (Alarm has no row field); these split it again.
std::string alarm_rule(const Alarm& a);
std::string alarm_row(const Alarm& a);

}  // namespace avmon::alarms
