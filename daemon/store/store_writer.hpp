#pragma once
// The one writer of the store: a dedicated thread with its own SQLite connection that commits
// whatever was queued in batches (one BEGIN IMMEDIATE ... COMMIT per flush).
//
// Queue policy: samples are bounded by StoreConfig::queue_limit; beyond it the OLDEST queued
// samples are dropped and counted (stats().dropped_samples). Alarm events, outbox rows and
// updates, audit, maintenance windows and everything else are never dropped.
// Timestamp guard: a sample before 2000-01-01 or more than one day after clock.now() is
// rejected at enqueue, counted (stats().rejected_samples), logged with back-off, never stored.
// Write errors (disk full, I/O): the batch goes back to the front of the queue (still bounded
// by queue_limit for samples), one line is logged, the next flush retries, and a line says when
// writing works again.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "config/model.hpp"
#include "daemon/core/clock.hpp"
#include "daemon/core/complaint.hpp"
#include "daemon/store/batch.hpp"
#include "daemon/store/batch_writer.hpp"
#include "daemon/store/retention.hpp"

namespace avmon::store {

struct WriterStats {
    std::size_t queued_samples = 0;       // in memory, not committed yet (incl. the batch being written)
    std::size_t queued_records = 0;       // alarm events, audit, states ... not committed yet
    std::uint64_t samples_written = 0;    // committed raw samples since start
    std::uint64_t records_written = 0;    // committed other records since start
    std::uint64_t transactions = 0;       // committed flush transactions since start
    std::uint64_t dropped_samples = 0;    // queue full: oldest samples dropped
    std::uint64_t rejected_samples = 0;   // impossible timestamps
    std::uint64_t failed_flushes = 0;     // flushes that hit a write error
    std::chrono::microseconds last_flush_duration{0};
    std::optional<SysTime> last_flush;    // clock time of the last commit
    bool healthy = true;                  // false while writes fail
    std::string last_error;               // the failing write's message, empty when healthy
    RetentionResult last_retention;
};

struct WriterOptions {
    // How often the writer runs retention on its own (0: only when asked).
    std::chrono::milliseconds retention_interval{std::chrono::hours(1)};
    // How often the series' latest values and the devices' last-seen are written even without
    // a flush(). Only reports read them (a month at a time); every publish costs an UPDATE per
    // series sampled since the last one, so at a 60 s poll interval 5 minutes makes that one
    // UPDATE per 5 samples instead of one per sample. Rollup buckets are written when they
    // close (readers build open buckets from raw samples).
    std::chrono::milliseconds publish_interval{std::chrono::minutes(5)};
    // Wait before retrying after a write error.
    std::chrono::milliseconds retry_delay{1000};
    // Upper bound on the database size in pages (0: none). SQLite then fails with
    // SQLITE_FULL, exactly like a full file system; operators can use it as a size cap.
    std::int64_t max_page_count = 0;
    // Records (device inventory, poll outcomes, alarm events ...) per transaction at most; a
    // longer queue is written in back-to-back batches of this size. Start-up queues one
    // device record per configured device: 10,000 of them in one batch vector was ~15 MB.
    // Above the usual rate (10,000 devices polled every 10 s: ~1,000 poll outcomes per
    // flush interval), so steady polling still commits once per flush interval.
    std::size_t max_records_per_batch = 2000;
};

class StoreWriter {
public:
    // Opens (creating and migrating if needed) StoreConfig::path; throws SqliteError when the
    // database cannot be opened. The thread starts at once.
    StoreWriter(config::StoreConfig cfg, const Clock& clock, WriterOptions options = {});
    ~StoreWriter();  // stop()
    StoreWriter(const StoreWriter&) = delete;
    StoreWriter& operator=(const StoreWriter&) = delete;

    // ---- thread-safe enqueue API (never blocks on SQLite) ----
    void enqueue(std::vector<Sample> samples);
    // Samples, metric states, facts and reachability of one poll of `device`.
    void enqueue(const PollResult& result, const std::string& device);
    void enqueue(TrapEvent trap);
    // Upserts the alarm row, inserts the alarm_event and one outbox row per NotificationRequest,
    // in one transaction. `on_committed(event_id)` runs on the writer thread after COMMIT,
    // which for alarm events (and outbox updates, audit, maintenance windows) has synced the WAL:
    // what it announces survives a power cut (post to your own executor from it; keep it short).
    void enqueue(AlarmEvent event, CommitHook on_committed = {});
    void enqueue_audit(AuditRecord audit);
    void enqueue_device(DeviceRecord device);
    void enqueue_outbox_update(OutboxUpdate update);
    void enqueue_maintenance(MaintenanceRecord window);
    void enqueue_report(ReportArchiveEntry report);

    // Blocks until everything queued before the call is committed (or dropped by the queue
    // policy). False if that did not happen within `timeout` (e.g. the disk is full).
    // Also writes the derived data (latest values, last-seen) at once.
    bool flush(std::chrono::milliseconds timeout = std::chrono::seconds(60));
    // The same without publishing derived data: it waits for its publish interval.
    bool commit(std::chrono::milliseconds timeout = std::chrono::seconds(60));
    // Runs retention now on the writer thread and waits for it; returns what it did.
    RetentionResult run_retention_now();
    // Changes the size cap at run time (see WriterOptions::max_page_count); waits for it.
    void set_max_page_count(std::int64_t pages);
    // Flushes (bounded by `timeout`), stops the thread and closes the connection. Idempotent.
    void stop(std::chrono::milliseconds timeout = std::chrono::seconds(30));

    bool healthy() const;
    WriterStats stats() const;
    const std::string& path() const { return cfg_.path; }

private:
    void run();
    bool wait_committed(std::chrono::milliseconds timeout, bool publish);
    static bool sample_time_ok(const Sample& s, SysTime now);
    bool accept_sample_time(const Sample& s, SysTime now);  // sample_time_ok, or counted and logged
    // was_empty: nothing was queued before this enqueue began. An idle writer sleeps without a
    // deadline, so the first item must wake it to arm the flush interval.
    void push_samples(std::vector<Sample>&& samples, std::unique_lock<std::mutex>& lock, bool was_empty);
    bool refuse_after_stop(std::size_t samples, std::unique_lock<std::mutex>& lock);  // true: unlocked, logged
    void settle_queue(std::unique_lock<std::mutex>& lock, bool was_empty);
    void push_record(Record&& r);
    void take_batch(Batch& batch);
    void put_back(Batch&& batch);
    bool due(std::chrono::steady_clock::time_point now) const;
    BatchOutcome write_one_by_one(BatchWriter& writer, Batch& batch,
                                  std::optional<SqliteError>& error);

    config::StoreConfig cfg_;
    const Clock& clock_;
    WriterOptions options_;

    mutable std::mutex mutex_;
    std::condition_variable wake_;       // writer waits here
    std::condition_variable progress_;   // flush()/run_retention_now() wait here
    std::deque<Sample> samples_;
    std::deque<Record> records_;
    bool urgent_ = false;
    std::size_t in_flight_samples_ = 0;  // taken off the queues, being written
    std::size_t in_flight_records_ = 0;
    std::uint64_t enqueued_seq_ = 0;     // bumped by every enqueue
    std::uint64_t done_seq_ = 0;         // everything up to here is committed
    std::uint64_t flush_target_ = 0;     // highest seq a flush() or commit() waits for
    std::uint64_t publish_target_ = 0;   // highest seq a flush() waits for (with derived data)
    bool stopping_ = false;
    int retention_requests_ = 0;
    int retention_done_ = 0;
    std::int64_t page_cap_request_ = -1;
    int page_cap_done_ = 0;
    int page_cap_asked_ = 0;
    WriterStats stats_;
    ComplaintTracker complaints_;        // rejected timestamps, queue full (under mutex_)

    std::chrono::steady_clock::time_point last_flush_{};
    std::chrono::steady_clock::time_point stop_deadline_{};
    bool thread_done_ = false;
    std::unique_ptr<Database> db_;       // used by the writer thread only (after the constructor)
    std::unique_ptr<BatchWriter> batch_writer_;
    std::mutex join_mutex_;
    std::thread thread_;
};

}  // namespace avmon::store
