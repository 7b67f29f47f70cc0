#include "probes/link/serial_link.hpp"

#include <sys/ioctl.h>
#include <termios.h>

#include <cerrno>
#include <cstring>

namespace avmon::link {

using boost::system::error_code;

std::shared_ptr<SerialLink> SerialLink::create(asio::any_io_executor ex, const config::SerialLink& settings,
                                               LinkOptions options) {
    auto link = std::make_shared<SerialLink>(ex, settings, std::move(options));
    link->start();
    return link;
}

SerialLink::SerialLink(asio::any_io_executor ex, config::SerialLink settings, LinkOptions options)
    : StreamLink(ex, "serial:" + settings.path, std::move(options), /*supervised=*/true),
      settings_(std::move(settings)),
      port_(ex) {}

bool SerialLink::is_exclusive() const {
    if (!port_.is_open()) return false;
    int excl = 0;
    auto& port = const_cast<asio::serial_port&>(port_);  // native_handle() is not const in Asio
    return ::ioctl(port.native_handle(), TIOCGEXCL, &excl) == 0 && excl != 0;
}

awaitable<std::string> SerialLink::open_stream(SteadyTime) {
    // open() on a tty with O_NONBLOCK (Asio's choice) does not block, so no deadline is needed.
    error_code ec;
    if (port_.is_open()) port_.close(ec);
    port_.open(settings_.path, ec);
    if (ec) co_return "cannot open: " + ec.message();

    auto fail = [&](std::string what) {
        error_code ignored;
        port_.close(ignored);
        return what;
    };
    if (::ioctl(port_.native_handle(), TIOCEXCL) != 0)
        co_return fail(std::string("cannot lock the port exclusively: ") + std::strerror(errno));

    using SP = asio::serial_port;
    port_.set_option(SP::baud_rate(settings_.baud), ec);
    if (ec) co_return fail("cannot set baud rate " + std::to_string(settings_.baud) + ": " + ec.message());
    port_.set_option(SP::character_size(static_cast<unsigned>(settings_.data_bits)), ec);
    if (ec) co_return fail("cannot set " + std::to_string(settings_.data_bits) + " data bits: " + ec.message());
    SP::parity::type parity = SP::parity::none;
    if (settings_.parity == 'E' || settings_.parity == 'e') parity = SP::parity::even;
    else if (settings_.parity == 'O' || settings_.parity == 'o') parity = SP::parity::odd;
    port_.set_option(SP::parity(parity), ec);
    if (ec) co_return fail(std::string("cannot set parity ") + settings_.parity + ": " + ec.message());
    port_.set_option(SP::stop_bits(settings_.stop_bits == 2 ? SP::stop_bits::two : SP::stop_bits::one), ec);
    if (ec) co_return fail("cannot set " + std::to_string(settings_.stop_bits) + " stop bits: " + ec.message());
    SP::flow_control::type flow = SP::flow_control::none;
    if (settings_.flow_control == "hardware") flow = SP::flow_control::hardware;
    else if (settings_.flow_control == "software") flow = SP::flow_control::software;
    port_.set_option(SP::flow_control(flow), ec);
    if (ec) co_return fail("cannot set flow control " + settings_.flow_control + ": " + ec.message());

    // Whatever the display sent while nobody listened (boot banners, late replies) is stale.
    ::tcflush(port_.native_handle(), TCIOFLUSH);
    co_return std::string{};
}

void SerialLink::close_stream(bool) {
    error_code ignored;
    if (port_.is_open()) port_.close(ignored);
}

awaitable<std::size_t> SerialLink::read_some(asio::mutable_buffer buf, error_code& ec) {
    co_return co_await port_.async_read_some(buf, asio::redirect_error(asio::use_awaitable, ec));
}

awaitable<void> SerialLink::write_all(asio::const_buffer buf, error_code& ec) {
    co_await asio::async_write(port_, buf, asio::redirect_error(asio::use_awaitable, ec));
}

void SerialLink::flush_os_input() {
    if (port_.is_open()) ::tcflush(port_.native_handle(), TCIFLUSH);
}

}  // namespace avmon::link
