#include "probes/icmp/pinger.hpp"

#include <linux/icmp.h>
#include <netinet/icmp6.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <deque>
#include <functional>
#include <random>
#include <vector>

#include <fmt/format.h>

#include "daemon/core/log.hpp"
#include "daemon/core/message_ids.hpp"
#include "probes/icmp/echo_packet.hpp"
#include "probes/icmp/icmp_protocol.hpp"

namespace avmon::icmp {

std::string_view to_string(IcmpMode m) {
    switch (m) {
        case IcmpMode::off: return "off";
        case IcmpMode::dgram: return "dgram";
        case IcmpMode::raw: return "raw";
    }
    return "?";
}

namespace {

using SteadyClock = std::chrono::steady_clock;

// Replies arrive in bursts when many devices answer at once; the default buffer (~200 KB)
// holds only a few hundred ICMP skbs.
constexpr int wanted_receive_buffer = 4 * 1024 * 1024;

asio::ip::address normalise(const asio::ip::address& a) {
    if (a.is_v6() && a.to_v6().is_v4_mapped())
        return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
    return a;
}

bool same_host(const asio::ip::address& a, const asio::ip::address& b) {
    if (a.is_v4() && b.is_v4()) return a == b;
    if (a.is_v6() && b.is_v6()) return a.to_v6().to_bytes() == b.to_v6().to_bytes();  // ignore scope
    return false;
}

}  // namespace

// One echo request, from ping() until its outcome is handed over. Slots are reused; the
// generation tells a slot's current request from an earlier one that a stale timeout entry or
// queue entry still names.
struct Request {
    enum class State : std::uint8_t { free, waiting, on_wire };
    asio::ip::address target;
    SteadyClock::time_point deadline{};
    SteadyClock::time_point sent_at{};
    PingDone done;
    std::uint32_t generation = 0;
    std::uint32_t wire = 0;  // index in the wire table while on the wire
    State state = State::free;
};

// Names one request of one generation (queue entries, timeout entries, posted completions).
struct RequestRef {
    std::uint32_t index;
    std::uint32_t generation;
};

// A request on the wire, found again by the sequence number of its reply: the low bits of the
// sequence number are the entry's index, the high bits count its uses, so a sequence number
// comes back only after 65,536 requests and a lookup is one array access.
struct WireEntry {
    std::uint32_t request = 0;
    std::uint16_t seq = 0;
    std::uint16_t uses = 0;
    bool used = false;
};

struct Due {
    SteadyClock::time_point at;
    RequestRef request;
    bool operator>(const Due& o) const { return at > o.at; }
};

struct Channel {
    Family family;
    IcmpProtocol protocol;
    IcmpProtocol::socket socket;
    std::uint16_t id;  // our echo id; only checked on raw sockets (the kernel owns it on ping sockets)
    bool waiting_to_write = false;
    std::array<std::uint8_t, 4096> buffer{};

    Channel(asio::any_io_executor ex, Family f, IcmpProtocol p, std::uint16_t echo_id)
        : family(f), protocol(p), socket(std::move(ex)), id(echo_id) {}
};

struct Pinger::Impl : std::enable_shared_from_this<Pinger::Impl> {
    asio::any_io_executor executor;
    std::size_t max_in_flight;
    IcmpMode mode = IcmpMode::off;
    std::string problem;
    std::shared_ptr<Channel> v4, v6;  // shared with their read handlers
    std::vector<Request> requests;
    std::vector<std::uint32_t> free_requests;
    std::deque<RequestRef> waiting;  // queued behind max_in_flight
    std::vector<WireEntry> wire;     // a power of two >= max_in_flight entries
    std::vector<std::uint32_t> free_wire;
    unsigned wire_bits = 0;
    std::size_t on_wire = 0;
    std::size_t open_requests = 0;
    // Every open request's deadline, earliest first; entries of requests that ended early stay
    // until they come up (cheaper than finding them). One timer, set for the earliest.
    std::vector<Due> due;
    asio::steady_timer due_timer;
    SteadyClock::time_point due_timer_at = SteadyClock::time_point::max();
    std::mt19937 random{std::random_device{}()};

    Impl(asio::any_io_executor ex, std::size_t limit)
        : executor(ex), max_in_flight(std::clamp<std::size_t>(limit, 1, 32768)), due_timer(ex) {
        const std::size_t size = std::bit_ceil(max_in_flight);
        wire_bits = static_cast<unsigned>(std::countr_zero(size));
        wire.resize(size);
        free_wire.reserve(size);
        for (std::size_t i = size; i-- > 0;) {
            wire[i].uses = static_cast<std::uint16_t>(random());  // sequence numbers start anywhere
            free_wire.push_back(static_cast<std::uint32_t>(i));
        }
    }

    Channel* channel_for(const asio::ip::address& a) { return a.is_v4() ? v4.get() : v6.get(); }

    // Opens one socket; returns the error text, empty on success.
    std::string open(std::shared_ptr<Channel>& slot, Family family, IcmpProtocol protocol) {
        auto ch = std::make_shared<Channel>(executor, family, protocol, static_cast<std::uint16_t>(random()));
        boost::system::error_code ec;
        ch->socket.open(protocol, ec);
        if (ec) return ec.message();
        ch->socket.non_blocking(true, ec);
        if (ec) return ec.message();
        const int fd = ch->socket.native_handle();
        int size = wanted_receive_buffer;
        // FORCE works with CAP_NET_ADMIN; otherwise the kernel caps SO_RCVBUF at rmem_max.
        if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0)
            ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
        if (protocol.is_raw()) {
            // A raw socket sees every ICMP packet of the host; let the kernel drop all but replies.
            if (family == Family::v4) {
                icmp_filter filter{};
                filter.data = ~(1u << ICMP_ECHOREPLY);
                ::setsockopt(fd, SOL_RAW, ICMP_FILTER, &filter, sizeof filter);
            } else {
                icmp6_filter filter;
                ICMP6_FILTER_SETBLOCKALL(&filter);
                ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filter);
                ::setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter);
            }
        }
        slot = std::move(ch);
        wait_for_replies(slot);
        return {};
    }

    void wait_for_replies(const std::shared_ptr<Channel>& ch) {
        ch->socket.async_wait(asio::socket_base::wait_read,
                              [self = shared_from_this(), ch](const boost::system::error_code& ec) {
                                  if (ec == asio::error::operation_aborted || !ch->socket.is_open()) return;
                                  self->drain(*ch);
                                  if (ch->socket.is_open()) self->wait_for_replies(ch);
                              });
    }

    void drain(Channel& ch) {
        // Bounded so a flood cannot starve the rest of the loop; the next wait picks up the rest.
        for (int i = 0; i < 1024 && ch.socket.is_open(); ++i) {
            IcmpProtocol::endpoint sender;
            boost::system::error_code ec;
            std::size_t n = ch.socket.receive_from(asio::buffer(ch.buffer), sender, 0, ec);
            if (ec == asio::error::would_block || ec == asio::error::try_again) return;
            if (ec) continue;  // e.g. a queued ICMP error report: not a reply, read on
            on_packet(ch, std::span<const std::uint8_t>(ch.buffer.data(), n), sender.address());
        }
    }

    void on_packet(Channel& ch, std::span<const std::uint8_t> data, const asio::ip::address& from) {
        const bool ip_header = ch.protocol.is_raw() && ch.family == Family::v4;
        auto reply = parse_echo_reply(data, ch.family, ip_header);
        if (!reply) return;
        if (ch.protocol.is_raw() && reply->id != ch.id) return;  // another program's ping
        const WireEntry& w = wire[reply->seq & (wire.size() - 1)];
        if (!w.used || w.seq != reply->seq) return;  // late reply to a request that already ended
        const std::uint32_t index = w.request;
        if (!same_host(requests[index].target, normalise(from))) return;
        finish(index, PingOutcome{true, SteadyClock::now() - requests[index].sent_at, {}});
    }

    RequestRef allocate(const asio::ip::address& target, SteadyClock::time_point deadline, PingDone&& done) {
        std::uint32_t index;
        if (!free_requests.empty()) {
            index = free_requests.back();
            free_requests.pop_back();
        } else {
            index = static_cast<std::uint32_t>(requests.size());
            requests.emplace_back();
        }
        Request& r = requests[index];
        r.target = target;
        r.deadline = deadline;
        r.done = std::move(done);
        r.state = Request::State::waiting;
        ++open_requests;
        return {index, r.generation};
    }

    bool current(RequestRef ref) const {
        return ref.index < requests.size() && requests[ref.index].generation == ref.generation &&
               requests[ref.index].state != Request::State::free;
    }

    // Ends a request: frees its slot first (the completion may start new requests), lets a
    // queued request take its place on the wire, then hands over the outcome.
    void finish(std::uint32_t index, PingOutcome outcome) {
        Request& r = requests[index];
        if (r.state == Request::State::free) return;
        if (r.state == Request::State::on_wire) {
            wire[r.wire].used = false;
            free_wire.push_back(r.wire);
            --on_wire;
        }
        r.state = Request::State::free;
        ++r.generation;
        PingDone done = std::move(r.done);
        free_requests.push_back(index);
        --open_requests;
        send_waiting();
        done(std::move(outcome));
    }

    // Completes a request from a later turn of the loop: ping() and send() never run a
    // completion themselves.
    void finish_later(RequestRef ref, std::string why) {
        asio::post(executor, [self = shared_from_this(), ref, why = std::move(why)]() mutable {
            if (self->current(ref)) self->finish(ref.index, PingOutcome{false, {}, std::move(why)});
        });
    }

    void send_waiting() {
        while (on_wire < max_in_flight && !waiting.empty()) {
            RequestRef ref = waiting.front();
            if (!current(ref) || requests[ref.index].state != Request::State::waiting) {
                waiting.pop_front();
                continue;
            }
            if (!send(ref)) return;  // the socket's send buffer is full: resumes once writable
            waiting.pop_front();
        }
    }

    // Puts one waiting request on the wire. False when the socket cannot take it yet; the
    // request then stays queued and the queue moves on once the socket is writable.
    bool send(RequestRef ref) {
        Request& r = requests[ref.index];
        Channel* ch = channel_for(r.target);
        if (!ch || !ch->socket.is_open()) {
            finish_later(ref, "ICMP socket closed");  // out of the queue; ends on the next turn
            return true;
        }
        const std::uint32_t slot = free_wire.back();
        WireEntry& w = wire[slot];
        ++w.uses;
        w.seq = static_cast<std::uint16_t>((static_cast<std::uint32_t>(w.uses) << wire_bits) | slot);
        const EchoRequest packet = build_echo_request(ch->family, ch->id, w.seq);
        r.sent_at = SteadyClock::now();
        boost::system::error_code ec;
        ch->socket.send_to(asio::buffer(packet), IcmpProtocol::endpoint(r.target, 0), 0, ec);
        if (ec == asio::error::would_block || ec == asio::error::no_buffer_space) {
            wait_until_writable(*channel_slot(ch));
            return false;
        }
        free_wire.pop_back();
        w.request = ref.index;
        w.used = true;
        r.wire = slot;
        r.state = Request::State::on_wire;
        ++on_wire;
        // Unreachable routes fail right here (EHOSTUNREACH, ENETUNREACH...).
        if (ec) finish_later(ref, ec.message());
        return true;
    }

    std::shared_ptr<Channel>* channel_slot(Channel* ch) { return ch == v4.get() ? &v4 : &v6; }

    void wait_until_writable(const std::shared_ptr<Channel>& ch) {
        if (ch->waiting_to_write) return;
        ch->waiting_to_write = true;
        ch->socket.async_wait(asio::socket_base::wait_write,
                              [self = shared_from_this(), ch](const boost::system::error_code&) {
                                  ch->waiting_to_write = false;
                                  self->send_waiting();
                              });
    }

    void watch_deadline(SteadyClock::time_point at, RequestRef ref) {
        due.push_back(Due{at, ref});
        std::push_heap(due.begin(), due.end(), std::greater<>{});
        if (at < due_timer_at) arm_due_timer(at);
    }

    void arm_due_timer(SteadyClock::time_point at) {
        due_timer_at = at;
        due_timer.expires_at(at);
        due_timer.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
            if (ec == asio::error::operation_aborted) return;
            self->due_timer_at = SteadyClock::time_point::max();
            self->expire(SteadyClock::now());
        });
    }

    // Ends the requests whose deadline has come, drops the entries of requests that ended
    // before theirs, and sets the timer for the next.
    void expire(SteadyClock::time_point now) {
        while (!due.empty()) {
            const Due top = due.front();
            const bool live = current(top.request);
            if (live && top.at > now) {
                if (top.at < due_timer_at) arm_due_timer(top.at);
                return;
            }
            std::pop_heap(due.begin(), due.end(), std::greater<>{});
            due.pop_back();
            if (live) finish(top.request.index, PingOutcome{false, {}, "timeout"});
        }
    }

    void ping(const asio::ip::address& raw_target, std::chrono::milliseconds timeout, PingDone done) {
        const auto target = normalise(raw_target);
        const auto now = SteadyClock::now();
        RequestRef ref = allocate(target, now + timeout, std::move(done));
        Channel* ch = channel_for(target);
        if (!ch || !ch->socket.is_open()) {
            finish_later(ref, mode == IcmpMode::off
                                  ? std::string("ICMP probing is off")
                                  : fmt::format("no ICMP socket for IPv{}", target.is_v4() ? 4 : 6));
            return;
        }
        watch_deadline(now + timeout, ref);
        waiting.push_back(ref);
        send_waiting();
    }

    void close_all() {
        boost::system::error_code ec;
        due_timer.cancel();
        due_timer_at = SteadyClock::time_point::max();
        due.clear();
        for (auto* slot : {&v4, &v6})
            if (*slot) (*slot)->socket.close(ec);
        for (std::uint32_t i = 0; i < requests.size(); ++i)
            if (requests[i].state != Request::State::free)
                finish_later(RequestRef{i, requests[i].generation}, "ICMP pinger stopped");
        waiting.clear();
    }
};

Pinger::Pinger(asio::any_io_executor executor, std::size_t max_in_flight)
    : impl_(std::make_shared<Impl>(std::move(executor), max_in_flight)) {}

Pinger::~Pinger() { stop(); }

namespace {

std::string group_hint() {
    return fmt::format("sysctl net.ipv4.ping_group_range=\"0 2147483647\" (or a range containing gid {})",
                       static_cast<unsigned>(::getgid()));
}

}  // namespace

IcmpMode Pinger::start(std::string_view setting) {
    auto& s = *impl_;
    if (s.v4 || s.v6) return s.mode;  // already started: the sockets stay as they are
    if (setting == "off") {
        s.mode = IcmpMode::off;
        s.problem = "ICMP probing is off (daemon.icmp_mode = \"off\")";
        log::info(msgid::probe_mode, "ICMP probing is off (daemon.icmp_mode = \"off\")",
                  {{"AVMON_ICMP_MODE", "off"}});
        return s.mode;
    }
    if (setting != "auto" && setting != "dgram" && setting != "raw") {
        log::warning(msgid::probe_mode,
                     fmt::format("unknown daemon.icmp_mode \"{}\"; using \"auto\"", std::string(setting)));
        setting = "auto";
    }
    std::vector<IcmpMode> candidates;
    if (setting != "raw") candidates.push_back(IcmpMode::dgram);
    if (setting != "dgram") candidates.push_back(IcmpMode::raw);

    std::string dgram_error, raw_error, v6_error;
    for (IcmpMode m : candidates) {
        const bool raw = m == IcmpMode::raw;
        std::string e4 = s.open(s.v4, Family::v4, raw ? IcmpProtocol::raw_v4() : IcmpProtocol::dgram_v4());
        std::string e6 = s.open(s.v6, Family::v6, raw ? IcmpProtocol::raw_v6() : IcmpProtocol::dgram_v6());
        if (e4.empty() || e6.empty()) {
            s.mode = m;
            v6_error = e6.empty() ? std::string() : "IPv6: " + e6;
            if (!e4.empty()) v6_error = "IPv4: " + e4;  // the rare IPv6-only host
            break;
        }
        (raw ? raw_error : dgram_error) = e4;
    }

    if (s.mode == IcmpMode::off) {
        std::string text = "ICMP probing disabled: ";
        if (!dgram_error.empty())
            text += fmt::format("ping sockets refused ({}); allow them with `{}`", dgram_error, group_hint());
        if (!dgram_error.empty() && !raw_error.empty()) text += "; ";
        if (!raw_error.empty())
            text += fmt::format("raw ICMP sockets refused ({}); grant CAP_NET_RAW "
                                "(systemd: AmbientCapabilities=CAP_NET_RAW and CapabilityBoundingSet=CAP_NET_RAW)",
                                raw_error);
        s.problem = text;
        log::error(msgid::probe_mode, text, {{"AVMON_ICMP_MODE", "off"}});
        return s.mode;
    }

    std::string text = s.mode == IcmpMode::dgram
                           ? "ICMP: using unprivileged ping sockets (SOCK_DGRAM)"
                           : "ICMP: using raw sockets (SOCK_RAW, CAP_NET_RAW)";
    if (s.mode == IcmpMode::raw && !dgram_error.empty())
        text += fmt::format("; ping sockets refused ({}), so CAP_NET_RAW is needed; `{}` would avoid that",
                            dgram_error, group_hint());
    text += fmt::format("; one socket per family, IPv4 {}, IPv6 {}", s.v4 && s.v4->socket.is_open() ? "yes" : "no",
                        s.v6 && s.v6->socket.is_open() ? "yes" : "no");
    if (!v6_error.empty()) {
        text += " (" + v6_error + ")";
        s.problem = v6_error;
    }
    log::info(msgid::probe_mode, text, {{"AVMON_ICMP_MODE", std::string(to_string(s.mode))}});
    return s.mode;
}

void Pinger::stop() {
    impl_->close_all();
    impl_->v4.reset();
    impl_->v6.reset();
    impl_->mode = IcmpMode::off;
}

IcmpMode Pinger::mode() const { return impl_->mode; }
const std::string& Pinger::problem() const { return impl_->problem; }

bool Pinger::can_ping(const asio::ip::address& target) const {
    auto* ch = impl_->channel_for(normalise(target));
    return ch && ch->socket.is_open();
}

std::size_t Pinger::open_sockets() const {
    std::size_t n = 0;
    for (auto* slot : {&impl_->v4, &impl_->v6})
        if (*slot && (*slot)->socket.is_open()) ++n;
    return n;
}

std::size_t Pinger::in_flight() const { return impl_->open_requests; }

void Pinger::ping(const asio::ip::address& target, std::chrono::milliseconds timeout, PingDone done) {
    impl_->ping(target, timeout, std::move(done));
}

awaitable<PingOutcome> Pinger::async_ping(asio::ip::address target, std::chrono::milliseconds timeout) {
    // The coroutine's own handler is the request's completion: no timer, no shared state.
    return asio::async_initiate<decltype(asio::use_awaitable), void(PingOutcome)>(
        [impl = impl_, target, timeout](auto handler) { impl->ping(target, timeout, PingDone(std::move(handler))); },
        asio::use_awaitable);
}

asio::any_io_executor Pinger::get_executor() const { return impl_->executor; }

}  // namespace avmon::icmp
