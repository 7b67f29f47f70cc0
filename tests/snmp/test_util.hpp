#pragma once
// Small helpers shared by the SNMP tests: run a coroutine to completion on an io_context,
// build session options for the loopback agents, read the agents' ports from the environment.
#include <chrono>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>

#include "daemon/core/asio.hpp"
#include "config/model.hpp"

namespace avmon::snmp::test {

template <typename T>
T run(asio::io_context& io, awaitable<T> task) {
    std::optional<T> result;
    std::exception_ptr error;
    asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T value) {
        error = e;
        if (!e) result = std::move(value);
    });
    // Sessions keep a read wait on their socket for as long as they are open, so the loop
    // never runs out of work by itself: run until this task is done.
    io.restart();
    while (!result && !error) io.run_one();
    if (error) std::rethrow_exception(error);
    return std::move(*result);
}

inline std::uint16_t env_port(const char* name) {
    const char* v = std::getenv(name);
    if (!v) throw std::runtime_error(std::string(name) + " is not set: run this test through its wrapper script");
    return static_cast<std::uint16_t>(std::stoi(v));
}

inline config::SnmpTarget v2c(std::uint16_t port, std::string community = "avtest-ro") {
    config::SnmpTarget t;
    t.version = config::SnmpTarget::Version::v2c;
    t.port = port;
    t.community = std::move(community);
    t.timeout = std::chrono::milliseconds(500);
    t.retries = 1;
    return t;
}

inline config::SnmpTarget v3(std::uint16_t port, std::string user, std::string auth_proto, std::string auth_key,
                             std::string priv_proto, std::string priv_key) {
    config::SnmpTarget t;
    t.version = config::SnmpTarget::Version::v3;
    t.port = port;
    auto& c = t.v3.emplace();
    c.user = std::move(user);
    c.level = priv_proto.empty() ? (auth_proto.empty() ? config::SnmpV3Credentials::Level::no_auth_no_priv
                                                          : config::SnmpV3Credentials::Level::auth_no_priv)
                                    : config::SnmpV3Credentials::Level::auth_priv;
    c.auth_protocol = std::move(auth_proto);
    c.auth_key = std::move(auth_key);
    c.priv_protocol = std::move(priv_proto);
    c.priv_key = std::move(priv_key);
    t.timeout = std::chrono::milliseconds(500);
    t.retries = 1;
    return t;
}

inline std::chrono::steady_clock::time_point in(std::chrono::milliseconds d) {
    return std::chrono::steady_clock::now() + d;
}

}  // namespace avmon::snmp::test
