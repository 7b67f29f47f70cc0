#pragma once
// One SMTP transaction through libcurl (no hand-written SMTP). Blocking: call it only from
// the mail sender's own thread, never from the io_context.
#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "config/model.hpp"

namespace avmon::notify {

enum class SendOutcome { sent, temporary, permanent };

struct SendResult {
    SendOutcome outcome = SendOutcome::temporary;
    long smtp_code = 0;        // last SMTP reply code (0: none, e.g. connection refused)
    std::string error;         // for the journal; never contains the password
};

// Lets another thread end a transaction in progress at once (stop() must not wait for a slow
// server): abort() shuts the connection's socket down, so curl's next read or write fails.
class SmtpAbort {
public:
    void abort();
    bool aborted() const;
    // Used by the transport's socket callbacks.
    int open_socket(int domain, int type, int protocol);  // -1 once aborted
    void close_socket(int fd);

private:
    mutable std::mutex m_;
    bool aborted_ = false;
    std::vector<int> fds_;
};

struct SmtpTarget {
    std::string url;           // smtp://host:port or smtps://host:port (no path)
    std::string ehlo_name;
    bool starttls = true;      // ignored for smtps:// (implicit TLS)
    std::string ca_file;
    std::string username;
    std::string password;
    std::chrono::seconds timeout{30};
    // When set, abort() on it abandons the transaction; the result is then temporary.
    SmtpAbort* abort = nullptr;
};

SmtpTarget target_from(const config::SmtpConfig& cfg, const std::string& url);

// "smtp://host:587" + "avmond.example.org" -> "smtp://host:587/avmond.example.org": curl sends
// the URL path as the EHLO name.
std::string url_with_ehlo(const std::string& url, const std::string& ehlo_name);

// Sends `message` (CRLF lines) from `from` to `recipients`. 5xx replies to the envelope or
// DATA are permanent; 4xx, connection, TLS and login failures are temporary (a wrong password
// or CA file is fixed by a reload, and the mail must still go out then).
SendResult send_mail(const SmtpTarget& target, const std::string& from,
                     const std::vector<std::string>& recipients, const std::string& message);

}  // namespace avmon::notify
