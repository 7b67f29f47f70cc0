"""Shared pieces of the process-level fault tests: assertions, the avmond config header,
a NOTIFY_SOCKET listener that timestamps watchdog pings, and the store queries.

Every test drives the real avmond binary; nothing here fakes the daemon."""
import os, socket, sqlite3, subprocess, threading, time

passed = 0
failures = []


def check(cond, what):
    global passed
    if cond:
        passed += 1
        print("ok   " + what, flush=True)
    else:
        failures.append(what)
        print("FAIL " + what, flush=True)
    return cond


def finish():
    print(f"{passed} passed, {len(failures)} failed", flush=True)
    return 1 if failures or passed == 0 else 0


def config_header(tmp, src, db=None, extra_daemon="", flush="1s", rules=None):
    """The [daemon]/[store]/site/room/roster part every fault test shares."""
    rules = rules if rules is not None else """
[[rule]]
id = "unreachable"
kind = "unreachable"
severity = "I"
for_polls = 2
text = "{device} does not answer"
"""
    return f"""
[daemon]
runtime_dir = "{tmp}"
icmp_mode = "off"
default_interval = "1s"
max_backoff = "2s"
profile_dirs = ["{src}/config/profiles"]
{extra_daemon}
[store]
path = "{db or tmp + '/avmon.db'}"
flush_interval = "{flush}"
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
{rules}
"""


def pjlink_device(dev_id, port, timeout="500ms", name=None, room="r1", extra=""):
    """A projector polled every second over PJLink on 127.0.0.1:port; `extra` adds lines to
    its [device.control] table (a password, say)."""
    return f"""
[[device]]
id = "{dev_id}"
name = "{name or dev_id}"
room = "{room}"
class = "display"
address = "127.0.0.1"
icmp = false
interval = "1s"
[device.control]
protocol = "pjlink"
port = {port}
timeout = "{timeout}"
{extra}"""


def write_config(path, text, mode=0o600):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


class NotifyListener:
    """Binds a NOTIFY_SOCKET and records (monotonic time, message) of every datagram."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.settimeout(0.2)
        self.messages = []
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while self.running:
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            self.messages.append((time.monotonic(), data.decode(errors="replace")))

    def stop(self):
        self.running = False
        self.thread.join()
        self.sock.close()

    def watchdog_times(self):
        return [t for t, m in self.messages if "WATCHDOG=1" in m.split("\n")]

    def wait_for(self, token, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(token in m.split("\n") for _, m in self.messages):
                return True
            time.sleep(0.05)
        return False


def start_avmond(avmond, config, stderr, notify_path=None, watchdog_usec=None, env_extra=None, extra_args=()):
    """Starts avmond through `sh -c 'exec'` so WATCHDOG_PID=$$ is the daemon's own pid."""
    env = {k: v for k, v in os.environ.items() if k not in ("NOTIFY_SOCKET", "JOURNAL_STREAM", "WATCHDOG_USEC", "WATCHDOG_PID")}
    if env_extra:
        env.update(env_extra)
    if notify_path:
        env["NOTIFY_SOCKET"] = notify_path
    args = " ".join(["\"$@\""])
    if watchdog_usec:
        env["WATCHDOG_USEC"] = str(watchdog_usec)
        script = f'export WATCHDOG_PID=$$; exec {args}'
    else:
        script = f'exec {args}'
    return subprocess.Popen(["/bin/sh", "-c", script, "avmond-wrapper", avmond, "--config", config, *extra_args],
                            env=env, stderr=stderr)


def max_gap(times, start, end):
    """Longest interval without a ping between start and end (monotonic seconds)."""
    points = [start] + [t for t in times if start <= t <= end] + [end]
    return max(b - a for a, b in zip(points, points[1:]))


def samples_per_device(db_path):
    """Polls that delivered samples, per device (distinct sample times)."""
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return dict(db.execute("SELECT device, count(DISTINCT x.t_ms) FROM series s JOIN samples x ON x.series_id = s.id GROUP BY device"))
    finally:
        db.close()


def query(db_path, sql, *args):
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return db.execute(sql, args).fetchall()
    finally:
        db.close()


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))


def open_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def free_port(kind=socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def sanitized(pid):
    """True when the process runs with AddressSanitizer (its RSS says nothing about leaks then)."""
    with open(f"/proc/{pid}/maps") as f:
        return "libasan" in f.read()
