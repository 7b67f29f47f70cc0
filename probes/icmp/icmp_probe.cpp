#include "probes/icmp/icmp_probe.hpp"

#include <algorithm>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "probes/icmp/echo_window.hpp"

namespace avmon::icmp {
namespace {

using SteadyClock = std::chrono::steady_clock;

class IcmpProbe final : public probes::Probe {
public:
    IcmpProbe(Pinger& pinger, const config::DeviceConfig& device, IcmpProbeOptions options)
        : pinger_(pinger),
          device_(device.id),
          address_(device.address),
          options_(options),
          window_(std::max<std::size_t>(options.window, static_cast<std::size_t>(std::max(options.count, 1)))) {
        options_.count = std::max(options_.count, 1);
        boost::system::error_code ec;
        auto literal = asio::ip::make_address(address_, ec);
        if (!ec) literal_ = literal;
    }

    std::string_view kind() const override { return "icmp"; }

    awaitable<PollResult> poll(probes::SteadyTime deadline) override {
        PollResult result;
        std::string resolve_error;
        std::optional<asio::ip::address> target;
        if (!literal_)
            target = co_await resolve(deadline, resolve_error);
        else if (pinger_.can_ping(*literal_))
            target = literal_;
        else
            resolve_error = fmt::format("no ICMP socket for the address family of {}", address_);
        if (!target) {
            result.error = resolve_error;
            result.time = now();
            co_return result;
        }

        // All but the last echo end through a callback into `round`, so they overlap with the
        // spacing; the last is awaited directly (with one echo, the only one: no shared state).
        struct Round {
            std::vector<std::optional<PingOutcome>> outcomes;
            int remaining = 0;
            asio::steady_timer wake;
            Round(asio::any_io_executor ex, int n) : outcomes(n), wake(std::move(ex), SteadyClock::time_point::max()) {}
        };
        auto executor = pinger_.get_executor();
        std::shared_ptr<Round> round;
        std::optional<PingOutcome> last;
        int sent = 0;
        for (int i = 0; i < options_.count; ++i) {
            if (i > 0) {
                if (SteadyClock::now() + options_.spacing >= deadline) break;
                asio::steady_timer pace(executor, options_.spacing);
                boost::system::error_code ec;
                co_await pace.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            }
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
            auto timeout = std::min(options_.timeout, left);
            if (timeout <= std::chrono::milliseconds::zero()) break;
            ++sent;
            const bool final_echo = i + 1 == options_.count;
            if (final_echo) {
                last = co_await pinger_.async_ping(*target, timeout);
                break;
            }
            if (!round) round = std::make_shared<Round>(executor, options_.count);
            ++round->remaining;
            pinger_.ping(*target, timeout, [round, i](PingOutcome o) {
                round->outcomes[i] = std::move(o);
                if (--round->remaining == 0) round->wake.cancel();
            });
        }
        while (round && round->remaining > 0) {
            boost::system::error_code ec;
            co_await round->wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        }

        int replies = 0;
        std::string first_error;
        auto judge = [&](const PingOutcome& o) {
            if (o.replied) {
                ++replies;
                window_.record(o.rtt);
            } else {
                window_.record(std::nullopt);
                if (first_error.empty()) first_error = o.error;
            }
        };
        if (round)
            for (const auto& o : round->outcomes)
                if (o) judge(*o);
        if (last) judge(*last);
        result.time = now();
        result.reachable = replies > 0;
        if (sent == 0) {
            result.error = "no time left before the poll deadline to send an echo request";
            co_return result;
        }
        if (!result.reachable)
            result.error = fmt::format("no echo reply from {} to {} request{} ({})", target->to_string(), sent,
                                       sent == 1 ? "" : "s", first_error);
        result.samples.reserve(2);
        result.samples.push_back(Sample{device_, metric_loss_pct, result.time, window_.loss_pct()});
        if (auto rtt = window_.mean_rtt_ms(); rtt && result.reachable)
            result.samples.push_back(Sample{device_, metric_rtt_ms, result.time, *rtt});
        co_return result;
    }

private:
    SysTime now() const { return options_.clock ? options_.clock->now() : std::chrono::system_clock::now(); }

    // A name (not an IP literal) is resolved on every poll (DHCP reservations and DNS change),
    // off the loop thread by Asio's resolver and bounded by the poll deadline.
    awaitable<std::optional<asio::ip::address>> resolve(probes::SteadyTime deadline, std::string& error) {
        boost::system::error_code ec;
        auto executor = pinger_.get_executor();
        auto resolver = std::make_shared<asio::ip::udp::resolver>(executor);
        asio::steady_timer guard(executor, deadline);
        guard.async_wait([resolver](const boost::system::error_code& e) {
            if (!e) resolver->cancel();
        });
        // No AI_ADDRCONFIG: it hides names whose only address is on loopback (tests, local agents).
        auto found = co_await resolver->async_resolve(address_, "", asio::ip::resolver_base::flags(),
                                                      asio::redirect_error(asio::use_awaitable, ec));
        guard.cancel();
        if (ec) {
            error = ec == asio::error::operation_aborted
                        ? fmt::format("cannot resolve '{}' before the poll deadline", address_)
                        : fmt::format("cannot resolve '{}': {}", address_, ec.message());
            co_return std::nullopt;
        }
        // IPv4 first: a dual-stack name on a host whose IPv6 goes nowhere would look down.
        for (bool want_v4 : {true, false}) {
            for (const auto& entry : found) {
                auto a = entry.endpoint().address();
                if (a.is_v4() == want_v4 && pinger_.can_ping(a)) co_return a;
            }
        }
        error = fmt::format("'{}' has no address the ICMP sockets can reach", address_);
        co_return std::nullopt;
    }

    Pinger& pinger_;
    std::string device_;
    std::string address_;
    std::optional<asio::ip::address> literal_;  // the address when it is an IP literal, parsed once
    IcmpProbeOptions options_;
    EchoWindow window_;
};

}  // namespace

std::unique_ptr<probes::Probe> make_icmp_probe(Pinger& pinger, const config::DeviceConfig& device,
                                               IcmpProbeOptions options) {
    if (!device.icmp || device.address.empty() || pinger.mode() == IcmpMode::off) return nullptr;
    return std::make_unique<IcmpProbe>(pinger, device, options);
}

}  // namespace avmon::icmp
