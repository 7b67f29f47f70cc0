#!/usr/bin/python3
"""Samsung MDC display simulator for avmon tests.

Speaks MDC on stdin/stdout (put it behind socat to make a serial display:
  socat pty,raw,echo=0,link=$D/ttyMDC EXEC:"/usr/bin/python3 mdc_sim.py --id 1")
or on TCP (--tcp --port 0 prints "PORT n" on stdout, then serves one client at a time).

Faults: --bad-checksum (a corrupted copy precedes every good reply), --garbage-prefix (line
noise, including 0xAA, before every reply), --stall-mid-frame (after --stall-after good
replies, send half a reply and then nothing), --nak CMD (answer command CMD, hex, with a NAK
carrying --nak-code), --secured (TCP: greet with MDCSTART<<TLS>> like newer firmware).
"""
import argparse
import os
import socket
import sys

p = argparse.ArgumentParser()
p.add_argument("--id", type=int, default=0)
p.add_argument("--power", choices=["on", "off"], default="on")
p.add_argument("--temp", type=int, default=41)
p.add_argument("--fan-error", action="store_true")
p.add_argument("--temp-error", action="store_true")
p.add_argument("--lamp-error", action="store_true")
p.add_argument("--no-fan", action="store_true", help="fan status 2 = not supported")
p.add_argument("--input", type=lambda s: int(s, 0), default=0x21)
p.add_argument("--serial", default="ZZ0123456789")
p.add_argument("--version", default="S-PM2XX-1010.5")
p.add_argument("--model", default="QM55R")
p.add_argument("--bad-checksum", action="store_true")
p.add_argument("--garbage-prefix", action="store_true")
p.add_argument("--stall-mid-frame", action="store_true")
p.add_argument("--stall-after", type=int, default=0)
p.add_argument("--nak", action="append", default=[], help="command (hex) to NAK")
p.add_argument("--nak-code", type=lambda s: int(s, 0), default=0x01)
p.add_argument("--secured", action="store_true")
p.add_argument("--tcp", action="store_true")
p.add_argument("--port", type=int, default=0)
p.add_argument("--log", help="append one line per request received")
args = p.parse_args()
nak_commands = {int(c, 16) for c in args.nak}
state = {"replies": 0, "stalled": False}


def frame(body):
    f = bytes([0xAA, 0xFF, args.id & 0xFF, len(body)]) + bytes(body)
    return f + bytes([sum(f[1:]) & 0xFF])


def ascii_field(text):
    return list(text.encode())


def answer(cmd):
    if cmd in nak_commands:
        return frame([0x4E, cmd, args.nak_code])
    on = 1 if args.power == "on" else 0
    data = {
        0x11: [on],
        0x00: [on, 0x10, 0x00, args.input, 0x10, 0x00, 0x00],
        0x0D: [1 if args.lamp_error else 0, 1 if args.temp_error else 0, 2, 0, args.temp & 0xFF,
               2 if args.no_fan else (1 if args.fan_error else 0)],
        0x14: [args.input],
        0x83: [0x00, 0x01, 0x2C],  # 300 x 10 min = 50 h
        0x0B: ascii_field(args.serial),
        0x0E: ascii_field(args.version),
        0x8A: ascii_field(args.model),
        0xF9: [0],
    }.get(cmd)
    if data is None:
        return frame([0x4E, cmd, 0x01])
    return frame([0x41, cmd] + data)


def reply_bytes(cmd):
    """What goes on the wire for one request (None: say nothing)."""
    if state["stalled"]:
        return None
    good = answer(cmd)
    if args.stall_mid_frame and state["replies"] >= args.stall_after:
        state["stalled"] = True
        return good[: len(good) // 2]
    state["replies"] += 1
    out = b""
    if args.garbage_prefix:
        out += bytes([0x00, 0x13, 0xAA, 0x11, 0x7F, 0xAA, 0xFF, 0x00])  # includes false headers
    if args.bad_checksum:
        bad = bytearray(good)
        bad[-1] ^= 0x5A
        out += bytes(bad)
    return out + good


def requests(buf):
    """Yields complete request commands from buf (a bytearray it consumes)."""
    while True:
        i = buf.find(b"\xAA")
        if i < 0:
            buf.clear()
            return
        del buf[:i]
        if len(buf) < 4 or len(buf) < 5 + buf[3]:
            return
        n = 5 + buf[3]
        req = bytes(buf[:n])
        del buf[:n]
        if sum(req[1:-1]) & 0xFF != req[-1]:
            continue  # a display ignores a request with a bad checksum
        cmd, dev = req[1], req[2]
        if args.log:
            with open(args.log, "a") as f:
                f.write("%02x %02x\n" % (cmd, dev))
        if dev != args.id and dev not in (0xFE, 0xFF):
            continue  # addressed to another display on the bus
        yield cmd


def serve(read, write):
    buf = bytearray()
    while True:
        chunk = read()
        if not chunk:
            return
        buf += chunk
        for cmd in requests(buf):
            out = reply_bytes(cmd)
            if out:
                write(out)


def main():
    if not args.tcp:
        serve(lambda: os.read(0, 256), lambda b: os.write(1, b))
        return
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", args.port))
    srv.listen(4)
    print("PORT %d" % srv.getsockname()[1], flush=True)
    while True:
        conn, _ = srv.accept()
        with conn:
            if args.secured:
                conn.sendall(b"MDCSTART<<TLS>>")
            try:
                serve(lambda: conn.recv(256), conn.sendall)
            except OSError:
                pass


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
