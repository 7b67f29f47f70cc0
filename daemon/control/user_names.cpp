#include "daemon/control/user_names.hpp"

#include <fmt/format.h>
#include <pwd.h>

#include <vector>

namespace avmon::control {

std::string lookup_user_name(std::uint32_t uid) {
    passwd pw{};
    passwd* found = nullptr;
    std::vector<char> buf(4096);
    if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) == 0 && found) return found->pw_name;
    return fmt::format("uid:{}", uid);
}

UserNames::UserNames(asio::any_io_executor loop, std::chrono::seconds cache_for, Lookup lookup)
    : loop_(std::move(loop)), cache_for_(cache_for), lookup_(std::move(lookup)) {}

UserNames::~UserNames() { pool_.join(); }

awaitable<std::string> UserNames::name_of(std::uint32_t uid) {
    const auto now = std::chrono::steady_clock::now();
    if (auto it = cache_.find(uid); it != cache_.end() && now - it->second.fetched < cache_for_)
        co_return it->second.name;
    ++lookups_;
    // The lookup runs on the pool thread; its result is handed back through the loop, where
    // the awaiting coroutine resumes.
    std::string name = co_await asio::async_initiate<decltype(asio::use_awaitable), void(std::string)>(
        [this, uid](auto handler) {
            asio::post(pool_, [uid, lookup = lookup_, loop = loop_, handler = std::move(handler)]() mutable {
                std::string n = lookup(uid);
                asio::post(loop, [handler = std::move(handler), n = std::move(n)]() mutable {
                    std::move(handler)(std::move(n));
                });
            });
        },
        asio::use_awaitable);
    cache_[uid] = Entry{name, std::chrono::steady_clock::now()};
    co_return name;
}

}  // namespace avmon::control
