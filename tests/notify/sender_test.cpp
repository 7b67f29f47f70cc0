#include <catch2/catch.hpp>

#include <set>
#include <thread>

#include "daemon/core/message_ids.hpp"
#include "daemon/notify/mail_sender.hpp"
#include "tests/notify/notify_test_support.hpp"

using namespace avmon;
using namespace avmon::notify;
using namespace avmon::notify::test;
using namespace std::chrono_literals;

namespace {

struct Fixture {
    TempDir dir;
    LogCapture logs;
    ManualClock clock{utc("2026-11-24T08:00:00Z")};
    config::StoreConfig store_cfg = store::test::store_config(dir);
    store::StoreWriter writer{store_cfg, clock};
    std::string mails = dir.file("mails.jsonl");

    void raise(std::int64_t id, const std::string& room, const std::string& device,
               std::vector<std::string> rcpts, Severity sev = Severity::I,
               std::string text = "codec unreachable") {
        writer.enqueue(raised_event(make_alarm(id, room, device, sev, std::move(text), clock.now()),
                                    std::move(rcpts)));
        REQUIRE(writer.flush(10s));
    }
    std::vector<store::OutboxItem> outbox() {
        store::StoreReader r(store_cfg.path);
        std::vector<store::OutboxItem> all;
        for (std::int64_t a = 1; a <= r.max_alarm_id(); ++a)
            for (auto& o : r.outbox_for_alarm(a)) all.push_back(o);
        return all;
    }
    bool logged(const std::string& needle) const {
        for (const auto& l : logs.lines()) {
            if (l.text.find(needle) != std::string::npos) return true;
            for (const auto& f : l.fields)
                if (f.value.find(needle) != std::string::npos) return true;
        }
        return false;
    }
};

MailSenderOptions quick() {
    MailSenderOptions o;
    o.settle = 0ms;
    return o;
}

}  // namespace

TEST_CASE("notify: STARTTLS with the test CA and AUTH, the password never reaches a log line") {
    Fixture f;
    TestCa ca(f.dir);
    SmtpSink sink(f.mails, {"--tls", ca.cert, ca.key, "--auth", "alarm:s3cret-pw"});
    auto cfg = smtp_config(sink.url("localhost"));
    cfg.starttls = true;
    cfg.ca_file = ca.ca_cert;
    cfg.username = "alarm";
    cfg.password = "s3cret-pw";
    f.raise(1, "r3f", "codec-3f", {"ops@example.test"});
    MailSender sender(cfg, f.store_cfg.path, f.writer, f.clock, quick());
    const auto r = sender.run_once();
    CHECK(r.mails_sent == 1);
    const auto mails = sink.mails();
    REQUIRE(mails.size() == 1);
    CHECK(mails[0]["tls"] == true);
    CHECK(mails[0]["auth_user"] == "alarm");
    CHECK(mails[0]["ehlo"] == "avmond.example.test");  // curl sends the URL path as the EHLO name
    CHECK(mails[0]["mail_from"] == "avmon@example.test");
    CHECK(mails[0]["rcpt_tos"] == nlohmann::json::array({"ops@example.test"}));
    CHECK(mails[0]["subject"] == "[AVMON I] r3f: codec unreachable");
    const auto rows = f.outbox();
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].status == store::OutboxStatus::sent);
    CHECK(rows[0].sent);
    CHECK(rows[0].message_id == mails[0]["message_id"].get<std::string>());
    CHECK(rows[0].message_id.find("@avmond.example.test>") != std::string::npos);
    CHECK(f.logs.count(msgid::notification_sent) == 1);

    // A wrong password: a temporary failure (fixed by a reload), still no secret in the logs.
    cfg.password = "wr0ng-pw";
    sender.reconfigure(cfg, nullptr);
    f.raise(2, "r3f", "codec-3f", {"ops@example.test"});
    CHECK(sender.run_once().temporary_failures == 1);
    // Without the CA: certificate verification fails, also temporary.
    cfg.password = "s3cret-pw";
    cfg.ca_file.clear();
    sender.reconfigure(cfg, nullptr);
    f.clock.advance(1h);
    CHECK(sender.run_once().temporary_failures == 1);
    CHECK(sink.mails().size() == 1);
    CHECK_FALSE(f.logged("s3cret-pw"));
    CHECK_FALSE(f.logged("wr0ng-pw"));
    CHECK(f.logs.count(msgid::notification_retry) == 2);
}

TEST_CASE("notify: smtps:// is implicit TLS with the test CA") {
    Fixture f;
    TestCa ca(f.dir);
    SmtpSink sink(f.mails, {"--tls", ca.cert, ca.key, "--implicit-tls", "--auth", "alarm:pw"});
    auto cfg = smtp_config("smtps://localhost:" + std::to_string(sink.port()));
    cfg.ca_file = ca.ca_cert;
    cfg.username = "alarm";
    cfg.password = "pw";
    f.raise(1, "r3f", "codec-3f", {"ops@example.test"});
    MailSender sender(cfg, f.store_cfg.path, f.writer, f.clock, quick());
    CHECK(sender.run_once().mails_sent == 1);
    const auto mails = sink.mails();
    REQUIRE(mails.size() == 1);
    CHECK(mails[0]["tls"] == true);
    CHECK(mails[0]["auth_user"] == "alarm");
}

TEST_CASE("notify: rows left 'sending' by a crash are resent with the same Message-ID, sent ones never again") {
    Fixture f;
    SmtpSink sink(f.mails, {});
    f.raise(1, "r3f", "codec-3f", {"ops@example.test"});
    f.raise(2, "r2f", "codec-2f", {"ops@example.test"});
    auto rows = f.outbox();
    REQUIRE(rows.size() == 2);
    // What a crash between "sending" and the verdict leaves behind, and a row already sent.
    store::OutboxUpdate left;
    left.ids = {rows[0].id};
    left.status = store::OutboxStatus::sending;
    left.next_attempt = f.clock.now();
    left.message_id = "<avmon.1.feedfacefeedface@avmond.example.test>";
    f.writer.enqueue_outbox_update(left);
    store::OutboxUpdate done;
    done.ids = {rows[1].id};
    done.status = store::OutboxStatus::sent;
    done.attempts = 1;
    done.message_id = "<avmon.2.0@avmond.example.test>";
    done.sent = f.clock.now();
    f.writer.enqueue_outbox_update(done);
    REQUIRE(f.writer.flush(10s));
    MailSender sender(smtp_config(sink.url()), f.store_cfg.path, f.writer, f.clock, quick());
    CHECK(sender.run_once().mails_sent == 1);
    f.clock.advance(1h);
    CHECK(sender.run_once().mails_sent == 0);
    const auto mails = sink.mails();
    REQUIRE(mails.size() == 1);
    CHECK(mails[0]["message_id"] == "<avmon.1.feedfacefeedface@avmond.example.test>");
    CHECK(mails[0]["subject"] == "[AVMON I] r3f: codec unreachable");
}

TEST_CASE("notify: STARTTLS is required by default: a server without it is not used in clear") {
    Fixture f;
    SmtpSink sink(f.mails, {});
    auto cfg = smtp_config(sink.url());
    cfg.starttls = true;
    f.raise(1, "r3f", "codec-3f", {"ops@example.test"});
    MailSender sender(cfg, f.store_cfg.path, f.writer, f.clock, quick());
    CHECK(sender.run_once().temporary_failures == 1);
    CHECK(sink.mails().empty());
}

TEST_CASE("notify: 451 for the first attempts, back-off from retry_initial, then delivered exactly once") {
    Fixture f;
    SmtpSink sink(f.mails, {"--fail-first", "2"});
    f.raise(1, "r3f", "codec-3f", {"ops@example.test"});
    MailSender sender(smtp_config(sink.url()), f.store_cfg.path, f.writer, f.clock, quick());
    const SysTime t0 = f.clock.now();
    auto r = sender.run_once();
    CHECK(r.temporary_failures == 1);
    auto rows = f.outbox();
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].status == store::OutboxStatus::pending);
    CHECK(rows[0].attempts == 1);
    CHECK(rows[0].next_attempt == t0 + 30s);
    CHECK(rows[0].last_error.find("451") != std::string::npos);
    const std::string first_id = rows[0].message_id;
    REQUIRE(r.next_due);
    CHECK(*r.next_due == t0 + 30s);
    // Not due yet: nothing is tried.
    f.clock.advance(29s);
    CHECK(sender.run_once().temporary_failures == 0);
    f.clock.advance(1s);
    CHECK(sender.run_once().temporary_failures == 1);
    rows = f.outbox();
    CHECK(rows[0].attempts == 2);
    CHECK(rows[0].next_attempt == t0 + 30s + 60s);  // doubled
    f.clock.advance(60s);
    CHECK(sender.run_once().mails_sent == 1);
    f.clock.advance(1h);
    CHECK(sender.run_once().mails_sent == 0);
    const auto mails = sink.mails();
    REQUIRE(mails.size() == 1);
    CHECK(mails[0]["message_id"] == first_id);  // the retried mail kept its Message-ID
    rows = f.outbox();
    CHECK(rows[0].status == store::OutboxStatus::sent);
    CHECK(rows[0].attempts == 3);
}

TEST_CASE("notify: server down for a while, then back: all queued mail delivered, none twice") {
    Fixture f;
    const int port = free_port();
    auto cfg = smtp_config("smtp://127.0.0.1:" + std::to_string(port));
    for (int i = 1; i <= 5; ++i) f.raise(i, "room" + std::to_string(i), "codec", {"ops@example.test"});
    MailSender sender(cfg, f.store_cfg.path, f.writer, f.clock, quick());
    CHECK(sender.run_once().temporary_failures == 5);
    f.clock.advance(30s);
    CHECK(sender.run_once().temporary_failures == 5);
    for (const auto& row : f.outbox()) {
        CHECK(row.attempts == 2);
        CHECK(row.status == store::OutboxStatus::pending);
    }
    SmtpSink sink(f.mails, {}, port);
    f.clock.advance(60s);
    CHECK(sender.run_once().mails_sent == 5);
    f.clock.advance(1h);
    CHECK(sender.run_once().mails_sent == 0);
    const auto mails = sink.mails();
    CHECK(mails.size() == 5);
    std::set<std::string> ids;
    for (const auto& m : mails) ids.insert(m["message_id"].get<std::string>());
    CHECK(ids.size() == 5);
    for (const auto& row : f.outbox()) CHECK(row.status == store::OutboxStatus::sent);
}

TEST_CASE("notify: 550 is permanent: failed, a journal line, never retried") {
    Fixture f;
    SmtpSink sink(f.mails, {"--reject"});
    f.raise(1, "r3f", "codec-3f", {"nobody@example.test"});
    MailSender sender(smtp_config(sink.url()), f.store_cfg.path, f.writer, f.clock, quick());
    CHECK(sender.run_once().permanent_failures == 1);
    auto rows = f.outbox();
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].status == store::OutboxStatus::failed);
    CHECK(rows[0].last_error.find("550") != std::string::npos);
    REQUIRE(f.logs.count(msgid::notification_failed) == 1);
    for (const auto& l : f.logs.lines())
        if (l.message_id == msgid::notification_failed) {
            CHECK(l.priority == log::Priority::err);
            CHECK(l.text.find("nobody@example.test") != std::string::npos);
            CHECK(l.text.find("550") != std::string::npos);
        }
    f.clock.advance(24h);
    const auto again = sender.run_once();
    CHECK(again.permanent_failures == 0);
    CHECK(again.temporary_failures == 0);
    CHECK(sink.mails().empty());
}

TEST_CASE("notify: a storm of 1 root + 6 suppressed children is one e-mail per recipient") {
    Fixture f;
    SmtpSink sink(f.mails, {});
    auto cfg = std::make_shared<config::Config>();
    cfg->rooms.push_back(config::RoomConfig{"r3f", "Boardroom 3F", "hq", "boardroom", {}});
    cfg->sites.push_back(config::SiteConfig{"hq", "Shanghai HQ", "Asia/Shanghai", {}});
    config::DeviceConfig sw;
    sw.id = "sw-3f";
    sw.name = "Switch 3F";
    sw.room = "r3f";
    cfg->devices.push_back(sw);
    MailSenderOptions opts;
    opts.config = cfg;
    opts.settle = 2000ms;
    MailSender sender(smtp_config(sink.url()), f.store_cfg.path, f.writer, f.clock, opts);

    const std::vector<std::string> both{"ops@example.test", "boss@example.test"};
    f.raise(1, "r3f", "sw-3f", both, Severity::I, "switch port 12 down");
    f.clock.advance(300ms);
    // The first commit is not enough: the group waits for the rest of the storm.
    auto held = sender.run_once();
    CHECK(held.mails_sent == 0);
    CHECK(held.groups_waiting == 2);
    for (int i = 0; i < 6; ++i) {
        auto a = make_alarm(2 + i, "r3f", "mic-" + std::to_string(i), Severity::II, "mic unreachable", f.clock.now());
        a.suppressed = true;
        a.root_alarm_id = 1;
        a.suppression_reason = "root cause: switch sw-3f port 12 down";
        f.writer.enqueue(raised_event(a, both));
        f.clock.advance(100ms);
    }
    REQUIRE(f.writer.flush(10s));
    CHECK(sender.run_once().mails_sent == 0);
    f.clock.advance(2s);
    CHECK(sender.run_once().mails_sent == 2);
    const auto mails = sink.mails();
    REQUIRE(mails.size() == 2);
    std::set<std::string> rcpts;
    for (const auto& m : mails) {
        rcpts.insert(m["rcpt_tos"][0].get<std::string>());
        CHECK(m["subject"] == "[AVMON I] Boardroom 3F: switch port 12 down +6 more");
        const std::string body = m["body"];
        CHECK(body.find("Site: Shanghai HQ") != std::string::npos);
        CHECK(body.find("6 device(s) are affected") != std::string::npos);
        CHECK(body.find("root cause: switch sw-3f port 12 down") != std::string::npos);
        for (int i = 0; i < 6; ++i) CHECK(body.find("mic-" + std::to_string(i)) != std::string::npos);
        CHECK(body.find("avmonctl ack 1") != std::string::npos);
        CHECK(body.find("(2026-11-24 16:00 +08:00 Asia/Shanghai)") != std::string::npos);
    }
    CHECK(rcpts == std::set<std::string>{"ops@example.test", "boss@example.test"});
    for (const auto& row : f.outbox()) CHECK(row.status == store::OutboxStatus::sent);
}

TEST_CASE("notify: undelivered for longer than allowed: journal line at err, flag, fallback server") {
    Fixture f;
    SmtpSink fallback(f.mails, {});
    auto cfg = smtp_config("smtp://127.0.0.1:" + std::to_string(free_port()));
    cfg.undelivered_alarm_after = 600s;
    f.raise(1, "r3f", "codec-3f", {"ops@example.test"});
    MailSender sender(cfg, f.store_cfg.path, f.writer, f.clock, quick());
    CHECK(sender.run_once().temporary_failures == 1);
    CHECK_FALSE(sender.undelivered());
    f.clock.advance(300s);
    sender.run_once();
    CHECK_FALSE(sender.undelivered());
    CHECK(f.logs.count(msgid::notifications_undelivered) == 0);
    f.clock.advance(300s);
    sender.run_once();
    CHECK(sender.undelivered());
    CHECK(sender.stats().undelivered);
    REQUIRE(f.logs.count(msgid::notifications_undelivered) == 1);
    for (const auto& l : f.logs.lines())
        if (l.message_id == msgid::notifications_undelivered) CHECK(l.priority == log::Priority::err);
    f.clock.advance(600s);
    sender.run_once();
    CHECK(sender.undelivered());
    CHECK(f.logs.count(msgid::notifications_undelivered) == 1);  // said once, not per scan

    // With a fallback server and recipients configured, the next attempt goes there.
    cfg.fallback_url = fallback.url();
    cfg.fallback_recipients = {"helpdesk@example.test"};
    sender.reconfigure(cfg, nullptr);
    f.clock.advance(1800s);
    CHECK(sender.run_once().mails_sent == 1);
    const auto mails = fallback.mails();
    REQUIRE(mails.size() == 1);
    CHECK(mails[0]["rcpt_tos"] == nlohmann::json::array({"ops@example.test", "helpdesk@example.test"}));
    CHECK_FALSE(sender.undelivered());
    CHECK(f.logs.count(msgid::notifications_undelivered) == 2);  // and that it recovered
}

TEST_CASE("notify: threaded: wake() after a commit sends within a second and stop() joins") {
    TempDir dir;
    SystemClock clock;
    auto store_cfg = store::test::store_config(dir);
    store::StoreWriter writer(store_cfg, clock);
    const std::string out = dir.file("mails.jsonl");
    SmtpSink sink(out, {});
    MailSenderOptions opts;
    opts.settle = 100ms;
    opts.poll_interval = 60s;  // only wake() can make it fast
    MailSender sender(smtp_config(sink.url()), store_cfg.path, writer, clock, opts);
    sender.start();
    const auto t0 = std::chrono::steady_clock::now();
    writer.enqueue(raised_event(make_alarm(1, "r3f", "codec-3f", Severity::I, "codec unreachable", clock.now()),
                                {"ops@example.test"}),
                   [&sender](std::int64_t) { sender.wake(); });
    while (sink.mails().empty() && std::chrono::steady_clock::now() - t0 < 10s)
        std::this_thread::sleep_for(20ms);
    CHECK(std::chrono::steady_clock::now() - t0 < 1500ms);
    CHECK(sink.mails().size() == 1);
    sender.stop();
    CHECK(sender.stats().mails_sent == 1);
}

TEST_CASE("notify: stop() abandons a slow SMTP transaction and the mail is sent later with the same id") {
    TempDir dir;
    SystemClock clock;
    auto store_cfg = store::test::store_config(dir);
    store::StoreWriter writer(store_cfg, clock);
    const std::string out = dir.file("mails.jsonl");
    std::string message_id;
    {
        SmtpSink slow(out, {"--delay", "20"});
        auto cfg = smtp_config(slow.url());
        cfg.timeout = 30s;
        MailSenderOptions opts;
        opts.settle = 0ms;
        MailSender sender(cfg, store_cfg.path, writer, clock, opts);
        writer.enqueue(raised_event(make_alarm(1, "r3f", "codec-3f", Severity::I, "codec unreachable", clock.now()),
                                    {"ops@example.test"}));
        REQUIRE(writer.flush(10s));
        sender.start();
        sender.wake();
        store::StoreReader reader(store_cfg.path);
        const auto t0 = std::chrono::steady_clock::now();
        while (std::chrono::steady_clock::now() - t0 < 10s) {
            auto row = reader.outbox_item(1);
            if (row && row->status == store::OutboxStatus::sending) {
                message_id = row->message_id;
                break;
            }
            std::this_thread::sleep_for(20ms);
        }
        REQUIRE_FALSE(message_id.empty());
        std::this_thread::sleep_for(300ms);  // inside the DATA phase now
        const auto s0 = std::chrono::steady_clock::now();
        sender.stop();
        CHECK(std::chrono::steady_clock::now() - s0 < 3s);
        REQUIRE(writer.flush(10s));
        auto row = reader.outbox_item(1);
        REQUIRE(row);
        CHECK(row->status != store::OutboxStatus::sent);
        CHECK(row->message_id == message_id);
    }
    SmtpSink sink(dir.file("mails2.jsonl"), {});
    ManualClock later(clock.now() + 1h);
    MailSenderOptions opts;
    opts.settle = 0ms;
    MailSender again(smtp_config(sink.url()), store_cfg.path, writer, later, opts);
    CHECK(again.run_once().mails_sent == 1);
    const auto mails = sink.mails();
    REQUIRE(mails.size() == 1);
    CHECK(mails[0]["message_id"] == message_id);
}
