#!/usr/bin/python3
"""PJLink class 1/2 projector simulator (TCP) for avmon's tests.

Follows DEVICES.md §1.1: greeting "PJLINK 0" / "PJLINK 1 <random>", md5(random+password)
in front of the first command, "PJLINK ERRA" on a wrong digest, replies "%1CMD=data\\r",
ERR1 for commands the model lacks. Prints "PORT n" on stdout when ready.

Options:
  --port N          listen port (0: ephemeral, the default)
  --password PW     require authentication with this password
  --class 1|2       PJLink class (class 1 answers ERR1 to %2 commands)
  --laser           no lamps: LAMP answers ERR1
  --errors DDDDDD   ERST digits (fan lamp temperature cover filter other), default 000000
  --lamps "H S .."  LAMP data, default "1200 1"
  --power N         POWR value, default 1
  --filter N        class 2 FILT hours, default 123
  --garbage         POWR answers noise then a malformed reply
  --stall-after N   send at most N bytes per connection, then stay silent (mid-frame)
  --log FILE        append every received line (repr) to FILE
"""
import argparse
import hashlib
import os
import secrets
import socket
import sys
import threading


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--password", default="")
    ap.add_argument("--class", dest="pj_class", type=int, choices=[1, 2], default=1)
    ap.add_argument("--laser", action="store_true")
    ap.add_argument("--errors", default="000000")
    ap.add_argument("--lamps", default="1200 1")
    ap.add_argument("--power", default="1")
    ap.add_argument("--filter", default="123")
    ap.add_argument("--garbage", action="store_true")
    ap.add_argument("--stall-after", type=int, default=-1)
    ap.add_argument("--log", default="")
    args = ap.parse_args()

    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", args.port))
    srv.listen(8)
    print("PORT %d" % srv.getsockname()[1], flush=True)
    log_lock = threading.Lock()

    def log(line):
        if args.log:
            with log_lock, open(args.log, "a") as f:
                f.write(repr(line) + "\n")

    def answer(cmd_class, cmd, param):
        if cmd_class == "2" and args.pj_class == 1:
            return "ERR1"
        if param != "?":
            return "ERR2"  # this simulator only answers queries
        table = {
            "POWR": args.power,
            "ERST": args.errors,
            "LAMP": "ERR1" if args.laser else args.lamps,
            "INPT": "31",
            "AVMT": "30",
            "CLSS": str(args.pj_class),
            "NAME": "Boardroom Projector",
            "INF1": "SIMULATOR",
            "INF2": "PJ-SIM 2000",
            "INFO": "class %d simulator" % args.pj_class,
        }
        if args.pj_class == 2:
            table.update({"FILT": args.filter, "SNUM": "SIM0001", "SVER": "1.02", "RLMP": "LMP-1", "RFIL": "FLT-1"})
        return table.get(cmd, "ERR1")

    def serve(conn):
        sent = 0
        stalled = False

        def send(data):
            nonlocal sent, stalled
            if stalled:
                return
            b = data.encode("latin-1")
            if args.stall_after >= 0 and sent + len(b) > args.stall_after:
                b = b[: max(0, args.stall_after - sent)]
                stalled = True
            if b:
                conn.sendall(b)
            sent += len(b)

        random = secrets.token_hex(4)
        send("PJLINK 1 %s\r" % random if args.password else "PJLINK 0\r")
        authed = not args.password
        buf = b""
        try:
            while True:
                data = conn.recv(4096)
                if not data:
                    break
                buf += data
                while b"\r" in buf:
                    raw, buf = buf.split(b"\r", 1)
                    line = raw.decode("latin-1")
                    log(line)
                    if not authed:
                        digest = hashlib.md5((random + args.password).encode()).hexdigest()
                        if not line.startswith(digest):
                            send("PJLINK ERRA\r")
                            return
                        line = line[len(digest):]
                        authed = True
                    if len(line) < 7 or line[0] != "%":
                        send("%1XXXX=ERR1\r")
                        continue
                    cmd_class, cmd, param = line[1], line[2:6].upper(), line[7:]
                    if args.garbage and cmd == "POWR":
                        send("\x00\x13\nnoise")
                        send("%%%sPOWR=Z\r" % cmd_class)
                        continue
                    send("%%%s%s=%s\r" % (cmd_class, cmd, answer(cmd_class, cmd, param)))
        except OSError:
            pass
        finally:
            conn.close()

    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
