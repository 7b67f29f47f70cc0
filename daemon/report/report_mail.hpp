#pragma once
// Mailing a report: one message with the plain-text report as the body and the HTML report
// as an attachment, sent over the configured SMTP server through avmon_notify's libcurl
// transport (STARTTLS/SMTPS, authentication and EHLO exactly as alarm mail). The notification engine's mailer queues alarm
// mail in the durable outbox; a report is a one-shot run by a timer, so it is sent directly and
// a failure is the command's exit status (systemd shows the failed unit).
#include <string>
#include <vector>

#include "config/model.hpp"

namespace avmon::report {

struct ReportMail {
    std::vector<std::string> to;
    std::string subject;
    std::string text_body;
    std::string html_attachment;     // may be empty
    std::string attachment_name = "report.html";
};

// The complete RFC 5322 message (headers and MIME body), as it is handed to the server.
std::string build_mime_message(const config::SmtpConfig& smtp, const ReportMail& mail, SysTime date);

// True on success; otherwise `error` says why (never the password).
bool send_report_mail(const config::SmtpConfig& smtp, const ReportMail& mail, std::string& error);

}  // namespace avmon::report
