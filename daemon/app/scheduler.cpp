#include "daemon/app/scheduler.hpp"

#include "daemon/app/poll_merge.hpp"

namespace avmon::app {

struct Scheduler::Loop {
    ScheduledDevice device;
    bool stopped = false;
    bool queued = false;  // `due` is its entry in queue_
    Queue::iterator due;
    struct {  // DevicePollStatus but its id (status() adds device.id)
        int consecutive_failures = 0;
        bool reachable = false;
        bool polled = false;
        SysTime last_poll{};
        std::chrono::milliseconds last_duration{0};
    } status;
    explicit Loop(ScheduledDevice d) : device(std::move(d)) {}
};

Scheduler::Scheduler(asio::any_io_executor ex, PollTimingSettings timing, Observer observer)
    : ex_(std::move(ex)), timing_(timing), observer_(std::move(observer)), timer_(ex_) {}

Scheduler::~Scheduler() { stop(); }

void Scheduler::add(ScheduledDevice device) {
    remove(device.id);
    auto loop = std::make_shared<Loop>(std::move(device));
    loops_[loop->device.id] = loop;
    schedule(loop, std::chrono::steady_clock::now() + timing_.initial_delay(loop->device.interval));
}

void Scheduler::remove(const std::string& id) {
    auto it = loops_.find(id);
    if (it == loops_.end()) return;
    it->second->stopped = true;
    unschedule(*it->second);  // frees it now, unless a poll of it is in flight
    loops_.erase(it);
}

void Scheduler::stop() {
    for (auto& [id, loop] : loops_) {
        loop->stopped = true;
        loop->queued = false;
    }
    queue_.clear();
    loops_.clear();
    *alive_ = false;
    alive_ = std::make_shared<bool>(true);  // for devices added after a stop
    timer_.cancel();
    armed_ = false;
}

std::vector<DevicePollStatus> Scheduler::status() const {
    std::vector<DevicePollStatus> out;
    out.reserve(loops_.size());
    for (const auto& [id, loop] : loops_) {
        const auto& st = loop->status;
        out.push_back({loop->device.id, st.consecutive_failures, st.reachable, st.polled, st.last_poll,
                       st.last_duration});
    }
    return out;
}

std::size_t Scheduler::unreachable() const {
    std::size_t n = 0;
    for (const auto& [id, loop] : loops_)
        if (loop->status.polled && !loop->status.reachable) ++n;
    return n;
}

void Scheduler::schedule(const std::shared_ptr<Loop>& loop, probes::SteadyTime at) {
    unschedule(*loop);
    loop->due = queue_.emplace(at, loop);
    loop->queued = true;
    arm();
}

void Scheduler::unschedule(Loop& loop) {
    if (!loop.queued) return;
    queue_.erase(loop.due);
    loop.queued = false;
}

// Keeps the timer set for the earliest due device.
void Scheduler::arm() {
    if (queue_.empty()) return;
    const auto next = queue_.begin()->first;
    if (armed_ && armed_at_ <= next) return;
    armed_ = true;
    armed_at_ = next;
    timer_.expires_at(next);  // a wait still pending completes with operation_aborted
    timer_.async_wait([this, alive = alive_](boost::system::error_code ec) {
        // A completion already queued when stop() ran never touches the scheduler: it may
        // be gone by now. A replaced wait (re-armed earlier) is aborted.
        if (ec || !*alive) return;
        on_timer();
    });
}

void Scheduler::on_timer() {
    armed_ = false;
    const auto now = std::chrono::steady_clock::now();
    while (!queue_.empty() && queue_.begin()->first <= now) {
        std::shared_ptr<Loop> loop = std::move(queue_.begin()->second);
        queue_.erase(queue_.begin());
        loop->queued = false;
        if (!loop->stopped) asio::co_spawn(ex_, poll(std::move(loop)), asio::detached);
    }
    arm();
}

awaitable<void> Scheduler::poll(std::shared_ptr<Loop> loop) {
    using namespace std::chrono;
    auto started = steady_clock::now();
    // The whole device poll must end within one interval (capped), so a dead device can
    // never hold its own loop longer than its rhythm, and never anybody else's.
    auto budget = std::min<steady_clock::duration>(loop->device.interval, seconds(30));
    auto deadline = started + budget;
    std::vector<ProbeOutcome> outcomes;
    outcomes.reserve(loop->device.probes.size());
    for (auto& probe : loop->device.probes) {
        if (loop->stopped) co_return;
        PollResult result;
        try {
            result = co_await probe->poll(deadline);
        } catch (const std::exception& e) {
            result.reachable = false;
            result.error = std::string("probe failed: ") + e.what();
            result.time = std::chrono::system_clock::now();
        }
        if (loop->stopped) co_return;
        outcomes.push_back({probe->kind(), std::move(result)});
    }
    PollResult merged = merge_poll_results(loop->device.id, std::move(outcomes));
    bool any_reachable = merged.reachable;
    observer_(loop->device.id, merged);
    auto& st = loop->status;
    st.polled = true;
    st.reachable = any_reachable;
    st.consecutive_failures = any_reachable ? 0 : st.consecutive_failures + 1;
    st.last_poll = std::chrono::system_clock::now();
    st.last_duration = duration_cast<milliseconds>(steady_clock::now() - started);
    if (loop->stopped) co_return;  // the observer may have removed it
    // The rhythm is measured from the poll's start, so slow devices do not drift.
    auto delay = timing_.next_delay(loop->device.interval, st.consecutive_failures);
    schedule(loop, started + delay);
}

}  // namespace avmon::app
