#pragma once
// PJLink security level 1: md5_hex(random + password), sent in front of the first command.
#include <string>
#include <string_view>

namespace avmon::pjlink {

// 32 lowercase hex digits. Never log the result: with the random it stands for the password.
std::string auth_digest(std::string_view random, std::string_view password);

}  // namespace avmon::pjlink
