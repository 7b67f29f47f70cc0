#pragma once
// Helpers for the notify tests: a real aiosmtpd sink in a child process, a test CA made with
// openssl, a scratch store and alarm events with notification requests.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/core/alarm_event.hpp"
#include "daemon/store/store_writer.hpp"
#include "tests/store/test_support.hpp"

namespace avmon::notify::test {

using store::test::LogCapture;
using store::test::TempDir;
using store::test::utc;

inline std::string sink_script() { return std::string(AVMON_SOURCE_DIR) + "/tests/notify/smtp_sink.py"; }

// A test CA and a server certificate for localhost/127.0.0.1 signed by it.
struct TestCa {
    std::string ca_cert, cert, key;
    explicit TestCa(const TempDir& dir) {
        ca_cert = dir.file("ca.pem");
        cert = dir.file("server.pem");
        key = dir.file("server.key");
        const std::string d = dir.path().string();
        const std::string cmd =
            "cd '" + d + "' && openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=avmon-test-ca "
            "-keyout ca.key -out ca.pem >/dev/null 2>&1 && "
            "openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout server.key -out server.csr "
            ">/dev/null 2>&1 && printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > san.ext && "
            "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
            "-extfile san.ext -out server.pem >/dev/null 2>&1";
        if (std::system(cmd.c_str()) != 0) throw std::runtime_error("openssl failed");
    }
};

// smtp_sink.py in a child process; stops it (SIGTERM, then waits) on destruction.
class SmtpSink {
public:
    SmtpSink(std::string out, std::vector<std::string> extra, int port = 0) : out_(std::move(out)) {
        int fds[2];
        if (pipe(fds) != 0) throw std::runtime_error("pipe");
        std::vector<std::string> argv{"/usr/bin/python3", sink_script(), "--out", out_, "--port",
                                      std::to_string(port)};
        argv.insert(argv.end(), extra.begin(), extra.end());
        pid_ = fork();
        if (pid_ == 0) {
            dup2(fds[1], 1);
            close(fds[0]);
            close(fds[1]);
            std::vector<char*> av;
            for (auto& a : argv) av.push_back(a.data());
            av.push_back(nullptr);
            execv(av[0], av.data());
            _exit(127);
        }
        close(fds[1]);
        FILE* f = fdopen(fds[0], "r");
        char line[128] = {0};
        if (!fgets(line, sizeof line, f) || std::sscanf(line, "PORT %d", &port_) != 1) {
            fclose(f);
            stop();
            throw std::runtime_error("smtp sink did not start");
        }
        fclose(f);
    }
    ~SmtpSink() { stop(); }
    void stop() {
        if (pid_ <= 0) return;
        kill(pid_, SIGTERM);
        int st = 0;
        waitpid(pid_, &st, 0);
        pid_ = -1;
    }
    int port() const { return port_; }
    std::string url(const std::string& host = "127.0.0.1") const {
        return "smtp://" + host + ":" + std::to_string(port_);
    }
    std::vector<nlohmann::json> mails() const { return read_mails(out_); }
    static std::vector<nlohmann::json> read_mails(const std::string& path) {
        std::vector<nlohmann::json> out;
        std::ifstream in(path);
        std::string line;
        while (std::getline(in, line))
            if (!line.empty()) out.push_back(nlohmann::json::parse(line));
        return out;
    }

private:
    std::string out_;
    pid_t pid_ = -1;
    int port_ = 0;
};

// A port nobody listens on (bound and released).
inline int free_port() {
    SmtpSink probe("/dev/null", {});
    const int p = probe.port();
    probe.stop();
    return p;
}

inline Alarm make_alarm(std::int64_t id, std::string room, std::string device, Severity sev,
                        std::string text, SysTime raised) {
    Alarm a;
    a.id = id;
    a.rule_id = "reachable";
    a.room = std::move(room);
    a.device = std::move(device);
    a.severity = sev;
    a.text = std::move(text);
    a.raised_at = raised;
    a.ack_deadline = raised + std::chrono::minutes(30);
    a.resolve_deadline = raised + std::chrono::hours(12);
    return a;
}

inline AlarmEvent raised_event(Alarm a, std::vector<std::string> recipients,
                               AlarmEventKind kind = AlarmEventKind::raised) {
    AlarmEvent e;
    e.kind = kind;
    e.time = a.raised_at;
    e.alarm = std::move(a);
    for (auto& r : recipients) e.notify.push_back(NotificationRequest{r, "", e.alarm.escalation_level});
    return e;
}

inline config::SmtpConfig smtp_config(const std::string& url) {
    config::SmtpConfig c;
    c.enabled = true;
    c.url = url;
    c.from = "avmon@example.test";
    c.starttls = false;
    c.ehlo_name = "avmond.example.test";
    c.timeout = std::chrono::seconds(5);
    c.group_window = std::chrono::seconds(30);
    c.retry_initial = std::chrono::seconds(30);
    c.retry_max = std::chrono::seconds(600);
    c.undelivered_alarm_after = std::chrono::seconds(1800);
    return c;
}

}  // namespace avmon::notify::test
