#include <catch2/catch.hpp>

#include "daemon/notify/mail_render.hpp"
#include "tests/notify/notify_test_support.hpp"

using namespace avmon;
using namespace avmon::notify;
using namespace std::chrono_literals;
using avmon::notify::test::utc;

namespace {

MailItem item(std::int64_t id, Alarm a, AlarmEventKind kind = AlarmEventKind::raised, int level = 0) {
    MailItem m;
    m.outbox_id = id;
    m.alarm = std::move(a);
    m.kind = kind;
    m.escalation_level = level;
    return m;
}

MailContext context() {
    MailContext c;
    c.from = "avmon@example.test";
    c.to = "ops@example.test";
    c.message_id = "<avmon.1.abc@avmond>";
    c.date = utc("2026-11-24T08:05:00Z");
    c.room_id = "r3f";
    c.room_name = "Boardroom 3F";
    c.site_name = "Shanghai HQ";
    c.site_tz = alarms::TimeZone::load("Asia/Shanghai");
    c.device_names = {{"codec-3f", "Codec Boardroom 3F"}, {"sw-3f", "Switch 3F"}};
    c.level_names = {"on-duty engineer", "supervisor", "manager"};
    return c;
}

}  // namespace

TEST_CASE("notify: a raised alarm mail has severity and room in the subject and the ack command") {
    const SysTime t = utc("2026-11-24T08:00:00Z");
    auto a = test::make_alarm(42, "r3f", "codec-3f", Severity::I, "codec unreachable", t);
    a.value = 0;
    auto ctx = context();
    Alarm other = test::make_alarm(7, "r3f", "disp-3f", Severity::III, "lamp hours 1900", t - 48h);
    ctx.other_open_alarms.push_back(other);
    auto mi = item(1, a);
    mi.also_told = {"boss@example.test"};
    const auto m = render_mail({mi}, ctx);
    CHECK(m.subject == "[AVMON I] Boardroom 3F: codec unreachable");
    CHECK(m.body.find("Site: Shanghai HQ") != std::string::npos);
    CHECK(m.body.find("Codec Boardroom 3F (codec-3f)") != std::string::npos);
    // UTC and site-local time (UTC+8)
    CHECK(m.body.find("2026-11-24T08:00:00Z (2026-11-24 16:00 +08:00 Asia/Shanghai)") != std::string::npos);
    CHECK(m.body.find("Ack by:    2026-11-24T08:30:00Z") != std::string::npos);
    CHECK(m.body.find("Resolve by: 2026-11-24T20:00:00Z") != std::string::npos);
    CHECK(m.body.find("Escalation: on-duty engineer") != std::string::npos);
    CHECK(m.body.find("Also told: boss@example.test") != std::string::npos);
    CHECK(m.body.find("avmonctl ack 42") != std::string::npos);
    CHECK(m.body.find("#7 [III]") != std::string::npos);
    CHECK(m.body.find("lamp hours 1900") != std::string::npos);
    // headers, then an empty line, then the body; CRLF everywhere
    const auto& msg = m.message;
    CHECK(msg.rfind("From: avmon@example.test\r\nTo: ops@example.test\r\n", 0) == 0);
    CHECK(msg.find("Date: Tue, 24 Nov 2026 08:05:00 +0000\r\n") != std::string::npos);
    CHECK(msg.find("Message-ID: <avmon.1.abc@avmond>\r\n") != std::string::npos);
    CHECK(msg.find("MIME-Version: 1.0\r\n") != std::string::npos);
    CHECK(msg.find("Content-Type: text/plain; charset=utf-8\r\n") != std::string::npos);
    CHECK(msg.find("\r\n\r\nRoom: Boardroom 3F") != std::string::npos);
    for (std::size_t i = 0; i < msg.size(); ++i)
        if (msg[i] == '\n') REQUIRE((i > 0 && msg[i - 1] == '\r'));
}

TEST_CASE("notify: a storm mail names the root cause and the affected devices, most severe first") {
    const SysTime t = utc("2026-11-24T08:00:00Z");
    std::vector<MailItem> items;
    for (int i = 0; i < 6; ++i) {
        auto c = test::make_alarm(100 + i, "r3f", "mic-" + std::to_string(i), Severity::II, "mic unreachable", t);
        c.suppressed = true;
        c.root_alarm_id = 99;
        c.suppression_reason = "root cause: switch sw-3f port 12 down";
        items.push_back(item(10 + i, c));
    }
    items.push_back(item(20, test::make_alarm(99, "r3f", "sw-3f", Severity::I, "switch port 12 down", t)));
    const auto m = render_mail(items, context());
    CHECK(m.subject == "[AVMON I] Boardroom 3F: switch port 12 down +6 more");
    CHECK(m.body.find("6 device(s) are affected") != std::string::npos);
    CHECK(m.body.find("root cause: switch sw-3f port 12 down") != std::string::npos);
    for (int i = 0; i < 6; ++i) CHECK(m.body.find("mic-" + std::to_string(i)) != std::string::npos);
    CHECK(m.body.find("Switch 3F (sw-3f)") < m.body.find("mic-0"));
}

TEST_CASE("notify: resolution and escalation mails say so in the subject") {
    const SysTime t = utc("2026-11-24T08:00:00Z");
    auto a = test::make_alarm(5, "r3f", "codec-3f", Severity::I, "codec unreachable", t);
    a.state = AlarmState::resolved;
    a.resolved_at = t + 20min;
    auto resolved = render_mail({item(1, a, AlarmEventKind::resolved)}, context());
    CHECK(resolved.subject == "[AVMON I] RESOLVED Boardroom 3F: codec unreachable");
    CHECK(resolved.body.find("avmonctl ack") == std::string::npos);
    auto b = test::make_alarm(6, "r3f", "codec-3f", Severity::I, "codec unreachable", t);
    b.escalation_level = 1;
    auto esc = render_mail({item(2, b, AlarmEventKind::escalated, 1)}, context());
    CHECK(esc.subject == "[AVMON I] ESCALATED to supervisor Boardroom 3F: codec unreachable");
    CHECK(esc.body.find("avmonctl ack 6") != std::string::npos);
    auto rem = render_mail({item(3, b, AlarmEventKind::reminder, 1)}, context());
    CHECK(rem.subject.rfind("[AVMON I] REMINDER Boardroom 3F", 0) == 0);
}

TEST_CASE("notify: Message-ID is stable per group and independent of order") {
    const auto a = make_message_id({3, 1, 2}, "avmond.example.test");
    CHECK(a == make_message_id({1, 2, 3}, "avmond.example.test"));
    CHECK(a.rfind("<avmon.1.", 0) == 0);
    CHECK(a.substr(a.size() - 21) == "@avmond.example.test>");
    CHECK(a != make_message_id({1, 2}, "avmond.example.test"));
    CHECK(make_message_id({1}, "bad host\r\n").find(' ') == std::string::npos);
}

TEST_CASE("notify: a Chinese room name gives an encoded subject and an 8bit UTF-8 body") {
    auto ctx = context();
    ctx.room_name = "三楼大会议室";
    const auto m = render_mail({item(1, test::make_alarm(1, "r3f", "codec-3f", Severity::II, "fan error",
                                                      utc("2026-11-24T08:00:00Z")))},
                               ctx);
    CHECK(m.subject == "[AVMON II] 三楼大会议室: fan error");
    CHECK(m.message.find("Subject: =?UTF-8?B?") != std::string::npos);
    CHECK(m.message.find("Content-Transfer-Encoding: 8bit") != std::string::npos);
}
