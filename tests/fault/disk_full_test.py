#!/usr/bin/python3
"""avmond with its store on a small tmpfs that fills up while it polls and raises alarms.

Inside a private mount namespace (unshare -m): the store lives on a 3 MiB tmpfs. After a few
seconds of normal work dd fills the tmpfs; while it is full a projector dies (so an alarm is
raised in memory only); then the filler is removed. Asserts: the loop keeps running (watchdog
pings and journal-style stderr lines keep coming while the disk is full), the condition is
logged once (store_disk_full text) and the recovery once (store_recovered text), the alarm
raised during the outage reaches the store after space returns, samples written after the
recovery are there, PRAGMA integrity_check is ok, and avmond exits 0 on SIGTERM. avmond raises its
own severity II alarm (device "avmond", rule store_unwritable) while writes fail, and it resolves
by itself afterwards; both events and the notification reach the store once space returns.

usage: unshare -m --propagation private disk_full_test.py AVMOND SOURCE_DIR
"""
import os, signal, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from faultlib import (check, pjlink_device, config_header, finish, max_gap, query, start_avmond, write_config, NotifyListener)

avmond, src = sys.argv[1], sys.argv[2]
tmp = tempfile.mkdtemp(prefix="avmond-diskfull-")
store_dir = f"{tmp}/store"
os.makedirs(store_dir)
# The mount is private to this namespace: the host never sees it, and it vanishes with us.
mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m,mode=755", "tmpfs", store_dir],
                         capture_output=True, text=True)
if mounted.returncode != 0:
    sys.exit(f"disk_full_test: cannot mount a tmpfs ({mounted.stderr.strip()}); run me under unshare -m")

procs = []


def pjlink(port=0):
    p = subprocess.Popen(["/usr/bin/python3", f"{src}/tests/sims/pjlink_sim.py", "--port", str(port), "--lamps", "700 1"],
                         stdout=subprocess.PIPE, text=True)
    procs.append(p)
    return p, int(p.stdout.readline().split()[1])


healthy_sim, healthy_port = pjlink()
victim_sim, victim_port = pjlink()          # dies while the disk is full
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); dead_port = s.getsockname()[1]; s.close()

devices = "".join(pjlink_device(f"proj-ok-{i}", healthy_port) for i in range(20))
devices += pjlink_device("proj-dead", dead_port)
devices += pjlink_device("proj-victim", victim_port)
db = f"{store_dir}/avmon.db"
cfg = f"{tmp}/avmon.toml"
write_config(cfg, config_header(tmp, src, db=db) + devices)

notify = NotifyListener(f"{tmp}/notify.sock")
errpath = f"{tmp}/stderr.log"
errlog = open(errpath, "w")
daemon = start_avmond(avmond, cfg, errlog, notify_path=notify.path, watchdog_usec=2_000_000)


def stderr_lines():
    with open(errpath) as f:
        return f.read().splitlines()


def wait_stderr(fragment, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if any(fragment in l for l in stderr_lines()):
            return True
        time.sleep(0.1)
    return False


FULL = "database or disk is full"
try:
    if not check(notify.wait_for("READY=1"), "READY=1 arrives"):
        raise SystemExit(finish())
    check(wait_stderr("proj-dead: unreachable", 10), "the dead projector is reported before the disk fills")
    time.sleep(2.5)   # its alarm is raised and flushed
    pre = query(db, "SELECT count(*) FROM alarms WHERE device = 'proj-dead'")[0][0]
    check(pre == 1, f"the dead projector's alarm is stored before the disk fills ({pre})")

    # Fill the file system while avmond works.
    subprocess.run(["dd", "if=/dev/zero", f"of={store_dir}/filler", "bs=16k"], capture_output=True)
    df = os.statvfs(store_dir)
    check(df.f_bavail * df.f_frsize < 64 * 1024, f"the tmpfs is full ({df.f_bavail * df.f_frsize} bytes left)")
    t_full = time.monotonic()
    # SQLite first reuses the pages its WAL already has; the error comes once it needs more.
    check(wait_stderr(FULL, 25), f"avmond notices the full disk (after {time.monotonic() - t_full:.1f} s)")
    t_noticed = time.monotonic()
    lines_at_full = len(stderr_lines())
    victim_sim.kill(); victim_sim.wait()
    check(wait_stderr("proj-victim: unreachable", 10), "polling goes on with a full disk: the new failure is logged")
    check(wait_stderr("avmond cannot write its store", 5),
          "avmond raises its own alarm for the unwritable store (in memory, on the journal)")
    own = [l for l in stderr_lines() if "avmond cannot write its store" in l and "AVMON_EVENT=raised" in l]
    check(len(own) == 1 and own[0].startswith("<3>") and "AVMON_DEVICE=avmond" in own[0] and "AVMON_SEVERITY=II" in own[0],
          f"once, as a severity II alarm of device avmond ({own[:1]})")
    time.sleep(4)     # the victim's alarm is raised now, in memory only
    lines_later = len(stderr_lines())
    check(lines_later > lines_at_full, f"journal-style lines keep appearing while full ({lines_at_full} -> {lines_later})")
    stored_during = query(db, "SELECT count(*) FROM alarms WHERE device = 'proj-victim'")[0][0]
    t_free = time.monotonic()

    os.remove(f"{store_dir}/filler")
    check(wait_stderr("works again", 15), "avmond says the store works again once space returns")
    time.sleep(2.5)   # a few more flushes
    t_end = time.monotonic()
    gap = max_gap(notify.watchdog_times(), t_full, t_end)
    check(gap <= 1.3, f"watchdog pings kept coming through the outage (worst gap {gap:.2f} s)")

    daemon.send_signal(signal.SIGTERM)
    rc = daemon.wait(timeout=20)
    check(rc == 0, f"avmond exits 0 on SIGTERM (got {rc})")
    lines = stderr_lines()
    full_lines = [l for l in lines if FULL in l]
    check(len(full_lines) == 1, f"the full disk is logged once ({len(full_lines)} lines)")
    check(full_lines and full_lines[0].startswith("<3>") and "store: cannot write to" in full_lines[0],
          "as an error naming the store (store_disk_full)")
    recovered = [l for l in lines if "store: writing to" in l and "works again" in l]
    check(len(recovered) == 1, f"the recovery is logged once ({len(recovered)} lines)")

    conn_ok = query(db, "PRAGMA integrity_check")[0][0]
    check(conn_ok == "ok", f"PRAGMA integrity_check is ok ({conn_ok})")
    victim = query(db, "SELECT id, state FROM alarms WHERE device = 'proj-victim'")
    print(f"     victim alarm rows while full: {stored_during}; after: {victim}")
    check(len(victim) == 1, "the alarm raised while the disk was full was written after space returned")
    events = query(db, "SELECT e.kind FROM alarm_events e JOIN alarms a ON a.id = e.alarm_id WHERE a.device = 'proj-victim'")
    check(("raised",) in events, f"with its raised event ({events})")
    mails = query(db, "SELECT count(*) FROM notifications n JOIN alarm_events e ON e.id = n.event_id "
                      "JOIN alarms a ON a.id = e.alarm_id WHERE a.device = 'proj-victim'")[0][0]
    check(mails >= 1, f"and its notification is queued in the outbox ({mails})")
    free_ms = (time.time() - (time.monotonic() - t_free)) * 1000
    after = query(db, "SELECT count(*) FROM samples WHERE t_ms > ?", int(free_ms))[0][0]
    check(after > 0, f"samples polled after the recovery are stored ({after})")
    full_ms = (time.time() - (time.monotonic() - t_full)) * 1000
    noticed_ms = (time.time() - (time.monotonic() - t_noticed)) * 1000
    during = query(db, "SELECT count(*) FROM samples WHERE t_ms BETWEEN ? AND ?", int(noticed_ms) + 1000,
                   int(free_ms) - 500)[0][0]
    check(during > 0, f"samples polled while writes failed were kept in memory and stored later ({during})")
    own = query(db, "SELECT id, rule_id, severity, state FROM alarms WHERE device = 'avmond'")
    check(len(own) == 1 and own[0][1] == "store_unwritable" and own[0][2] == "II" and own[0][3] == "resolved",
          f"avmond's own alarm is stored, resolved by itself once writes worked again ({own})")
    own_events = [k for (k,) in query(db, "SELECT e.kind FROM alarm_events e JOIN alarms a ON a.id = e.alarm_id "
                                          "WHERE a.device = 'avmond' ORDER BY e.id")]
    check(own_events[:1] == ["raised"] and "resolved" in own_events, f"with its raised and resolved events ({own_events})")
    own_mail = query(db, "SELECT count(*) FROM notifications n JOIN alarm_events e ON e.id = n.event_id "
                         "JOIN alarms a ON a.id = e.alarm_id WHERE a.device = 'avmond'")[0][0]
    check(own_mail >= 1, f"and the on-duty engineer's notification is in the outbox ({own_mail})")
finally:
    if daemon.poll() is None:
        daemon.kill()
    notify.stop()
    for p in procs:
        if p.poll() is None:
            p.kill()
    subprocess.run(["umount", "-l", store_dir], capture_output=True)

sys.exit(finish())
