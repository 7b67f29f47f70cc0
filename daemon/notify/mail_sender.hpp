#pragma once
// The mailer: reads due rows of the durable outbox (its own StoreReader, short read
// transactions), groups them per room and recipient, renders and sends them through libcurl
// on its OWN thread (SMTP blocks; the io_context never waits for it), and reports every
// verdict back through the StoreWriter (the single writer).
//
// Delivery is at-least-once with a stable Message-ID: before the SMTP transaction a group's
// rows are committed as "sending" with the Message-ID the mail will carry. After a crash a
// "sending" row is sent again with that same id (the server may already have accepted it;
// receivers de-duplicate on Message-ID). A row recorded "sent" is never sent again.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "config/model.hpp"
#include "daemon/core/clock.hpp"
#include "daemon/notify/smtp_transport.hpp"
#include "daemon/store/store_reader.hpp"
#include "daemon/store/store_writer.hpp"

namespace avmon::notify {

struct MailSenderOptions {
    // Room/site/device names, time zones and escalation level names for the text (optional:
    // without it mails show ids and UTC only).
    std::shared_ptr<const config::Config> config;
    // A new group waits this long for further rows of the same storm (capped by group_window).
    std::chrono::milliseconds settle{500};
    // The periodic scan when nobody calls wake().
    std::chrono::milliseconds poll_interval{5000};
    int batch_limit = 500;
    // How long to wait for the "sending" mark to be committed before an SMTP transaction.
    std::chrono::milliseconds commit_timeout{10000};
    std::string ctl_command = "avmonctl";
};

struct MailSenderStats {
    std::uint64_t mails_sent = 0;       // SMTP transactions accepted
    std::uint64_t items_sent = 0;       // outbox rows they covered
    std::uint64_t temporary_failures = 0;
    std::uint64_t permanent_failures = 0;
    std::uint64_t scans = 0;
    bool undelivered = false;           // mail has failed for longer than undelivered_alarm_after
};

struct ScanResult {
    int mails_sent = 0;
    int temporary_failures = 0;
    int permanent_failures = 0;
    int groups_waiting = 0;                  // held back to collect a storm
    std::optional<SysTime> next_due;         // earliest moment something becomes due
};

class MailSender {
public:
    // The store at store_path must exist (the StoreWriter creates it). Nothing runs until
    // start() (threaded) or run_once() (tests, tools) — use one or the other.
    MailSender(config::SmtpConfig smtp, std::string store_path, store::StoreWriter& writer,
               const Clock& clock, MailSenderOptions options = {});
    ~MailSender();  // stop()
    MailSender(const MailSender&) = delete;
    MailSender& operator=(const MailSender&) = delete;

    void start();
    // Scan now (call it from the writer's CommitHook after an alarm event with notifications).
    // Thread-safe, never blocks.
    void wake();
    // Finishes the SMTP transaction in progress (bounded by the SMTP timeout), joins. Idempotent.
    void stop();

    // One scan on the caller's thread: send everything due now, commit the verdicts.
    ScanResult run_once();

    // New SMTP settings / names after a reload; used from the next group on. Thread-safe.
    void reconfigure(config::SmtpConfig smtp, std::shared_ptr<const config::Config> config);

    // True while mail has failed for longer than SmtpConfig::undelivered_alarm_after: the
    // daemon can raise its own alarm from it. Thread-safe.
    bool undelivered() const { return undelivered_.load(); }
    MailSenderStats stats() const;

private:
    struct Settings {
        config::SmtpConfig smtp;
        std::shared_ptr<const config::Config> config;
    };
    void run();
    Settings settings() const;
    std::optional<SysTime> next_attempt_in_store(SysTime after);
    void check_undelivered(const Settings& s, SysTime now);

    std::string store_path_;
    store::StoreWriter& writer_;
    const Clock& clock_;
    MailSenderOptions options_;
    std::unique_ptr<store::StoreReader> reader_;  // used by one thread only

    mutable std::mutex m_;
    Settings settings_;
    MailSenderStats stats_;
    std::condition_variable cv_;
    bool wake_ = false;
    bool stop_ = false;
    std::thread thread_;
    std::atomic<bool> undelivered_{false};
    std::atomic<bool> stopping_{false};
    SmtpAbort abort_;  // stop() ends an SMTP transaction in progress
};

}  // namespace avmon::notify
