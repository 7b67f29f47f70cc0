#!/usr/bin/python3
"""avmond as a process: sd_notify protocol on a socket the test binds, SIGHUP with a broken
config keeps the old configuration, a valid SIGHUP applies the change, SIGTERM flushes the store.

usage: avmond_lifecycle_test.py AVMOND SOURCE_DIR
"""
import os, signal, socket, sqlite3, subprocess, sys, tempfile, time

avmond, src = sys.argv[1], sys.argv[2]
failures = []
passed = 0


def check(cond, what):
    global passed
    if cond:
        passed += 1
        print("ok   " + what)
    else:
        failures.append(what)
        print("FAIL " + what)


tmp = tempfile.mkdtemp(prefix="avmond-it-")
sim = subprocess.Popen(["/usr/bin/python3", f"{src}/tests/sims/pjlink_sim.py", "--port", "0", "--lamps", "1500 1"],
                       stdout=subprocess.PIPE, text=True)
port = int(sim.stdout.readline().split()[1])

CONFIG = """
[daemon]
runtime_dir = "{tmp}"
default_interval = "1s"
icmp_mode = "off"
profile_dirs = ["{src}/config/profiles"]
[store]
path = "{tmp}/avmon.db"
flush_interval = "60s"   # nothing is flushed by time during the test: only shutdown can flush
flush_rows = 100000
[[site]]
id = "hq"
name = "HQ"
[[room]]
id = "r1"
name = "Room 1"
site = "hq"
{devices}
"""
DEVICE = """
[[device]]
id = "{id}"
name = "Projector {id}"
room = "r1"
class = "display"
address = "127.0.0.1"
icmp = false
interval = "1s"
[device.control]
protocol = "pjlink"
port = {port}
"""
cfg = f"{tmp}/avmon.toml"


def write_config(*ids):
    devices = "".join(DEVICE.format(id=i, port=port) for i in ids)
    with open(cfg, "w") as f:
        f.write(CONFIG.format(tmp=tmp, src=src, devices=devices))
    os.chmod(cfg, 0o600)


write_config("proj-1")
notify_path = f"{tmp}/notify.sock"
notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
notify.bind(notify_path)
notify.settimeout(10)
env = dict(os.environ, NOTIFY_SOCKET=notify_path)
env.pop("JOURNAL_STREAM", None)
errlog = open(f"{tmp}/stderr.log", "w+")
daemon = subprocess.Popen([avmond, "--config", cfg], env=env, stderr=errlog)


def next_notify():
    try:
        return notify.recv(4096).decode()
    except socket.timeout:
        return ""


def wait_notify(token):
    deadline = time.time() + 10
    seen = []
    while time.time() < deadline:
        msg = next_notify()
        seen.append(msg)
        if token in msg.split("\n"):
            return msg
    print("  notifications seen:", seen)
    return ""


def stderr_text():
    errlog.flush()
    with open(f"{tmp}/stderr.log") as f:
        return f.read()


def wait_stderr(fragment, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if fragment in stderr_text():
            return True
        time.sleep(0.1)
    return False


try:
    ready = wait_notify("READY=1")
    check(ready != "", "READY=1 is sent once avmond is up")
    check("STATUS=polling 1 devices" in ready, "READY carries a STATUS line")

    # A broken config: SIGHUP must refuse it, name file:line, and keep polling with the old one.
    with open(cfg, "a") as f:
        f.write('\n[[device]]\nid = "broken"\nclass = "toaster"\n')
    daemon.send_signal(signal.SIGHUP)
    check(wait_notify("RELOADING=1") != "", "SIGHUP sends RELOADING=1")
    check(wait_notify("READY=1") != "", "READY=1 follows a refused reload")
    check(wait_stderr("reload refused, still running the previous configuration"), "a broken config is refused")
    check(wait_stderr(f"{cfg}:"), "the refusal names the file and line")
    check(daemon.poll() is None, "avmond keeps running after a refused reload")

    # A valid change: a second projector on the same simulator.
    write_config("proj-1", "proj-2")
    daemon.send_signal(signal.SIGHUP)
    check(wait_notify("READY=1") != "", "READY=1 after a valid reload")
    check(wait_stderr("configuration reloaded: device proj-2 added"), "the reload says what changed")
    time.sleep(2.5)   # a few polls of both devices; nothing is flushed before shutdown

    daemon.send_signal(signal.SIGTERM)
    check(wait_notify("STOPPING=1") != "", "SIGTERM sends STOPPING=1")
    rc = daemon.wait(timeout=20)
    check(rc == 0, f"avmond exits 0 on SIGTERM (got {rc})")

    db = sqlite3.connect(f"file:{tmp}/avmon.db?mode=ro", uri=True)
    per_device = dict(db.execute("SELECT device, count(*) FROM series s JOIN samples x ON x.series_id = s.id GROUP BY device"))
    check(per_device.get("proj-1", 0) >= 3, f"the shutdown flush stored proj-1's samples ({per_device})")
    check(per_device.get("proj-2", 0) >= 1, "the device added by reload was polled and stored")
    lamp = db.execute("SELECT last_value FROM series WHERE device='proj-1' AND metric LIKE 'lamp_hours%'").fetchone()
    check(lamp is not None and lamp[0] == 1500, f"values come through (lamp hours {lamp})")
    started = [l for l in stderr_text().splitlines() if "avmond started" in l]
    check(len(started) == 1 and started[0].startswith("<5>"), "outside systemd, lines carry <N> priority prefixes")
finally:
    if daemon.poll() is None:
        daemon.kill()
    sim.kill()

print(f"{passed} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
