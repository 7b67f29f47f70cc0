#include "probes/link/stream_link.hpp"

#include <algorithm>

#include "daemon/core/log.hpp"
#include "daemon/core/message_ids.hpp"

namespace avmon::link {

using boost::system::error_code;
using std::chrono::steady_clock;

std::string_view to_string(LinkState s) {
    switch (s) {
        case LinkState::closed: return "closed";
        case LinkState::opening: return "opening";
        case LinkState::ready: return "ready";
        case LinkState::lost: return "lost";
    }
    return "?";
}

std::string_view to_string(LinkStatus s) {
    switch (s) {
        case LinkStatus::ok: return "ok";
        case LinkStatus::timeout: return "timeout";
        case LinkStatus::down: return "down";
        case LinkStatus::overflow: return "overflow";
        case LinkStatus::stopped: return "stopped";
    }
    return "?";
}

namespace {

std::string describe(const error_code& ec) {
    if (ec == asio::error::eof) return "closed by the other end (end of file)";
    return ec.message();
}

}  // namespace

StreamLink::StreamLink(asio::any_io_executor ex, std::string name, LinkOptions options, bool supervised)
    : executor_(ex),
      options_(std::move(options)),
      name_(std::move(name)),
      supervised_(supervised),
      wake_(ex),
      supervisor_wake_(ex),
      backoff_(options_.initial_backoff) {}

SysTime StreamLink::now() const { return (options_.clock ? *options_.clock : wall_clock()).now(); }

void StreamLink::start() {
    if (started_ || stopped_) return;
    started_ = true;
    if (supervised_) {
        state_ = LinkState::opening;
        asio::co_spawn(executor_, supervise(shared_from_this()), asio::detached);
    }
}

void StreamLink::wake_transaction() { wake_.cancel(); }

void StreamLink::complain_failure(const std::string& why) {
    if (!options_.log_state_changes) return;
    std::vector<log::Field> fields{{"AVMON_LINK", name_}};
    if (!options_.device_id.empty()) fields.push_back({"AVMON_DEVICE", options_.device_id});
    switch (complaints_.failure(name_, now())) {
        case ComplaintTracker::Say::first_failure:
            log::warning(msgid::link_lost, why, std::move(fields));
            break;
        case ComplaintTracker::Say::reminder:
            log::warning(msgid::link_still_lost, "still down: " + why, std::move(fields));
            break;
        default: break;
    }
}

void StreamLink::complain_recovered() {
    if (!options_.log_state_changes) return;
    if (complaints_.success(name_) != ComplaintTracker::Say::recovered) return;
    std::vector<log::Field> fields{{"AVMON_LINK", name_}};
    if (!options_.device_id.empty()) fields.push_back({"AVMON_DEVICE", options_.device_id});
    log::notice(msgid::link_recovered, name_ + ": open again", std::move(fields));
}

void StreamLink::on_opened() {
    ++generation_;
    rx_.clear();
    state_ = LinkState::ready;
    opened_at_ = steady_clock::now();
    complain_recovered();
    asio::co_spawn(executor_, reader(shared_from_this(), generation_), asio::detached);
    wake_transaction();
}

void StreamLink::on_failed(const std::string& why) {
    ++generation_;  // the reader of the dead stream exits without touching anything
    close_stream(false);
    last_error_ = name_ + ": " + why;
    state_ = LinkState::lost;
    complain_failure(last_error_);
    wake_transaction();
    supervisor_wake_.cancel();
}

awaitable<void> StreamLink::reader([[maybe_unused]] std::shared_ptr<StreamLink> self, std::uint64_t generation) {
    std::string buf(4096, '\0');
    for (;;) {
        error_code ec;
        std::size_t n = co_await read_some(asio::buffer(buf), ec);
        if (generation != generation_ || stopped_) co_return;  // closed on purpose meanwhile
        if (n > 0) {
            rx_.append(buf.data(), n);
            // Nobody is asking: keep pushed data bounded (drop the oldest half).
            if (!busy_ && rx_.size() > options_.max_buffer) rx_.erase(0, rx_.size() - options_.max_buffer / 2);
            wake_transaction();
        }
        if (!ec) continue;
        if (!supervised_ && !busy_) {
            // Per-poll connection closed by the device between requests: not a fault.
            ++generation_;
            close_stream(false);
            state_ = LinkState::closed;
        } else {
            on_failed(describe(ec));
        }
        co_return;
    }
}

awaitable<void> StreamLink::supervise([[maybe_unused]] std::shared_ptr<StreamLink> self) {
    while (!stopped_) {
        if (state_ != LinkState::ready) {
            std::string err = co_await open_stream(steady_clock::now() + options_.connect_timeout);
            if (stopped_) {
                if (err.empty()) close_stream(true);
                break;
            }
            if (err.empty()) {
                on_opened();
            } else {
                on_failed(err);
                supervisor_wake_.expires_after(backoff_);
                error_code ec;
                co_await supervisor_wake_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
                backoff_ = std::min(backoff_ * 2, options_.max_backoff);
                continue;
            }
        }
        // Sleep until the stream is lost (on_failed) or the link stops.
        supervisor_wake_.expires_at(steady_clock::time_point::max());
        error_code ec;
        co_await supervisor_wake_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (stopped_ || state_ == LinkState::ready) continue;
        // Lost: a connection that stayed up a while resets the back-off; one that dies at once
        // (device accepts then hangs up) must not make us reconnect in a tight loop.
        if (steady_clock::now() - opened_at_ >= std::max<std::chrono::milliseconds>(backoff_, std::chrono::seconds(10)))
            backoff_ = options_.initial_backoff;
        supervisor_wake_.expires_after(backoff_);
        co_await supervisor_wake_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        backoff_ = std::min(backoff_ * 2, options_.max_backoff);
    }
}

awaitable<std::string> StreamLink::open_on_demand(SteadyTime deadline) {
    state_ = LinkState::opening;
    auto limit = std::min(deadline, steady_clock::now() + options_.connect_timeout);
    std::string err = co_await open_stream(limit);
    if (stopped_) {
        if (err.empty()) close_stream(true);
        co_return "link stopped";
    }
    if (err.empty())
        on_opened();
    else
        on_failed(err);
    co_return err;
}

awaitable<LinkReply> StreamLink::transact(std::string request, FrameComplete complete, SteadyTime deadline) {
    auto self = shared_from_this();
    LinkReply reply;
    auto finish = [&](LinkStatus status, std::string error) {
        reply.status = status;
        reply.error = std::move(error);
        return reply;
    };

    // One request at a time: queue behind the active one.
    while (busy_ && !stopped_) {
        auto turn = std::make_shared<asio::steady_timer>(executor_, deadline);
        waiters_.push_back(turn);
        error_code ec;
        co_await turn->async_wait(asio::redirect_error(asio::use_awaitable, ec));
        waiters_.erase(std::remove(waiters_.begin(), waiters_.end(), turn), waiters_.end());
        if (!ec) co_return finish(LinkStatus::timeout, name_ + ": still busy with an earlier request at the deadline");
    }
    if (stopped_) co_return finish(LinkStatus::stopped, name_ + ": link stopped");
    busy_ = true;
    struct Release {
        StreamLink* link;
        ~Release() {
            link->busy_ = false;
            if (!link->waiters_.empty()) link->waiters_.front()->cancel();
        }
    } release{this};

    // Make sure there is a stream to talk on.
    if (state_ != LinkState::ready) {
        if (!supervised_) {
            std::string err = co_await open_on_demand(deadline);
            if (stopped_) co_return finish(LinkStatus::stopped, name_ + ": link stopped");
            if (!err.empty()) co_return finish(LinkStatus::down, last_error_);
        } else {
            while (state_ == LinkState::opening && !stopped_ && steady_clock::now() < deadline) {
                wake_.expires_at(deadline);
                error_code ec;
                co_await wake_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            }
            if (stopped_) co_return finish(LinkStatus::stopped, name_ + ": link stopped");
            if (state_ != LinkState::ready)
                co_return finish(LinkStatus::down,
                                 last_error_.empty() ? name_ + ": not open yet" : last_error_);
        }
    }

    if (!request.empty()) {
        // A write that cannot finish by the deadline (flow control held, TCP window shut)
        // means the stream is wedged: give it up, the reopen loop starts afresh.
        auto fired = std::make_shared<bool>(false);
        auto done = std::make_shared<bool>(false);
        asio::steady_timer watchdog(executor_, deadline);
        watchdog.async_wait([self, fired, done, gen = generation_](const error_code& ec) {
            if (ec || *done || gen != self->generation_) return;
            *fired = true;
            self->on_failed("write did not complete before the deadline");
        });
        error_code ec;
        co_await write_all(asio::buffer(request), ec);
        *done = true;
        watchdog.cancel();
        if (stopped_) co_return finish(LinkStatus::stopped, name_ + ": link stopped");
        if (*fired) co_return finish(LinkStatus::timeout, name_ + ": write did not complete before the deadline");
        if (ec) {
            on_failed("write failed: " + describe(ec));
            co_return finish(LinkStatus::down, last_error_);
        }
    }

    for (;;) {
        if (stopped_) co_return finish(LinkStatus::stopped, name_ + ": link stopped");
        while (!rx_.empty()) {
            FrameStatus fs = complete ? complete(rx_) : FrameStatus::complete(rx_.size());
            if (fs.kind == FrameStatus::Kind::complete) {
                std::size_t n = std::min(fs.bytes, rx_.size());
                reply.frame = rx_.substr(0, n);
                rx_.erase(0, n);
                co_return finish(LinkStatus::ok, {});
            }
            if (fs.kind == FrameStatus::Kind::garbage) {
                std::size_t n = std::clamp<std::size_t>(fs.bytes, 1, rx_.size());
                reply.skipped += n;
                rx_.erase(0, n);
                continue;
            }
            break;  // incomplete
        }
        if (state_ != LinkState::ready) {
            reply.partial = std::move(rx_);
            rx_.clear();
            co_return finish(LinkStatus::down, last_error_);
        }
        if (rx_.size() > options_.max_buffer) {
            rx_.clear();
            co_return finish(LinkStatus::overflow, name_ + ": more than " + std::to_string(options_.max_buffer) +
                                                       " bytes without a complete reply");
        }
        if (steady_clock::now() >= deadline) {
            reply.partial = std::move(rx_);
            rx_.clear();
            std::string why = reply.partial.empty()
                                  ? name_ + ": no reply before the deadline"
                                  : name_ + ": reply incomplete at the deadline (" +
                                        std::to_string(reply.partial.size()) + " bytes of a frame)";
            co_return finish(LinkStatus::timeout, why);
        }
        wake_.expires_at(deadline);
        error_code ec;
        co_await wake_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
}

void StreamLink::discard_input() {
    rx_.clear();
    if (state_ == LinkState::ready) flush_os_input();
}

void StreamLink::end_session() {
    if (supervised_ || stopped_) return;
    if (state_ == LinkState::ready) {
        ++generation_;
        close_stream(true);
    }
    rx_.clear();
    state_ = LinkState::closed;
}

void StreamLink::stop() {
    if (stopped_) return;
    stopped_ = true;
    ++generation_;
    close_stream(state_ == LinkState::ready);
    state_ = LinkState::closed;
    rx_.clear();
    wake_.cancel();
    supervisor_wake_.cancel();
    for (auto& w : waiters_) w->cancel();
}

}  // namespace avmon::link
