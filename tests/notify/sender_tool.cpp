// A separate process that sends the outbox, so a test can SIGKILL it mid-transaction:
//   notify_sender_tool --db PATH --url URL [--raise N] [--until-done]
// --raise N commits N alarms (each in its own room) with one notification each first;
// --until-done exits 0 once no row is pending or sending (exit 1 after 30 s).
#include <chrono>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>

#include "daemon/notify/mail_sender.hpp"

using namespace avmon;

int main(int argc, char** argv) {
    std::string db, url;
    int raise = 0;
    bool until_done = false;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--db" && i + 1 < argc) db = argv[++i];
        else if (a == "--url" && i + 1 < argc) url = argv[++i];
        else if (a == "--raise" && i + 1 < argc) raise = std::stoi(argv[++i]);
        else if (a == "--until-done") until_done = true;
        else { std::cerr << "unknown argument " << a << "\n"; return 2; }
    }
    SystemClock clock;
    config::StoreConfig sc;
    sc.path = db;
    store::StoreWriter writer(sc, clock);
    config::SmtpConfig smtp;
    smtp.enabled = true;
    smtp.url = url;
    smtp.from = "avmon@example.test";
    smtp.starttls = false;
    smtp.timeout = std::chrono::seconds(5);
    smtp.retry_initial = std::chrono::seconds(1);
    smtp.retry_max = std::chrono::seconds(2);
    notify::MailSenderOptions opts;
    opts.settle = std::chrono::milliseconds(0);
    opts.poll_interval = std::chrono::milliseconds(200);
    notify::MailSender sender(smtp, db, writer, clock, opts);
    for (int i = 1; i <= raise; ++i) {
        AlarmEvent e;
        e.time = clock.now();
        e.alarm.id = i;
        e.alarm.rule_id = "reachable";
        e.alarm.room = "room" + std::to_string(i);
        e.alarm.device = "codec" + std::to_string(i);
        e.alarm.severity = Severity::I;
        e.alarm.text = "codec unreachable";
        e.alarm.raised_at = e.time;
        e.notify.push_back(NotificationRequest{"ops@example.test", "", 0});
        writer.enqueue(std::move(e));
    }
    if (!writer.flush()) return 3;
    std::cout << "READY" << std::endl;
    sender.start();
    const auto t0 = std::chrono::steady_clock::now();
    store::StoreReader reader(db);
    for (;;) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        if (!until_done) continue;
        auto left = reader.database().query_int(
            "SELECT count(*) FROM notifications WHERE status IN ('pending','sending')");
        if (left && *left == 0) break;
        if (std::chrono::steady_clock::now() - t0 > std::chrono::seconds(30)) return 1;
    }
    sender.stop();
    writer.stop();
    return 0;
}
