#pragma once
// One Net-SNMP single-session handle driven from Asio (no threads, no select loop):
// - the session's UDP socket is watched with a posix::stream_descriptor; readable -> snmp_sess_read2;
// - a steady_timer follows snmp_sess_select_info2's next timeout -> snmp_sess_timeout
//   (Net-SNMP does its own retransmissions and per-request timeouts);
// - every request is sent with snmp_sess_async_send and awaited by a coroutine, which also
//   gives up at its own deadline.
// All calls happen on the executor's (single) thread. The descriptor is released, never
// closed, before snmp_sess_close: the socket belongs to Net-SNMP.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/library/large_fd_set.h>

#include "daemon/core/asio.hpp"
#include "probes/snmp/response.hpp"

namespace avmon::snmp {

class NetsnmpChannel : public std::enable_shared_from_this<NetsnmpChannel> {
public:
    // Opens `config` (which must carry SNMP_FLAGS_DONT_PROBE for v3: probing would block).
    // Returns null and sets `error` when Net-SNMP refuses.
    static std::shared_ptr<NetsnmpChannel> open(asio::any_io_executor ex, netsnmp_session& config,
                                                std::string& error);
    ~NetsnmpChannel();
    NetsnmpChannel(const NetsnmpChannel&) = delete;
    NetsnmpChannel& operator=(const NetsnmpChannel&) = delete;

    // Sends `pdu` (ownership passes to the channel) and waits for the answer, Net-SNMP's
    // timeout after its retries, or `deadline`, whichever comes first. `who` names the
    // device in error texts.
    awaitable<SnmpResponse> send(netsnmp_pdu* pdu, SteadyTime deadline, std::string who);

    // Fails every waiting request with `closed` and closes the Net-SNMP session.
    void close();
    bool is_open() const { return sessp_ != nullptr; }
    std::size_t waiting() const { return pending_.size(); }

private:
    struct Pending {
        explicit Pending(asio::any_io_executor ex) : signal(ex) {}
        asio::steady_timer signal;  // cancelled when the answer arrives; expires at the deadline
        std::optional<SnmpResponse> result;
        std::optional<SnmpResponse> tentative;  // a security-error REPORT seen during the current read
        std::string who;
    };

    NetsnmpChannel(asio::any_io_executor ex, void* sessp, int fd);
    static int on_netsnmp_event(int op, netsnmp_session* session, int reqid, netsnmp_pdu* pdu, void* magic);
    void complete(int reqid, SnmpResponse response);
    void rearm();
    void on_readable();
    void on_timer();

    asio::any_io_executor ex_;
    void* sessp_ = nullptr;
    asio::posix::stream_descriptor socket_;
    asio::steady_timer timer_;
    // Sized for our one socket once (fd + 1, which may be past FD_SETSIZE): Net-SNMP only ever
    // sets and tests that fd's bit, so the set is reused by every read and rearm.
    netsnmp_large_fd_set fdset_;
    bool reading_ = false;
    std::map<int, std::shared_ptr<Pending>> pending_;
};

}  // namespace avmon::snmp
