#include <catch2/catch.hpp>

#include "daemon/notify/outbox_grouping.hpp"
#include "tests/store/test_support.hpp"

using namespace avmon;
using namespace avmon::notify;
using namespace std::chrono_literals;
using avmon::store::test::utc;

namespace {
store::OutboxItem row(std::int64_t id, std::string room, std::string rcpt, SysTime created) {
    store::OutboxItem r;
    r.id = id;
    r.alarm_id = id;
    r.room = std::move(room);
    r.recipient = std::move(rcpt);
    r.created = created;
    r.next_attempt = created;
    return r;
}
}  // namespace

TEST_CASE("notify: a storm for one room and recipient is one group, others are separate") {
    const SysTime t0 = utc("2026-11-24T08:00:00Z");
    std::vector<store::OutboxItem> due;
    for (int i = 0; i < 7; ++i) due.push_back(row(i + 1, "r3f", "ops@x", t0 + std::chrono::milliseconds(100 * i)));
    due.push_back(row(20, "r3f", "boss@x", t0));
    due.push_back(row(21, "r2f", "ops@x", t0));
    auto groups = group_outbox(due, t0 + 5s, 30s, 500ms);
    REQUIRE(groups.size() == 3);
    for (const auto& g : groups) {
        CHECK(g.ready);
        if (g.room == "r3f" && g.recipient == "ops@x") CHECK(g.items.size() == 7);
        else CHECK(g.items.size() == 1);
    }
}

TEST_CASE("notify: a new group waits for the storm to settle, never past the window") {
    const SysTime t0 = utc("2026-11-24T08:00:00Z");
    std::vector<store::OutboxItem> due{row(1, "r", "a@x", t0), row(2, "r", "a@x", t0 + 200ms)};
    auto g = group_outbox(due, t0 + 300ms, 30s, 500ms);
    REQUIRE(g.size() == 1);
    CHECK_FALSE(g[0].ready);
    CHECK(g[0].ready_at == t0 + 700ms);
    CHECK(group_outbox(due, t0 + 700ms, 30s, 500ms)[0].ready);
    // Rows keep trickling in: the window caps the wait, later rows start a new group.
    std::vector<store::OutboxItem> trickle;
    for (int i = 0; i < 40; ++i) trickle.push_back(row(i + 1, "r", "a@x", t0 + std::chrono::seconds(i)));
    auto g2 = group_outbox(trickle, t0 + 39s, 30s, 5000ms);
    REQUIRE(g2.size() == 2);
    CHECK(g2[0].items.size() == 31);
    CHECK(g2[0].ready);
    CHECK_FALSE(g2[1].ready);
}

TEST_CASE("notify: rows that carry a Message-ID stay together under it") {
    const SysTime t0 = utc("2026-11-24T08:00:00Z");
    auto a = row(1, "r", "a@x", t0), b = row(2, "r", "a@x", t0), c = row(3, "r", "a@x", t0);
    a.message_id = b.message_id = "<avmon.1.x@h>";
    a.status = b.status = store::OutboxStatus::sending;
    auto g = group_outbox({a, b, c}, t0 + 1s, 30s, 500ms);
    REQUIRE(g.size() == 2);
    CHECK(g[0].message_id == "<avmon.1.x@h>");
    CHECK(g[0].items.size() == 2);
    CHECK(g[1].message_id.empty());
    CHECK(g[1].items.size() == 1);
}

TEST_CASE("notify: retry back-off doubles from retry_initial up to retry_max") {
    CHECK(retry_delay(1, 30s, 1800s) == 30s);
    CHECK(retry_delay(2, 30s, 1800s) == 60s);
    CHECK(retry_delay(3, 30s, 1800s) == 120s);
    CHECK(retry_delay(7, 30s, 1800s) == 1800s);
    CHECK(retry_delay(1000, 30s, 1800s) == 1800s);
}
