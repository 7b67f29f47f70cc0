#pragma once
// An SNMP session to one device, for coroutines on the device I/O loop:
//   SnmpSession s(ex, {device_id, address, snmp_target});
//   SnmpResponse r = co_await s.get({sysUpTime, ...}, deadline);
//   SnmpResponse t = co_await s.walk(ifName_column, deadline);
// v1/v2c requests go through the executor's shared CommunityMux socket (no session per
// device); SNMPv3 has a Net-SNMP session of its own. Names are resolved asynchronously; SNMPv3 engine ids are discovered asynchronously (a probe
// PDU whose REPORT carries the agent's engine id), cached, and set on the session before the
// first authenticated request, so a dead v3 device never stalls the loop. Read-only: there is
// no code path that builds a SET PDU.
#include <memory>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "daemon/core/asio.hpp"
#include "probes/snmp/community_mux.hpp"
#include "probes/snmp/response.hpp"

namespace avmon::snmp {

class NetsnmpChannel;

struct SessionOptions {
    std::string device_id;        // names the device in every error text
    std::string address;          // IP literal or DNS name
    config::SnmpTarget target;    // version, port, community / v3 credentials, timeout, retries
};

class SnmpSession {
public:
    SnmpSession(asio::any_io_executor ex, SessionOptions options);
    ~SnmpSession();
    SnmpSession(const SnmpSession&) = delete;
    SnmpSession& operator=(const SnmpSession&) = delete;

    // GET of `oids` in one PDU (the caller keeps PDUs small). Exceptions (noSuchObject ...)
    // come back as varbind values; error PDUs as status error_status.
    awaitable<SnmpResponse> get(std::vector<Oid> oids, SteadyTime deadline);
    // The same without copying `oids` or adding a coroutine frame: for a caller whose `oids`
    // outlive the co_await (a probe's compiled profile). Every poll goes through here.
    awaitable<SnmpResponse> get_view(const std::vector<Oid>& oids, SteadyTime deadline);
    // Hands a consumed answer's varbinds back so the next answer is decoded into their
    // buffers (v1/v2c only; otherwise they are simply freed).
    void recycle(std::vector<VarBind>&& varbinds);

    // Every row of the table column `column` (GETBULK with max_repetitions; GETNEXT for v1).
    // Stops at the end of the column, endOfMibView, or an OID that does not increase (an agent
    // bug; reported in `error` with status ok and the rows read so far).
    awaitable<SnmpResponse> walk(Oid column, SteadyTime deadline);

    // The SNMPv3 engine id in use, as hex ("80001f8804..."), empty before discovery / for v1/v2c.
    std::string engine_id_hex() const;
    // Drops the Net-SNMP session (the next request reopens it); keeps the cached engine id
    // unless `forget_engine` (the agent may have been replaced).
    void close(bool forget_engine = false);

    const SessionOptions& options() const { return options_; }

private:
    awaitable<SnmpResponse> ensure_open(SteadyTime deadline);
    awaitable<SnmpResponse> resolve(SteadyTime deadline);
    awaitable<SnmpResponse> discover_engine(SteadyTime deadline);
    SnmpResponse open_channel();
    // `oids` must outlive the returned awaitable.
    awaitable<SnmpResponse> exchange(int command, const std::vector<Oid>& oids, SteadyTime deadline);
    CommunityMux::Exchange community_request(int command, const std::vector<Oid>& oids, SteadyTime deadline) const;
    SteadyTime request_deadline(SteadyTime deadline) const;
    const std::string& who() const { return who_; }

    asio::any_io_executor ex_;
    SessionOptions options_;
    std::string who_;             // "device ID (address:port)": every error text, built once
    bool resolved_ = false;       // endpoint_ (and for SNMPv3 peer_) is known
    std::string peer_;            // SNMPv3: "udp:192.0.2.1:161" once resolved, for Net-SNMP
    asio::ip::udp::endpoint endpoint_;
    // SNMPv3 state, on the heap: a fleet's v1/v2c sessions (thousands) need none of it.
    struct V3State {
        std::uint32_t engine_boots = 0;  // from the discovery REPORT
        std::uint32_t engine_time = 0;
        bool engine_time_known = false;
        std::string engine_id;           // bytes
        std::shared_ptr<NetsnmpChannel> channel;  // a Net-SNMP session of its own
    };
    std::unique_ptr<V3State> v3_;
    V3State& v3() {
        if (!v3_) v3_ = std::make_unique<V3State>();
        return *v3_;
    }
    bool channel_open() const;
    std::shared_ptr<CommunityMux> mux_;        // v1/v2c: the socket shared by the executor's devices
};

// Parses "0x80001f88..." / "80:00:1f:88..." / "80001f88..." into bytes; false on bad hex.
bool parse_engine_id(const std::string& text, std::string& bytes);
std::string to_hex(const std::string& bytes);

}  // namespace avmon::snmp
