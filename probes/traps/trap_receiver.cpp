#include "probes/traps/trap_receiver.hpp"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/library/large_fd_set.h>
#include <net-snmp/library/snmpusm.h>
#include <net-snmp/library/snmpv3.h>

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <span>

#include <fmt/format.h>

#include "daemon/core/complaint.hpp"
#include "daemon/core/log.hpp"
#include "daemon/core/message_ids.hpp"
#include "probes/snmp/netsnmp_init.hpp"

namespace avmon::traps {
namespace {

using Level = config::SnmpV3Credentials::Level;

// The statistics Net-SNMP keeps for messages it drops before any callback sees them.
struct DropCounters {
    std::array<std::uint32_t, 6> v{};
    static DropCounters now() {
        return {{snmp_get_statistic(STAT_SNMPINASNPARSEERRS), snmp_get_statistic(STAT_SNMPINBADVERSIONS),
                 snmp_get_statistic(STAT_USMSTATSUNKNOWNUSERNAMES), snmp_get_statistic(STAT_USMSTATSWRONGDIGESTS),
                 snmp_get_statistic(STAT_USMSTATSDECRYPTIONERRORS),
                 snmp_get_statistic(STAT_USMSTATSUNSUPPORTEDSECLEVELS)}};
    }
};
constexpr const char* drop_reasons[] = {
    // AES has no padding to check: a wrong privacy key shows up as an undecodable ScopedPDU.
    "malformed SNMP message (for SNMPv3: possibly a wrong privacy key)",
    "unsupported SNMP version",
    "unknown SNMPv3 user (for traps the user's engine_id must be the sender's engine id)",
    "SNMPv3 authentication failed (wrong auth key or protocol)",
    "SNMPv3 decryption failed (wrong privacy key or protocol)",
    "SNMPv3 security level not supported for this user",
};

std::string address_of(const void* data, int length) {
    if (!data || length < static_cast<int>(sizeof(sa_family_t))) return "?";
    // Net-SNMP's UDP transports hand over an address pair (or a sockaddr) starting with the peer.
    const auto* sa = static_cast<const sockaddr*>(data);
    char text[INET6_ADDRSTRLEN] = {};
    if (sa->sa_family == AF_INET && length >= static_cast<int>(sizeof(sockaddr_in))) {
        ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, text, sizeof text);
    } else if (sa->sa_family == AF_INET6 && length >= static_cast<int>(sizeof(sockaddr_in6))) {
        const auto& a6 = reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr;
        if (IN6_IS_ADDR_V4MAPPED(&a6))
            ::inet_ntop(AF_INET, &a6.s6_addr[12], text, sizeof text);
        else
            ::inet_ntop(AF_INET6, &a6, text, sizeof text);
    } else {
        return "?";
    }
    return text;
}

std::string oid_text(const oid* name, std::size_t length) {
    std::string out;
    for (std::size_t i = 0; i < length; ++i) {
        if (i) out += '.';
        out += std::to_string(name[i]);
    }
    return out;
}

ReceivedVarbind convert(const netsnmp_variable_list& v) {
    using T = ReceivedVarbind::Type;
    ReceivedVarbind out;
    out.oid = oid_text(v.name, v.name_length);
    auto bytes = [&] { return std::string(reinterpret_cast<const char*>(v.val.string), v.val_len); };
    switch (v.type) {
        case ASN_INTEGER: out.type = T::integer; out.number = v.val.integer ? *v.val.integer : 0; break;
        case ASN_COUNTER: out.type = T::counter32; out.number = v.val.integer ? static_cast<std::uint32_t>(*v.val.integer) : 0; break;
        case ASN_GAUGE: out.type = T::gauge32; out.number = v.val.integer ? static_cast<std::uint32_t>(*v.val.integer) : 0; break;
        case ASN_TIMETICKS: out.type = T::timeticks; out.number = v.val.integer ? static_cast<std::uint32_t>(*v.val.integer) : 0; break;
        case ASN_COUNTER64:
            out.type = T::counter64;
            if (v.val.counter64)
                out.number = static_cast<std::int64_t>((static_cast<std::uint64_t>(v.val.counter64->high) << 32) |
                                                       (v.val.counter64->low & 0xffffffffu));
            break;
        case ASN_OCTET_STR: out.type = T::octets; if (v.val.string) out.bytes = bytes(); break;
        case ASN_IPADDRESS: out.type = T::ip_address; if (v.val.string) out.bytes = bytes(); break;
        case ASN_OPAQUE: out.type = T::opaque; if (v.val.string) out.bytes = bytes(); break;
        case ASN_OBJECT_ID:
            out.type = T::object_id;
            if (v.val.objid) out.object_id = oid_text(v.val.objid, v.val_len / sizeof(oid));
            break;
        case ASN_NULL: out.type = T::null; break;
        case SNMP_NOSUCHOBJECT: out.type = T::no_such_object; break;
        case SNMP_NOSUCHINSTANCE: out.type = T::no_such_instance; break;
        case SNMP_ENDOFMIBVIEW: out.type = T::end_of_mib_view; break;
        default: out.type = T::other; if (v.val.string) out.bytes = bytes(); break;
    }
    return out;
}

// A value for Net-SNMP's config-line parser, quoted so spaces and quotes in keys survive.
std::string quoted(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

std::optional<std::string> hex_to_bytes(std::string_view hex) {
    if (hex.size() > 2 && hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X')) hex.remove_prefix(2);
    if (hex.empty() || hex.size() % 2) return std::nullopt;
    std::string out;
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        auto digit = [](char c) -> int {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            return -1;
        };
        int hi = digit(hex[i]), lo = digit(hex[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
    }
    return out;
}

int security_level(Level l) {
    switch (l) {
        case Level::no_auth_no_priv: return SNMP_SEC_LEVEL_NOAUTH;
        case Level::auth_no_priv: return SNMP_SEC_LEVEL_AUTHNOPRIV;
        case Level::auth_priv: return SNMP_SEC_LEVEL_AUTHPRIV;
    }
    return SNMP_SEC_LEVEL_AUTHPRIV;
}

constexpr std::string_view auth_protocols[] = {"MD5", "SHA", "SHA-224", "SHA-256", "SHA-384", "SHA-512"};
constexpr std::string_view priv_protocols[] = {"DES", "AES", "AES-192", "AES-256"};

bool one_of(std::string_view s, std::span<const std::string_view> list) {
    return std::any_of(list.begin(), list.end(), [&](std::string_view x) { return x == s; });
}

}  // namespace

struct TrapReceiver::Impl : std::enable_shared_from_this<TrapReceiver::Impl> {
    asio::any_io_executor executor;
    config::TrapConfig config;
    TrapMapper mapper;
    Handler on_event;
    const Clock& clock;
    void* session = nullptr;
    std::unique_ptr<asio::posix::stream_descriptor> socket;
    std::string last_source = "?";  // set by pre_parse before Net-SNMP decodes a datagram
    TrapReceiverStats stats;
    SenderComplaints complaints;
    std::vector<std::string> problems;
    std::vector<std::pair<std::string, std::string>> users;  // (engine id bytes, name) we added to USM

    Impl(asio::any_io_executor ex, config::TrapConfig cfg, DeviceLookup lookup, Handler handler, const Clock& c)
        : executor(std::move(ex)),
          config(std::move(cfg)),
          mapper(config.mappings, std::move(lookup)),
          on_event(std::move(handler)),
          clock(c) {}

    void problem(std::string text) {
        log::error(msgid::config_error, text);
        problems.push_back(std::move(text));
    }

    // Logged once per key, then with a doubling back-off: a misconfigured or hostile sender
    // cannot flood the journal.
    void complain(std::string_view id, const std::string& key, const std::string& text,
                  std::vector<log::Field> fields) {
        const auto v = complaints.failure(id, key, clock.now());
        if (v.say != ComplaintTracker::Say::first_failure && v.say != ComplaintTracker::Say::reminder) return;
        std::string line = text;
        if (v.summarised)
            line += fmt::format(" (and more: over {} senders are complaining, so further ones are logged together "
                                "with back-off, not one by one)",
                                complaints.capacity());
        if (v.say == ComplaintTracker::Say::reminder)
            line += " (still happening; repeats are logged with back-off)";
        log::warning(id, std::move(line), std::move(fields));
    }

    void add_usm_user(const config::SnmpV3Credentials& u, const std::string* engine_id) {
        std::string line;
        if (engine_id) {
            std::string hex;
            for (unsigned char c : *engine_id) hex += fmt::format("{:02x}", c);
            line += "-e 0x" + hex + " ";
        }
        line += quoted(u.user);
        if (u.level != Level::no_auth_no_priv) line += " " + u.auth_protocol + " " + quoted(u.auth_key);
        if (u.level == Level::auth_priv) line += " " + u.priv_protocol + " " + quoted(u.priv_key);
        std::vector<char> buffer(line.begin(), line.end());
        buffer.push_back('\0');
        usm_parse_create_usmUser("createUser", buffer.data());

        std::string engine = engine_id ? *engine_id : local_engine_id();
        if (usm_get_user(reinterpret_cast<const u_char*>(engine.data()), engine.size(), const_cast<char*>(u.user.c_str())))
            users.emplace_back(engine, u.user);
        else
            problem(fmt::format("traps: SNMPv3 user \"{}\" could not be set up (keys must be at least 8 characters)",
                                u.user));
    }

    static std::string local_engine_id() {
        std::array<u_char, 64> buf{};
        std::size_t n = snmpv3_get_engineID(buf.data(), buf.size());
        return std::string(reinterpret_cast<const char*>(buf.data()), n);
    }

    void add_users() {
        for (const auto& u : config.users) {
            if (u.user.empty()) {
                problem("traps: an SNMPv3 user has no name");
                continue;
            }
            if (u.level != Level::no_auth_no_priv && !one_of(u.auth_protocol, auth_protocols)) {
                problem(fmt::format("traps: SNMPv3 user \"{}\": unknown auth protocol \"{}\"", u.user, u.auth_protocol));
                continue;
            }
            if (u.level == Level::auth_priv && !one_of(u.priv_protocol, priv_protocols)) {
                problem(fmt::format("traps: SNMPv3 user \"{}\": unknown privacy protocol \"{}\"", u.user, u.priv_protocol));
                continue;
            }
            // INFORMs are sent to our engine (the sender discovers it); TRAPs come from the
            // sender's engine, which the config names. A user may send both.
            add_usm_user(u, nullptr);
            if (!u.engine_id.empty()) {
                if (auto engine = hex_to_bytes(u.engine_id); engine && engine->size() >= 5 && engine->size() <= 32)
                    add_usm_user(u, &*engine);
                else
                    problem(fmt::format("traps: SNMPv3 user \"{}\": engine_id \"{}\" is not 5 to 32 bytes of hex",
                                        u.user, u.engine_id));
            }
        }
    }

    void remove_users() {
        for (const auto& [engine, name] : users) {
            if (auto* u = usm_get_user(reinterpret_cast<const u_char*>(engine.data()), engine.size(),
                                       const_cast<char*>(name.c_str()))) {
                usm_remove_user(u);
                usm_free_user(u);
            }
        }
        users.clear();
    }

    static int pre_parse(netsnmp_session* s, netsnmp_transport*, void* data, int length) {
        if (auto* self = static_cast<Impl*>(s->callback_magic)) self->last_source = address_of(data, length);
        return 1;
    }

    static int on_pdu(int operation, netsnmp_session*, int, netsnmp_pdu* pdu, void* magic) {
        if (operation == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE && pdu) static_cast<Impl*>(magic)->handle(*pdu);
        return 1;
    }

    // Why a decoded notification is refused, or nothing when it may pass.
    std::optional<std::string> refusal(const netsnmp_pdu& pdu) const {
        if (pdu.version == SNMP_VERSION_1 || pdu.version == SNMP_VERSION_2c) {
            std::string_view community(reinterpret_cast<const char*>(pdu.community), pdu.community ? pdu.community_len : 0);
            for (const auto& c : config.communities)
                if (c == community) return std::nullopt;
            return std::string("unknown community");  // the community itself never reaches the log
        }
        if (pdu.version == SNMP_VERSION_3) {
            std::string_view name(pdu.securityName ? pdu.securityName : "", pdu.securityName ? pdu.securityNameLen : 0);
            for (const auto& u : config.users) {
                if (u.user != name) continue;
                if (pdu.securityLevel < security_level(u.level))
                    return fmt::format("SNMPv3 user \"{}\" sent with a lower security level than configured",
                                       std::string(name));
                return std::nullopt;
            }
            return fmt::format("SNMPv3 user \"{}\" is not a trap user", std::string(name));
        }
        return std::string("unsupported SNMP version");
    }

    void acknowledge(netsnmp_pdu& pdu) {
        netsnmp_pdu* reply = snmp_clone_pdu(&pdu);
        if (!reply) return;
        reply->command = SNMP_MSG_RESPONSE;
        reply->errstat = 0;
        reply->errindex = 0;
        if (snmp_sess_send(session, reply) == 0) {
            snmp_free_pdu(reply);
            log::warning(msgid::trap_rejected,
                         fmt::format("could not acknowledge an INFORM from {}: the sender will retry", last_source));
            return;
        }
        ++stats.informs_acknowledged;
    }

    void handle(netsnmp_pdu& pdu) {
        ReceivedTrap trap;
        switch (pdu.command) {
            case SNMP_MSG_TRAP: trap.pdu = ReceivedTrap::Pdu::trap_v1; break;
            case SNMP_MSG_TRAP2: trap.pdu = ReceivedTrap::Pdu::trap_v2; break;
            case SNMP_MSG_INFORM: trap.pdu = ReceivedTrap::Pdu::inform; break;
            default: return;  // requests and responses have no business on a trap port
        }
        trap.source_address = address_of(pdu.transport_data, pdu.transport_data_length);
        if (trap.source_address == "?") trap.source_address = last_source;

        if (auto why = refusal(pdu)) {
            ++stats.rejected;
            complain(msgid::trap_rejected, "rejected|" + trap.source_address + "|" + *why,
                     fmt::format("trap from {} dropped: {}", trap.source_address, *why),
                     {{"AVMON_TRAP_SOURCE", trap.source_address}});
            return;
        }
        if (trap.pdu == ReceivedTrap::Pdu::inform) acknowledge(pdu);

        trap.version = pdu.version == SNMP_VERSION_1 ? 1 : pdu.version == SNMP_VERSION_3 ? 3 : 2;
        if (trap.version == 3 && pdu.securityName) trap.security_name.assign(pdu.securityName, pdu.securityNameLen);
        if (trap.pdu == ReceivedTrap::Pdu::trap_v1) {
            if (pdu.enterprise) trap.enterprise = oid_text(pdu.enterprise, pdu.enterprise_length);
            trap.generic_trap = static_cast<int>(pdu.trap_type);
            trap.specific_trap = static_cast<int>(pdu.specific_type);
            char agent[INET_ADDRSTRLEN] = {};
            ::inet_ntop(AF_INET, pdu.agent_addr, agent, sizeof agent);
            trap.agent_address = agent;
            trap.v1_timestamp = static_cast<std::uint32_t>(pdu.time);
        }
        for (auto* v = pdu.variables; v; v = v->next_variable) trap.varbinds.push_back(convert(*v));

        TrapEvent event = mapper.map(trap, clock.now());
        ++stats.accepted;
        std::vector<log::Field> fields{{"AVMON_TRAP_SOURCE", event.source_address},
                                       {"AVMON_TRAP_OID", event.trap_oid},
                                       {"AVMON_TRAP_EVENT", event.event}};
        if (event.device) fields.push_back({"AVMON_DEVICE", *event.device});
        const std::string who = event.device ? *event.device + " (" + event.source_address + ")" : event.source_address;
        if (event.event == "unknown") {
            ++stats.unknown;
            complain(msgid::trap_unknown, "unknown|" + event.source_address + "|" + event.trap_oid,
                     fmt::format("unmapped trap {} from {} recorded as \"unknown\"; add a [[traps.mapping]] to name it",
                                 event.trap_oid.empty() ? "(no snmpTrapOID)" : event.trap_oid, who),
                     std::move(fields));
        } else {
            log::info(msgid::trap_received, fmt::format("trap {} ({}) from {}", event.event, event.trap_oid, who),
                      std::move(fields));
        }
        // Delivered from the loop, not from inside Net-SNMP's read: the handler may stop us.
        asio::post(executor, [self = shared_from_this(), event = std::move(event)]() mutable {
            if (self->on_event) self->on_event(std::move(event));
        });
    }

    void wait_readable() {
        socket->async_wait(asio::posix::stream_descriptor::wait_read,
                           [self = shared_from_this()](const boost::system::error_code& ec) {
                               if (ec || !self->session) return;
                               self->read_one();
                               if (self->session) self->wait_readable();
                           });
    }

    void read_one() {
        ++stats.datagrams;
        last_source = "?";
        const auto before = DropCounters::now();
        const int fd = socket->native_handle();
        netsnmp_large_fd_set fds;
        netsnmp_large_fd_set_init(&fds, fd + 1);
        NETSNMP_LARGE_FD_SET(fd, &fds);
        snmp_sess_read2(session, &fds);
        netsnmp_large_fd_set_cleanup(&fds);
        const auto after = DropCounters::now();
        for (std::size_t i = 0; i < before.v.size(); ++i) {
            if (after.v[i] == before.v[i]) continue;
            if (i <= 1) ++stats.malformed; else ++stats.rejected;
            complain(msgid::trap_rejected, std::string("dropped|") + last_source + "|" + drop_reasons[i],
                     fmt::format("datagram from {} on the trap port dropped: {}", last_source, drop_reasons[i]),
                     {{"AVMON_TRAP_SOURCE", last_source}});
        }
    }

    std::string start() {
        if (session) return {};
        if (!config.enabled) {
            log::info(msgid::probe_mode, "traps: receiver disabled ([traps] enabled = false)");
            return {};
        }
        snmp::ensure_netsnmp_initialised();
        if (config.communities.empty() && config.users.empty())
            log::warning(msgid::config_error, "traps: no community and no SNMPv3 user configured: every trap is dropped");
        for (const auto& e : mapper.errors()) problem(e);
        add_users();

        netsnmp_transport* transport = netsnmp_tdomain_transport(config.listen.c_str(), 1, "udp");
        if (!transport) {
            std::string text = fmt::format("traps: cannot listen on \"{}\": {}{}", config.listen, std::strerror(errno),
                                           errno == EACCES ? " (ports below 1024 need CAP_NET_BIND_SERVICE)" : "");
            log::error(msgid::probe_error, text);
            remove_users();
            return text;
        }
        netsnmp_session settings;
        snmp_sess_init(&settings);
        settings.peername = SNMP_DEFAULT_PEERNAME;
        settings.version = SNMP_DEFAULT_VERSION;
        settings.community_len = SNMP_DEFAULT_COMMUNITY_LEN;
        settings.retries = SNMP_DEFAULT_RETRIES;
        settings.timeout = SNMP_DEFAULT_TIMEOUT;
        settings.callback = &Impl::on_pdu;
        settings.callback_magic = this;
        settings.authenticator = nullptr;
        settings.isAuthoritative = SNMP_SESS_UNKNOWNAUTH;
        session = snmp_sess_add(&settings, transport, &Impl::pre_parse, nullptr);  // owns the transport now
        if (!session) {
            std::string text = fmt::format("traps: cannot open a Net-SNMP session on \"{}\"", config.listen);
            log::error(msgid::probe_error, text);
            remove_users();
            return text;
        }
        socket = std::make_unique<asio::posix::stream_descriptor>(executor, transport->sock);
        wait_readable();
        log::info(msgid::probe_mode,
                  fmt::format("traps: listening on {} ({} communit{}, {} SNMPv3 user{}, {} mapping{})", config.listen,
                              config.communities.size(), config.communities.size() == 1 ? "y" : "ies",
                              config.users.size(), config.users.size() == 1 ? "" : "s", config.mappings.size(),
                              config.mappings.size() == 1 ? "" : "s"));
        return {};
    }

    void stop() {
        if (!session) return;
        socket->cancel();
        socket->release();  // Net-SNMP closes the socket itself
        socket.reset();
        snmp_sess_close(session);
        session = nullptr;
        remove_users();
    }
};

SenderComplaints::SenderComplaints(std::size_t capacity, std::chrono::seconds first_reminder,
                                   std::chrono::seconds max_interval, std::chrono::seconds idle)
    : capacity_(std::max<std::size_t>(capacity, 1)), idle_(idle), tracker_(first_reminder, max_interval) {}

void SenderComplaints::forget_idle(SysTime now) {
    while (!order_.empty() && now - order_.front().second >= idle_) {
        tracker_.success(order_.front().first);  // erases its back-off state
        last_seen_.erase(order_.front().first);
        order_.pop_front();
    }
}

SenderComplaints::Verdict SenderComplaints::failure(std::string_view kind, const std::string& key, SysTime now) {
    forget_idle(now);
    if (auto it = last_seen_.find(key); it != last_seen_.end()) {
        it->second->second = now;
        order_.splice(order_.end(), order_, it->second);
        return {tracker_.failure(key, now), false};
    }
    if (last_seen_.size() < capacity_) {
        order_.emplace_back(key, now);
        last_seen_.emplace(key, std::prev(order_.end()));
        return {tracker_.failure(key, now), false};
    }
    // Full of active senders: one summary key per kind, outside the table (a handful at most).
    // Summary keys end with '\n', which no sender key contains, so they cannot collide.
    return {tracker_.failure(std::string(kind) + "\n", now), true};
}

TrapReceiver::TrapReceiver(asio::any_io_executor executor, config::TrapConfig config, DeviceLookup lookup,
                           Handler on_event, const Clock& clock)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(config), std::move(lookup), std::move(on_event), clock)) {}

TrapReceiver::~TrapReceiver() { stop(); }

std::string TrapReceiver::start() { return impl_->start(); }
void TrapReceiver::stop() { impl_->stop(); }
bool TrapReceiver::running() const { return impl_->session != nullptr; }
const TrapReceiverStats& TrapReceiver::stats() const { return impl_->stats; }
const std::vector<std::string>& TrapReceiver::config_problems() const { return impl_->problems; }

}  // namespace avmon::traps
