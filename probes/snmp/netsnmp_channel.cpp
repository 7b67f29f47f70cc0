#include "probes/snmp/netsnmp_channel.hpp"

#include <fmt/format.h>

#include "probes/snmp/varbind_convert.hpp"

namespace avmon::snmp {

std::shared_ptr<NetsnmpChannel> NetsnmpChannel::open(asio::any_io_executor ex, netsnmp_session& config,
                                                     std::string& error) {
    void* sessp = snmp_sess_open(&config);
    if (!sessp) {
        int liberr = 0, syserr = 0;
        char* text = nullptr;
        snmp_error(&config, &liberr, &syserr, &text);
        error = text ? text : "Net-SNMP could not open the session";
        std::free(text);
        return nullptr;
    }
    netsnmp_transport* transport = snmp_sess_transport(sessp);
    if (!transport || transport->sock < 0) {
        snmp_sess_close(sessp);
        error = "Net-SNMP session has no socket";
        return nullptr;
    }
    return std::shared_ptr<NetsnmpChannel>(new NetsnmpChannel(std::move(ex), sessp, transport->sock));
}

NetsnmpChannel::NetsnmpChannel(asio::any_io_executor ex, void* sessp, int fd)
    : ex_(ex), sessp_(sessp), socket_(ex, fd), timer_(ex) {
    netsnmp_large_fd_set_init(&fdset_, fd + 1);
    NETSNMP_LARGE_FD_SET(fd, &fdset_);
}

NetsnmpChannel::~NetsnmpChannel() {
    close();
    netsnmp_large_fd_set_cleanup(&fdset_);
}

void NetsnmpChannel::close() {
    if (!sessp_) return;
    boost::system::error_code ignored;
    timer_.cancel();
    socket_.cancel(ignored);
    socket_.release();  // the fd is Net-SNMP's: it closes it in snmp_sess_close
    void* sessp = sessp_;
    sessp_ = nullptr;
    snmp_sess_close(sessp);  // may call back with outstanding requests: complete() ignores them now
    auto pending = std::move(pending_);
    pending_.clear();
    for (auto& [id, p] : pending) {
        SnmpResponse r;
        r.status = SnmpStatus::closed;
        r.error = p->who + ": SNMP session closed";
        p->result = std::move(r);
        p->signal.cancel();
    }
}

awaitable<SnmpResponse> NetsnmpChannel::send(netsnmp_pdu* pdu, SteadyTime deadline, std::string who) {
    auto self = shared_from_this();  // stay alive while a request waits
    if (!sessp_) {
        snmp_free_pdu(pdu);
        co_return SnmpResponse::failure(SnmpStatus::closed, who + ": SNMP session is closed");
    }
    auto pending = std::make_shared<Pending>(ex_);
    pending->who = who;
    pending->signal.expires_at(deadline);
    int reqid = snmp_sess_async_send(sessp_, pdu, &NetsnmpChannel::on_netsnmp_event, this);
    if (reqid == 0) {
        int liberr = 0, syserr = 0;
        char* text = nullptr;
        snmp_sess_error(sessp_, &liberr, &syserr, &text);
        std::string detail = text ? text : "unknown error";
        std::free(text);
        snmp_free_pdu(pdu);
        co_return SnmpResponse::failure(SnmpStatus::send_failed, who + ": SNMP request could not be sent: " + detail);
    }
    pending_[reqid] = pending;
    rearm();
    boost::system::error_code ec;
    co_await pending->signal.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (pending->result) co_return std::move(*pending->result);
    // Our deadline came first. Net-SNMP still holds the request and will time it out later;
    // its callback then finds nothing to complete.
    pending_.erase(reqid);
    co_return SnmpResponse::failure(SnmpStatus::deadline, who + ": no SNMP answer before the poll deadline");
}

int NetsnmpChannel::on_netsnmp_event(int op, netsnmp_session*, int reqid, netsnmp_pdu* pdu, void* magic) {
    auto* self = static_cast<NetsnmpChannel*>(magic);
    // Net-SNMP also reports retransmissions and connects; only final outcomes complete a request.
    // A REPORT first comes as SEC_ERROR and then again as RECEIVED_MESSAGE: wait for the latter.
    if (op == NETSNMP_CALLBACK_OP_RESEND || op == NETSNMP_CALLBACK_OP_CONNECT) return 1;
    auto it = self->pending_.find(reqid);
    if (it == self->pending_.end()) {
        // An unauthenticated REPORT (wrong auth key: usmStatsWrongDigests) cannot be matched
        // to its request and comes with reqid 0. The channel belongs to one device and its
        // requests are sequential, so it answers whatever is waiting.
        if (reqid == 0 && pdu && pdu->command == SNMP_MSG_REPORT && !self->pending_.empty()) {
            for (auto& [id, p] : self->pending_)
                if (!p->tentative) on_netsnmp_event(NETSNMP_CALLBACK_OP_SEC_ERROR, nullptr, id, pdu, magic);
        }
        return 1;  // otherwise: abandoned at its deadline, or closing
    }
    const std::string& who = it->second->who;
    SnmpResponse r;
    switch (op) {
        case NETSNMP_CALLBACK_OP_SEC_ERROR:
            if (!pdu) {
                r.status = SnmpStatus::auth_error;
                r.error = who + ": SNMPv3 security error (authentication failure or wrong keys)";
                break;
            }
            [[fallthrough]];
        case NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE:
            if (!pdu) {
                r.status = SnmpStatus::send_failed;
                r.error = who + ": empty SNMP message";
                break;
            }
            if (pdu->securityEngineID && pdu->securityEngineIDLen)
                r.security_engine_id.assign(reinterpret_cast<const char*>(pdu->securityEngineID),
                                            pdu->securityEngineIDLen);
                    if (pdu->command == SNMP_MSG_REPORT) {
                int type = snmpv3_get_report_type(pdu);
                bool auth = type == SNMPERR_AUTHENTICATION_FAILURE || type == SNMPERR_UNKNOWN_USER_NAME ||
                            type == SNMPERR_UNSUPPORTED_SEC_LEVEL;
                r.status = auth ? SnmpStatus::auth_error : SnmpStatus::report;
                const char* text = snmp_api_errstring(type);
                r.error = fmt::format("{}: SNMPv3 report from the agent: {}", who,
                                      auth ? std::string("authentication failure (") + (text ? text : "") + ")"
                                           : std::string(text ? text : "unknown report"));
                for (netsnmp_variable_list* vb = pdu->variables; vb; vb = vb->next_variable)
                    r.varbinds.push_back(convert_varbind(*vb));
            } else {
                fill_response(*pdu, who, r);
            }
            break;
        case NETSNMP_CALLBACK_OP_TIMED_OUT:
            r.status = SnmpStatus::timeout;
            r.error = who + ": no SNMP response (timed out)";
            break;
        default:
            r.status = SnmpStatus::send_failed;
            r.error = fmt::format("{}: SNMP request failed (Net-SNMP event {})", who, op);
            break;
    }
    if (op == NETSNMP_CALLBACK_OP_SEC_ERROR) {
        // A REPORT: Net-SNMP may deliver it once more as RECEIVED_MESSAGE within the same
        // read (engine discovery), or not at all (wrong digest). Keep it; on_readable()
        // completes it once the read is over.
        it->second->tentative = std::move(r);
        return 1;
    }
    self->complete(reqid, std::move(r));
    return 1;
}

void NetsnmpChannel::complete(int reqid, SnmpResponse response) {
    auto it = pending_.find(reqid);
    if (it == pending_.end()) return;
    auto p = it->second;
    pending_.erase(it);
    p->result = std::move(response);
    p->signal.cancel();
}

void NetsnmpChannel::rearm() {
    if (!sessp_) return;
    if (!reading_) {
        reading_ = true;
        socket_.async_wait(asio::posix::stream_descriptor::wait_read,
                           [self = shared_from_this()](boost::system::error_code ec) {
                               self->reading_ = false;
                               if (ec || !self->sessp_) return;
                               self->on_readable();
                           });
    }
    int numfds = 0;
    int block = 1;
    timeval tv{};
    snmp_sess_select_info2(sessp_, &numfds, &fdset_, &tv, &block);
    if (block == 0) {
        timer_.expires_after(std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec));
        timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
            if (ec || !self->sessp_) return;
            self->on_timer();
        });
    } else {
        timer_.cancel();
    }
}

void NetsnmpChannel::on_readable() {
    snmp_sess_read2(sessp_, &fdset_);  // runs on_netsnmp_event for each answer
    std::vector<std::pair<int, SnmpResponse>> reported;
    for (auto& [id, p] : pending_)
        if (p->tentative) reported.emplace_back(id, std::move(*p->tentative));
    for (auto& [id, r] : reported) complete(id, std::move(r));
    rearm();
}

void NetsnmpChannel::on_timer() {
    snmp_sess_timeout(sessp_);  // retransmits, or times requests out through the callback
    rearm();
}

}  // namespace avmon::snmp
