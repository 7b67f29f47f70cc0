#pragma once
// One UDP socket per address family for every SNMPv1/v2c device on an executor, instead of a
// Net-SNMP session (socket, buffers, ~8 KiB) per device. Requests carry their own community,
// version, timeout, retries and deadline; answers are matched by request id AND the address
// the request went to, so a reply from any other address is ignored. Requests and answers
// are encoded and decoded by community_codec (measured: Net-SNMP's snmp_parse and the
// conversion after it were the largest part of a poll's CPU). SNMPv3 keeps its own
// Net-SNMP session per device (NetsnmpChannel): USM state is per agent.
//
// All calls happen on the executor's (single) thread.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "daemon/core/asio.hpp"
#include "probes/snmp/community_codec.hpp"
#include "probes/snmp/response.hpp"

namespace avmon::snmp {

struct CommunityMuxStats {
    std::uint64_t sent = 0;        // datagrams, retransmissions included
    std::uint64_t answers = 0;     // answers that completed a request
    std::uint64_t stray = 0;       // well-formed answers nobody waits for at that address (late, or spoofed)
    std::uint64_t malformed = 0;   // datagrams that are not a v1/v2c response
};

class CommunityMux : public std::enable_shared_from_this<CommunityMux> {
public:
    // The mux shared by everything on `ex` (created on first use, gone with its last user).
    static std::shared_ptr<CommunityMux> shared_for(const asio::any_io_executor& ex);
    explicit CommunityMux(asio::any_io_executor ex);
    ~CommunityMux();
    CommunityMux(const CommunityMux&) = delete;
    CommunityMux& operator=(const CommunityMux&) = delete;

    struct Exchange {
        asio::ip::udp::endpoint peer;
        int version = 1;  // 0: v1, 1: v2c
        std::string_view community;
        ReadCommand command = ReadCommand::get;
        int max_repetitions = 10;
        const std::vector<Oid>* oids = nullptr;
        std::chrono::milliseconds timeout{1000};
        int retries = 1;
        SteadyTime deadline;
        std::string_view who;  // names the device in error texts
    };
    // Sends, retransmits after each `timeout`, and returns the answer, timeout after
    // retries + 1 attempts, or deadline, whichever comes first.
    awaitable<SnmpResponse> exchange(Exchange request);

    // A delivered answer's varbinds, consumed: a later answer is decoded into them. Up to a
    // receive batch's worth are kept, since a batch is delivered before any poll resumes.
    void recycle(std::vector<VarBind>&& varbinds);

    const CommunityMuxStats& stats() const { return stats_; }
    std::size_t waiting() const { return pending_.size(); }
    // The local port of the IPv4 socket (0 before the first IPv4 request); for tests.
    std::uint16_t local_port_v4() const;

private:
    struct Waiter {
        explicit Waiter(asio::any_io_executor ex) : timer(ex) {}
        asio::steady_timer timer;  // cancelled when the answer arrives
        asio::ip::udp::endpoint peer;
        std::optional<SnmpResponse> result;
        std::string_view who;
    };
    struct Registration;
    struct Family {
        explicit Family(asio::any_io_executor ex) : socket(ex) {}
        asio::ip::udp::socket socket;
        bool reading = false;
    };

    Family* family_for(const asio::ip::udp::endpoint& peer, std::string& error);
    void arm(Family& f);
    void disarm_if_idle();
    void drain(Family& f);
    void deliver(const char* data, std::size_t size, const asio::ip::udp::endpoint& from);
    std::int32_t next_request_id();

    asio::any_io_executor ex_;
    std::unique_ptr<Family> v4_;
    std::unique_ptr<Family> v6_;
    std::unordered_map<std::int32_t, Waiter*> pending_;
    std::int32_t last_id_;
    CommunityMuxStats stats_;
    std::unique_ptr<char[]> buffer_;
    CommunityResponse answer_;  // the answer being delivered (its buffers are reused)
    std::vector<std::vector<VarBind>> spare_varbinds_;  // recycled, for the next answers
};

}  // namespace avmon::snmp
