#!/usr/bin/python3
"""SIGKILL avmond at random points while it polls, raises alarms and queues mail, then restart it.

After every kill: PRAGMA integrity_check is ok; no alarm, alarm event or outbox row committed
before the kill is missing; the samples lost are at most about one flush interval; and the
restarted daemon resumes the stored alarms instead of raising duplicates.

usage: crash_test.py AVMOND SOURCE_DIR [ITERATIONS]   (ITERATIONS also from CRASH_ITERATIONS)
"""
import os, random, signal, sqlite3, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from faultlib import pjlink_device

avmond, src = sys.argv[1], sys.argv[2]
iterations = int(sys.argv[3] if len(sys.argv) > 3 else os.environ.get("CRASH_ITERATIONS", "20"))
failures, passed = [], 0


def check(cond, what):
    global passed
    if cond:
        passed += 1
    else:
        failures.append(what)
        print("FAIL " + what, flush=True)


tmp = tempfile.mkdtemp(prefix="avmond-crash-")
sim = subprocess.Popen(["/usr/bin/python3", f"{src}/tests/sims/pjlink_sim.py", "--port", "0", "--lamps", "900 1"],
                       stdout=subprocess.PIPE, text=True)
port = int(sim.stdout.readline().split()[1])
# A port nobody listens on: the "dead" projectors are refused at once, so alarms come quickly.
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); dead_port = s.getsockname()[1]; s.close()

devices = ""
for i in range(6):
    p = port if i < 3 else dead_port
    devices += pjlink_device(f"proj-{i}", p, name=f"Projector {i}")
config = f"""
[daemon]
runtime_dir = "{tmp}"
icmp_mode = "off"
profile_dirs = ["{src}/config/profiles"]
[store]
path = "{tmp}/avmon.db"
flush_interval = "1s"
[[site]]
id = "hq"
name = "HQ"
[[room]]
id = "r1"
name = "Room 1"
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
{devices}
"""
with open(f"{tmp}/avmon.toml", "w") as f:
    f.write(config)
os.chmod(f"{tmp}/avmon.toml", 0o600)
db_path = f"{tmp}/avmon.db"


def snapshot():
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        alarms = {r[0]: r[1:] for r in db.execute("SELECT id, device, rule_id FROM alarms")}
        events = {r[0] for r in db.execute("SELECT id FROM alarm_events")}
        outbox = {r[0]: r[1] for r in db.execute("SELECT id, event_id FROM notifications")}
        last_ms = db.execute("SELECT max(max_t_ms) FROM sample_blocks").fetchone()[0] or 0
        return alarms, events, outbox, last_ms
    finally:
        db.close()


rng = random.Random(int(os.environ.get("CRASH_SEED", "4242")))
before = ({}, set(), {}, 0)
log = open(f"{tmp}/stderr.log", "w")
try:
    for it in range(iterations):
        env = {k: v for k, v in os.environ.items() if k not in ("NOTIFY_SOCKET", "JOURNAL_STREAM")}
        d = subprocess.Popen([avmond, "--config", f"{tmp}/avmon.toml"], stderr=log, env=env)
        time.sleep(rng.uniform(1.2, 3.5))
        if it > 0:   # while it runs, look at what it has committed (a reader never blocks the writer)
            live = snapshot()
        killed_at = time.time()
        d.send_signal(signal.SIGKILL)
        d.wait()
        db = sqlite3.connect(db_path)
        check(db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", f"iteration {it}: integrity_check ok")
        db.close()
        alarms, events, outbox, last_ms = snapshot()
        check(set(before[0]) <= set(alarms), f"iteration {it}: every alarm committed before is still there")
        check(before[1] <= events, f"iteration {it}: every alarm event committed before is still there")
        check(set(before[2]) <= set(outbox), f"iteration {it}: every queued notification is still there")
        if it > 0:
            check(set(live[0]) <= set(alarms) and live[1] <= events, f"iteration {it}: what was seen live survived the kill")
        # every event that asked for mail has its outbox rows: they were written in one transaction
        raised = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        orphans = raised.execute("""SELECT count(*) FROM alarm_events e WHERE e.kind IN ('raised','escalated','reopened')
                                    AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.event_id = e.id)""").fetchone()[0]
        raised.close()
        check(orphans == 0, f"iteration {it}: no alarm event that notifies lacks its outbox rows ({orphans})")
        lost_s = killed_at - last_ms / 1000.0
        check(last_ms > 0 and lost_s < 3.5, f"iteration {it}: samples lost cover {lost_s:.1f}s, at most ~one flush + poll")
        # The dead projectors have exactly one alarm each, however often the daemon restarted.
        per_device = {}
        for dev, rule in alarms.values():
            per_device[(dev, rule)] = per_device.get((dev, rule), 0) + 1
        dupes = {k: v for k, v in per_device.items() if v > 1}
        check(not dupes, f"iteration {it}: restored alarms are resumed, not raised again ({dupes})")
        before = (alarms, events, outbox, last_ms)
    alarms = before[0]
    check(len(before[2]) >= 3, f"the alarms queued notifications ({len(before[2])} outbox rows)")
    check({a[0] for a in alarms.values()} == {"proj-3", "proj-4", "proj-5"},
          f"the dead projectors, and only they, have alarms ({sorted(alarms.values())})")
finally:
    sim.kill()

print(f"{passed} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
