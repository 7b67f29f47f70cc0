#pragma once
// Turns one request line into one response line: parsing, the command table, audit of every
// write. Asio-free, so it is unit-tested and fuzzed without sockets; the server does the I/O.
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "daemon/control/handlers.hpp"
#include "daemon/control/protocol.hpp"
#include "daemon/core/clock.hpp"

namespace avmon::control {

// Who is on the other end of the socket (SO_PEERCRED): the actor of every write.
struct Peer {
    std::uint32_t uid = 0;
    std::uint32_t gid = 0;
    std::int32_t pid = 0;
    std::string user;  // getpwuid name, or "uid:<n>" when the uid has no passwd entry
};

class Dispatcher {
public:
    Dispatcher(ControlHandlers handlers, const Clock& clock);

    // Never throws: every problem is an error response.
    std::string handle_line(std::string_view line, const Peer& peer);
    // The audit record of a new connection (the server calls it on accept).
    void audit_connection(const Peer& peer, std::string_view what);

    bool is_write(const std::string& cmd) const;

private:
    using Fn = std::function<Json(const Json& args, const Peer& peer)>;
    struct Entry {
        Fn fn;
        bool write = false;
    };
    void add(const std::string& name, bool write, Fn fn);
    void audit(const Peer& peer, const std::string& action, const std::string& target, const std::string& before,
               const std::string& after, const std::string& detail);

    Json status(const Json& args);
    Json alarms(const Json& args);
    Json show(const Json& args);
    Json devices(const Json& args);
    Json maintenance_list(const Json& args);
    Json alarm_write(const std::string& cmd, const Json& args, const Peer& peer);
    Json maintenance_add(const Json& args, const Peer& peer);
    Json maintenance_remove(const Json& args, const Peer& peer);
    Json reload(const Json& args, const Peer& peer);
    std::optional<Alarm> find_alarm(std::int64_t id) const;

    ControlHandlers h_;
    const Clock& clock_;
    std::map<std::string, Entry> table_;
};

}  // namespace avmon::control
