#include "daemon/app/scheduler.hpp"

#include "daemon/app/poll_merge.hpp"

namespace avmon::app {

struct Scheduler::Loop {
    ScheduledDevice device;
    asio::steady_timer timer;
    bool stopped = false;
    DevicePollStatus status;
    Loop(asio::any_io_executor ex, ScheduledDevice d) : device(std::move(d)), timer(ex) { status.id = device.id; }
};

Scheduler::Scheduler(asio::any_io_executor ex, PollTimingSettings timing, Observer observer)
    : ex_(std::move(ex)), timing_(timing), observer_(std::move(observer)) {}

Scheduler::~Scheduler() { stop(); }

void Scheduler::add(ScheduledDevice device) {
    remove(device.id);
    auto loop = std::make_shared<Loop>(ex_, std::move(device));
    loops_[loop->device.id] = loop;
    loop->timer.expires_after(timing_.initial_delay(loop->device.interval));
    wait_then_poll(loop);
}

void Scheduler::remove(const std::string& id) {
    auto it = loops_.find(id);
    if (it == loops_.end()) return;
    it->second->stopped = true;
    it->second->timer.cancel();
    loops_.erase(it);
}

void Scheduler::stop() {
    for (auto& [id, loop] : loops_) {
        loop->stopped = true;
        loop->timer.cancel();
    }
    loops_.clear();
}

std::vector<DevicePollStatus> Scheduler::status() const {
    std::vector<DevicePollStatus> out;
    out.reserve(loops_.size());
    for (const auto& [id, loop] : loops_) out.push_back(loop->status);
    return out;
}

std::size_t Scheduler::unreachable() const {
    std::size_t n = 0;
    for (const auto& [id, loop] : loops_)
        if (loop->status.polled && !loop->status.reachable) ++n;
    return n;
}

void Scheduler::wait_then_poll(const std::shared_ptr<Loop>& loop) {
    loop->timer.async_wait([this, loop](boost::system::error_code ec) {
        // A stopped loop never touches the scheduler again: it may be gone by now.
        if (ec || loop->stopped) return;
        asio::co_spawn(ex_, poll(loop), asio::detached);
    });
}

awaitable<void> Scheduler::poll(std::shared_ptr<Loop> loop) {
    using namespace std::chrono;
    auto started = steady_clock::now();
    // The whole device poll must end within one interval (capped), so a dead device can
    // never hold its own loop longer than its rhythm, and never anybody else's.
    auto budget = std::min<steady_clock::duration>(loop->device.interval, seconds(30));
    auto deadline = started + budget;
    std::vector<ProbeOutcome> outcomes;
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
    loop->timer.expires_at(started + delay);
    wait_then_poll(loop);
}

}  // namespace avmon::app
