#include "probes/control/mdc_nec_session.hpp"

#include <stdexcept>

#include "probes/link/serial_link.hpp"
#include "probes/link/tcp_link.hpp"

namespace avmon::probes::display_control {

std::shared_ptr<link::Link> open_link(asio::any_io_executor ex, const config::DeviceConfig& device,
                                      std::uint16_t default_port, const SessionOptions& options) {
    auto where = [&] {
        return device.where.file.empty() ? std::string{}
                                         : " (" + device.where.file + ":" + std::to_string(device.where.line) + ")";
    };
    if (!device.control)
        throw std::invalid_argument("device " + device.id + where() + ": no [device.control] section");
    const auto& control = *device.control;
    link::LinkOptions lo;
    lo.device_id = device.id;
    lo.initial_backoff = options.initial_backoff;
    lo.max_backoff = options.max_backoff;
    if (control.serial) {
        if (control.serial->path.empty())
            throw std::invalid_argument("device " + device.id + where() + ": control serial path is empty");
        return link::SerialLink::create(ex, *control.serial, lo);
    }
    if (device.address.empty())
        throw std::invalid_argument("device " + device.id + where() +
                                    ": control over TCP needs an address (or give a serial port)");
    const std::uint16_t port = control.tcp_port.value_or(default_port);
    // Per poll: displays drop idle clients (NEC after 15 min) and want one client at a time.
    return link::TcpLink::create(ex, device.address, port, link::TcpLink::Mode::per_poll, lo);
}

Session::Session(asio::any_io_executor ex, std::shared_ptr<link::Link> link, std::chrono::milliseconds timeout,
                 std::chrono::milliseconds gap)
    : ex_(std::move(ex)), link_(std::move(link)), timeout_(timeout), gap_(gap) {}

Session::~Session() { link_->stop(); }

awaitable<link::LinkReply> Session::exchange(std::string request, link::FrameComplete complete,
                                             SteadyTime poll_deadline) {
    const auto earliest = last_request_ + gap_;
    if (gap_.count() > 0 && std::chrono::steady_clock::now() < earliest) {
        if (earliest >= poll_deadline) {
            link::LinkReply r;
            r.status = link::LinkStatus::timeout;
            r.error = "poll deadline reached before the next request could be sent";
            co_return r;
        }
        asio::steady_timer wait(ex_);
        wait.expires_at(earliest);
        boost::system::error_code ec;
        co_await wait.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    const auto request_deadline = std::min(poll_deadline, std::chrono::steady_clock::now() + timeout_);
    last_request_ = std::chrono::steady_clock::now();
    auto reply = co_await link_->transact(std::move(request), std::move(complete), request_deadline);
    last_request_ = std::chrono::steady_clock::now();  // the gap counts from the reply
    if (reply.status == link::LinkStatus::timeout) link_->discard_input();  // a late reply must not confuse the next one
    co_return reply;
}

std::string describe_failure(const link::LinkReply& reply, std::string_view what, const link::Link& link) {
    std::string text;
    switch (reply.status) {
    case link::LinkStatus::timeout:
        text = "no complete reply to " + std::string(what) + " on " + link.name();
        if (!reply.partial.empty())
            text += " (" + std::to_string(reply.partial.size()) + " bytes of an incomplete frame)";
        break;
    case link::LinkStatus::down:
        text = std::string(what) + ": " + link.name() + " is down";
        break;
    case link::LinkStatus::overflow:
        text = std::string(what) + ": too many bytes without a valid frame on " + link.name();
        break;
    case link::LinkStatus::stopped:
        text = std::string(what) + ": link stopped";
        break;
    case link::LinkStatus::ok:
        text = std::string(what) + ": ok";
        break;
    }
    if (!reply.error.empty()) text += ": " + reply.error;
    return text;
}

}  // namespace avmon::probes::display_control
