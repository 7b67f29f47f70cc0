#pragma once
// Polls every device in its rhythm on the io_context: jittered first polls, the interval
// measured from each poll's start, back-off for devices that stay unreachable, a deadline for
// every poll. One timer serves the whole fleet (see Queue). Results go to one observer; the scheduler
// knows nothing of the store or the alarm engine.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/app/poll_timing.hpp"
#include "daemon/core/asio.hpp"
#include "probes/probe.hpp"

namespace avmon::app {

struct ScheduledDevice {
    std::string id;
    std::chrono::milliseconds interval{60000};
    std::vector<std::unique_ptr<probes::Probe>> probes;
};

struct DevicePollStatus {
    std::string id;
    int consecutive_failures = 0;
    bool reachable = false;
    bool polled = false;
    SysTime last_poll{};
    std::chrono::milliseconds last_duration{0};
};

class Scheduler {
public:
    // Called once per device poll with the merged result of all its probes, on the loop thread.
    using Observer = std::function<void(const std::string& device, const PollResult&)>;

    Scheduler(asio::any_io_executor ex, PollTimingSettings timing, Observer observer);
    ~Scheduler();

    void add(ScheduledDevice device);        // starts polling it
    void remove(const std::string& id);      // stops its loop; a poll in flight finishes on its own
    bool contains(const std::string& id) const { return loops_.count(id) != 0; }
    void stop();                             // stops every loop
    std::vector<DevicePollStatus> status() const;
    // Devices whose last poll failed; counted in place (status() copies every device's).
    std::size_t unreachable() const;
    std::size_t size() const { return loops_.size(); }

private:
    struct Loop;
    // Devices waiting for their next poll, by due time. One timer for the whole fleet: a
    // timer and a pending wait per device cost ~300 bytes each (3 MB at 10,000 devices); an
    // entry here costs one map node. Between polls a device holds no coroutine frame either:
    // the timer's handler spawns poll() for every device due, whose frames live only while
    // the device is being polled, and poll() queues the device again for the next one.
    using Queue = std::multimap<probes::SteadyTime, std::shared_ptr<Loop>>;
    void schedule(const std::shared_ptr<Loop>& loop, probes::SteadyTime at);
    void unschedule(Loop& loop);
    void arm();
    void on_timer();
    awaitable<void> poll(std::shared_ptr<Loop> loop);

    asio::any_io_executor ex_;
    PollTiming timing_;
    Observer observer_;
    std::map<std::string_view, std::shared_ptr<Loop>> loops_;  // keys: the Loop's own device id
    Queue queue_;
    asio::steady_timer timer_;
    bool armed_ = false;   // timer_ has a wait pending (or completing) for armed_at_
    probes::SteadyTime armed_at_{};
    // False once stop() ran: a timer completion already queued then must not touch *this.
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace avmon::app
