#!/usr/bin/python3
"""Soak run of the real avmond: ~1,000 simulated devices with scripted faults, sampling the
daemon's resident memory and open file descriptors into a CSV and failing if they grow.

Started by soak.sh inside a private network namespace (all ports below are ours). Settings
come from the environment (defaults in brackets):
  SOAK_SECONDS [3600]        how long avmond runs
  SOAK_DEVICES [1000]        fleet size: 60 % SNMP (snmpsim, real recordings), 30 % PJLink, 10 % dead
  SOAK_INTERVAL [30]         poll interval of every device, seconds
  SOAK_SAMPLE_SECONDS [60]   how often RSS/fds are sampled (and faults change)
  SOAK_WARMUP [min(600, SOAK_SECONDS/3)]  growth is measured from the end of the warm-up
  SOAK_RSS_SLACK_KB [20480]  allowed growth after the warm-up of RSS outside the store's malloc arena
  SOAK_STORE_CACHE_KB [2048]  the store writer's SQLite page cache (store.cache_mib, 2 MiB by
                             default): its thread arena may fill up to this
                             plus 12.5 % page overhead plus SOAK_STORE_BASE_KB [8192]
  SOAK_FD_SLACK [16]         allowed growth of open fds after the warm-up
  SOAK_DIR [mktemp]          where the config, store, stderr and soak.csv go
Faults, one change per sample period: a PJLink simulator (a quarter of the projectors) is
switched off for two periods out of four; 30 % nftables loss on one snmpsim port every other
period; one snmpsim process is killed for one period out of five; SIGHUP (reload) every
seven periods. Severity II escalates after 60 s unacknowledged and 180 s unresolved; every
such deadline of a severity II alarm must show an 'escalated' event at most 10 s late. Growth is judged on the lowest of the last three samples against the highest
of the first three after the warm-up, so a transient burst of in-flight polls is not a leak.

RSS is split (from /proc/PID/smaps, without stopping the daemon) into the main malloc arena
(heap_kb: the loop thread) and the thread arenas (thread_arenas_kb: mostly the store writer,
whose SQLite page cache fills with the database up to its cache_size - a 1-hour run does not
reach that cap). So the RSS bound applies to everything outside the thread arenas, and the
thread arenas get their own absolute bound, the page cache's size.
"""
import csv, os, re, signal, socket, subprocess, sys, tempfile, threading, time

avmond, root = sys.argv[1], sys.argv[2]
env = os.environ
seconds = float(env.get("SOAK_SECONDS", "3600"))
n_devices = int(env.get("SOAK_DEVICES", "1000"))
interval = int(env.get("SOAK_INTERVAL", "30"))
period = float(env.get("SOAK_SAMPLE_SECONDS", "60"))
warmup = float(env.get("SOAK_WARMUP", str(min(600.0, seconds / 3))))
rss_slack = int(env.get("SOAK_RSS_SLACK_KB", "20480"))
fd_slack = int(env.get("SOAK_FD_SLACK", "16"))
store_cache = int(env.get("SOAK_STORE_CACHE_KB", "2048"))
store_base = int(env.get("SOAK_STORE_BASE_KB", "8192"))
ACK_S, RESOLVE_S = 60, 180    # severity II deadlines in the soak's config
ESCALATION_SLACK_S = 10       # an escalation may come this much after its deadline
out = env.get("SOAK_DIR") or tempfile.mkdtemp(prefix="avmon-soak-")
os.makedirs(out, exist_ok=True)
os.chmod(out, 0o755)

subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
procs = {}


def start(name, cmd):
    procs[name] = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


SNMP_PORTS = [1161, 1162, 1163, 1164]
PJ_PORTS = [14352, 14353, 14354, 14355]
RECS = {"epson-projector_eb-4770w": ("snmp-projector", "display"), "clickshare_main": ("clickshare", "display")}
os.makedirs(f"{out}/snmprec", exist_ok=True); os.makedirs(f"{out}/cache", exist_ok=True)
for r in RECS:
    with open(f"{root}/tests/fixtures/snmprec/{r}.snmprec") as s, open(f"{out}/snmprec/{r}.snmprec", "w") as d:
        d.write(s.read())
subprocess.run(["chown", "-R", "nobody:nogroup", f"{out}/cache"], check=True)
subprocess.run(["chmod", "-R", "a+rX", f"{out}/snmprec"], check=True)


def snmpsim(port):
    start(f"snmp{port}", ["snmpsimd", f"--data-dir={out}/snmprec", f"--cache-dir={out}/cache",
                          f"--agent-udpv4-endpoint=127.0.0.1:{port}", "--process-user=nobody",
                          "--process-group=nogroup", "--logging-method=null"])


def pjlink(port):
    start(f"pj{port}", ["/usr/bin/python3", f"{root}/tests/sims/pjlink_sim.py", "--port", str(port), "--lamps", "1800 1"])


for p in SNMP_PORTS:
    snmpsim(p)
for p in PJ_PORTS:
    pjlink(p)

header = f"""
[daemon]
runtime_dir = "{out}"
icmp_mode = "off"
default_interval = "{interval}s"
max_backoff = "{interval * 4}s"
profile_dirs = ["{root}/config/profiles"]
[store]
path = "{out}/avmon.db"
flush_interval = "1s"
[[site]]
id = "hq"
name = "HQ"
[[person]]
id = "duty"
name = "Duty"
email = "duty@example.test"
[roster]
fallback = "duty"
# Short deadlines so that a run of an hour sees hundreds of escalations to check.
[severity.II]
ack = "{ACK_S}s"
resolve = "{RESOLVE_S}s"
[[rule]]
id = "unreachable"
kind = "unreachable"
severity = "II"
for_polls = 2
text = "{{device}} does not answer"
"""
rooms, devices = [], []
n_snmp, n_pj = int(n_devices * 0.6), int(n_devices * 0.3)
for r in range(n_devices // 10 + 1):
    rooms.append(f'[[room]]\nid = "room-{r}"\nname = "Room {r}"\nsite = "hq"\n')
for i in range(n_devices):
    room = f"room-{i // 10}"
    if i < n_snmp:
        rec = list(RECS)[i % len(RECS)]
        profile, cls = RECS[rec]
        devices.append(f"""[[device]]
id = "snmp-{i}"
name = "snmp {i}"
room = "{room}"
class = "{cls}"
address = "127.0.0.1"
icmp = false
profile = "{profile}"
[device.snmp]
version = "2c"
port = {SNMP_PORTS[i % len(SNMP_PORTS)]}
community = "{rec}"
timeout = "1s"
retries = 1
""")
    else:
        dead = i >= n_snmp + n_pj
        port = 1 + (i % 50) if dead else PJ_PORTS[i % len(PJ_PORTS)]   # nothing listens on 1..50
        devices.append(f"""[[device]]
id = "{'dead' if dead else 'pj'}-{i}"
name = "projector {i}"
room = "{room}"
class = "display"
address = "127.0.0.1"
icmp = false
[device.control]
protocol = "pjlink"
port = {port}
timeout = "1s"
""")
cfg = f"{out}/avmon.toml"
with open(cfg, "w") as f:
    f.write(header + "\n".join(rooms) + "\n".join(devices))
os.chmod(cfg, 0o600)
time.sleep(1)

# The watchdog as systemd would arm it (10 s): the worst gap between pings goes into the CSV.
notify_path = f"{out}/notify.sock"
if os.path.exists(notify_path):
    os.remove(notify_path)
notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
notify.bind(notify_path)
notify.settimeout(0.5)
pings = []


def listen():
    while True:
        try:
            if b"WATCHDOG=1" in notify.recv(4096).split(b"\n"):
                pings.append(time.monotonic())
        except socket.timeout:
            continue
        except OSError:
            return


threading.Thread(target=listen, daemon=True).start()
denv = {k: v for k, v in env.items() if k not in ("JOURNAL_STREAM", "NOTIFY_SOCKET")}
denv.update(NOTIFY_SOCKET=notify_path, WATCHDOG_USEC="10000000")
err = open(f"{out}/stderr.log", "w")
daemon = subprocess.Popen(["/bin/sh", "-c", 'export WATCHDOG_PID=$$; exec "$@"', "soak", avmond, "--config", cfg],
                          env=denv, stderr=err)


def proc_status(pid):
    rss = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
            if line.startswith("Threads:"):
                threads = int(line.split()[1])
    return rss, len(os.listdir(f"/proc/{pid}/fd")), threads


MAPPING = re.compile(r"^[0-9a-f]+-[0-9a-f]+ ")
ARENA_ALIGN = 64 << 20  # glibc's HEAP_MAX_SIZE: every thread arena starts on such a boundary


def memory_split(pid):
    """Resident kB of the main malloc arena ([heap]: the loop thread - alarm engine, probes,
    config) and of the thread arenas (64 MiB-aligned anonymous mappings: the store writer's
    thread, which holds SQLite's page cache). Read from smaps: the daemon is never stopped."""
    heap = arenas = 0
    kind = None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            head = line.split()
            if MAPPING.match(line):
                start = int(head[0].split("-")[0], 16)
                name = head[5] if len(head) > 5 else ""
                kind = "heap" if name == "[heap]" else "arena" if not name and start % ARENA_ALIGN == 0 else None
            elif head[0] == "Rss:" and kind:
                if kind == "heap":
                    heap += int(head[1])
                else:
                    arenas += int(head[1])
    return heap, arenas


def nft(rules):
    subprocess.run(["nft", "-f", "-"], input=rules, text=True, capture_output=True)


def apply_faults(step):
    """One change per period; every fault is reversed again later in its cycle."""
    faults = []
    if step % 4 == 1:
        procs["pj14352"].terminate(); procs["pj14352"].wait(); faults.append("pjlink-14352-off")
    elif step % 4 == 3:
        pjlink(14352); faults.append("pjlink-14352-on")
    if step % 2 == 1:
        nft("table inet soak { chain in { type filter hook input priority 0; "
            "udp dport 1162 numgen random mod 100 < 30 drop; } }")
        faults.append("loss-1162-on")
    else:
        subprocess.run(["nft", "delete", "table", "inet", "soak"], capture_output=True)
    if step % 5 == 2:
        procs["snmp1163"].kill(); procs["snmp1163"].wait(); faults.append("snmpsim-1163-killed")
    elif step % 5 == 3:
        snmpsim(1163); faults.append("snmpsim-1163-back")
    if step % 7 == 6:
        daemon.send_signal(signal.SIGHUP); faults.append("sighup")
    return faults


rows = []
csv_path = f"{out}/soak.csv"
t0 = time.monotonic()
ok = True
print(f"soak: avmond pid {daemon.pid}, {n_devices} devices every {interval}s for {seconds:.0f}s; "
      f"sampling every {period:.0f}s into {csv_path}", flush=True)
with open(csv_path, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["elapsed_s", "rss_kb", "open_fds", "threads", "db_bytes", "watchdog_pings", "worst_ping_gap_s", "faults",
                "heap_kb", "thread_arenas_kb"])
    step = 0
    last_ping_check = t0
    while time.monotonic() - t0 < seconds:
        time.sleep(min(period, max(0.0, seconds - (time.monotonic() - t0))))
        if daemon.poll() is not None:
            print(f"soak: FAIL avmond exited with {daemon.returncode}", flush=True)
            ok = False
            break
        now = time.monotonic()
        recent = [last_ping_check] + [p for p in pings if p >= last_ping_check] + [now]
        gap = max(b - a for a, b in zip(recent, recent[1:]))
        last_ping_check = now
        rss, fds, threads = proc_status(daemon.pid)
        heap, arenas = memory_split(daemon.pid)
        db_bytes = sum(os.path.getsize(f"{out}/{n}") for n in os.listdir(out) if n.startswith("avmon.db"))
        step += 1
        faults = apply_faults(step)
        row = [round(now - t0), rss, fds, threads, db_bytes, len(pings), round(gap, 2), "+".join(faults), heap, arenas]
        rows.append(row)
        w.writerow(row); f.flush()
        print("soak: " + " ".join(f"{k}={v}" for k, v in zip(
            ["t", "rss_kb", "fds", "threads", "db", "pings", "gap", "faults", "heap_kb", "arenas_kb"], row)), flush=True)

subprocess.run(["nft", "delete", "table", "inet", "soak"], capture_output=True)
stopped_ms = int(time.time() * 1000)
if daemon.poll() is None:
    daemon.send_signal(signal.SIGTERM)
    try:
        rc = daemon.wait(timeout=60)
    except subprocess.TimeoutExpired:
        daemon.kill(); rc = "timeout"
    if rc != 0:
        print(f"soak: FAIL avmond exit status on SIGTERM: {rc}"); ok = False
for p in procs.values():
    if p.poll() is None:
        p.kill()

after = [r for r in rows if r[0] >= warmup]
if len(after) < 4:
    print(f"soak: FAIL too few samples after the {warmup:.0f}s warm-up ({len(after)}); run longer or sample faster")
    ok = False
else:
    ref_rss, ref_fds = max(r[1] for r in after[:3]), max(r[2] for r in after[:3])
    end_rss, end_fds = min(r[1] for r in after[-3:]), min(r[2] for r in after[-3:])
    outside = lambda r: r[1] - r[9]  # RSS outside the thread arenas
    ref_out, end_out = max(outside(r) for r in after[:3]), min(outside(r) for r in after[-3:])
    ref_arenas, end_arenas = max(r[9] for r in after[:3]), min(r[9] for r in after[-3:])
    arena_bound = store_cache + store_cache // 8 + store_base
    print(f"soak: RSS {ref_rss} kB after warm-up -> {end_rss} kB at the end; outside the thread arenas "
          f"{ref_out} -> {end_out} kB (bound +{rss_slack} kB); thread arenas (store writer, SQLite page "
          f"cache) {ref_arenas} -> {end_arenas} kB (bound {arena_bound} kB); fds {ref_fds} -> {end_fds} "
          f"(bound +{fd_slack})")
    if end_out > ref_out + rss_slack:
        print("soak: FAIL resident memory outside the store's page cache grew beyond the bound"); ok = False
    if max(r[9] for r in rows) > arena_bound:
        print("soak: FAIL the thread arenas outgrew the store's page cache bound"); ok = False
    if end_fds > ref_fds + fd_slack:
        print("soak: FAIL open file descriptors grew beyond the bound"); ok = False
worst_gap = max((r[6] for r in rows), default=0)
if worst_gap > 10:
    print(f"soak: FAIL a watchdog ping gap of {worst_gap}s exceeds WATCHDOG_USEC (10 s)"); ok = False
import sqlite3
db = sqlite3.connect(f"file:{out}/avmon.db?mode=ro", uri=True)
check = db.execute("PRAGMA quick_check").fetchone()[0]
polled = db.execute("SELECT count(DISTINCT device) FROM series").fetchone()[0]
# Only severity II has the short deadlines (profiles' own rules may raise III or IV).
events = db.execute("SELECT e.alarm_id, e.t_ms, e.kind FROM alarm_events e JOIN alarms a ON a.id = e.alarm_id "
                    "WHERE a.severity = 'II' ORDER BY e.alarm_id, e.id").fetchall()
db.close()


def missed_escalations(events, end_ms):
    """Every deadline an open alarm passed must have its 'escalated' event, at most
    ESCALATION_SLACK_S late. An alarm's clock starts at raised/reopened/unsuppressed; ack
    stops the ack deadline; resolved/closed/suppressed stop both."""
    by_alarm = {}
    for alarm, t, kind in events:
        by_alarm.setdefault(alarm, []).append((t, kind))
    expected = missed = 0
    slack = ESCALATION_SLACK_S * 1000
    for alarm, evs in by_alarm.items():
        spans, start, acked, escalations = [], None, False, [t for t, k in evs if k == "escalated"]
        for t, kind in evs + [(end_ms, "end")]:
            if kind in ("raised", "reopened", "unsuppressed"):
                start, acked = t, False
            elif kind == "acknowledged":
                if start is not None and not acked:
                    spans.append((start, t, "ack"))
                acked = True
            elif kind in ("resolved", "closed", "suppressed", "end") and start is not None:
                spans.append((start, t, "ack" if not acked else None))
                spans.append((start, t, "resolve"))
                start = None
        for begin, stop, which in spans:
            if which is None or begin is None:
                continue
            due = begin + (ACK_S if which == "ack" else RESOLVE_S) * 1000
            if stop <= due + slack:
                continue  # over (acked, resolved, daemon stopped) before it was certainly due
            expected += 1
            if not any(due - 1000 <= e <= due + slack for e in escalations):
                missed += 1
                if missed <= 5:
                    print(f"soak: alarm {alarm}: no escalation for its {which} deadline at {due} ms")
    return expected, missed


expected, missed = missed_escalations(events, stopped_ms)
print(f"soak: escalations {expected - missed} of {expected} due ones on time (within {ESCALATION_SLACK_S}s)")
if missed:
    print(f"soak: FAIL {missed} missed escalations"); ok = False
if expected == 0 and seconds >= 600:
    print("soak: FAIL no escalation was due: the check saw nothing"); ok = False
print(f"soak: quick_check {check}; {polled} devices have stored series; worst watchdog gap {worst_gap}s")
if check != "ok":
    ok = False
if polled < n_devices * 0.85:
    print(f"soak: FAIL only {polled} of {n_devices} devices have stored series"); ok = False
print("soak: PASS" if ok else "soak: FAIL", f"(csv {csv_path}, stderr {out}/stderr.log)")
sys.exit(0 if ok else 1)
