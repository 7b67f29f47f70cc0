#include "daemon/notify/smtp_transport.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <mutex>

#include <curl/curl.h>
#include <fmt/format.h>

namespace avmon::notify {
namespace {

void global_init_once() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Upload {
    const std::string* data;
    std::size_t pos = 0;
};

std::size_t read_cb(char* buf, std::size_t size, std::size_t n, void* user) {
    auto* up = static_cast<Upload*>(user);
    const std::size_t room = size * n;
    const std::size_t left = up->data->size() - up->pos;
    const std::size_t k = std::min(room, left);
    std::memcpy(buf, up->data->data() + up->pos, k);
    up->pos += k;
    return k;
}

curl_socket_t open_cb(void* user, curlsocktype, struct curl_sockaddr* addr) {
    const int fd = static_cast<SmtpAbort*>(user)->open_socket(addr->family, addr->socktype, addr->protocol);
    return fd < 0 ? CURL_SOCKET_BAD : fd;
}

int close_cb(void* user, curl_socket_t fd) {
    static_cast<SmtpAbort*>(user)->close_socket(fd);
    return 0;
}

// Removes user:password@ should a URL ever carry credentials, so errors can show the URL.
std::string printable_url(const std::string& url) {
    auto scheme = url.find("://");
    auto at = url.find('@', scheme == std::string::npos ? 0 : scheme + 3);
    if (scheme == std::string::npos || at == std::string::npos) return url;
    return url.substr(0, scheme + 3) + url.substr(at + 1);
}

}  // namespace

void SmtpAbort::abort() {
    std::lock_guard lock(m_);
    aborted_ = true;
    for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
}

bool SmtpAbort::aborted() const {
    std::lock_guard lock(m_);
    return aborted_;
}

int SmtpAbort::open_socket(int domain, int type, int protocol) {
    std::lock_guard lock(m_);
    if (aborted_) return -1;
    const int fd = ::socket(domain, type | SOCK_CLOEXEC, protocol);
    if (fd >= 0) fds_.push_back(fd);
    return fd;
}

void SmtpAbort::close_socket(int fd) {
    std::lock_guard lock(m_);
    fds_.erase(std::remove(fds_.begin(), fds_.end(), fd), fds_.end());
    ::close(fd);
}

SmtpTarget target_from(const config::SmtpConfig& cfg, const std::string& url) {
    SmtpTarget t;
    t.url = url;
    t.ehlo_name = cfg.ehlo_name;
    t.starttls = cfg.starttls;
    t.ca_file = cfg.ca_file;
    t.username = cfg.username;
    t.password = cfg.password;
    t.timeout = cfg.timeout;
    return t;
}

std::string url_with_ehlo(const std::string& url, const std::string& ehlo_name) {
    std::string base = url;
    const auto scheme = base.find("://");
    const auto slash = base.find('/', scheme == std::string::npos ? 0 : scheme + 3);
    if (slash != std::string::npos) base.erase(slash);
    std::string safe;
    for (char c : ehlo_name)
        if (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-') safe += c;
    return safe.empty() ? base : base + "/" + safe;
}

SendResult send_mail(const SmtpTarget& target, const std::string& from,
                     const std::vector<std::string>& recipients, const std::string& message) {
    global_init_once();
    SendResult r;
    CURL* curl = curl_easy_init();
    if (!curl) {
        r.error = "libcurl could not create a handle";
        return r;
    }
    char errbuf[CURL_ERROR_SIZE] = {0};
    Upload up{&message};
    curl_slist* rcpts = nullptr;
    for (const auto& rc : recipients) rcpts = curl_slist_append(rcpts, rc.c_str());
    const std::string url = url_with_ehlo(target.url, target.ehlo_name);
    const bool implicit_tls = target.url.rfind("smtps://", 0) == 0;
    const long timeout_ms = static_cast<long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(target.timeout).count());

    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpts);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(curl, CURLOPT_READDATA, &up);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms * 2);
    if (!implicit_tls && target.starttls) curl_easy_setopt(curl, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    if (target.abort) {
        curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, open_cb);
        curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, target.abort);
        curl_easy_setopt(curl, CURLOPT_CLOSESOCKETFUNCTION, close_cb);
        curl_easy_setopt(curl, CURLOPT_CLOSESOCKETDATA, target.abort);
    }
    if (!target.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, target.ca_file.c_str());
    if (!target.username.empty()) {
        curl_easy_setopt(curl, CURLOPT_USERNAME, target.username.c_str());
        curl_easy_setopt(curl, CURLOPT_PASSWORD, target.password.c_str());
    }

    const CURLcode rc = curl_easy_perform(curl);
    long code = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    r.smtp_code = code;
    if (rc == CURLE_OK) {
        r.outcome = SendOutcome::sent;
    } else {
        const bool config_problem = rc == CURLE_LOGIN_DENIED || rc == CURLE_USE_SSL_FAILED ||
                                    rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
                                    rc == CURLE_SSL_CONNECT_ERROR;
        r.outcome = (code >= 500 && code < 600 && !config_problem) ? SendOutcome::permanent
                                                                    : SendOutcome::temporary;
        r.error = fmt::format("{}: {}{}", printable_url(target.url),
                              errbuf[0] ? errbuf : curl_easy_strerror(rc),
                              code ? fmt::format(" (SMTP {})", code) : "");
    }
    curl_slist_free_all(rcpts);
    curl_easy_cleanup(curl);
    return r;
}

}  // namespace avmon::notify
