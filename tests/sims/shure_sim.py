#!/usr/bin/python3
"""Shure command-string device simulator (TCP) for avmon's tests: a ULX-D-like dual receiver,
or an MXA ceiling array with --mxa. Follows DEVICES.md §2.1: "< GET 1 BATT_CHARGE >" ->
"< REP 1 BATT_CHARGE 087 >", strings in {braces}, MXA two-digit channels and device-wide
parameters, "< REP ERR >" for unknown parameters, unsolicited REP pushes between replies.
Prints "PORT n" on stdout when ready.

Options:
  --port N              listen port (0: ephemeral, the default)
  --channels N          receiver channels (default 2; MXA: 8)
  --mxa                 MXA mode
  --muted               MXA: DEVICE_AUDIO_MUTE ON
  --unknown-battery     batteries/transmitters unknown: 255, 65535, UNKN
  --push-interval MS    push an unsolicited REP every MS milliseconds (default 30; 0: never)
  --log FILE            append every received command to FILE (tests check that no SET arrives)
"""
import argparse
import socket
import sys
import threading
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--channels", type=int, default=0)
    ap.add_argument("--mxa", action="store_true")
    ap.add_argument("--muted", action="store_true")
    ap.add_argument("--unknown-battery", action="store_true")
    ap.add_argument("--push-interval", type=int, default=30)
    ap.add_argument("--log", default="")
    args = ap.parse_args()
    nch = args.channels or (8 if args.mxa else 2)

    if args.mxa:
        device = {"MODEL": "{MXA910                          }", "FW_VER": "{4.5.11    }",
                  "DEVICE_AUDIO_MUTE": "ON" if args.muted else "OFF",
                  "LED_STATE_MUTED": "{RED}", "LED_STATE_UNMUTED": "{GREEN}", "PRESET": "01"}
        channel = lambda ch: {"AUDIO_MUTE": "OFF", "AUDIO_GAIN_HI_RES": "1100",
                              "CHAN_NAME": "{Lobe %d                    }" % ch}
    else:
        device = {"MODEL": "{ULXD4D                          }", "FW_VER": "{2.3.40        }"}

        def channel(ch):
            if args.unknown_battery:
                batt = {"BATT_CHARGE": "255", "BATT_BARS": "255", "BATT_RUN_TIME": "65535", "TX_TYPE": "UNKN"}
            else:
                batt = [{"BATT_CHARGE": "087", "BATT_BARS": "004", "BATT_RUN_TIME": "00245", "TX_TYPE": "ULXD2"},
                        {"BATT_CHARGE": "045", "BATT_BARS": "002", "BATT_RUN_TIME": "00090", "TX_TYPE": "ULXD1"}][(ch - 1) % 2]
            rf = {"RX_RF_LVL": "100" if ch % 2 else "090", "RF_INT_DET": "NONE" if ch % 2 else "CRITICAL",
                  "AUDIO_MUTE": "OFF" if ch % 2 else "ON",
                  "CHAN_NAME": "{Lead Vox       }" if ch % 2 else "{Pastor         }"}
            return dict(batt, **rf)
    channels = {ch: channel(ch) for ch in range(1, nch + 1)}
    chan_text = (lambda ch: "%02d" % ch) if args.mxa else str

    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", args.port))
    srv.listen(8)
    print("PORT %d" % srv.getsockname()[1], flush=True)
    log_lock = threading.Lock()

    def log(cmd):
        if args.log:
            with log_lock, open(args.log, "a") as f:
                f.write(cmd + "\n")

    def reply(cmd):
        words = cmd.split()
        if len(words) < 2:
            return "< REP ERR >"
        verb = words[0]
        if verb not in ("GET", "SET"):
            return "< REP ERR >"
        if len(words) >= 3 and words[1].isdigit():
            ch, param = int(words[1]), words[2]
            if ch == 0 and param == "ALL":
                return "".join("< REP %s %s %s >" % (chan_text(c), p, v)
                               for c, vals in channels.items() for p, v in vals.items())
            if ch not in channels or param not in channels[ch]:
                return "< REP ERR >"
            if verb == "SET" and len(words) >= 4:
                channels[ch][param] = words[3]
            return "< REP %s %s %s >" % (chan_text(ch), param, channels[ch][param])
        param = words[1]
        if param not in device:
            return "< REP ERR >"
        return "< REP %s %s >" % (param, device[param])

    def serve(conn):
        lock = threading.Lock()
        alive = [True]

        def pusher():
            while alive[0] and args.push_interval > 0:
                time.sleep(args.push_interval / 1000.0)
                try:
                    with lock:
                        conn.sendall(b"< REP %s AUDIO_GAIN_HI_RES 1000 >< SAMPLE 1 ALL XB 035 098 >" %
                                     chan_text(1).encode())
                except OSError:
                    return
        threading.Thread(target=pusher, daemon=True).start()
        buf = b""
        try:
            while True:
                data = conn.recv(4096)
                if not data:
                    break
                buf += data
                while b">" in buf:
                    frame, buf = buf.split(b">", 1)
                    start = frame.find(b"<")
                    if start < 0:
                        continue
                    cmd = frame[start + 1:].decode("latin-1").strip()
                    log(cmd)
                    with lock:
                        conn.sendall(reply(cmd).encode("latin-1"))
        except OSError:
            pass
        finally:
            alive[0] = False
            conn.close()

    while True:
        conn, _ = srv.accept()
        log("CONNECT")
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
