#!/usr/bin/python3
"""A serial display unplugged and replugged 50 times under the real avmond, counting its fds.

The display is tests/sims/mdc_sim.py behind socat on a pseudo terminal (the USB-serial adapter);
unplug = stop socat (SIGTERM, and SIGKILL every 10th time, which leaves a stale node behind),
replug = start socat again with the same link= path. avmond keeps the port open with an
exclusive lock and reopens it by itself. Asserts: avmond's open file descriptors
(/proc/<pid>/fd) after the 50 cycles are what they were before (no leak), the display is polled
again after the last replug (new samples in the store), it stays running, and exits 0.

usage: serial_replug_test.py AVMOND SOURCE_DIR [CYCLES]
"""
import os, signal, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from faultlib import check, config_header, finish, open_fds, query, start_avmond, write_config

avmond, src = sys.argv[1], sys.argv[2]
cycles = int(sys.argv[3] if len(sys.argv) > 3 else os.environ.get("REPLUG_CYCLES", "50"))
tmp = tempfile.mkdtemp(prefix="avmond-replug-")
tty = f"{tmp}/ttyDisplay"


def plug():
    p = subprocess.Popen(["socat", f"pty,raw,echo=0,link={tty}",
                          f"EXEC:/usr/bin/python3 {src}/tests/sims/mdc_sim.py --id 1 --temp 44"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        if os.path.exists(tty):
            break
        time.sleep(0.01)
    return p


def unplug(p, hard):
    p.send_signal(signal.SIGKILL if hard else signal.SIGTERM)
    p.wait()


socat = plug()
write_config(f"{tmp}/avmon.toml", config_header(tmp, src) + f"""
[[device]]
id = "display"
name = "Samsung display (RS-232)"
room = "r1"
class = "display"
icmp = false
interval = "1s"
[device.control]
protocol = "mdc"
display_id = 1
timeout = "500ms"
serial = {{ path = "{tty}", baud = 9600 }}
""")
db = f"{tmp}/avmon.db"
errlog = open(f"{tmp}/stderr.log", "w")
daemon = start_avmond(avmond, f"{tmp}/avmon.toml", errlog)


def polled_since(t_wall, timeout):
    """Waits until the store holds a sample of the display taken after t_wall (unix seconds)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if os.path.exists(db):
            n = query(db, "SELECT count(*) FROM samples x JOIN series s ON s.id = x.series_id "
                          "WHERE s.device = 'display' AND s.metric = 'probe_up.mdc' AND x.value = 1 AND x.t_ms > ?",
                      int(t_wall * 1000))[0][0]
            if n:
                return True
        time.sleep(0.2)
    return False


try:
    check(polled_since(time.time() - 60, 10), "the display is polled before the first unplug")
    time.sleep(1.5)   # everything the first polls open (store, WAL, link) is open now
    before = open_fds(daemon.pid)
    t0 = time.monotonic()
    for i in range(cycles):
        unplug(socat, hard=(i % 10 == 9))
        time.sleep(0.15)
        socat = plug()
        time.sleep(0.35)
        if daemon.poll() is not None:
            break
    check(daemon.poll() is None, f"avmond survives {cycles} unplug/replug cycles ({time.monotonic() - t0:.0f} s)")
    replugged_at = time.time()
    check(polled_since(replugged_at, 15), "the display is polled again after the last replug")
    time.sleep(1.5)
    after = open_fds(daemon.pid)
    print(f"     open fds: {before} before, {after} after {cycles} cycles")
    check(after <= before + 1, f"no file descriptor leak ({before} -> {after})")
    daemon.send_signal(signal.SIGTERM)
    rc = daemon.wait(timeout=20)
    check(rc == 0, f"avmond exits 0 on SIGTERM ({rc})")
    lost = query(db, "SELECT count(*) FROM samples x JOIN series s ON s.id = x.series_id "
                     "WHERE s.device = 'display' AND s.metric = 'probe_up.mdc' AND x.value = 0")[0][0]
    check(lost >= 3, f"the unplugs were really seen: polls found the display gone ({lost})")
finally:
    if daemon.poll() is None:
        daemon.kill()
    socat.kill()

sys.exit(finish())
