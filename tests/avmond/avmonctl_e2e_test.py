#!/usr/bin/python3
"""avmonctl driving a real avmond over its control socket: status answers fast, an alarm raised by a
dead projector is listed, acknowledged (actor recorded)
and resolved with its cause (deadline behaviour after an ack is shown in simulated time by the
alarm engine's tests); a maintenance window is added, persisted and listed; reload reports
what changed; another Unix user is refused by the socket's permissions; a malformed request gets an
error and the daemon keeps serving; every write is in the audit log.

usage: avmonctl_e2e_test.py AVMOND AVMONCTL SOURCE_DIR
"""
import json, os, signal, socket, sqlite3, subprocess, sys, tempfile, time

avmond, avmonctl, src = sys.argv[1:4]
failures, passed = [], 0


def check(cond, what):
    global passed
    if cond:
        passed += 1
        print("ok   " + what, flush=True)
    else:
        failures.append(what)
        print("FAIL " + what, flush=True)


tmp = tempfile.mkdtemp(prefix="avmonctl-e2e-")
os.chmod(tmp, 0o755)
s = socket.socket(); s.bind(("127.0.0.1", 0)); dead_port = s.getsockname()[1]; s.close()
sock = f"{tmp}/avmond.sock"
CONFIG = f"""
[daemon]
runtime_dir = "{tmp}"
icmp_mode = "off"
profile_dirs = ["{src}/config/profiles"]
[store]
path = "{tmp}/avmon.db"
flush_interval = "200ms"
[[site]]
id = "hq"
name = "HQ"
[[room]]
id = "board"
name = "Boardroom"
site = "hq"
[[person]]
id = "duty"
name = "Duty"
email = "duty@example.test"
[roster]
fallback = "duty"
[[rule]]
id = "unreachable"
kind = "unreachable"
severity = "I"
for_polls = 1
text = "{{device}} does not answer"
[[device]]
id = "proj"
name = "Projector"
room = "board"
class = "display"
address = "127.0.0.1"
icmp = false
interval = "1s"
[device.control]
protocol = "pjlink"
port = {dead_port}
timeout = "300ms"
"""
cfg = f"{tmp}/avmon.toml"
with open(cfg, "w") as f:
    f.write(CONFIG)
os.chmod(cfg, 0o600)
env = {k: v for k, v in os.environ.items() if k not in ("NOTIFY_SOCKET", "JOURNAL_STREAM")}
daemon = subprocess.Popen([avmond, "--config", cfg], env=env, stderr=open(f"{tmp}/stderr.log", "w"))


def ctl(*args, user=None):
    cmd = [avmonctl, *args, "--socket", sock]
    if user:
        cmd = ["setpriv", "--reuid", user, "--regid", "nogroup", "--clear-groups", *cmd]
    t0 = time.time()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
    return p.returncode, p.stdout, p.stderr, time.time() - t0


try:
    for _ in range(100):
        if os.path.exists(sock):
            break
        time.sleep(0.1)
    rc, out, err, took = ctl("status")
    check(rc == 0 and took < 1.0, f"status answers within 1 s (rc {rc}, {took:.2f}s) {err.strip()}")
    alarm = None
    for _ in range(50):
        rc, out, err, _ = ctl("alarms", "--json")
        if rc == 0:
            data = json.loads(out)
            rows = data if isinstance(data, list) else data.get("alarms", [])
            if rows:
                alarm = rows[0]
                break
        time.sleep(0.2)
    check(alarm is not None and alarm.get("device") == "proj", f"the dead projector's alarm is listed ({alarm})")
    aid = str(alarm["id"]) if alarm else "1"
    rc, out, err, _ = ctl("ack", aid, "--note", "on my way")
    check(rc == 0, f"ack succeeds ({err.strip()})")
    rc, out, err, _ = ctl("ack", "999999")
    check(rc == 1 and "999999" in (out + err), f"ack of an unknown alarm exits 1 and names it ({rc}: {err.strip()})")
    rc, out, err, _ = ctl("ack", "not-a-number")
    check(rc == 2, f"a malformed argument is a usage error ({rc})")
    rc, out, err, _ = ctl("maintenance", "add", "--device", "proj", "--start", "2030-01-01T22:00Z",
                          "--duration", "2h", "--reason", "firmware upgrade")
    check(rc == 0, f"maintenance add succeeds ({err.strip()})")
    rc, out, err, _ = ctl("maintenance", "list")
    check(rc == 0 and "firmware upgrade" in out, "the window is listed")
    rc, out, err, _ = ctl("resolve", aid, "--cause", "power strip switched off", "--action", "switched on")
    check(rc == 0, f"resolve records the cause ({err.strip()})")
    with open(cfg, "a") as f:
        f.write(CONFIG[CONFIG.index("[[device]]"):].replace('id = "proj"', 'id = "proj-2"'))
    rc, out, err, _ = ctl("reload")
    check(rc == 0 and "proj-2" in out, f"reload reports what changed ({out.strip()} {err.strip()})")
    rc, out, err, _ = ctl("status", user="nobody")
    check(rc == 4, f"another Unix user is refused by the socket permissions (rc {rc}: {err.strip()})")
    # A malformed request straight on the socket: an error response, and the daemon keeps serving.
    c = socket.socket(socket.AF_UNIX); c.connect(sock); c.sendall(b"{not json\n"); c.settimeout(5)
    reply = c.recv(4096).decode(); c.close()
    check('"ok":false' in reply.replace(" ", ""), f"garbage gets an error response ({reply.strip()[:80]})")
    rc, out, err, took = ctl("status")
    check(rc == 0, "the daemon still answers after garbage")

    daemon.send_signal(signal.SIGTERM)
    check(daemon.wait(timeout=20) == 0, "avmond exits 0")
    db = sqlite3.connect(f"file:{tmp}/avmon.db?mode=ro", uri=True)
    kinds = [(k, a, n) for k, a, n in db.execute(
        "SELECT kind, actor, note FROM alarm_events WHERE alarm_id = ? ORDER BY id", (int(aid),))]
    check(("acknowledged", "root", "on my way") in kinds, f"the ack is in the timeline with its actor ({kinds})")
    row = db.execute("SELECT state, cause, action FROM alarms WHERE id = ?", (int(aid),)).fetchone()
    check(row is not None and row[1] == "power strip switched off" and row[2] == "switched on",
          f"resolve recorded cause and action ({row})")
    actions = {r[0] for r in db.execute("SELECT action FROM audit")}
    check({"ack", "resolve", "reload"} <= actions or {"alarm.ack", "alarm.resolve", "reload"} <= actions,
          f"writes are audited ({sorted(actions)})")
    check(db.execute("SELECT count(*) FROM maintenance_windows").fetchone()[0] == 1, "the window is persisted")
finally:
    if daemon.poll() is None:
        daemon.kill()

print(f"{passed} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
