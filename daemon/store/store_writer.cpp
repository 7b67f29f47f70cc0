#include "daemon/store/store_writer.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "daemon/core/log.hpp"
#include "daemon/core/message_ids.hpp"
#include "daemon/store/batch_writer.hpp"
#include "daemon/store/schema.hpp"

namespace avmon::store {
namespace {

using steady = std::chrono::steady_clock;

// 2000-01-01T00:00:00Z: anything earlier is a device clock that was never set.
constexpr std::int64_t kEarliestSampleMs = 946684800000;
constexpr auto kLatestAhead = std::chrono::hours(24);

// Errors that a later retry can cure (space, I/O, locks) as opposed to a record the
// database refuses (constraint), which would block the queue forever if retried.
bool transient(const SqliteError& e) { return e.out_of_space() || e.io_error() || e.code() == 0; }

}  // namespace

StoreWriter::StoreWriter(config::StoreConfig cfg, const Clock& clock, WriterOptions options)
    : cfg_(std::move(cfg)), clock_(clock), options_(options) {
    if (cfg_.flush_rows == 0) cfg_.flush_rows = 1;
    if (options_.max_records_per_batch == 0) options_.max_records_per_batch = 1;
    db_ = std::make_unique<Database>(open_for_writing(cfg_.path, cfg_.cache_mib));
    if (options_.max_page_count > 0)
        db_->exec(fmt::format("PRAGMA max_page_count = {}", options_.max_page_count));
    // Prepares the statements and rebuilds open rollup buckets before anyone can flush().
    batch_writer_ = std::make_unique<BatchWriter>(*db_);
    thread_ = std::thread([this] {
        run();
        batch_writer_.reset();
        db_.reset();  // closed on the thread that used it
    });
}

StoreWriter::~StoreWriter() { stop(); }

bool StoreWriter::sample_time_ok(const Sample& s, SysTime now) {
    return to_unix_ms(s.time) >= kEarliestSampleMs && s.time <= now + kLatestAhead;
}

bool StoreWriter::accept_sample_time(const Sample& s, SysTime now) {
    if (sample_time_ok(s, now)) return true;
    ComplaintTracker::Say say;
    {
        std::lock_guard lock(mutex_);
        ++stats_.rejected_samples;
        say = complaints_.failure("timestamp:" + s.device, now);
    }
    if (say != ComplaintTracker::Say::nothing)
        log::warning(msgid::store_sample_rejected,
                     fmt::format("store: sample {} of {} has an impossible timestamp {} (now {}); "
                                 "rejected, not stored",
                                 s.metric, s.device, format_utc(s.time), format_utc(now)),
                     {{"AVMON_DEVICE", s.device}, {"AVMON_METRIC", s.metric}});
    return false;
}

bool StoreWriter::refuse_after_stop(std::size_t samples, std::unique_lock<std::mutex>& lock) {
    if (!thread_done_) return false;
    lock.unlock();
    if (samples)
        log::error(msgid::store_error, fmt::format("store: {} samples enqueued after the writer "
                                                   "stopped; not stored", samples));
    return true;
}

void StoreWriter::push_samples(std::vector<Sample>&& samples, std::unique_lock<std::mutex>& lock, bool was_empty) {
    if (refuse_after_stop(samples.size(), lock)) return;
    for (auto& s : samples) samples_.push_back(std::move(s));
    settle_queue(lock, was_empty);
}

// After samples were appended: the oldest go beyond queue_limit, the writer wakes for a
// full batch or an idle queue.
void StoreWriter::settle_queue(std::unique_lock<std::mutex>& lock, bool was_empty) {
    std::size_t dropped = 0;
    while (samples_.size() > cfg_.queue_limit) {
        samples_.pop_front();
        ++dropped;
    }
    ++enqueued_seq_;
    if (was_empty || samples_.size() >= cfg_.flush_rows) wake_.notify_one();
    if (!dropped) return;
    stats_.dropped_samples += dropped;
    const auto total = stats_.dropped_samples;
    const auto say = complaints_.failure("queue_full", clock_.now());
    lock.unlock();
    if (say != ComplaintTracker::Say::nothing)
        log::warning(msgid::store_queue_full,
                     fmt::format("store: write queue full ({} samples); oldest samples dropped, "
                                 "{} so far",
                                 cfg_.queue_limit, total));
}

void StoreWriter::enqueue(std::vector<Sample> samples) {
    std::vector<Sample> ok;
    ok.reserve(samples.size());
    const auto now = clock_.now();  // once per call: the samples are judged at one moment
    for (auto& s : samples)
        if (accept_sample_time(s, now)) ok.push_back(std::move(s));
    std::unique_lock lock(mutex_);
    const bool was_empty = samples_.empty() && records_.empty();
    push_samples(std::move(ok), lock, was_empty);
}

void StoreWriter::enqueue(const PollResult& result, const std::string& device) {
    PollOutcome outcome{device, result.time, result.reachable, result.error, result.unavailable,
                        result.facts, {}};
    outcome.sampled_metrics.reserve(result.samples.size());
    const auto now = clock_.now();
    std::size_t accepted = 0;
    for (const auto& s : result.samples) {
        if (!sample_time_ok(s, now)) {
            // Counted and logged here, outside the lock, under the device's id.
            accept_sample_time(s.device.empty() ? Sample{device, s.metric, s.time, s.value} : s, now);
            continue;
        }
        outcome.sampled_metrics.push_back(s.metric);
        ++accepted;
    }
    std::unique_lock lock(mutex_);
    // Seen before the outcome is queued: otherwise an idle writer is never woken by polls and
    // commits them only at its next publish, not after flush_interval.
    const bool was_empty = samples_.empty() && records_.empty();
    if (refuse_after_stop(accepted, lock)) return;
    records_.push_back(std::move(outcome));
    // Copied straight into the queue (no vector in between): the same test as above.
    for (const auto& s : result.samples) {
        if (!sample_time_ok(s, now)) continue;
        Sample& queued = samples_.emplace_back(s);
        if (queued.device.empty()) queued.device = device;
    }
    settle_queue(lock, was_empty);
}

void StoreWriter::push_record(Record&& r) {
    std::unique_lock lock(mutex_);
    if (thread_done_) {
        lock.unlock();
        log::error(msgid::store_error, "store: a record was enqueued after the writer stopped; not stored");
        return;
    }
    const bool was_empty = samples_.empty() && records_.empty();
    if (is_urgent(r)) urgent_ = true;
    records_.push_back(std::move(r));
    // A full batch's worth is written at once, like flush_rows samples: a burst (the device
    // inventory at start-up) is written while it is being queued, not held until the interval.
    if (urgent_ || was_empty || records_.size() == options_.max_records_per_batch) wake_.notify_one();
    ++enqueued_seq_;
}

void StoreWriter::enqueue(TrapEvent trap) { push_record(std::move(trap)); }
void StoreWriter::enqueue(AlarmEvent event, CommitHook on_committed) {
    push_record(AlarmEventItem{std::move(event), std::move(on_committed)});
}
void StoreWriter::enqueue_audit(AuditRecord audit) { push_record(std::move(audit)); }
void StoreWriter::enqueue_device(DeviceRecord device) { push_record(std::move(device)); }
void StoreWriter::enqueue_outbox_update(OutboxUpdate update) { push_record(std::move(update)); }
void StoreWriter::enqueue_maintenance(MaintenanceRecord window) {
    if (window.scope != "device" && window.scope != "room" && window.scope != "site")
        throw std::invalid_argument(fmt::format(
            "maintenance window {}: scope '{}' is not device, room or site", window.id, window.scope));
    push_record(std::move(window));
}
void StoreWriter::enqueue_report(ReportArchiveEntry report) { push_record(std::move(report)); }

bool StoreWriter::flush(std::chrono::milliseconds timeout) { return wait_committed(timeout, true); }

bool StoreWriter::commit(std::chrono::milliseconds timeout) { return wait_committed(timeout, false); }

bool StoreWriter::wait_committed(std::chrono::milliseconds timeout, bool publish) {
    std::unique_lock lock(mutex_);
    const auto target = enqueued_seq_;
    flush_target_ = std::max(flush_target_, target);
    if (publish) publish_target_ = std::max(publish_target_, target);
    wake_.notify_one();
    return progress_.wait_for(lock, timeout, [&] { return done_seq_ >= target || thread_done_; }) &&
           done_seq_ >= target;
}

RetentionResult StoreWriter::run_retention_now() {
    std::unique_lock lock(mutex_);
    const int mine = ++retention_requests_;
    wake_.notify_one();
    progress_.wait(lock, [&] { return retention_done_ >= mine || thread_done_; });
    return stats_.last_retention;
}

void StoreWriter::set_max_page_count(std::int64_t pages) {
    std::unique_lock lock(mutex_);
    page_cap_request_ = pages;
    const int mine = ++page_cap_asked_;
    wake_.notify_one();
    progress_.wait(lock, [&] { return page_cap_done_ >= mine || thread_done_; });
}

void StoreWriter::stop(std::chrono::milliseconds timeout) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) {
            // Someone else is stopping (or stopped) it; joining twice is not allowed.
        } else {
            stopping_ = true;
            stop_deadline_ = steady::now() + timeout;
            wake_.notify_one();
        }
    }
    std::lock_guard join_lock(join_mutex_);
    if (thread_.joinable()) thread_.join();
}

bool StoreWriter::healthy() const {
    std::lock_guard lock(mutex_);
    return stats_.healthy;
}

WriterStats StoreWriter::stats() const {
    std::lock_guard lock(mutex_);
    WriterStats s = stats_;
    s.queued_samples = samples_.size() + in_flight_samples_;
    s.queued_records = records_.size() + in_flight_records_;
    return s;
}

void StoreWriter::take_batch(Batch& batch) {
    const auto n = std::min(samples_.size(), cfg_.flush_rows);
    batch.samples.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        batch.samples.push_back(std::move(samples_.front()));
        samples_.pop_front();
    }
    const auto r = std::min(records_.size(), options_.max_records_per_batch);
    batch.records.reserve(r);
    for (std::size_t i = 0; i < r; ++i) {
        batch.records.push_back(std::move(records_.front()));
        records_.pop_front();
    }
    // What stays queued is written by the next batch at once (due()); an urgent record among
    // it keeps the writer from waiting for anything else.
    urgent_ = std::any_of(records_.begin(), records_.end(), [](const Record& rec) { return is_urgent(rec); });
}

void StoreWriter::put_back(Batch&& batch) {
    // The failed batch is older than anything queued since: it goes first.
    samples_.insert(samples_.begin(), std::make_move_iterator(batch.samples.begin()),
                    std::make_move_iterator(batch.samples.end()));
    std::size_t dropped = 0;
    while (samples_.size() > cfg_.queue_limit) {
        samples_.pop_front();
        ++dropped;
    }
    stats_.dropped_samples += dropped;
    for (auto it = batch.records.rbegin(); it != batch.records.rend(); ++it)
        records_.push_front(std::move(*it));
    for (const auto& r : records_)
        if (is_urgent(r)) urgent_ = true;
}

bool StoreWriter::due(steady::time_point now) const {
    if (samples_.empty() && records_.empty()) return false;
    return stopping_ || urgent_ || flush_target_ > done_seq_ || samples_.size() >= cfg_.flush_rows ||
           records_.size() >= options_.max_records_per_batch || now >= last_flush_ + cfg_.flush_interval;
}

void StoreWriter::run() {
    BatchWriter& writer = *batch_writer_;
    std::unique_lock lock(mutex_);
    last_flush_ = steady::now();
    const bool periodic_retention = options_.retention_interval.count() > 0;
    auto next_retention = last_flush_ + options_.retention_interval;
    auto next_publish = last_flush_ + options_.publish_interval;
    steady::time_point retry_at{};
    bool failing = false;

    for (;;) {
        auto now = steady::now();

        if (page_cap_asked_ > page_cap_done_) {
            const auto pages = page_cap_request_;
            const int asked = page_cap_asked_;
            lock.unlock();
            try {
                db_->exec(fmt::format("PRAGMA max_page_count = {}",
                                      pages > 0 ? pages : std::int64_t{1073741823}));
            } catch (const SqliteError& e) {
                log::error(msgid::store_error, e.what());
            }
            lock.lock();
            page_cap_done_ = asked;
            progress_.notify_all();
            continue;
        }

        const bool retention_asked = retention_requests_ > retention_done_;
        if (retention_asked || (periodic_retention && now >= next_retention && !failing && !stopping_)) {
            const int asked = retention_requests_;
            lock.unlock();
            RetentionResult r;
            try {
                const auto t = clock_.now();
                // Close rollup buckets before their raw samples go: they can never be rebuilt after.
                if (cfg_.raw_retention_days > 0)
                    writer.close_rollups_before(to_unix_ms(t - std::chrono::hours(24) * cfg_.raw_retention_days));
                r = run_retention(*db_, t, cfg_);
            } catch (const SqliteError& e) {
                r.complete = false;
                log::error(msgid::store_error, fmt::format("store: retention failed: {}", e.what()));
            }
            lock.lock();
            stats_.last_retention = r;
            retention_done_ = asked;
            next_retention = steady::now() + options_.retention_interval;
            progress_.notify_all();
            continue;
        }

        const bool empty = samples_.empty() && records_.empty();
        const bool publish_wanted = publish_target_ > done_seq_ || stopping_;
        const bool dirty = writer.has_unpublished();
        const bool publish_due = dirty && (publish_wanted || now >= next_publish);

        if (empty && !publish_due) {
            done_seq_ = enqueued_seq_;
            progress_.notify_all();
            if (stopping_) break;
            auto until = steady::time_point::max();
            if (periodic_retention) until = next_retention;
            if (dirty) until = std::min(until, next_publish);
            if (until == steady::time_point::max()) wake_.wait(lock);
            else wake_.wait_until(lock, until);
            continue;
        }

        if (failing && stopping_ && now >= stop_deadline_) {
            log::error(msgid::store_error,
                       fmt::format("store: stopping while writes still fail; {} samples and {} "
                                   "records were not stored",
                                   samples_.size(), records_.size()));
            break;
        }
        if (failing && now < retry_at) {
            wake_.wait_until(lock, stopping_ ? std::min(retry_at, stop_deadline_) : retry_at);
            continue;
        }
        if (!failing && !publish_due && !due(now)) {
            auto until = last_flush_ + cfg_.flush_interval;
            if (periodic_retention) until = std::min(until, next_retention);
            if (dirty) until = std::min(until, next_publish);
            wake_.wait_until(lock, until);
            continue;
        }

        Batch batch;
        take_batch(batch);
        const auto records_in_batch = batch.records.size();
        in_flight_samples_ = batch.samples.size();
        in_flight_records_ = records_in_batch;
        // Derived data goes out with the batch that empties the queue for a flush()/stop(),
        // or every publish interval.
        const bool publish = (publish_wanted && samples_.empty() && records_.empty()) || now >= next_publish;
        lock.unlock();
        const auto t0 = steady::now();
        BatchOutcome outcome;
        std::optional<SqliteError> error;
        try {
            outcome = writer.write(batch, publish);
        } catch (const SqliteError& e) {
            error = e;
        }
        if (error && !transient(*error)) {
            // The database refuses something in this batch: find it, drop only it, keep the rest.
            error.reset();
            outcome = write_one_by_one(writer, batch, error);
        }
        const auto t1 = steady::now();
        // Hooks of whatever did commit run first, outside the lock (they may enqueue).
        for (auto& [hook, id] : outcome.hooks) {
            try {
                hook(id);
            } catch (const std::exception& e) {
                log::error(msgid::store_error,
                           fmt::format("store: commit hook for event {} threw: {}", id, e.what()));
            }
        }
        lock.lock();
        in_flight_samples_ = in_flight_records_ = 0;
        if (error) {
            ++stats_.failed_flushes;
            stats_.last_error = error->what();
            if (!failing) {
                failing = true;
                stats_.healthy = false;
                const bool full = error->out_of_space();
                const auto queued = samples_.size() + batch.samples.size();
                lock.unlock();
                log::error(full ? msgid::store_disk_full : msgid::store_error,
                           fmt::format("store: cannot write to {}: {}; keeping {} samples and "
                                       "{} records in memory and retrying",
                                       cfg_.path, error->what(), queued, batch.records.size()));
                lock.lock();
            }
            put_back(std::move(batch));
            retry_at = steady::now() + options_.retry_delay;
            continue;
        }
        stats_.samples_written += outcome.samples_written;
        stats_.records_written += records_in_batch;
        ++stats_.transactions;
        stats_.last_flush_duration = std::chrono::duration_cast<std::chrono::microseconds>(t1 - t0);
        stats_.last_flush = clock_.now();
        last_flush_ = t1;
        if (publish) next_publish = t1 + options_.publish_interval;
        if (failing) {
            failing = false;
            stats_.healthy = true;
            stats_.last_error.clear();
            const auto failures = stats_.failed_flushes;
            lock.unlock();
            log::notice(msgid::store_recovered,
                        fmt::format("store: writing to {} works again ({} failed flushes)",
                                    cfg_.path, failures));
            lock.lock();
        }
    }
    thread_done_ = true;
    progress_.notify_all();
}

BatchOutcome StoreWriter::write_one_by_one(BatchWriter& writer, Batch& batch,
                                          std::optional<SqliteError>& error) {
    BatchOutcome total;
    Batch leftover;  // items that met a transient error: retried later like a failed batch
    auto attempt = [&](Batch&& single, const char* what) {
        if (error) {  // once the disk is full, keep the rest for the retry
            for (auto& s : single.samples) leftover.samples.push_back(std::move(s));
            for (auto& r : single.records) leftover.records.push_back(std::move(r));
            return;
        }
        try {
            auto o = writer.write(single);
            total.samples_written += o.samples_written;
            for (auto& h : o.hooks) total.hooks.push_back(std::move(h));
        } catch (const SqliteError& e) {
            if (transient(e)) {
                error = e;
                for (auto& s : single.samples) leftover.samples.push_back(std::move(s));
                for (auto& r : single.records) leftover.records.push_back(std::move(r));
                return;
            }
            log::error(msgid::store_error,
                       fmt::format("store: {} refused by the database and dropped: {}", what, e.what()));
        }
    };
    if (!batch.samples.empty()) attempt(Batch{std::move(batch.samples), {}}, "a batch of samples");
    for (auto& r : batch.records) attempt(Batch{{}, {std::move(r)}}, "a record");
    batch = std::move(leftover);
    return total;
}

}  // namespace avmon::store
