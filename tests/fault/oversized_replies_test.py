#!/usr/bin/python3
"""Devices that answer far too much: avmond's memory stays bounded and its loop responsive.

A "projector" that greets like PJLink and then streams data without ever ending a frame (as fast
as avmond reads), a second one that answers every command with a 1 MiB line, an "SNMP agent"
that answers every request with 60,000-byte datagrams, and a healthy PJLink simulator.
Asserts: avmond's resident memory grows by less than 32 MiB over the run, WATCHDOG=1 keeps
arriving (every <= 1.3 s with a 1 s period), the healthy device keeps being polled, the
flooding devices are recorded as failing (not as values), and avmond exits 0 on SIGTERM.

usage: oversized_replies_test.py AVMOND SOURCE_DIR
"""
import os, signal, socket, subprocess, sys, tempfile, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from faultlib import (check, rss_kb, config_header, finish, max_gap, query, samples_per_device, sanitized, start_avmond,
                      write_config, NotifyListener)

avmond, src = sys.argv[1], sys.argv[2]
seconds = 15
tmp = tempfile.mkdtemp(prefix="avmond-oversized-")
stop = threading.Event()


def tcp_server(handler):
    srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0)); srv.listen(16); srv.settimeout(0.2)

    def accept_loop():
        while not stop.is_set():
            try:
                c, _ = srv.accept()
            except socket.timeout:
                continue
            threading.Thread(target=handler, args=(c,), daemon=True).start()
    threading.Thread(target=accept_loop, daemon=True).start()
    return srv.getsockname()[1]


def endless(c):
    """PJLink greeting, then bytes without a CR for as long as the client reads."""
    try:
        c.sendall(b"PJLINK 0\r")
        chunk = b"%1POWR=" + b"7" * 65536
        while not stop.is_set():
            c.sendall(chunk)
    except OSError:
        pass
    finally:
        c.close()


def huge_lines(c):
    """Every command is answered with a 1 MiB line that does end in CR."""
    try:
        c.sendall(b"PJLINK 0\r")
        c.settimeout(5)
        while not stop.is_set():
            if not c.recv(4096):
                break
            c.sendall(b"%1POWR=" + b"1" * (1 << 20) + b"\r")
    except OSError:
        pass
    finally:
        c.close()


def udp_flood():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0)); s.settimeout(0.2)

    def loop():
        while not stop.is_set():
            try:
                _, peer = s.recvfrom(65535)
            except socket.timeout:
                continue
            # A BER SEQUENCE header claiming the whole datagram, filled with OCTET STRING noise.
            body = b"\x04\x82\xea\x56" + b"\xa5" * 60000
            s.sendto(b"\x30\x82" + len(body).to_bytes(2, "big") + body, peer)
    threading.Thread(target=loop, daemon=True).start()
    return s.getsockname()[1]


endless_port, huge_port, udp_port = tcp_server(endless), tcp_server(huge_lines), udp_flood()
sim = subprocess.Popen(["/usr/bin/python3", f"{src}/tests/sims/pjlink_sim.py", "--port", "0"], stdout=subprocess.PIPE, text=True)
ok_port = int(sim.stdout.readline().split()[1])

PJ = """
[[device]]
id = "{id}"
name = "{id}"
room = "r1"
class = "display"
address = "127.0.0.1"
icmp = false
interval = "1s"
[device.control]
protocol = "pjlink"
port = {port}
timeout = "800ms"
"""
devices = (PJ.format(id="pj-ok", port=ok_port) + PJ.format(id="pj-endless", port=endless_port)
           + PJ.format(id="pj-huge-lines", port=huge_port) + f"""
[[device]]
id = "snmp-flood"
name = "snmp-flood"
room = "r1"
class = "display"
address = "127.0.0.1"
icmp = false
interval = "1s"
profile = "generic-host"
[device.snmp]
version = "2c"
port = {udp_port}
community = "public"
timeout = "800ms"
retries = 1
""")
cfg = f"{tmp}/avmon.toml"
write_config(cfg, config_header(tmp, src) + devices)
notify = NotifyListener(f"{tmp}/notify.sock")
errlog = open(f"{tmp}/stderr.log", "w")
daemon = start_avmond(avmond, cfg, errlog, notify_path=notify.path, watchdog_usec=2_000_000)


try:
    if not check(notify.wait_for("READY=1"), "READY=1 arrives"):
        raise SystemExit(finish())
    t_start = time.monotonic()
    base = rss_kb(daemon.pid)
    peak = base
    while time.monotonic() - t_start < seconds:
        time.sleep(0.5)
        if daemon.poll() is not None:
            break
        peak = max(peak, rss_kb(daemon.pid))
    t_end = time.monotonic()
    check(daemon.poll() is None, "avmond survives the floods")
    print(f"     RSS {base} kB at start, peak {peak} kB")
    if sanitized(daemon.pid):   # ASan's quarantine and shadow memory make RSS meaningless
        print("     NOTE: AddressSanitizer build: the memory bound is not checked")
    else:
        check(peak - base < 32 * 1024, f"resident memory stays bounded (+{(peak - base) // 1024} MiB)")
    gap = max_gap(notify.watchdog_times(), t_start, t_end)
    check(gap <= 1.3, f"the loop stays responsive: worst watchdog gap {gap:.2f} s")
    daemon.send_signal(signal.SIGTERM)
    rc = daemon.wait(timeout=20)
    check(rc == 0, f"avmond exits 0 on SIGTERM ({rc})")
    db = f"{tmp}/avmon.db"
    polls = samples_per_device(db)
    check(polls.get("pj-ok", 0) >= seconds * 0.6, f"the healthy projector kept being polled ({polls.get('pj-ok', 0)})")
    for dev in ("pj-endless", "pj-huge-lines"):
        power = query(db, "SELECT count(*) FROM series s JOIN samples x ON x.series_id = s.id "
                          "WHERE s.device = ? AND s.metric = 'power_state'", dev)[0][0]
        errors = query(db, "SELECT count(*) FROM metric_states WHERE device = ? AND status != 'ok'", dev)[0][0]
        up = query(db, "SELECT last_value FROM series WHERE device = ? AND metric = 'probe_up.pjlink'", dev)
        check(power == 0, f"{dev}: no power value was made up from the flood ({power})")
        check(errors > 0 or (up and up[0][0] == 0), f"{dev}: recorded as failing ({errors} metrics in error, probe_up {up})")
    flood_alarm = query(db, "SELECT count(*) FROM alarms WHERE device = 'snmp-flood'")[0][0]
    check(flood_alarm == 1, f"the flooding SNMP agent is unreachable: one alarm ({flood_alarm})")
finally:
    stop.set()
    if daemon.poll() is None:
        daemon.kill()
    notify.stop()
    sim.kill()

sys.exit(finish())
