// The profile mapper: raw SNMP results + a profile -> samples, facts and metric states.
#include <catch2/catch.hpp>

#include "probes/snmp/profile_mapper.hpp"

using namespace avmon;
using namespace avmon::snmp;
using namespace std::chrono_literals;
using Kind = config::MetricDef::Kind;

namespace {

const SysTime t0 = from_unix_ms(1'700'000'000'000);

config::MetricDef metric(std::string name, std::string source, Kind kind, bool walk = false, std::string index = "") {
    config::MetricDef m;
    m.name = std::move(name);
    m.source = std::move(source);
    m.kind = kind;
    m.walk = walk;
    m.index_source = std::move(index);
    return m;
}

const Sample* sample(const PollResult& r, const std::string& name) {
    for (const auto& s : r.samples)
        if (s.metric == name) return &s;
    return nullptr;
}
const MetricState* state(const PollResult& r, const std::string& name) {
    for (const auto& s : r.unavailable)
        if (s.metric == name) return &s;
    return nullptr;
}
const Fact* fact(const PollResult& r, const std::string& key) {
    for (const auto& f : r.facts)
        if (f.key == key) return &f;
    return nullptr;
}

config::Profile switch_profile() {
    config::Profile p;
    p.name = "test-switch";
    p.protocol = "snmp";
    auto oper = metric("if_oper_status", "1.3.6.1.2.1.2.2.1.8", Kind::state, true, "1.3.6.1.2.1.31.1.1.1.1");
    oper.value_map = {{"up", 1}, {"down", 2}};
    p.metrics.push_back(oper);
    auto in = metric("if_in_bps", "1.3.6.1.2.1.31.1.1.1.6", Kind::counter, true, "1.3.6.1.2.1.31.1.1.1.1");
    in.scale = 8;
    p.metrics.push_back(in);
    p.metrics.push_back(metric("firmware", "1.3.6.1.2.1.1.1.0", Kind::fact));
    auto power = metric("poe_consumption_w", "1.3.6.1.2.1.105.1.3.1.1.4.1", Kind::gauge);
    p.metrics.push_back(power);
    return p;
}

RawPoll switch_poll(std::uint32_t uptime, std::uint64_t octets_gi1, std::uint64_t octets_gi2) {
    RawPoll raw;
    raw.uptime_ticks = uptime;
    raw.scalars["1.3.6.1.2.1.1.1.0"] = RawValue::make_octets("Zyxel XS1930-12HP\r\n");
    raw.scalars["1.3.6.1.2.1.105.1.3.1.1.4.1"] = RawValue::make_unsigned(ValueType::gauge32, 11);
    auto& names = raw.columns["1.3.6.1.2.1.31.1.1.1.1"];
    names.rows = {{"1", RawValue::make_octets("Gi1/0/1")}, {"2", RawValue::make_octets("Gi1/0/2")}};
    auto& oper = raw.columns["1.3.6.1.2.1.2.2.1.8"];
    oper.rows = {{"1", RawValue::make_integer(1)}, {"2", RawValue::make_integer(2)}, {"3", RawValue::make_integer(1)}};
    auto& in = raw.columns["1.3.6.1.2.1.31.1.1.1.6"];
    in.rows = {{"1", RawValue::make_unsigned(ValueType::counter64, octets_gi1)},
               {"2", RawValue::make_unsigned(ValueType::counter64, octets_gi2)}};
    return raw;
}

}  // namespace

TEST_CASE("snmp mapper: asks for the right scalars and columns") {
    ProfileMapper m(switch_profile());
    std::vector<std::string> scalars, columns;
    for (const auto& o : m.scalars()) scalars.push_back(to_string(o));
    for (const auto& o : m.columns()) columns.push_back(to_string(o));
    CHECK(scalars == std::vector<std::string>{"1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.105.1.3.1.1.4.1"});
    CHECK(columns == std::vector<std::string>{"1.3.6.1.2.1.2.2.1.8", "1.3.6.1.2.1.31.1.1.1.1", "1.3.6.1.2.1.31.1.1.1.6"});
}

TEST_CASE("snmp mapper: rows named by the index column, states, facts, gauges, counter rates") {
    ProfileMapper m(switch_profile());
    PollResult first;
    m.map(switch_poll(100000, 1000, 5000), "sw-3f", t0, first);
    REQUIRE(sample(first, "sys_uptime_s"));
    CHECK(sample(first, "sys_uptime_s")->value == 1000.0);
    REQUIRE(sample(first, "if_oper_status.Gi1/0/1"));
    CHECK(sample(first, "if_oper_status.Gi1/0/1")->value == 1);
    CHECK(sample(first, "if_oper_status.Gi1/0/2")->value == 2);
    REQUIRE(sample(first, "if_oper_status.3"));  // no ifName for row 3: numeric index
    CHECK(sample(first, "if_oper_status.3")->device == "sw-3f");
    CHECK(sample(first, "poe_consumption_w")->value == 11);
    REQUIRE(fact(first, "firmware"));
    CHECK(fact(first, "firmware")->value == "Zyxel XS1930-12HP\\r\\n");
    CHECK_FALSE(sample(first, "if_in_bps.Gi1/0/1"));  // a rate needs two polls
    CHECK(first.unavailable.empty());

    PollResult second;
    m.map(switch_poll(106000, 1000 + 125000 * 60, 5000), "sw-3f", t0 + 60s, second);
    REQUIRE(sample(second, "if_in_bps.Gi1/0/1"));
    CHECK(sample(second, "if_in_bps.Gi1/0/1")->value == Approx(1e6 * 1.0));  // 125 kB/s * 8 = 1 Mb/s
    CHECK(sample(second, "if_in_bps.Gi1/0/2")->value == 0);
    CHECK(sample(second, "if_in_bps.Gi1/0/1")->time == t0 + 60s);
}

TEST_CASE("snmp mapper: a reboot between polls gives no counter spike") {
    ProfileMapper m(switch_profile());
    PollResult a, b, c;
    m.map(switch_poll(100000, 9'000'000'000ULL, 0), "sw", t0, a);
    m.map(switch_poll(1500, 2000, 0), "sw", t0 + 60s, b);  // rebooted 15 s ago
    CHECK(m.last_poll_saw_restart());
    CHECK_FALSE(sample(b, "if_in_bps.Gi1/0/1"));
    m.map(switch_poll(7500, 62000, 0), "sw", t0 + 120s, c);
    CHECK_FALSE(m.last_poll_saw_restart());
    REQUIRE(sample(c, "if_in_bps.Gi1/0/1"));
    CHECK(sample(c, "if_in_bps.Gi1/0/1")->value == Approx(8000.0));
}

TEST_CASE("snmp mapper: exceptions, errors and missing tables become metric states") {
    config::Profile p;
    p.metrics.push_back(metric("lamp_hours", "1.3.6.1.4.1.1248.4.1.1.1.1.0", Kind::gauge));
    p.metrics.push_back(metric("serial", "1.3.6.1.4.1.99.1.0", Kind::fact));
    p.metrics.push_back(metric("temp", "1.3.6.1.4.1.99.2.0", Kind::gauge));
    p.metrics.push_back(metric("peth_status", "1.3.6.1.2.1.105.1.1.1.6", Kind::state, true));
    p.metrics.push_back(metric("bad_source", "ifName", Kind::gauge));
    p.metrics.push_back(metric("timed_out", "1.3.6.1.4.1.99.3.0", Kind::gauge));
    ProfileMapper m(p);
    CHECK(m.invalid_metrics() == std::vector<std::string>{"bad_source"});
    RawPoll raw;
    raw.scalars["1.3.6.1.4.1.1248.4.1.1.1.1.0"] = RawValue::make_exception(ValueType::no_such_object);
    raw.scalars["1.3.6.1.4.1.99.1.0"] = RawValue::make_exception(ValueType::no_such_instance);
    raw.scalars["1.3.6.1.4.1.99.2.0"] = RawValue::make_octets("hot");
    raw.scalar_errors["1.3.6.1.4.1.99.3.0"] = "agent answered genError";
    raw.columns["1.3.6.1.2.1.105.1.1.1.6"] = {};  // walked, no rows: the table is absent
    PollResult out;
    m.map(raw, "proj", t0, out);
    CHECK(out.samples.empty());
    REQUIRE(state(out, "lamp_hours"));
    CHECK(state(out, "lamp_hours")->status == MetricStatus::no_such_object);
    CHECK(state(out, "serial")->status == MetricStatus::no_such_instance);
    CHECK(state(out, "temp")->status == MetricStatus::unknown_value);
    CHECK(state(out, "temp")->detail.find("hot") != std::string::npos);
    CHECK(state(out, "peth_status")->status == MetricStatus::no_such_object);
    CHECK(state(out, "bad_source")->status == MetricStatus::error);
    CHECK(state(out, "timed_out")->detail == "agent answered genError");
}

TEST_CASE("snmp mapper: state values map text, scale applies to gauges") {
    config::Profile p;
    auto power = metric("power", "1.3.6.1.4.1.8072.1.3.2.3.1.1.10.112.111.119.101.114.83.116.97.116.101", Kind::state);
    power.value_map = {{"on", 1}, {"off", 0}};
    p.metrics.push_back(power);
    auto temp = metric("cpu_temp_c", "1.3.6.1.4.1.7312.2468.1.2.3.0", Kind::gauge);
    temp.scale = 1.0;
    p.metrics.push_back(temp);
    auto kib = metric("used_kib", "1.3.6.1.4.1.99.5.0", Kind::gauge);
    kib.scale = 4;
    p.metrics.push_back(kib);
    ProfileMapper m(p);
    RawPoll raw;
    raw.scalars[p.metrics[0].source] = RawValue::make_octets("on");
    raw.scalars[p.metrics[1].source] = RawValue::make_octets(std::string("55.652\0", 7));
    raw.scalars[p.metrics[2].source] = RawValue::make_integer(1000);
    PollResult out;
    m.map(raw, "cs", t0, out);
    CHECK(sample(out, "power")->value == 1);
    CHECK(sample(out, "cpu_temp_c")->value == Approx(55.652));
    CHECK(sample(out, "used_kib")->value == 4000);

    raw.scalars[p.metrics[0].source] = RawValue::make_octets("standby");
    PollResult unknown;
    m.map(raw, "cs", t0, unknown);
    REQUIRE(state(unknown, "power"));
    CHECK(state(unknown, "power")->status == MetricStatus::unknown_value);
}

TEST_CASE("snmp mapper: ENTITY-SENSOR values are scaled per row") {
    config::Profile p;
    p.metrics.push_back(metric("sensor", ent_sensor_value_oid, Kind::gauge, true, "1.3.6.1.2.1.47.1.1.1.1.7"));
    ProfileMapper m(p);
    CHECK(m.columns().size() == 4);
    RawPoll raw;
    // Aruba CX: scale 8 (milli), precision 0, 28875 -> 28.875; ProCurve: scale 9 (units), 31 -> 31.
    raw.columns[ent_sensor_value_oid].rows = {{"11", RawValue::make_integer(31)}, {"20", RawValue::make_integer(28875)},
                                              {"21", RawValue::make_integer(1234)}};
    raw.columns[ent_sensor_scale_oid].rows = {{"11", RawValue::make_integer(9)}, {"20", RawValue::make_integer(8)},
                                              {"21", RawValue::make_integer(9)}};
    raw.columns[ent_sensor_precision_oid].rows = {{"11", RawValue::make_integer(0)}, {"20", RawValue::make_integer(0)},
                                                  {"21", RawValue::make_integer(2)}};
    raw.columns["1.3.6.1.2.1.47.1.1.1.1.7"].rows = {{"11", RawValue::make_octets("Chassis Temp")},
                                                    {"20", RawValue::make_octets("Chassis Temp")}};
    PollResult out;
    m.map(raw, "sw", t0, out);
    REQUIRE(sample(out, "sensor.Chassis Temp"));
    CHECK(sample(out, "sensor.Chassis Temp")->value == Approx(31));
    REQUIRE(sample(out, "sensor.20"));  // duplicate name: the second row keeps its number
    CHECK(sample(out, "sensor.20")->value == Approx(28.875));
    CHECK(sample(out, "sensor.21")->value == Approx(12.34));
}

TEST_CASE("snmp mapper: a walk that stopped early keeps its rows and says why") {
    config::Profile p;
    p.metrics.push_back(metric("if_oper_status", "1.3.6.1.2.1.2.2.1.8", Kind::state, true));
    ProfileMapper m(p);
    RawPoll raw;
    raw.columns["1.3.6.1.2.1.2.2.1.8"].rows = {{"1", RawValue::make_integer(1)}};
    raw.columns["1.3.6.1.2.1.2.2.1.8"].error = "device x: no SNMP answer before the poll deadline (walk incomplete)";
    PollResult out;
    m.map(raw, "x", t0, out);
    CHECK(sample(out, "if_oper_status.1"));
    REQUIRE(state(out, "if_oper_status"));
    CHECK(state(out, "if_oper_status")->status == MetricStatus::error);
}

TEST_CASE("snmp mapper: PoE budget use is derived from the main PSE table") {
    config::Profile p;
    p.metrics.push_back(metric("poe_main_consumption_w", peth_main_consumption_oid, Kind::gauge, true));
    ProfileMapper m(p);
    CHECK(m.columns().size() == 2);  // the budget column is walked too
    RawPoll raw;
    // Catalyst 9200L stack: 740 W budget per member, 9/19/24 W used; member 4 reports no budget.
    raw.columns[peth_main_power_oid].rows = {{"1", RawValue::make_unsigned(ValueType::gauge32, 740)},
                                             {"2", RawValue::make_unsigned(ValueType::gauge32, 740)},
                                             {"4", RawValue::make_unsigned(ValueType::gauge32, 0)}};
    raw.columns[peth_main_consumption_oid].rows = {{"1", RawValue::make_unsigned(ValueType::gauge32, 9)},
                                                   {"2", RawValue::make_unsigned(ValueType::gauge32, 370)},
                                                   {"4", RawValue::make_unsigned(ValueType::gauge32, 5)}};
    PollResult out;
    m.map(raw, "sw", t0, out);
    CHECK(sample(out, "poe_budget_used_pct.1")->value == Approx(100.0 * 9 / 740));
    CHECK(sample(out, "poe_budget_used_pct.2")->value == Approx(50.0));
    CHECK_FALSE(sample(out, "poe_budget_used_pct.4"));  // no budget: no ratio, no division by zero
    CHECK(sample(out, "poe_main_consumption_w.2")->value == 370);
}

TEST_CASE("snmp mapper: mappers of equal profiles share the compiled profile, but not counter baselines") {
    ProfileMapper a(switch_profile());
    ProfileMapper b(switch_profile());  // another Profile object with the same metrics
    CHECK(&a.scalars() == &b.scalars());
    CHECK(&a.poll_scalar_texts() == &b.poll_scalar_texts());
    REQUIRE(a.poll_scalars().size() == a.scalars().size() + 1);
    CHECK(a.poll_scalar_texts().front() == sys_uptime_oid);

    auto other = switch_profile();
    other.metrics[1].scale = 1;  // bytes instead of bits: must not reuse the other mapping
    ProfileMapper c(other);
    CHECK(&c.scalars() != &a.scalars());

    // Baselines stay per device: b's first poll gives no rate although a has seen two.
    PollResult ignored, a2, b1;
    a.map(switch_poll(100000, 1000, 5000), "sw-a", t0, ignored);
    a.map(switch_poll(106000, 1000 + 125000 * 60, 5000), "sw-a", t0 + 60s, a2);
    b.map(switch_poll(106000, 1000 + 125000 * 60, 5000), "sw-b", t0 + 60s, b1);
    CHECK(sample(a2, "if_in_bps.Gi1/0/1"));
    CHECK_FALSE(sample(b1, "if_in_bps.Gi1/0/1"));
    PollResult c2, c1;
    c.map(switch_poll(100000, 1000, 5000), "sw-c", t0, c1);
    c.map(switch_poll(106000, 1000 + 125000 * 60, 5000), "sw-c", t0 + 60s, c2);
    REQUIRE(sample(c2, "if_in_bps.Gi1/0/1"));
    CHECK(sample(c2, "if_in_bps.Gi1/0/1")->value == Approx(125000.0));  // its own scale
}
