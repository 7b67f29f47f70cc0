#!/usr/bin/python3
"""A real snmpd restarts under avmond: its sysUpTime goes backwards between two polls.

avmond must log the restart once (device_restarted, naming the device and the new uptime),
keep the device reachable (no unreachable line for a restart faster than the unreachable
rule), and go on storing its samples.

usage: snmp_restart_test.py AVMOND SOURCE_DIR
"""
import os, signal, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fault"))
from faultlib import check, config_header, finish, free_port, query, start_avmond, write_config

avmond, src = sys.argv[1], sys.argv[2]
tmp = tempfile.mkdtemp(prefix="avmond-snmprestart-")
port = free_port(__import__("socket").SOCK_DGRAM)
os.makedirs(f"{tmp}/persist")
with open(f"{src}/tests/snmp/snmpd.conf.in") as f:
    conf = f.read().replace("@PORT@", str(port)).replace("@PERSIST@", f"{tmp}/persist")
with open(f"{tmp}/snmpd.conf", "w") as f:
    f.write(conf)


def start_snmpd():
    p = subprocess.Popen(["snmpd", "-f", "-C", "-c", f"{tmp}/snmpd.conf", "-m", "", "-Lf", f"{tmp}/snmpd.log"])
    for _ in range(100):
        r = subprocess.run(["snmpget", "-v2c", "-c", "avtest-ro", "-On", "-t", "0.2", "-r", "0", f"127.0.0.1:{port}",
                            "1.3.6.1.2.1.1.3.0"], capture_output=True)
        if r.returncode == 0:
            return p
        time.sleep(0.1)
    sys.exit("snmpd did not start: " + open(f"{tmp}/snmpd.log").read()[-500:])


agent = start_snmpd()
cfg = f"{tmp}/avmon.toml"
write_config(cfg, config_header(tmp, src) + f"""
[[device]]
id = "host-1"
name = "Room PC"
room = "r1"
class = "display"
address = "127.0.0.1"
icmp = false
profile = "generic-host"
interval = "1s"
[device.snmp]
version = "2c"
port = {port}
community = "avtest-ro"
timeout = "500ms"
retries = 1
""")
errpath = f"{tmp}/stderr.log"
daemon = start_avmond(avmond, cfg, open(errpath, "w"))


def uptimes():
    try:
        return [r[0] for r in query(f"{tmp}/avmon.db",
                                    "SELECT s.value FROM samples s JOIN series r ON r.id = s.series_id "
                                    "WHERE r.device = 'host-1' AND r.metric = 'sys_uptime_s' ORDER BY s.t_ms")]
    except Exception:
        return []


def wait(cond, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.2)
    return False


try:
    # Let the agent run long enough that a fresh one is clearly younger.
    check(wait(lambda: any(u >= 3 for u in uptimes()), 20), "avmond stores the agent's uptime, and it reaches 3 s")
    before = len(uptimes())
    agent.send_signal(signal.SIGTERM)
    agent.wait(timeout=10)
    agent = start_snmpd()
    restarted = lambda: [l for l in open(errpath) if "the SNMP agent restarted" in l]
    check(wait(lambda: restarted(), 15), "the restart is logged")
    lines = restarted()
    check(len(lines) == 1, f"logged once ({len(lines)} lines)")
    check(bool(lines) and "host-1" in lines[0] and "AVMON_DEVICE=host-1" in lines[0] and lines[0].startswith("<5>"),
          "the line is a notice naming the device: " + (lines[0].strip() if lines else "-"))
    check(wait(lambda: len(uptimes()) >= before + 3, 15), "samples go on after the restart")
    up = uptimes()
    check(any(b < a for a, b in zip(up, up[1:])), f"the stored uptime went backwards ({up[-6:]})")
    # A second poll of the same agent is not another restart.
    time.sleep(2.5)
    check(len(restarted()) == 1, "later polls of the restarted agent are not restarts")
    check(not [l for l in open(errpath) if "host-1" in l and "does not answer" in l.lower()],
          "no unreachable line for a restart shorter than the unreachable rule")
finally:
    daemon.send_signal(signal.SIGTERM)
    try:
        rc = daemon.wait(timeout=30)
    except subprocess.TimeoutExpired:
        daemon.kill(); rc = "timeout"
    check(rc == 0, f"avmond exits 0 on SIGTERM ({rc})")
    if agent.poll() is None:
        agent.send_signal(signal.SIGTERM)
        agent.wait(timeout=10)
sys.exit(finish())
