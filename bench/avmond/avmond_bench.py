#!/usr/bin/python3
"""The whole avmond process against a simulated fleet: what a user actually runs.

bench/fleet measures avmond's pipeline as a library, one synchronised cycle at a time. This
one starts the real daemon (config file, scheduler with its jittered rhythm, probes, store
writer thread, alarm engine, control socket) on N devices for a while and reads, from the
kernel's accounting of the finished process (wait4):
  - peak RSS (ru_maxrss), and RSS once the fleet is configured (before the first poll lands),
  - CPU seconds (user + system, all threads) per 1,000 answered 5-OID GETs, start-up included,
and, in the same run on the same targets, the same figure for bench/fleet's minimal
Net-SNMP poller (the library's ceiling, which stores nothing). 10 % of the fleet never
answers (the responder ignores 127.2.0.0/16).

Re-runs itself under `unshare -n` (its own loopback: every 127.x.y.z is local). Root needed.

  avmond_bench.py --avmond PATH --responder PATH --min-poller PATH
                  [--sizes "1000 10000"] [--interval 10] [--seconds 45] [--reps 1]
                  [--out FILE] [--smoke]
Prints one JSON line per measurement and a table; --out writes the lines to FILE.
"""
import argparse, json, os, resource, shutil, signal, sqlite3, statistics, subprocess, sys, tempfile, time

PORT = 1161


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--avmond", required=True)
    p.add_argument("--responder", required=True)
    p.add_argument("--min-poller", required=True)
    p.add_argument("--sizes", default="1000 10000")
    p.add_argument("--interval", type=int, default=10)
    p.add_argument("--seconds", type=float, default=45)
    p.add_argument("--reps", type=int, default=1)
    p.add_argument("--out", default="")
    p.add_argument("--smoke", action="store_true")
    p.add_argument("--wrap", default="", help='profile avmond, e.g. --wrap "perf record -g -o /tmp/avmond.perf" '
                   "(the CPU and RSS figures are then the wrapper's, not avmond's)")
    a = p.parse_args()
    if a.smoke:
        a.sizes, a.interval, a.seconds, a.reps = "20", 2, 7, 1
    return a


def addresses(count, prefix):
    return [f"{prefix}.{i // 256}.{i % 256}" for i in range(1, count + 1)]


def fleet_toml(work, live, dead, interval):
    """The fleet as an operator would write it: rooms of 50, one SNMP profile with four
    scalars (the probe adds sysUpTime: 5 OIDs per GET), an unreachable and a threshold rule."""
    out = [f"""[daemon]
runtime_dir = "{work}/run"
icmp_mode = "off"
profile_dirs = []
[store]
path = "{work}/avmon.db"
[[site]]
id = "bench"
name = "Bench site"
[[profile]]
name = "bench-snmp"
class = "display"
protocol = "snmp"
"""]
    for i, name in enumerate(["temperature", "lamp_hours", "fan_rpm"], start=1):
        out.append(f'[[profile.metric]]\nname = "{name}"\nsource = "1.3.6.1.4.1.99999.1.{i}.0"\nkind = "gauge"\n')
    out.append('[[profile.metric]]\nname = "power"\nsource = "1.3.6.1.4.1.99999.1.4.0"\nkind = "state"\n'
               'values = { on = 1, standby = 2 }\n'
               '[[profile.rule]]\nid = "unreachable"\nkind = "unreachable"\nseverity = "III"\nfor_polls = 2\n'
               'text = "{device} does not answer SNMP"\nmarks_down = true\n'
               '[[profile.rule]]\nid = "hot"\nkind = "above"\nmetric = "temperature"\nthreshold = 150\n'
               'severity = "IV"\ntext = "{device}: temperature {value}"\n')
    total = len(live) + len(dead)
    for r in range((total + 49) // 50):
        out.append(f'[[room]]\nid = "room-{r}"\nname = "Room {r}"\nsite = "bench"\nkind = "huddle"\n')
    for i, addr in enumerate(live + dead):
        out.append(f'[[device]]\nid = "dev-{i:05}"\nroom = "room-{i // 50}"\nclass = "display"\naddress = "{addr}"\n'
                   f'icmp = false\nprofile = "bench-snmp"\ninterval = "{interval}s"\n'
                   f'[device.snmp]\nversion = "2c"\nport = {PORT}\ncommunity = "public"\ntimeout = "1s"\nretries = 1\n')
    return "".join(out)


def start_responder(path, work):
    err = open(f"{work}/responder.err", "w")
    p = subprocess.Popen([path, "--port", str(PORT), "--ignore", "127.2"], stdout=subprocess.PIPE, stderr=err, text=True)
    if p.stdout.readline().strip() != "ready":
        sys.exit("avmond_bench: the responder did not start")
    return p


def stop_responder(p, work):
    """Stops it and returns how many requests it answered."""
    p.send_signal(signal.SIGTERM)
    p.wait(timeout=10)
    text = open(f"{work}/responder.err").read()
    for line in text.splitlines():
        if line.startswith("responder: answered"):
            return int(line.split()[2])
    sys.exit(f"avmond_bench: no counters from the responder: {text[-300:]}")


def cpu_of(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def run_avmond(args, n, rep, seconds=None):
    seconds = seconds or args.seconds
    work = tempfile.mkdtemp(prefix=f"avmond-bench-{n}-")
    os.makedirs(f"{work}/run")
    dead = addresses(n // 10, "127.2")
    live = addresses(n - len(dead), "127.10")
    with open(f"{work}/avmon.toml", "w") as f:
        f.write(fleet_toml(work, live, dead, args.interval))
    os.chmod(f"{work}/avmon.toml", 0o600)
    resp = start_responder(args.responder, work)
    sim_cpu0, t0 = cpu_of(resp.pid), time.monotonic()
    err = open(f"{work}/avmond.err", "w")
    d = subprocess.Popen(args.wrap.split() + [args.avmond, "--config", f"{work}/avmon.toml", "--run-for", str(seconds),
                          "--log-level", "warning"], stderr=err)
    # RSS once every device is set up: just before the earliest first poll could land in bulk
    # (first polls are spread over one interval), i.e. a moment after start-up.
    time.sleep(min(1.0, args.interval / 4))
    setup_rss = rss_kib(d.pid)
    _, status, ru = os.wait4(d.pid, 0)
    wall = time.monotonic() - t0
    sim_cpu = cpu_of(resp.pid) - sim_cpu0
    answered = stop_responder(resp, work)
    rc = os.waitstatus_to_exitcode(status)
    if rc != 0:
        sys.exit(f"avmond_bench: avmond exited {rc}: {open(f'{work}/avmond.err').read()[-800:]}")
    db = sqlite3.connect(f"file:{work}/avmon.db?mode=ro", uri=True)
    series = db.execute("SELECT count(*) FROM series").fetchone()[0]
    # Dead devices have series too (probe_up); an answered poll stores the agent's uptime.
    devices_with_data = db.execute("SELECT count(DISTINCT device) FROM series WHERE metric = 'sys_uptime_s'").fetchone()[0]
    db.close()
    shutil.rmtree(work)
    cpu = ru.ru_utime + ru.ru_stime
    return {"bench": "avmond", "size": n, "rep": rep, "interval_s": args.interval, "run_s": seconds,
            "wall_s": round(wall, 3), "answered": answered, "cpu_s": round(cpu, 3),
            "cpu_s_per_1k": round(cpu / max(answered, 1) * 1000, 5), "peak_rss_kib": ru.ru_maxrss,
            "setup_rss_kib": setup_rss, "series": series, "devices_with_data": devices_with_data,
            "live": len(live), "dead": len(dead), "sim_cpu_per_wall": round(sim_cpu / wall, 3)}


def run_min_poller(args, n, rep):
    work = tempfile.mkdtemp(prefix=f"min-poller-{n}-")
    live = addresses(n - n // 10, "127.10")
    with open(f"{work}/targets", "w") as f:
        f.write("\n".join(live) + "\n")
    resp = start_responder(args.responder, work)
    out = subprocess.run([args.min_poller, "--targets", f"{work}/targets", "--port", str(PORT), "--cycles", "2"],
                         capture_output=True, text=True, check=True).stdout.split("\n")
    stop_responder(resp, work)
    shutil.rmtree(work)
    last = [l for l in out if l.startswith("cycle")][-1].split()
    answered, cpu = int(last[5]), float(last[9])
    return {"bench": "min_poller", "size": n, "rep": rep, "answered": answered, "cpu_s": cpu,
            "cpu_s_per_1k": round(cpu / max(answered, 1) * 1000, 5)}


def main():
    args = parse_args()
    if os.environ.get("AVMOND_BENCH_NS") != "1":
        env = dict(os.environ, AVMOND_BENCH_NS="1")
        os.execvpe("unshare", ["unshare", "-n", sys.executable] + sys.argv, env)
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # one socket per SNMP session
    lines = []
    for n in [int(s) for s in args.sizes.split()]:
        for rep in range(1, args.reps + 1):
            # Two runs of different length: their difference is the steady state, start-up
            # (config, probes, creating every series) cancelled out.
            short_s = max(args.seconds - 2 * args.interval, args.interval + 1)
            runs = [run_avmond(args, n, rep), run_avmond(args, n, rep, short_s), run_min_poller(args, n, rep)]
            long, short = runs[0], runs[1]
            short["bench"] = "avmond_short"
            steady = {"bench": "avmond_steady", "size": n, "rep": rep,
                      "answered": long["answered"] - short["answered"],
                      "cpu_s": round(long["cpu_s"] - short["cpu_s"], 3)}
            steady["cpu_s_per_1k"] = round(steady["cpu_s"] / max(steady["answered"], 1) * 1000, 5)
            for r in runs + [steady]:
                print(json.dumps(r), flush=True)
                lines.append(r)
    if args.out:
        with open(args.out, "w") as f:
            f.write("".join(json.dumps(l) + "\n" for l in lines))
    print()
    print("| devices | answered GETs | avmond CPU-s / 1k, whole run | steady state | min_poller CPU-s / 1k "
          "| steady ÷ min_poller (target <= 2x) | RSS after setup | peak RSS (target <= 64 MiB) | devices with data |")
    print("|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    ok = True
    for n in sorted({l["size"] for l in lines}):
        a = [l for l in lines if l["size"] == n and l["bench"] == "avmond"]
        m = [l for l in lines if l["size"] == n and l["bench"] == "min_poller"]
        st = [l for l in lines if l["size"] == n and l["bench"] == "avmond_steady"]
        cpu_a = statistics.median(l["cpu_s_per_1k"] for l in a)
        cpu_s = statistics.median(l["cpu_s_per_1k"] for l in st)
        cpu_m = statistics.median(l["cpu_s_per_1k"] for l in m)
        peak = statistics.median(l["peak_rss_kib"] for l in a) / 1024
        setup = statistics.median(l["setup_rss_kib"] for l in a) / 1024
        print(f"| {n:,} | {statistics.median(l['answered'] for l in a):,.0f} | {cpu_a:.4f} | {cpu_s:.4f} | {cpu_m:.4f} "
              f"| {cpu_s / cpu_m:.1f}x | {setup:.1f} MiB | {peak:.1f} MiB "
              f"| {statistics.median(l['devices_with_data'] for l in a):,.0f} of {a[0]['live']:,} live |")
        ok = ok and all(l["answered"] > 0 and l["devices_with_data"] >= l["live"] * 0.95 for l in a)
    if not ok:
        sys.exit("avmond_bench: some live devices were never stored: the figures are meaningless")


if __name__ == "__main__":
    main()
