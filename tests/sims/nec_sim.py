#!/usr/bin/python3
"""NEC large-format display simulator (external control protocol) for avmon tests.

Speaks on stdin/stdout (behind socat it is a serial display) or on TCP (--tcp --port 0
prints "PORT n"). Answers power status read (01D6), self-diagnosis (B1), the temperature
sensor select (set 02/78) and temperature read (get 02/79); every other get is "unsupported".

Faults: --bad-checksum (a copy with a wrong BCC precedes every good reply), --garbage-prefix,
--stall-mid-frame (after --stall-after good replies, half a reply and then silence), --nak
(every reply carries result 01 "unsupported"), --fan-error (diagnosis code 80).
"""
import argparse
import os
import socket
import sys
import time

p = argparse.ArgumentParser()
p.add_argument("--id", type=int, default=1)
p.add_argument("--power", choices=["on", "standby", "suspend", "off"], default="on")
p.add_argument("--temp", type=float, default=32.5)
p.add_argument("--sensors", type=int, default=2, help="sensors fitted (others are unsupported)")
p.add_argument("--fan-error", action="store_true")
p.add_argument("--bad-checksum", action="store_true")
p.add_argument("--garbage-prefix", action="store_true")
p.add_argument("--stall-mid-frame", action="store_true")
p.add_argument("--stall-after", type=int, default=0)
p.add_argument("--nak", action="store_true")
p.add_argument("--tcp", action="store_true")
p.add_argument("--port", type=int, default=0)
p.add_argument("--log", help="append one line per request received (monotonic time, type, message)")
args = p.parse_args()
me = ord("A") + args.id - 1
state = {"replies": 0, "stalled": False, "sensor": 1}
POWER = {"on": 1, "standby": 2, "suspend": 3, "off": 4}


def frame(kind, message):
    body = b"0" + b"0" + bytes([me]) + kind.encode() + ("%02X" % (len(message) + 2)).encode()
    body += b"\x02" + message.encode() + b"\x03"
    bcc = 0
    for c in body:
        bcc ^= c
    return b"\x01" + body + bytes([bcc, 0x0D])


def answer(kind, msg):
    if kind == "A" and msg == "01D6":
        if args.nak:
            return frame("B", "0201D6000000")
        return frame("B", "0200D6000004%04X" % POWER[args.power])
    if kind == "A" and msg == "B1":
        return frame("B", "A1" + ("80" if args.fan_error else "00"))
    if kind == "E" and msg.startswith("0278") and len(msg) == 8:
        sensor = int(msg[4:], 16)
        if args.nak or not 1 <= sensor <= args.sensors:
            return frame("F", "010278")
        state["sensor"] = sensor
        return frame("F", "0002780000%02X%04X" % (args.sensors, sensor))
    if kind == "C" and msg == "0279" and not args.nak:
        raw = int(round((args.temp + state["sensor"] - 1) * 2)) & 0xFFFF
        return frame("D", "0002790000FF%04X" % raw)
    if kind == "C" and len(msg) == 4:
        return frame("D", "01" + msg)
    return None  # not understood: a display stays silent


def reply_bytes(kind, msg):
    if state["stalled"]:
        return None
    good = answer(kind, msg)
    if good is None:
        return None
    if args.stall_mid_frame and state["replies"] >= args.stall_after:
        state["stalled"] = True
        return good[: len(good) // 2]
    state["replies"] += 1
    out = b""
    if args.garbage_prefix:
        out += b"\x00zz\r\x01Z\x03\x01\x30\x30"  # noise with stray SOH/ETX and a false header
    if args.bad_checksum:
        bad = bytearray(good)
        bad[-2] ^= 0x20
        out += bytes(bad)
    return out + good


def requests(buf):
    while True:
        i = buf.find(b"\x01")
        if i < 0:
            buf.clear()
            return
        del buf[:i]
        if len(buf) < 7:
            return
        try:
            n = int(bytes(buf[5:7]), 16)
        except ValueError:
            del buf[:1]
            continue
        total = 7 + n + 2
        if len(buf) < total:
            return
        req = bytes(buf[:total])
        del buf[:total]
        bcc = 0
        for c in req[1:total - 2]:
            bcc ^= c
        if bcc != req[total - 2] or req[7] != 0x02 or req[total - 3] != 0x03 or req[-1] != 0x0D:
            continue
        if req[2] != me and req[2] != ord("*"):
            continue
        kind, msg = chr(req[4]), req[8:total - 3].decode(errors="replace")
        if args.log:
            with open(args.log, "a") as f:
                f.write("%.3f %s %s\n" % (time.monotonic(), kind, msg))
        yield kind, msg


def serve(read, write):
    buf = bytearray()
    while True:
        chunk = read()
        if not chunk:
            return
        buf += chunk
        for kind, msg in requests(buf):
            out = reply_bytes(kind, msg)
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
            try:
                serve(lambda: conn.recv(256), conn.sendall)
            except OSError:
                pass


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
