#include "probes/snmp/community_mux.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <random>
#include <vector>

#include <fmt/format.h>

namespace avmon::snmp {

namespace {

constexpr std::size_t max_datagram = 65536;
constexpr int receive_batch = 256;         // datagrams read per wake-up before others get a turn
constexpr int socket_buffer = 8 << 20;     // one socket now buffers what 10,000 used to

void enlarge_buffers(int fd) {
    // Answers to a burst of requests arrive together on this one socket. As root (or with
    // CAP_NET_ADMIN) *FORCE passes net.core.rmem_max; otherwise the kernel caps the request.
    int size = socket_buffer;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    size = socket_buffer;
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size) != 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
}

}  // namespace

// Keeps a waiter in pending_ exactly as long as its coroutine frame lives (the frame may also
// be destroyed without resuming, when the io_context goes away).
struct CommunityMux::Registration {
    CommunityMux& mux;
    std::int32_t id;
    Registration(CommunityMux& m, std::int32_t i, Waiter* w) : mux(m), id(i) { mux.pending_[id] = w; }
    ~Registration() {
        mux.pending_.erase(id);
        mux.disarm_if_idle();
    }
};

std::shared_ptr<CommunityMux> CommunityMux::shared_for(const asio::any_io_executor& ex) {
    static std::mutex mutex;
    static std::vector<std::pair<asio::any_io_executor, std::weak_ptr<CommunityMux>>> muxes;
    std::lock_guard lock(mutex);
    std::erase_if(muxes, [](const auto& entry) { return entry.second.expired(); });
    for (auto& [executor, mux] : muxes)
        if (executor == ex)
            if (auto alive = mux.lock()) return alive;
    auto mux = std::make_shared<CommunityMux>(ex);
    muxes.emplace_back(ex, mux);
    return mux;
}

CommunityMux::CommunityMux(asio::any_io_executor ex)
    : ex_(std::move(ex)), buffer_(new char[max_datagram]) {
    std::random_device seed;
    last_id_ = static_cast<std::int32_t>(seed() & 0x3fffffff);
}

CommunityMux::~CommunityMux() = default;

std::uint16_t CommunityMux::local_port_v4() const {
    boost::system::error_code ec;
    if (!v4_) return 0;
    auto local = v4_->socket.local_endpoint(ec);
    return ec ? 0 : local.port();
}

std::int32_t CommunityMux::next_request_id() {
    // Positive 31-bit ids, never 0, never one still waiting.
    do {
        last_id_ = last_id_ >= 0x7ffffffe ? 1 : last_id_ + 1;
    } while (pending_.count(last_id_));
    return last_id_;
}

CommunityMux::Family* CommunityMux::family_for(const asio::ip::udp::endpoint& peer, std::string& error) {
    auto& slot = peer.address().is_v6() ? v6_ : v4_;
    if (slot) return slot.get();
    auto f = std::make_unique<Family>(ex_);
    boost::system::error_code ec;
    f->socket.open(peer.protocol(), ec);
    if (!ec) f->socket.bind(asio::ip::udp::endpoint(peer.protocol(), 0), ec);
    if (!ec) f->socket.non_blocking(true, ec);
    if (ec) {
        error = "cannot open the shared SNMP socket: " + ec.message();
        return nullptr;
    }
    enlarge_buffers(f->socket.native_handle());
    slot = std::move(f);
    return slot.get();
}

void CommunityMux::arm(Family& f) {
    if (f.reading) return;
    f.reading = true;
    f.socket.async_wait(asio::ip::udp::socket::wait_read,
                        [self = shared_from_this(), fam = &f](boost::system::error_code ec) {
                            fam->reading = false;
                            // Cancelled when the mux went idle; a request may have come since.
                            if (ec && ec != asio::error::operation_aborted) return;
                            if (!ec) self->drain(*fam);
                            if (!self->pending_.empty()) self->arm(*fam);
                        });
}

void CommunityMux::disarm_if_idle() {
    // Nothing waits: leave no read pending, so an idle loop can run out of work.
    if (!pending_.empty()) return;
    boost::system::error_code ignored;
    if (v4_ && v4_->reading) v4_->socket.cancel(ignored);
    if (v6_ && v6_->reading) v6_->socket.cancel(ignored);
}

void CommunityMux::drain(Family& f) {
    for (int i = 0; i < receive_batch; ++i) {
        asio::ip::udp::endpoint from;
        boost::system::error_code ec;
        std::size_t n = f.socket.receive_from(asio::buffer(buffer_.get(), max_datagram), from, 0, ec);
        if (ec) return;  // would_block: read everything there was (ICMP errors also end up here)
        deliver(buffer_.get(), n, from);
    }
}

void CommunityMux::deliver(const char* data, std::size_t size, const asio::ip::udp::endpoint& from) {
    if (!decode_community_response(std::string_view(data, size), answer_)) {
        ++stats_.malformed;
        return;
    }
    auto it = pending_.find(answer_.request_id);
    // The request id alone is guessable: the answer must also come from where the request went.
    if (it == pending_.end() || it->second->peer != from || it->second->result) {
        ++stats_.stray;
        return;
    }
    Waiter& w = *it->second;
    SnmpResponse r;
    if (answer_.error_status != 0) {
        r.status = SnmpStatus::error_status;
        r.error_status = answer_.error_status;
        r.error_index = answer_.error_index;
        r.error = error_status_text(w.who, answer_.error_status, answer_.error_index);
    }
    r.varbinds = std::move(answer_.varbinds);
    answer_.varbinds.clear();
    if (!spare_varbinds_.empty()) {
        answer_.varbinds = std::move(spare_varbinds_.back());
        spare_varbinds_.pop_back();
    }
    ++stats_.answers;
    w.result = std::move(r);
    w.timer.cancel();
}

void CommunityMux::recycle(std::vector<VarBind>&& varbinds) {
    if (varbinds.capacity() == 0 || spare_varbinds_.size() >= static_cast<std::size_t>(receive_batch)) return;
    spare_varbinds_.push_back(std::move(varbinds));
}

awaitable<SnmpResponse> CommunityMux::exchange(Exchange rq) {
    auto self = shared_from_this();
    std::string error;
    Family* family = family_for(rq.peer, error);
    if (!family) co_return SnmpResponse::failure(SnmpStatus::open_failed, std::string(rq.who) + ": " + error);
    Waiter waiter(ex_);
    waiter.peer = rq.peer;
    waiter.who = rq.who;
    const std::int32_t id = next_request_id();
    CommunityRequest message{rq.version, rq.community, rq.command, id, rq.max_repetitions, rq.oids};
    const std::string packet = encode_community_request(message);
    Registration registration(*this, id, &waiter);
    const int attempts = std::max(0, rq.retries) + 1;
    const auto first_send = std::chrono::steady_clock::now();
    for (int attempt = 0; attempt < attempts; ++attempt) {
        auto now = std::chrono::steady_clock::now();
        if (now >= rq.deadline) break;
        // Attempts end on a grid from the first send: a busy loop that runs a retransmission
        // late does not push the final timeout later than timeout x (retries + 1). A late
        // retransmission still gets a tenth of a timeout for its answer.
        auto attempt_end = std::max(first_send + rq.timeout * (attempt + 1), now + rq.timeout / 10);
        boost::system::error_code ec;
        family->socket.send_to(asio::buffer(packet), rq.peer, 0, ec);
        // would_block / no buffer space: the datagram is lost like any other; retry covers it.
        if (ec && ec != asio::error::would_block && ec != asio::error::no_buffer_space)
            co_return SnmpResponse::failure(SnmpStatus::send_failed,
                                            std::string(rq.who) + ": SNMP request could not be sent: " + ec.message());
        ++stats_.sent;
        arm(*family);
        waiter.timer.expires_at(std::min(rq.deadline, attempt_end));
        co_await waiter.timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (waiter.result) co_return std::move(*waiter.result);
    }
    if (std::chrono::steady_clock::now() >= rq.deadline)
        co_return SnmpResponse::failure(SnmpStatus::deadline,
                                        std::string(rq.who) + ": no SNMP answer before the poll deadline");
    co_return SnmpResponse::failure(
        SnmpStatus::timeout, fmt::format("{}: no SNMP response within {} ms x {} attempts (device down, SNMP "
                                         "disabled, or wrong community)",
                                         rq.who, rq.timeout.count(), attempts));
}

}  // namespace avmon::snmp
