#pragma once
// The machinery SerialLink and TcpLink share: a reader that always has a read pending (so an
// unplug is noticed even between polls), a receive buffer the frame predicate looks at, one
// request at a time with a deadline, the state machine and the back-off reopen loop.
// Subclasses only open, close, read and write their stream.
#include <deque>
#include <memory>
#include <string>

#include "daemon/core/complaint.hpp"
#include "probes/link/link.hpp"

namespace avmon::link {

class StreamLink : public Link, public std::enable_shared_from_this<StreamLink> {
public:
    ~StreamLink() override = default;

    awaitable<LinkReply> transact(std::string request, FrameComplete complete,
                                  SteadyTime deadline) override;
    LinkState state() const override { return state_; }
    const std::string& name() const override { return name_; }
    const std::string& last_error() const override { return last_error_; }
    void discard_input() override;
    void end_session() override;
    void stop() override;

protected:
    // supervised: a background loop keeps the stream open (reopen with back-off).
    // Otherwise the stream is opened on demand by transact() and closed by end_session().
    StreamLink(asio::any_io_executor ex, std::string name, LinkOptions options, bool supervised);

    // Starts the reopen loop (supervised links); call once after construction.
    void start();

    // Open the stream; return "" on success or a human error. Must finish by `deadline`.
    virtual awaitable<std::string> open_stream(SteadyTime deadline) = 0;
    // Close the stream (pending operations complete with operation_aborted). `clean`: say
    // goodbye properly (TCP shutdown) rather than just dropping it.
    virtual void close_stream(bool clean) = 0;
    virtual awaitable<std::size_t> read_some(asio::mutable_buffer buf, boost::system::error_code& ec) = 0;
    virtual awaitable<void> write_all(asio::const_buffer buf, boost::system::error_code& ec) = 0;
    // Drop what the OS has buffered but we have not read yet (serial: tcflush).
    virtual void flush_os_input() {}

    asio::any_io_executor executor_;
    LinkOptions options_;

private:
    awaitable<void> supervise(std::shared_ptr<StreamLink> self);
    awaitable<void> reader(std::shared_ptr<StreamLink> self, std::uint64_t generation);
    awaitable<std::string> open_on_demand(SteadyTime deadline);
    void on_opened();
    void on_failed(const std::string& why);  // open failed or stream lost
    void wake_transaction();
    void complain_failure(const std::string& why);
    void complain_recovered();
    SysTime now() const;

    std::string name_;
    bool supervised_;
    LinkState state_ = LinkState::closed;
    bool stopped_ = false;
    bool started_ = false;
    std::string last_error_;
    std::string rx_;                     // received, not yet consumed
    std::uint64_t generation_ = 0;       // bumped on every close: stale readers exit quietly
    bool busy_ = false;                  // a transaction is in progress
    std::deque<std::shared_ptr<asio::steady_timer>> waiters_;  // transactions queued behind it
    asio::steady_timer wake_;            // the active transaction waits on it; cancel() = look again
    asio::steady_timer supervisor_wake_; // the reopen loop waits on it: back-off or "until lost"
    ComplaintTracker complaints_;
    std::chrono::milliseconds backoff_;
    std::chrono::steady_clock::time_point opened_at_{};
};

}  // namespace avmon::link
