#include "probes/snmp/session.hpp"

#include <algorithm>
#include <array>
#include <random>
#include <cctype>
#include <cstring>

#include <fmt/format.h>

#include "probes/snmp/community_mux.hpp"
#include "probes/snmp/netsnmp_channel.hpp"
#include "probes/snmp/netsnmp_init.hpp"
#include "probes/snmp/usm_credentials.hpp"
#include "probes/snmp/usm_discovery_codec.hpp"
#include "probes/snmp/varbind_convert.hpp"

// Net-SNMP #defines these two names as aliases of netsnmp_pdu fields; they would rewrite
// SnmpTarget::max_repetitions. We set errstat/errindex (the GETBULK fields) directly.
#undef max_repetitions
#undef non_repeaters

namespace avmon::snmp {

namespace {
constexpr std::size_t max_walk_rows = 20000;  // a runaway agent must not grow memory without bound
}

bool parse_engine_id(const std::string& text, std::string& bytes) {
    std::string hex;
    std::string_view t = text;
    if (t.size() >= 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) t.remove_prefix(2);
    for (char c : t) {
        if (c == ':' || c == ' ') continue;
        if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
        hex += c;
    }
    if (hex.empty() || hex.size() % 2 || hex.size() > 64) return false;  // RFC 3411: 5..32 octets
    bytes.clear();
    for (std::size_t i = 0; i < hex.size(); i += 2) bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    return true;
}

std::string to_hex(const std::string& bytes) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned char b : bytes) {
        out += digits[b >> 4];
        out += digits[b & 0x0F];
    }
    return out;
}

SnmpSession::SnmpSession(asio::any_io_executor ex, SessionOptions options)
    : ex_(std::move(ex)),
      options_(std::move(options)),
      who_(fmt::format("device {} ({}:{})", options_.device_id, options_.address, options_.target.port)) {
    ensure_netsnmp_initialised();
    if (!options_.target.credentials().engine_id.empty()) {
        std::string bytes;
        if (parse_engine_id(options_.target.credentials().engine_id, bytes)) v3().engine_id = bytes;
    }
}

SnmpSession::~SnmpSession() { close(); }

void SnmpSession::close(bool forget_engine) {
    if (v3_ && v3_->channel) {
        v3_->channel->close();
        v3_->channel.reset();
    }
    if (forget_engine) {
        peer_.clear();
        resolved_ = false;
        std::string configured;
        const std::string& engine_id = options_.target.credentials().engine_id;
        if (!engine_id.empty() && parse_engine_id(engine_id, configured))
            v3().engine_id = configured;
        else if (v3_)
            v3_->engine_id.clear();
    }
}

std::string SnmpSession::engine_id_hex() const { return v3_ ? to_hex(v3_->engine_id) : std::string(); }

bool SnmpSession::channel_open() const { return v3_ && v3_->channel && v3_->channel->is_open(); }

SteadyTime SnmpSession::request_deadline(SteadyTime deadline) const {
    // Net-SNMP gives up after timeout x (retries + 1); the extra second only guards against
    // a lost callback. The caller's deadline always wins.
    auto own = std::chrono::steady_clock::now() +
               options_.target.timeout * (std::max(0, options_.target.retries) + 1) + std::chrono::seconds(1);
    return std::min(deadline, own);
}

awaitable<SnmpResponse> SnmpSession::resolve(SteadyTime deadline) {
    const std::string& host = options_.address;
    auto port = options_.target.port;
    boost::system::error_code ec;
    auto literal = asio::ip::make_address(host, ec);
    if (!ec) {
        endpoint_ = asio::ip::udp::endpoint(literal, port);
        if (options_.target.version == config::SnmpTarget::Version::v3)
            peer_ = literal.is_v6() ? fmt::format("udp6:[{}]:{}", host, port) : fmt::format("udp:{}:{}", host, port);
        resolved_ = true;
        co_return SnmpResponse{};
    }
    asio::ip::udp::resolver resolver(ex_);
    asio::steady_timer timer(ex_);
    timer.expires_at(deadline);
    timer.async_wait([&resolver](boost::system::error_code e) {
        if (!e) resolver.cancel();  // name lookup ran past the deadline
    });
    auto results = co_await resolver.async_resolve(host, std::to_string(port),
                                                   asio::redirect_error(asio::use_awaitable, ec));
    timer.cancel();
    if (ec || results.empty()) {
        co_return SnmpResponse::failure(SnmpStatus::resolve_failed,
                               fmt::format("{}: cannot resolve the name: {}", who(),
                                           ec ? ec.message() : std::string("no addresses")));
    }
    std::optional<asio::ip::address> chosen;
    for (const auto& entry : results) {
        auto a = entry.endpoint().address();
        if (a.is_v4()) { chosen = a; break; }
        if (!chosen) chosen = a;
    }
    endpoint_ = asio::ip::udp::endpoint(*chosen, port);
    if (options_.target.version == config::SnmpTarget::Version::v3)
        peer_ = chosen->is_v6() ? fmt::format("udp6:[{}]:{}", chosen->to_string(), port)
                                : fmt::format("udp:{}:{}", chosen->to_string(), port);
    resolved_ = true;
    co_return SnmpResponse{};
}

namespace {
std::int32_t random_message_id() {
    static std::mt19937 generator{std::random_device{}()};
    return static_cast<std::int32_t>(generator() & 0x7ffffffe) + 1;
}

netsnmp_pdu* build_request(int command, const std::vector<Oid>& oids, int max_repetitions) {
    // Read-only by construction: avmond never writes to a device.
    if (command != SNMP_MSG_GET && command != SNMP_MSG_GETNEXT && command != SNMP_MSG_GETBULK) return nullptr;
    netsnmp_pdu* pdu = snmp_pdu_create(command);
    if (command == SNMP_MSG_GETBULK) {
        pdu->errstat = 0;                                  // non-repeaters
        pdu->errindex = std::clamp(max_repetitions, 1, 100);  // max-repetitions
    }
    for (const auto& o : oids) {
        oid buffer[MAX_OID_LEN];
        std::size_t len = to_netsnmp_oid(o, buffer, MAX_OID_LEN);
        snmp_add_null_var(pdu, buffer, len);
    }
    return pdu;
}

}  // namespace

awaitable<SnmpResponse> SnmpSession::discover_engine(SteadyTime deadline) {
    // RFC 3414 §4: a noAuthNoPriv request with an empty user and engine id; the agent answers
    // with a REPORT (usmStatsUnknownEngineIDs) whose header carries its engine id, boots and
    // time. Net-SNMP would do this synchronously inside snmp_sess_open / async_send (a dead
    // device would stall the loop for timeout x retries), so it runs here on an Asio socket.
    boost::system::error_code ec;
    asio::ip::udp::socket socket(ex_);
    socket.open(endpoint_.protocol(), ec);
    if (ec) co_return SnmpResponse::failure(SnmpStatus::open_failed, who() + ": cannot open a UDP socket: " + ec.message());
    auto msg_id = random_message_id();
    std::string probe = build_discovery_probe(msg_id, msg_id);
    const int attempts = std::max(0, options_.target.retries) + 1;
    std::vector<char> buffer(2048);  // on the heap: keeps the coroutine frame small
    for (int attempt = 0; attempt < attempts; ++attempt) {
        auto now = std::chrono::steady_clock::now();
        if (now >= deadline) break;
        co_await socket.async_send_to(asio::buffer(probe), endpoint_, asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return SnmpResponse::failure(SnmpStatus::send_failed,
                                                who() + ": cannot send SNMPv3 engine discovery: " + ec.message());
        auto attempt_end = std::min(deadline, now + options_.target.timeout);
        while (std::chrono::steady_clock::now() < attempt_end) {
            asio::steady_timer timer(ex_);
            timer.expires_at(attempt_end);
            timer.async_wait([&socket](boost::system::error_code e) {
                if (!e) socket.cancel();  // this attempt is over
            });
            asio::ip::udp::endpoint from;
            std::size_t n = co_await socket.async_receive_from(asio::buffer(buffer), from,
                                                               asio::redirect_error(asio::use_awaitable, ec));
            timer.cancel();
            if (ec) break;  // cancelled by the timer: next attempt
            if (from != endpoint_) continue;  // not our agent
            auto report = parse_discovery_report(std::string_view(buffer.data(), n));
            if (!report || report->msg_id != msg_id) continue;  // garbage or a stale answer
            V3State& v = v3();
            v.engine_id = report->engine_id;
            v.engine_boots = report->boots;
            v.engine_time = report->time;
            v.engine_time_known = true;
            co_return SnmpResponse{};
        }
    }
    co_return SnmpResponse::failure(
        std::chrono::steady_clock::now() >= deadline ? SnmpStatus::deadline : SnmpStatus::timeout,
        fmt::format("{}: no answer to SNMPv3 engine discovery within {} ms x {} attempts (device down, or SNMP "
                    "disabled)",
                    who(), options_.target.timeout.count(), attempts));
}

awaitable<SnmpResponse> SnmpSession::ensure_open(SteadyTime deadline) {
    if (channel_open()) co_return SnmpResponse{};
    if (mux_ && resolved_) co_return SnmpResponse{};
    if (!resolved_) {
        auto r = co_await resolve(deadline);
        if (!r.ok()) co_return r;
    }
    const auto& t = options_.target;
    if (t.version != config::SnmpTarget::Version::v3) {
        if (!mux_) mux_ = CommunityMux::shared_for(ex_);
        co_return SnmpResponse{};
    }
    if (t.version == config::SnmpTarget::Version::v3 && (!v3_ || v3_->engine_id.empty())) {
        if (!t.credentials().engine_id.empty())
            co_return SnmpResponse::failure(SnmpStatus::open_failed, who() + ": configured SNMPv3 engine_id is not valid hex");
        auto r = co_await discover_engine(deadline);
        if (!r.ok()) co_return r;
    }

    co_return open_channel();
}

SnmpResponse SnmpSession::open_channel() {
    // Plain function, not a coroutine: keeps the large netsnmp_session off coroutine frames.
    const auto& t = options_.target;
    V3State& v = v3();  // only SNMPv3 comes here (v1/v2c use the mux)
    netsnmp_session config;
    snmp_sess_init(&config);
    config.peername = peer_.data();
    config.timeout = std::chrono::duration_cast<std::chrono::microseconds>(t.timeout).count();
    config.retries = std::max(0, t.retries);
    config.flags |= SNMP_FLAGS_DONT_PROBE;  // never let Net-SNMP discover (it would block)
    std::string community = t.community;
    UsmSetup usm;
    if (t.version == config::SnmpTarget::Version::v3) {
        std::string error;
        if (!usm.prepare(t.credentials(), v.engine_id, error))
            return SnmpResponse::failure(SnmpStatus::open_failed, who() + ": " + error);
        usm.apply(config);
        if (v.engine_time_known) {
            // The agent's clock from the discovery REPORT: the first authenticated request is
            // then inside its time window (no notInTimeWindow round trip).
            set_enginetime(reinterpret_cast<const u_char*>(v.engine_id.data()), static_cast<u_int>(v.engine_id.size()),
                           v.engine_boots, v.engine_time, FALSE);
            v.engine_time_known = false;
        }
    } else {
        config.version = t.version == config::SnmpTarget::Version::v1 ? SNMP_VERSION_1 : SNMP_VERSION_2c;
        config.community = reinterpret_cast<u_char*>(community.data());
        config.community_len = community.size();
    }
    std::string error;
    v.channel = NetsnmpChannel::open(ex_, config, error);
    if (!v.channel) return SnmpResponse::failure(SnmpStatus::open_failed, who() + ": cannot open SNMP session: " + error);
    return SnmpResponse{};
}

awaitable<SnmpResponse> SnmpSession::exchange(int command, const std::vector<Oid>& oids, SteadyTime deadline) {
    // Open already (every poll but the first): no ensure_open frame.
    if (!(mux_ && resolved_) && !channel_open()) {
        auto opened = co_await ensure_open(deadline);
        if (!opened.ok()) co_return opened;
    }
    SnmpResponse r;
    if (mux_) {
        r = co_await mux_->exchange(community_request(command, oids, deadline));
    } else {
        netsnmp_pdu* pdu = build_request(command, oids, options_.target.max_repetitions);
        if (!pdu) co_return SnmpResponse::failure(SnmpStatus::send_failed, who() + ": refusing to send a non-read PDU");
        r = co_await v3().channel->send(pdu, request_deadline(deadline), who());
        if (r.status == SnmpStatus::auth_error || r.status == SnmpStatus::report) {
            // Wrong keys, or the agent's engine changed (replaced, re-keyed): start afresh next time.
            close(/*forget_engine=*/true);
        }
    }
    // The shared v1/v2c socket words its own timeouts (the same way).
    if (r.status == SnmpStatus::timeout && !mux_)
        r.error = fmt::format("{}: no SNMP response within {} ms x {} attempts (device down, or wrong SNMPv3 "
                              "privacy key)",
                              who(), options_.target.timeout.count(), std::max(0, options_.target.retries) + 1);
    co_return r;
}

CommunityMux::Exchange SnmpSession::community_request(int command, const std::vector<Oid>& oids,
                                                      SteadyTime deadline) const {
    const auto& t = options_.target;
    CommunityMux::Exchange rq;
    rq.peer = endpoint_;
    rq.version = t.version == config::SnmpTarget::Version::v1 ? 0 : 1;
    rq.community = t.community;
    rq.command = command == SNMP_MSG_GETBULK ? ReadCommand::get_bulk
                 : command == SNMP_MSG_GETNEXT ? ReadCommand::get_next : ReadCommand::get;
    rq.max_repetitions = std::clamp(t.max_repetitions, 1, 100);
    rq.oids = &oids;
    rq.timeout = t.timeout;
    rq.retries = std::max(0, t.retries);
    rq.deadline = request_deadline(deadline);
    rq.who = who_;
    return rq;
}

awaitable<SnmpResponse> SnmpSession::get(std::vector<Oid> oids, SteadyTime deadline) {
    co_return co_await exchange(SNMP_MSG_GET, oids, deadline);  // `oids` lives in this frame
}

awaitable<SnmpResponse> SnmpSession::get_view(const std::vector<Oid>& oids, SteadyTime deadline) {
    // v1/v2c once resolved (every poll but the first): straight to the shared socket, one
    // coroutine frame fewer per poll.
    if (mux_ && resolved_) return mux_->exchange(community_request(SNMP_MSG_GET, oids, deadline));
    return exchange(SNMP_MSG_GET, oids, deadline);
}

void SnmpSession::recycle(std::vector<VarBind>&& varbinds) {
    if (mux_) mux_->recycle(std::move(varbinds));
}

awaitable<SnmpResponse> SnmpSession::walk(Oid column, SteadyTime deadline) {
    SnmpResponse out;
    const bool v1 = options_.target.version == config::SnmpTarget::Version::v1;
    Oid current = column;
    while (true) {
        std::vector<Oid> request(1, current);
        auto r = co_await exchange(v1 ? SNMP_MSG_GETNEXT : SNMP_MSG_GETBULK, request, deadline);
        if (r.status == SnmpStatus::error_status && v1 && r.error_status == SNMP_ERR_NOSUCHNAME) break;  // v1: end of view
        if (!r.ok()) {
            if (out.varbinds.empty()) co_return r;
            out.error = r.error + " (walk incomplete)";  // keep the rows we have
            out.status = r.status;
            co_return out;
        }
        bool done = r.varbinds.empty();
        for (auto& vb : r.varbinds) {
            if (vb.value.type == ValueType::end_of_mib_view || !is_below(vb.oid, column)) {
                done = true;
                break;
            }
            if (!(current < vb.oid)) {
                out.error = fmt::format("{}: agent returned a non-increasing OID {} after {} (walk stopped)", who(),
                                        to_string(vb.oid), to_string(current));
                done = true;
                break;
            }
            current = vb.oid;
            out.varbinds.push_back(std::move(vb));
            if (out.varbinds.size() >= max_walk_rows) {
                out.error = fmt::format("{}: walk stopped after {} rows", who(), max_walk_rows);
                done = true;
                break;
            }
        }
        if (done) break;
    }
    co_return out;
}

}  // namespace avmon::snmp
