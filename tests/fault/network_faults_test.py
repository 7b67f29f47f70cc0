#!/usr/bin/python3
"""avmond against a misbehaving network, inside a private network namespace.

A fleet of 20 devices: healthy SNMP agents (snmpsim serving real recordings) and PJLink
projectors; one projector whose simulator is stopped and restarted every 2 s, one whose port
an nftables rule drops on and off every 2 s; an SNMP agent behind 30 % random packet loss
(nftables numgen); an "agent" that answers garbage UDP; one that answers only after the
deadline (udp_chaos_proxy.py, 2.5 s delay against a 1 s timeout); one whose DNS name does not
resolve; one port where nothing listens.

Asserts: the event loop stays responsive (WATCHDOG=1 arrives at least every 1.3 s with a
watchdog period of 1 s, whole run); every healthy device keeps being polled (samples in the
store after SIGTERM); the flapping devices give one alarm each, not a storm; avmond exits 0.

usage: unshare -n network_faults_test.py AVMOND SOURCE_DIR [SECONDS]
"""
import os, random, signal, socket, subprocess, sys, tempfile, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from faultlib import (check, pjlink_device, config_header, finish, max_gap, query, samples_per_device, start_avmond,
                      write_config, NotifyListener)

avmond, src = sys.argv[1], sys.argv[2]
seconds = float(sys.argv[3] if len(sys.argv) > 3 else os.environ.get("FAULT_SECONDS", "32"))
here = os.path.dirname(os.path.abspath(__file__))

# ---- our own network namespace: fixed ports are ours alone ----
links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout.splitlines()
if len(links) != 1 or ": lo:" not in links[0]:   # a fresh namespace has only its loopback
    sys.exit("network_faults_test: run me inside `unshare -n` (my nftables rules must not touch the host)")
subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
subprocess.run(["sysctl", "-qw", "net.ipv4.ping_group_range=0 2147483647"], check=True)

tmp = tempfile.mkdtemp(prefix="avmond-netfault-")
os.chmod(tmp, 0o755)
procs = []


def spawn(cmd, **kw):
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)
    procs.append(p)
    return p


# Healthy agents: snmpsim with real device recordings (community = recording name).
os.makedirs(f"{tmp}/snmprec"); os.makedirs(f"{tmp}/cache")
recs = {"ciscosb_cbs250-24p-4x-v3": "poe-switch", "polycomLens_studioxc50": "poly-codec",
        "clickshare_main": "clickshare", "epson-projector_eb-4770w": "snmp-projector"}
for r in recs:
    with open(f"{src}/tests/fixtures/snmprec/{r}.snmprec") as s, open(f"{tmp}/snmprec/{r}.snmprec", "w") as d:
        d.write(s.read())
subprocess.run(["chown", "-R", "nobody:nogroup", f"{tmp}/cache"], check=True)
subprocess.run(["chmod", "-R", "a+rX", f"{tmp}/snmprec"], check=True)
for port in (1161, 1162):   # 1162 is the lossy one (nftables below)
    spawn(["snmpsimd", f"--data-dir={tmp}/snmprec", f"--cache-dir={tmp}/cache",
           f"--agent-udpv4-endpoint=127.0.0.1:{port}", "--process-user=nobody", "--process-group=nogroup",
           "--logging-method=null"])

# The late agent: replies arrive 2.5 s after the question, the device's deadline is 1 s.
spawn(["/usr/bin/python3", f"{here}/udp_chaos_proxy.py", "127.0.0.1:1171", "127.0.0.1:1161", "--delay-ms", "2500"])


def garbage_agent(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", port))
    rng = random.Random(7)
    while True:
        try:
            _, peer = s.recvfrom(65535)
        except OSError:
            return
        # Noise, a truncated BER sequence, and a huge length field: nothing parses.
        for junk in (bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300))),
                     b"\x30\x82\xff\xff\x02\x01", b"\x30\x84\x7f\xff\xff\xff" + b"A" * 40):
            s.sendto(junk, peer)


threading.Thread(target=garbage_agent, args=(1170,), daemon=True).start()


def pjlink(port):
    return spawn(["/usr/bin/python3", f"{src}/tests/sims/pjlink_sim.py", "--port", str(port), "--lamps", "1000 1"])


pjlink(14352)           # healthy projectors share one simulator
flap_sim = pjlink(14353)
pjlink(14354)           # its port is toggled by nftables

devices = []


classes = {"poe-switch": "switch", "poly-codec": "codec", "clickshare": "display", "snmp-projector": "display",
           "generic-host": "display"}


def snmp_device(dev_id, community, port=1161, address="127.0.0.1", timeout="1s", retries=1):
    profile = recs.get(community, "generic-host")
    devices.append(f"""
[[device]]
id = "{dev_id}"
name = "{dev_id}"
room = "r1"
class = "{classes[profile]}"
address = "{address}"
icmp = false
interval = "1s"
profile = "{profile}"
[device.snmp]
version = "2c"
port = {port}
community = "{community}"
timeout = "{timeout}"
retries = {retries}
""")


def add_pjlink(dev_id, port):
    devices.append(pjlink_device(dev_id, port))


healthy = []
for i, r in enumerate(list(recs) * 2):
    snmp_device(f"snmp-ok-{i}", r); healthy.append(f"snmp-ok-{i}")
for i in range(6):
    add_pjlink(f"pj-ok-{i}", 14352); healthy.append(f"pj-ok-{i}")
add_pjlink("pj-flap-stop", 14353)
add_pjlink("pj-flap-nft", 14354)
snmp_device("snmp-lossy", "clickshare_main", port=1162, retries=3)
snmp_device("snmp-garbage", "public", port=1170)
snmp_device("snmp-late", "clickshare_main", port=1171)
snmp_device("snmp-nodns", "public", address="no-such-host.invalid")
snmp_device("snmp-nobody", "public", port=1199)
check(len(devices) == 21, f"the fleet has {len(devices)} devices")

# 30 % loss both ways for the lossy agent.
nft = subprocess.run(["nft", "-f", "-"], text=True, capture_output=True, input="""
table inet fault {
  chain in  { type filter hook input  priority 0; udp dport 1162 numgen random mod 100 < 30 counter drop; }
  chain out { type filter hook output priority 0; udp sport 1162 numgen random mod 100 < 30 counter drop; }
  chain flap { type filter hook input priority 1; }
}
""")
check(nft.returncode == 0, f"nftables loss rules load ({nft.stderr.strip()})")

cfg = f"{tmp}/avmon.toml"
# A shorter flap window than the default 21 evaluations, so flapping is recognised within the run.
flap = "\n[alarms.flap]\nwindow = 11\nstart = 0.4\nstop = 0.2\n"
write_config(cfg, config_header(tmp, src) + flap + "".join(devices))
time.sleep(0.6)   # simulators bind

notify = NotifyListener(f"{tmp}/notify.sock")
errlog = open(f"{tmp}/stderr.log", "w+")
daemon = start_avmond(avmond, cfg, errlog, notify_path=notify.path, watchdog_usec=2_000_000)
flaps = 0
avmonctl = os.environ.get("AVMONCTL", "")
ctl_times = []


def ctl_status():
    """`avmonctl status` during the faults, once avmond serves its control socket."""
    if not os.access(avmonctl, os.X_OK) or not os.path.exists(f"{tmp}/avmond.sock"):
        return
    t = time.monotonic()
    try:
        r = subprocess.run([avmonctl, "status", "--socket", f"{tmp}/avmond.sock"], capture_output=True, timeout=5)
        ctl_times.append((time.monotonic() - t, r.returncode))
    except subprocess.TimeoutExpired:
        ctl_times.append((5.0, "timeout"))


try:
    if not check(notify.wait_for("READY=1"), "READY=1 arrives"):
        raise SystemExit(finish())
    t_start = time.monotonic()
    flap_down = False
    while time.monotonic() - t_start < seconds:
        time.sleep(2)
        flap_down = not flap_down
        flaps += 1
        if flap_down:
            flap_sim.terminate(); flap_sim.wait()
            subprocess.run(["nft", "add", "rule", "inet", "fault", "flap", "tcp", "dport", "14354", "drop"], check=True)
        else:
            flap_sim = pjlink(14353)
            subprocess.run(["nft", "flush", "chain", "inet", "fault", "flap"], check=True)
        check(daemon.poll() is None, f"avmond still running after flap {flaps}") if flaps % 5 == 0 else None
        ctl_status()
    t_end = time.monotonic()
    if ctl_times:
        worst = max(d for d, _ in ctl_times)
        check(all(rc == 0 for _, rc in ctl_times) and worst < 1.0,
              f"`avmonctl status` answered {len(ctl_times)} times during the faults, within 1 s (worst {worst:.2f} s)")
    else:
        print("     NOTE: avmond serves no control socket (or no avmonctl built): `avmonctl status` not checked")
    daemon.send_signal(signal.SIGTERM)
    rc = daemon.wait(timeout=20)
    check(rc == 0, f"avmond exits 0 on SIGTERM (got {rc})")
    wd = notify.watchdog_times()
    gap = max_gap(wd, t_start, t_end)
    check(len(wd) >= seconds * 0.9, f"watchdog pings kept arriving ({len(wd)} in {seconds:.0f}s)")
    check(gap <= 1.3, f"no gap between watchdog pings beyond 1.3 s (worst {gap:.2f} s)")

    db = f"{tmp}/avmon.db"
    per_device = samples_per_device(db)
    starved = {d: per_device.get(d, 0) for d in healthy if per_device.get(d, 0) < seconds * 0.6}
    check(not starved, f"every healthy device kept being polled (>= {seconds * 0.6:.0f} polls with samples each; short: {starved})")
    check(per_device.get("snmp-lossy", 0) > 0, f"the device behind 30 % loss still delivers samples ({per_device.get('snmp-lossy', 0)})")
    for d in ("snmp-garbage", "snmp-late", "snmp-nodns", "snmp-nobody"):
        rows = query(db, "SELECT count(*) FROM alarms WHERE device = ? AND rule_id = 'unreachable'", d)[0][0]
        check(rows == 1, f"{d} has exactly one unreachable alarm ({rows})")
    # The flapping devices: one alarm per (device, rule), reopened rather than raised again,
    # and once flap detection (window 11 here) sees the pattern, no more raise/resolve churn.
    for d in ("pj-flap-stop", "pj-flap-nft"):
        rows = query(db, "SELECT rule_id, count(*) FROM alarms WHERE device = ? GROUP BY rule_id", d)
        check(rows and all(n == 1 for _, n in rows), f"{d}: one alarm per rule however often it flapped ({rows})")
        unreach = query(db, "SELECT id FROM alarms WHERE device = ? AND rule_id = 'unreachable'", d)
        if not check(len(unreach) == 1, f"{d}: its unreachable alarm exists"):
            continue
        events = query(db, "SELECT id, kind, t_ms FROM alarm_events WHERE alarm_id = ? ORDER BY id", unreach[0][0])
        kinds = [k for _, k, _ in events]
        mails = query(db, "SELECT e.t_ms FROM notifications n JOIN alarm_events e ON e.id = n.event_id "
                          "WHERE e.alarm_id = ?", unreach[0][0])
        print(f"     {d}: {flaps} flaps; events {kinds}; {len(mails)} notifications")
        raises = kinds.count("raised") + kinds.count("reopened")
        check(raises <= 6, f"{d}: raises+reopens bounded by the flap window, not one per flap ({raises} for {flaps} flaps)")
        if check("flapping" in kinds, f"{d}: avmond recognises the flapping"):
            t_flap = next(t for _, k, t in events if k == "flapping")
            churn = [k for _, k, t in events if t > t_flap and k in ("raised", "reopened", "resolved")]
            check(not churn, f"{d}: after 'flapping' no more raise/resolve churn ({churn})")
            late_mail = [t for (t,) in mails if t > t_flap]
            check(not late_mail, f"{d}: no notification is queued after 'flapping' ({len(late_mail)})")
    errlog.flush(); errlog.seek(0)
    err = errlog.read()
    check("no-such-host.invalid" in err, "the unresolvable name is reported")
    check(err.count("snmp-nodns: unreachable") == 1, "the unresolvable device is logged once, not every poll")
    check("unresponsive" not in err, "no 'event loop was unresponsive' warning")
finally:
    if daemon.poll() is None:
        daemon.kill()
    notify.stop()
    for p in procs:
        if p.poll() is None:
            p.kill()
    flap_sim.kill()
    subprocess.run(["nft", "delete", "table", "inet", "fault"], capture_output=True)

sys.exit(finish())
