// fleet_bench: avmond's polling pipeline over a simulated fleet, one cycle at a time.
//
// Everything is the real component: the config is generated as TOML and read by the real
// loader (config::parse_config), each device gets make_snmp_probe / make_icmp_probe as in
// Daemon::build_device, every device poll is a coroutine co_spawned on one io_context (the
// Scheduler's pattern), its probe results go through merge_poll_results into
// StoreWriter::enqueue and AlarmEngine::observe (Daemon::on_poll), and the engine is ticked.
// A cycle polls every device once, all at once (the worst case of a fleet whose jittered
// timers line up); it ends when the last device's result has been observed, and its CPU
// includes the store thread's work up to a flush().
//
//   fleet_bench --mode snmp --targets FILE [--dead-targets FILE] [--port 1161]
//               [--timeout-ms 1000] [--retries 1] [--cycles 3] [--warmup 1] [--dir DIR]
//               [--window W]   at most W device polls in flight (default: all at once)
//   fleet_bench --mode icmp --targets FILE [--timeout-ms 1000] ...
//   --write-config FILE   also write the generated avmon.toml there (then load it from the file)
//
// Output: one JSON object per cycle on stdout ("kind":"cycle"), one for all measured cycles
// together ("kind":"run": the store's derived data is published once, after the last cycle),
// then one summary ("kind":"summary") with the peak RSS (VmHWM). Exit status 1 when a live device was not
// answered or a dead one was, or samples were dropped: the numbers would be meaningless.
#include <fmt/format.h>

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "config/loader.hpp"
#include "daemon/alarms/alarm_engine.hpp"
#include "daemon/app/poll_merge.hpp"
#include "daemon/core/allocator.hpp"
#include "daemon/core/clock.hpp"
#include "daemon/store/store_writer.hpp"
#include "probes/icmp/icmp_probe.hpp"
#include "probes/icmp/pinger.hpp"
#include "probes/snmp/snmp_probe.hpp"

namespace {

using namespace avmon;
using Steady = std::chrono::steady_clock;

struct Options {
    std::string mode = "snmp";
    std::string targets, dead_targets, dir, write_config;
    int port = 1161;
    int timeout_ms = 1000;
    int retries = 1;
    int cycles = 3;
    int warmup = 1;
    std::size_t window = 0;  // device polls in flight at once; 0: every device at once (worst case)
};

std::vector<std::string> read_lines(const std::string& path) {
    std::vector<std::string> out;
    if (path.empty()) return out;
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path);
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) out.push_back(line);
    return out;
}

// The whole process (who = RUSAGE_SELF) or the calling thread only (RUSAGE_THREAD: the loop).
double cpu_seconds(int who = RUSAGE_SELF) {
    rusage ru{};
    getrusage(who, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

long status_kib(const char* field) {
    std::ifstream in("/proc/self/status");
    std::string key;
    for (std::string line; std::getline(in, line);)
        if (line.rfind(field, 0) == 0) return std::stol(line.substr(std::string(field).size()));
    return -1;
}

// A fleet as an operator would write it: sites, rooms of 50 devices, one profile with four
// scalars (plus sysUpTime the probe always asks for: 5 OIDs per GET) and two rules.
std::string fleet_toml(const Options& o, const std::vector<std::string>& live, const std::vector<std::string>& dead,
                       const std::string& db_path) {
    bool snmp = o.mode == "snmp";
    std::ostringstream t;
    t << "[daemon]\ntimezone = \"UTC\"\njitter = 0.0\nicmp_mode = \"" << (snmp ? "off" : "dgram") << "\"\n"
      << "profile_dirs = []\n\n"
      << "[store]\npath = \"" << db_path << "\"\nflush_interval = \"1s\"\nflush_rows = 5000\nqueue_limit = 1000000\n\n"
      << "[[site]]\nid = \"bench\"\nname = \"Bench site\"\ntimezone = \"UTC\"\n\n";
    std::size_t total = live.size() + dead.size();
    for (std::size_t r = 0; r * 50 < total; ++r)
        t << fmt::format("[[room]]\nid = \"room-{}\"\nname = \"Room {}\"\nsite = \"bench\"\nkind = \"huddle\"\n\n", r, r);
    if (snmp) {
        t << "[[profile]]\nname = \"bench-snmp\"\nclass = \"display\"\nprotocol = \"snmp\"\n";
        const char* gauges[] = {"temperature", "lamp_hours", "fan_rpm"};
        for (int i = 0; i < 3; ++i)
            t << fmt::format("[[profile.metric]]\nname = \"{}\"\nsource = \"1.3.6.1.4.1.99999.1.{}.0\"\nkind = \"gauge\"\n",
                             gauges[i], i + 1);
        t << "[[profile.metric]]\nname = \"power\"\nsource = \"1.3.6.1.4.1.99999.1.4.0\"\nkind = \"state\"\n"
             "values = { on = 1, standby = 2 }\n"
             "[[profile.rule]]\nid = \"unreachable\"\nkind = \"unreachable\"\nseverity = \"III\"\nfor_polls = 2\n"
             "text = \"{device} does not answer SNMP\"\nmarks_down = true\n"
             "[[profile.rule]]\nid = \"hot\"\nkind = \"above\"\nmetric = \"temperature\"\nthreshold = 150\n"
             "severity = \"IV\"\ntext = \"{device}: temperature {value}\"\n\n";
    }
    auto device = [&](std::size_t i, const std::string& address) {
        t << fmt::format("[[device]]\nid = \"dev-{:05}\"\nname = \"Device {}\"\nroom = \"room-{}\"\nclass = \"display\"\n"
                         "address = \"{}\"\n",
                         i, i, i / 50, address);
        if (snmp)
            t << fmt::format("icmp = false\nprofile = \"bench-snmp\"\n[device.snmp]\nversion = \"2c\"\nport = {}\n"
                             "community = \"public\"\ntimeout = \"{}ms\"\nretries = {}\n\n",
                             o.port, o.timeout_ms, o.retries);
        else
            t << "icmp = true\n\n";
    };
    std::size_t i = 0;
    for (const auto& a : live) device(i++, a);
    for (const auto& a : dead) device(i++, a);
    return t.str();
}

config::Config load_fleet(const Options& o, const std::string& toml) {
    config::LoadResult r;
    if (!o.write_config.empty()) {
        std::ofstream(o.write_config) << toml;
        r = config::load_config_file(o.write_config);
    } else {
        r = config::parse_config(toml, "fleet.toml");
    }
    if (!r.ok()) {
        for (const auto& e : r.errors) std::cerr << e.to_string() << "\n";
        throw std::runtime_error("the generated fleet config did not load");
    }
    return std::move(*r.config);
}

Options parse_args(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
            return argv[++i];
        };
        if (a == "--mode") o.mode = value();
        else if (a == "--targets") o.targets = value();
        else if (a == "--dead-targets") o.dead_targets = value();
        else if (a == "--dir") o.dir = value();
        else if (a == "--write-config") o.write_config = value();
        else if (a == "--port") o.port = std::stoi(value());
        else if (a == "--timeout-ms") o.timeout_ms = std::stoi(value());
        else if (a == "--retries") o.retries = std::stoi(value());
        else if (a == "--cycles") o.cycles = std::stoi(value());
        else if (a == "--warmup") o.warmup = std::stoi(value());
        else if (a == "--window") o.window = static_cast<std::size_t>(std::stoul(value()));
        else throw std::runtime_error("unknown option " + a);
    }
    if (o.mode != "snmp" && o.mode != "icmp") throw std::runtime_error("--mode is snmp or icmp");
    if (o.targets.empty()) throw std::runtime_error("--targets FILE is required");
    return o;
}

struct Device {
    std::string id;
    bool expect_alive = true;
    std::vector<std::unique_ptr<probes::Probe>> probes;
};

int run(const Options& o) {
    auto live = read_lines(o.targets);
    auto dead = read_lines(o.dead_targets);
    std::filesystem::path dir = o.dir.empty() ? std::filesystem::temp_directory_path() / fmt::format("fleet_bench.{}", getpid())
                                              : std::filesystem::path(o.dir);
    std::filesystem::create_directories(dir);
    auto db = (dir / "fleet.db").string();
    std::filesystem::remove(db);

    double setup_t0 = cpu_seconds();
    auto setup_w0 = Steady::now();
    config::Config cfg = load_fleet(o, fleet_toml(o, live, dead, db));
    double config_s = std::chrono::duration<double>(Steady::now() - setup_w0).count();
    long rss_after_config = status_kib("VmRSS:");

    SystemClock clock;
    asio::io_context io;
    auto ex = io.get_executor();
    auto store = std::make_unique<store::StoreWriter>(cfg.store, clock);
    for (const auto& d : cfg.devices) {
        store::DeviceRecord rec;
        rec.id = d.id;
        rec.name = d.name;
        rec.room = d.room;
        rec.device_class = std::string(config::to_string(d.device_class));
        store->enqueue_device(rec);
    }
    long rss_after_store = status_kib("VmRSS:");
    alarms::AlarmEngine engine(cfg, clock, 1, [&](const AlarmEvent& e) { store->enqueue(e); });
    long rss_after_engine = status_kib("VmRSS:");

    icmp::Pinger pinger(ex);
    if (o.mode == "icmp" && pinger.start(cfg.daemon.icmp_mode) == icmp::IcmpMode::off)
        throw std::runtime_error("ICMP is off: " + pinger.problem());
    icmp::IcmpProbeOptions icmp_options;
    icmp_options.count = 1;  // one echo per target per cycle, as fping -c1
    icmp_options.timeout = std::chrono::milliseconds(o.timeout_ms);

    std::vector<Device> devices;
    devices.reserve(cfg.devices.size());
    for (std::size_t i = 0; i < cfg.devices.size(); ++i) {
        const auto& d = cfg.devices[i];
        Device dev{d.id, i < live.size(), {}};
        if (auto p = icmp::make_icmp_probe(pinger, d, icmp_options)) dev.probes.push_back(std::move(p));
        if (d.snmp) dev.probes.push_back(snmp::make_snmp_probe(ex, d, *cfg.profile_for(d)));
        devices.push_back(std::move(dev));
    }
    double setup_cpu = cpu_seconds() - setup_t0;
    double setup_wall = std::chrono::duration<double>(Steady::now() - setup_w0).count();
    long rss_after_setup = status_kib("VmRSS:");  // config, sessions, probes, engine: before any poll

    std::vector<double> walls;
    double run_cpu = 0, run_wall = 0;
    std::size_t run_requests = 0;
    int bad = 0;
    // Cycle state the workers share (all on the one loop thread).
    std::size_t remaining = 0, reachable = 0, unexpected = 0, samples = 0, next_device = 0;
    int cycle_no = 0;
    Steady::time_point last_done{}, deadline{};
    // Workers live for the whole run, like the Scheduler's one loop per device: between cycles
    // each waits on its own gate timer (the Scheduler waits on its interval timer). A window of
    // W: W workers each poll the next device not yet polled, so at most W polls are in flight
    // (what a cap in the daemon's scheduler would do). No window: one worker per device.
    const std::size_t workers = o.window ? std::min(o.window, devices.size()) : devices.size();
    std::vector<std::unique_ptr<asio::steady_timer>> gates;
    gates.reserve(workers);
    for (std::size_t w = 0; w < workers; ++w) {
        gates.push_back(std::make_unique<asio::steady_timer>(ex));
        asio::co_spawn(
            ex,
            [&, gate = gates.back().get()]() -> awaitable<void> {
                int done_cycle = 0;
                for (;;) {
                    if (done_cycle == cycle_no) {  // wait for the next cycle
                        boost::system::error_code ec;
                        gate->expires_at(Steady::time_point::max());
                        co_await gate->async_wait(asio::redirect_error(asio::use_awaitable, ec));
                        continue;
                    }
                    done_cycle = cycle_no;
                    while (next_device < devices.size()) {
                        Device* d = &devices[next_device++];
                        std::vector<app::ProbeOutcome> outcomes;
                        outcomes.reserve(d->probes.size());
                        for (auto& probe : d->probes) {
                            PollResult r = co_await probe->poll(deadline);
                            outcomes.push_back({probe->kind(), std::move(r)});
                        }
                        PollResult merged = app::merge_poll_results(d->id, std::move(outcomes));
                        store->enqueue(merged, d->id);  // Daemon::on_poll
                        engine.observe(d->id, merged);
                        if (merged.reachable) ++reachable;
                        if (merged.reachable != d->expect_alive) ++unexpected;
                        samples += merged.samples.size();
                        if (--remaining == 0) {
                            last_done = Steady::now();
                            engine.tick();
                            // The sessions keep reads armed for good: end this cycle's run() here.
                            io.stop();
                        }
                    }
                }
            },
            asio::detached);
    }

    for (int c = 0; c < o.warmup + o.cycles; ++c) {
        bool measured = c >= o.warmup;
        remaining = devices.size();
        reachable = unexpected = samples = next_device = 0;
        double cpu0 = cpu_seconds();
        double loop_cpu0 = cpu_seconds(RUSAGE_THREAD);
        auto t0 = Steady::now();
        last_done = t0;
        // The Scheduler's budget: a device poll ends within min(interval, 30 s).
        deadline = t0 + std::chrono::seconds(30);
        ++cycle_no;
        for (auto& g : gates) g->cancel();
        io.restart();
        io.run();
        double wall = std::chrono::duration<double>(last_done - t0).count();
        // The store writes each cycle's samples; the derived data (latest values, last-seen)
        // is published once, after the last cycle, as the daemon publishes it every 5 minutes
        // while polling every minute or so (WriterOptions::publish_interval).
        const bool last = c + 1 == o.warmup + o.cycles;
        bool flushed = last ? store->flush() : store->commit();
        double wall_flushed = std::chrono::duration<double>(Steady::now() - t0).count();
        double cpu = cpu_seconds() - cpu0;
        double loop_cpu = cpu_seconds(RUSAGE_THREAD) - loop_cpu0;  // the rest is the store thread
        auto st = store->stats();
        if (unexpected || !flushed || st.dropped_samples || st.rejected_samples) ++bad;
        std::size_t requests = reachable;  // one GET (or echo) per answering device per cycle
        std::cout << fmt::format(
                         "{{\"kind\":\"cycle\",\"mode\":\"{}\",\"cycle\":{},\"warmup\":{},\"devices\":{},\"live\":{},"
                         "\"dead\":{},\"reachable\":{},\"unexpected\":{},\"samples\":{},\"wall_s\":{:.6f},"
                         "\"wall_with_flush_s\":{:.6f},\"cpu_s\":{:.6f},\"loop_cpu_s\":{:.6f},\"answered_per_s\":{:.1f},"
                         "\"cpu_s_per_1000\":{:.6f},\"samples_written\":{},\"dropped\":{}}}",
                         o.mode, c + 1, measured ? "false" : "true", devices.size(), live.size(), dead.size(),
                         reachable, unexpected, samples, wall, wall_flushed, cpu, loop_cpu,
                         wall > 0 ? static_cast<double>(requests) / wall : 0.0,
                         requests ? cpu * 1000.0 / static_cast<double>(requests) : 0.0, st.samples_written,
                         st.dropped_samples)
                  << std::endl;
        if (measured) {
            walls.push_back(wall);
            run_cpu += cpu;
            run_requests += requests;
            run_wall += wall;
        }
    }
    // All measured cycles together, one publish included: the figure to compare.
    std::sort(walls.begin(), walls.end());
    std::cout << fmt::format(
                     "{{\"kind\":\"run\",\"mode\":\"{}\",\"cycles\":{},\"requests\":{},\"cpu_s\":{:.6f},"
                     "\"cpu_s_per_1000\":{:.6f},\"answered_per_s\":{:.1f},\"median_wall_s\":{:.6f}}}",
                     o.mode, o.cycles, run_requests, run_cpu,
                     run_requests ? run_cpu * 1000.0 / static_cast<double>(run_requests) : 0.0,
                     run_wall > 0 ? static_cast<double>(run_requests) / run_wall : 0.0,
                     walls.empty() ? 0.0 : walls[walls.size() / 2])
              << std::endl;
    pinger.stop();
    store->stop();
    std::cout << fmt::format(
                     "{{\"kind\":\"summary\",\"mode\":\"{}\",\"devices\":{},\"window\":{},\"config_load_s\":{:.3f},"
                     "\"rss_after_config_kib\":{},\"rss_after_store_kib\":{},\"rss_after_engine_kib\":{},"
                     "\"setup_wall_s\":{:.3f},\"setup_cpu_s\":{:.3f},\"rss_after_setup_kib\":{},\"vm_hwm_kib\":{},\"vm_rss_kib\":{},\"bad_cycles\":{}}}",
                     o.mode, devices.size(), o.window, config_s, rss_after_config, rss_after_store, rss_after_engine, setup_wall, setup_cpu, rss_after_setup, status_kib("VmHWM:"),
                     status_kib("VmRSS:"), bad)
              << std::endl;
    if (o.dir.empty()) std::filesystem::remove_all(dir);
    return bad ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
    avmon::tune_allocator();  // as avmond does
    try {
        return run(parse_args(argc, argv));
    } catch (const std::exception& e) {
        std::cerr << "fleet_bench: " << e.what() << "\n";
        return 2;
    }
}
