// The trap receiver's log-once table on a manual clock: one line per sender and reason, a
// back-off for repeats, a bounded number of keys, and a bounded number of lines per hour
// however many datagrams or spoofed senders a flood brings.
#include <catch2/catch.hpp>

#include <string>

#include "probes/traps/trap_receiver.hpp"

using namespace avmon;
using namespace avmon::traps;
using namespace std::chrono_literals;
using Say = ComplaintTracker::Say;

namespace {

bool logs(SenderComplaints::Verdict v) { return v.say == Say::first_failure || v.say == Say::reminder; }

std::string sender(int n) { return "dropped|10." + std::to_string(n / 65536 % 256) + "." +
                                   std::to_string(n / 256 % 256) + "." + std::to_string(n % 256) + "|malformed"; }

}  // namespace

TEST_CASE("traps: one sender flooding logs once, then with back-off, never per N datagrams", "[traps]") {
    ManualClock clock(from_unix_ms(1'790'000'000'000));
    SenderComplaints table;
    int lines = 0;
    // 25,000 datagrams in the same second: the old table was emptied every 10,000 calls and
    // logged "first" again each time.
    for (int i = 0; i < 25'000; ++i) lines += logs(table.failure("rejected", sender(1), clock.now()));
    CHECK(lines == 1);
    CHECK(table.size() == 1);
    // Repeats are reminders at 1, 2, 4 ... minutes, capped at one an hour.
    clock.advance(59s);
    CHECK(table.failure("rejected", sender(1), clock.now()).say == Say::nothing);
    clock.advance(1s);
    CHECK(table.failure("rejected", sender(1), clock.now()).say == Say::reminder);
    CHECK(table.failure("rejected", sender(1), clock.now()).say == Say::nothing);
    clock.advance(2min);
    CHECK(table.failure("rejected", sender(1), clock.now()).say == Say::reminder);
}

TEST_CASE("traps: the complaint table holds a bounded number of senders and summarises the rest", "[traps]") {
    ManualClock clock(from_unix_ms(1'790'000'000'000));
    SenderComplaints table(4);
    for (int i = 0; i < 4; ++i) {
        auto v = table.failure("rejected", sender(i), clock.now());
        CHECK(v.say == Say::first_failure);
        CHECK_FALSE(v.summarised);
    }
    // Senders 4.. do not fit: the first of them is logged once as a summary, the rest not at all.
    auto v = table.failure("rejected", sender(4), clock.now());
    CHECK(v.say == Say::first_failure);
    CHECK(v.summarised);
    for (int i = 5; i < 5000; ++i) CHECK_FALSE(logs(table.failure("rejected", sender(i), clock.now())));
    CHECK(table.size() == 4);
    // Each kind has its own summary.
    CHECK(table.failure("unknown", sender(9999), clock.now()).summarised);
    // Known senders keep their own back-off while the table is full.
    CHECK(table.failure("rejected", sender(0), clock.now()).say == Say::nothing);
    CHECK_FALSE(table.failure("rejected", sender(0), clock.now()).summarised);
}

TEST_CASE("traps: senders quiet for an hour are forgotten and make room for new ones", "[traps]") {
    ManualClock clock(from_unix_ms(1'790'000'000'000));
    SenderComplaints table(2);
    table.failure("rejected", sender(1), clock.now());
    clock.advance(30min);
    table.failure("rejected", sender(2), clock.now());
    CHECK(table.failure("rejected", sender(3), clock.now()).summarised);
    clock.advance(30min);  // sender 1 has been quiet for an hour, sender 2 for 30 minutes
    auto v = table.failure("rejected", sender(3), clock.now());
    CHECK(v.say == Say::first_failure);
    CHECK_FALSE(v.summarised);
    CHECK(table.size() == 2);
    // Sender 2 was seen within the hour and is still remembered: no new "first" line.
    CHECK(table.failure("rejected", sender(2), clock.now()).say != Say::first_failure);
    // A forgotten sender that comes back is logged again, at most once per quiet hour.
    clock.advance(61min);
    CHECK(table.failure("rejected", sender(1), clock.now()).say == Say::first_failure);
}

TEST_CASE("traps: a spoofed-sender flood logs a bounded number of lines per hour", "[traps]") {
    ManualClock clock(from_unix_ms(1'790'000'000'000));
    SenderComplaints table;  // default capacity
    // Two hours of ~55 datagrams/s, each from a new (spoofed) address, plus one real
    // misconfigured device every second.
    long lines = 0, datagrams = 0;
    for (int s = 0; s < 2 * 3600; ++s) {
        for (int k = 0; k < 55; ++k, ++datagrams)
            lines += logs(table.failure("rejected", sender(1000 + s * 55 + k), clock.now()));
        lines += logs(table.failure("rejected", "rejected|192.0.2.7|unknown community", clock.now()));
        clock.advance(1s);
    }
    CHECK(datagrams == 396'000);
    CHECK(table.size() <= table.capacity());
    // Per quiet hour at most `capacity` first lines, plus the summary's and the real device's
    // back-off reminders (1, 2, 4 ... 60 minutes: under 10 an hour each).
    CHECK(lines <= 2 * static_cast<long>(table.capacity()) + 2 * 2 * 10);
    CHECK(lines >= static_cast<long>(table.capacity()));
}
