#include "daemon/report/report_mail.hpp"

#include "daemon/notify/smtp_transport.hpp"

#include <fmt/format.h>

#include <cstring>
#include <random>

namespace avmon::report {
namespace {

// Base64 with 76-column lines, for the HTML attachment (it may hold any UTF-8).
std::string base64_lines(const std::string& in) {
    static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out, line;
    std::size_t i = 0;
    auto flush = [&] {
        out += line + "\r\n";
        line.clear();
    };
    while (i < in.size()) {
        const unsigned b0 = static_cast<unsigned char>(in[i]);
        const unsigned b1 = i + 1 < in.size() ? static_cast<unsigned char>(in[i + 1]) : 0;
        const unsigned b2 = i + 2 < in.size() ? static_cast<unsigned char>(in[i + 2]) : 0;
        line += t[b0 >> 2];
        line += t[((b0 & 3) << 4) | (b1 >> 4)];
        line += i + 1 < in.size() ? t[((b1 & 15) << 2) | (b2 >> 6)] : '=';
        line += i + 2 < in.size() ? t[b2 & 63] : '=';
        i += 3;
        if (line.size() >= 76) flush();
    }
    if (!line.empty()) flush();
    return out;
}

// Text lines end with CRLF, and a line starting with "." is doubled by curl itself.
std::string crlf(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '\n') out += "\r\n";
        else if (c != '\r') out += c;
    }
    return out;
}

std::string rfc5322_date(SysTime t) {
    const std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    return buf;
}

}  // namespace

std::string build_mime_message(const config::SmtpConfig& smtp, const ReportMail& mail, SysTime date) {
    std::mt19937_64 rng(static_cast<std::uint64_t>(to_unix_ms(date)));
    const std::string boundary = fmt::format("avmon-{:016x}", rng());
    std::string to;
    for (const auto& r : mail.to) to += (to.empty() ? "" : ", ") + r;
    std::string m = fmt::format("Date: {}\r\nFrom: {}\r\nTo: {}\r\nSubject: {}\r\nMIME-Version: 1.0\r\n",
                                rfc5322_date(date), smtp.from, to, mail.subject);
    m += fmt::format("Content-Type: multipart/mixed; boundary=\"{}\"\r\n\r\n", boundary);
    m += fmt::format("--{}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{}\r\n",
                     boundary, crlf(mail.text_body));
    if (!mail.html_attachment.empty())
        m += fmt::format("--{}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Disposition: attachment; "
                         "filename=\"{}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}",
                         boundary, mail.attachment_name, base64_lines(mail.html_attachment));
    m += fmt::format("--{}--\r\n", boundary);
    return m;
}

bool send_report_mail(const config::SmtpConfig& smtp, const ReportMail& mail, std::string& error) {
    if (smtp.url.empty()) {
        error = "no [smtp] url configured";
        return false;
    }
    if (mail.to.empty()) {
        error = "no recipients";
        return false;
    }
    // One SMTP transaction through the notification engine's libcurl transport (same TLS,
    // authentication and EHLO handling as alarm mail).
    const auto result = notify::send_mail(notify::target_from(smtp, smtp.url), smtp.from, mail.to,
                                          build_mime_message(smtp, mail, std::chrono::system_clock::now()));
    if (result.outcome != notify::SendOutcome::sent) {
        error = fmt::format("mail to {} via {} failed: {}", mail.to.front(), smtp.url, result.error);
        return false;
    }
    return true;
}

}  // namespace avmon::report
