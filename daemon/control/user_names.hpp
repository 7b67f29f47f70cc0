#pragma once
// The user name of a control-socket peer's uid, looked up off the loop thread: getpwuid_r
// goes through NSS, which may ask sssd or LDAP and stall for seconds. Answers are cached on
// the loop thread for a while (accounts are renamed rarely; the uid is audited as well).
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "daemon/core/asio.hpp"

namespace avmon::control {

// Blocking NSS lookup: the name, or "uid:N" when the uid has none.
std::string lookup_user_name(std::uint32_t uid);

class UserNames {
public:
    using Lookup = std::function<std::string(std::uint32_t)>;
    explicit UserNames(asio::any_io_executor loop, std::chrono::seconds cache_for = std::chrono::minutes(10),
                       Lookup lookup = lookup_user_name);
    ~UserNames();  // waits for a lookup in progress
    UserNames(const UserNames&) = delete;
    UserNames& operator=(const UserNames&) = delete;

    // Resumes on the loop thread. Concurrent callers for a new uid may each look it up once.
    awaitable<std::string> name_of(std::uint32_t uid);

    std::uint64_t lookups() const { return lookups_; }  // NSS calls made (for tests)

private:
    struct Entry {
        std::string name;
        std::chrono::steady_clock::time_point fetched;
    };
    asio::any_io_executor loop_;
    std::chrono::seconds cache_for_;
    Lookup lookup_;
    asio::thread_pool pool_{1};
    std::map<std::uint32_t, Entry> cache_;  // loop thread only
    std::uint64_t lookups_ = 0;
};

}  // namespace avmon::control
