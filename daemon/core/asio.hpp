#pragma once
// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>;
// include Asio only through this header so every translation unit gets it right.
#include <utility>
#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace avmon {
namespace asio = boost::asio;
template <typename T = void>
using awaitable = asio::awaitable<T>;
}  // namespace avmon
