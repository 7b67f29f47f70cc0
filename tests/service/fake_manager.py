#!/usr/bin/python3
"""Plays systemd for one Type=notify service: owns NOTIFY_SOCKET, arms the watchdog the way
systemd does (WATCHDOG_USEC, WATCHDOG_PID = the child's pid), then walks the service through
start, watchdog, SIGHUP reload and SIGTERM stop, checking every notification and its sender.

usage: fake_manager.py WATCHDOG_USEC -- command args...
Prints one line per check; exit 0 when all hold."""
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

watchdog_usec = int(sys.argv[1])
assert sys.argv[2] == "--"
command = sys.argv[3:]
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


tmp = tempfile.mkdtemp(prefix="avmon-manager-")
path = os.path.join(tmp, "notify")
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(path)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)  # learn each sender's pid, as systemd does


def child_setup():
    # systemd names the main process in WATCHDOG_PID; only it may feed the watchdog.
    os.environ["WATCHDOG_PID"] = str(os.getpid())


env = dict(os.environ, NOTIFY_SOCKET=path, WATCHDOG_USEC=str(watchdog_usec))
env.pop("JOURNAL_STREAM", None)
child = subprocess.Popen(command, env=env, preexec_fn=child_setup)
start = time.monotonic()
log = []  # (seconds since start, sender pid, payload)


def receive_until(predicate, timeout):
    """Collects notifications until predicate(payload) holds; returns that payload or None."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            data, anc, _, _ = sock.recvmsg(4096, socket.CMSG_SPACE(12))
        except socket.timeout:
            break
        pid = None
        for level, kind, cdata in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                pid, _, _ = struct.unpack("iII", cdata[:12])
        payload = data.decode()
        log.append((time.monotonic() - start, pid, payload))
        if predicate(payload):
            return payload
    return None


def fields(payload):
    return dict(line.split("=", 1) for line in payload.split("\n") if "=" in line)


try:
    ready = receive_until(lambda p: fields(p).get("READY") == "1", 20)
    check(ready is not None, "READY=1 after start")
    check(ready is not None and bool(fields(ready).get("STATUS")), f"READY carries a STATUS: {ready!r}")

    # Pings every WATCHDOG_USEC/2: within 1.6 intervals at least 2 more must arrive.
    t0 = len(log)
    receive_until(lambda p: False, 1.6 * watchdog_usec / 1e6)
    pings = [e for e in log[t0:] if fields(e[2]).get("WATCHDOG") == "1"]
    check(len(pings) >= 2, f"watchdog pings while running: {len(pings)}")

    child.send_signal(signal.SIGHUP)
    reloading = receive_until(lambda p: fields(p).get("RELOADING") == "1", 10)
    check(reloading is not None, "RELOADING=1 after SIGHUP")
    if reloading:
        mono = int(fields(reloading).get("MONOTONIC_USEC", "0"))
        now = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
        check(0 < now - mono < 10_000_000, f"MONOTONIC_USEC is the current CLOCK_MONOTONIC ({now - mono} us ago)")
    again = receive_until(lambda p: fields(p).get("READY") == "1", 10)
    check(again is not None, "READY=1 again after the reload")

    child.send_signal(signal.SIGTERM)
    stopping = receive_until(lambda p: fields(p).get("STOPPING") == "1", 10)
    check(stopping is not None, "STOPPING=1 after SIGTERM")
    try:
        rc = child.wait(timeout=15)
    except subprocess.TimeoutExpired:
        child.kill()
        rc = child.wait()
    check(rc == 0, f"exit status 0 after SIGTERM (got {rc})")

    senders = {pid for _, pid, _ in log}
    check(senders == {child.pid}, f"every notification comes from the main pid (NotifyAccess=main): {senders}")
finally:
    if child.poll() is None:
        child.kill()
        child.wait()
    sock.close()
    os.unlink(path)
    os.rmdir(tmp)

for t, pid, payload in log:
    print(f"  {t:6.2f}s pid {pid}: {payload!r}")
sys.exit(1 if failures else 0)
