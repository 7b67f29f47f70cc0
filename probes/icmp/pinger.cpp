#include "probes/icmp/pinger.hpp"

#include <linux/icmp.h>
#include <netinet/icmp6.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <deque>
#include <random>
#include <unordered_map>
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

struct Request {
    asio::ip::address target;
    std::chrono::milliseconds timeout{};
    std::function<void(PingOutcome)> done;
    asio::steady_timer timer;
    std::vector<std::uint8_t> packet;
    SteadyClock::time_point sent_at{};
    std::uint16_t seq = 0;
    bool sent = false;
    bool finished = false;

    explicit Request(asio::any_io_executor ex) : timer(std::move(ex)) {}
};

struct Channel {
    Family family;
    IcmpProtocol protocol;
    IcmpProtocol::socket socket;
    std::uint16_t id;  // our echo id; only checked on raw sockets (the kernel owns it on ping sockets)
    std::uint16_t next_seq;
    std::unordered_map<std::uint16_t, std::shared_ptr<Request>> pending;  // by sequence number
    std::array<std::uint8_t, 4096> buffer{};

    Channel(asio::any_io_executor ex, Family f, IcmpProtocol p, std::uint16_t echo_id, std::uint16_t first_seq)
        : family(f), protocol(p), socket(std::move(ex)), id(echo_id), next_seq(first_seq) {}
};

struct Pinger::Impl : std::enable_shared_from_this<Pinger::Impl> {
    asio::any_io_executor executor;
    std::size_t max_in_flight;
    IcmpMode mode = IcmpMode::off;
    std::string problem;
    std::shared_ptr<Channel> v4, v6;  // shared with their read handlers
    std::deque<std::shared_ptr<Request>> waiting;  // queued behind max_in_flight
    std::size_t on_wire = 0;
    std::size_t open_requests = 0;
    std::mt19937 random{std::random_device{}()};

    Impl(asio::any_io_executor ex, std::size_t limit) : executor(std::move(ex)), max_in_flight(limit ? limit : 1) {}

    Channel* channel_for(const asio::ip::address& a) { return a.is_v4() ? v4.get() : v6.get(); }

    // Opens one socket; returns the error text, empty on success.
    std::string open(std::shared_ptr<Channel>& slot, Family family, IcmpProtocol protocol) {
        auto ch = std::make_shared<Channel>(executor, family, protocol, static_cast<std::uint16_t>(random()),
                                            static_cast<std::uint16_t>(random()));
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
        auto it = ch.pending.find(reply->seq);
        if (it == ch.pending.end()) return;  // late reply to a request that already timed out
        auto request = it->second;
        if (!same_host(request->target, normalise(from))) return;
        finish(request, PingOutcome{true, SteadyClock::now() - request->sent_at, {}});
    }

    void finish(const std::shared_ptr<Request>& r, PingOutcome outcome) {
        if (r->finished) return;
        r->finished = true;
        r->timer.cancel();
        if (r->sent) {
            if (auto* ch = channel_for(r->target)) ch->pending.erase(r->seq);
            --on_wire;
        }
        --open_requests;
        auto done = std::move(r->done);
        if (done) done(std::move(outcome));
        send_waiting();
    }

    void send_waiting() {
        while (on_wire < max_in_flight && !waiting.empty()) {
            auto r = std::move(waiting.front());
            waiting.pop_front();
            if (!r->finished) send(r);
        }
    }

    void send(const std::shared_ptr<Request>& r) {
        Channel* ch = channel_for(r->target);
        if (!ch || !ch->socket.is_open()) {
            finish(r, PingOutcome{false, {}, "ICMP socket closed"});
            return;
        }
        if (ch->pending.size() >= 65536) {
            finish(r, PingOutcome{false, {}, "too many echo requests in flight"});
            return;
        }
        while (ch->pending.count(ch->next_seq)) ++ch->next_seq;
        r->seq = ch->next_seq++;
        r->packet = build_echo_request(ch->family, ch->id, r->seq);
        r->sent = true;
        ++on_wire;
        ch->pending.emplace(r->seq, r);
        r->sent_at = SteadyClock::now();
        ch->socket.async_send_to(asio::buffer(r->packet), IcmpProtocol::endpoint(r->target, 0),
                                 [self = shared_from_this(), r](const boost::system::error_code& ec, std::size_t) {
                                     // Unreachable routes fail right here (EHOSTUNREACH, ENETUNREACH...).
                                     if (ec && ec != asio::error::operation_aborted)
                                         self->finish(r, PingOutcome{false, {}, ec.message()});
                                 });
    }

    void ping(const asio::ip::address& raw_target, std::chrono::milliseconds timeout,
              std::function<void(PingOutcome)> done) {
        auto r = std::make_shared<Request>(executor);
        r->target = normalise(raw_target);
        r->timeout = timeout;
        r->done = std::move(done);
        ++open_requests;
        Channel* ch = channel_for(r->target);
        if (!ch || !ch->socket.is_open()) {
            std::string why = mode == IcmpMode::off
                                  ? "ICMP probing is off"
                                  : fmt::format("no ICMP socket for IPv{}", r->target.is_v4() ? 4 : 6);
            asio::post(executor, [self = shared_from_this(), r, why] { self->finish(r, PingOutcome{false, {}, why}); });
            return;
        }
        r->timer.expires_after(timeout);
        r->timer.async_wait([self = shared_from_this(), r](const boost::system::error_code& ec) {
            if (ec == asio::error::operation_aborted) return;
            self->finish(r, PingOutcome{false, {}, "timeout"});
        });
        if (on_wire < max_in_flight)
            send(r);
        else
            waiting.push_back(r);
    }

    void close_all() {
        for (auto* slot : {&v4, &v6}) {
            if (!*slot) continue;
            boost::system::error_code ec;
            (*slot)->socket.close(ec);
            std::vector<std::shared_ptr<Request>> open;
            for (auto& [seq, r] : (*slot)->pending) open.push_back(r);
            for (auto& r : open) {
                asio::post(executor, [self = shared_from_this(), r] {
                    self->finish(r, PingOutcome{false, {}, "ICMP pinger stopped"});
                });
            }
        }
        for (auto& r : waiting)
            asio::post(executor, [self = shared_from_this(), r] {
                self->finish(r, PingOutcome{false, {}, "ICMP pinger stopped"});
            });
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

void Pinger::ping(const asio::ip::address& target, std::chrono::milliseconds timeout,
                  std::function<void(PingOutcome)> done) {
    impl_->ping(target, timeout, std::move(done));
}

awaitable<PingOutcome> Pinger::async_ping(asio::ip::address target, std::chrono::milliseconds timeout) {
    struct Wait {
        std::optional<PingOutcome> outcome;
        asio::steady_timer wake;
        explicit Wait(asio::any_io_executor ex) : wake(std::move(ex), SteadyClock::time_point::max()) {}
    };
    auto w = std::make_shared<Wait>(impl_->executor);
    ping(target, timeout, [w](PingOutcome o) {
        w->outcome = std::move(o);
        w->wake.cancel();
    });
    while (!w->outcome) {
        boost::system::error_code ec;
        co_await w->wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    co_return std::move(*w->outcome);
}

asio::any_io_executor Pinger::get_executor() const { return impl_->executor; }

}  // namespace avmon::icmp
