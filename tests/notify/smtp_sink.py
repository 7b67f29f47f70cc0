#!/usr/bin/python3
"""Loopback SMTP sink for the notify tests (Debian python3-aiosmtpd). Run with /usr/bin/python3.
  smtp_sink.py --out mails.jsonl [--port N] [--tls CERT KEY] [--auth user:pass]
               [--fail-first N] [--reject] [--delay SECONDS] [--implicit-tls]
Prints 'PORT <n>' once listening (port 0 = ephemeral). Every accepted message is appended to
--out as one JSON line: mail_from, rcpt_tos, auth_user, ehlo (the client's EHLO name), tls, message_id, subject (RFC 2047
decoded by Python's email parser), body (decoded text) and data (raw).
--fail-first N answers the first N DATA commands with 451; --reject answers every DATA with 550;
--delay waits before answering DATA (so a client can be killed mid-transaction)."""
import argparse, asyncio, email, email.policy, json, signal, socket, ssl, warnings
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

ap = argparse.ArgumentParser()
ap.add_argument("--host", default="127.0.0.1")
ap.add_argument("--port", type=int, default=0)
ap.add_argument("--out", required=True)
ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
ap.add_argument("--auth")
ap.add_argument("--fail-first", type=int, default=0)
ap.add_argument("--reject", action="store_true")
ap.add_argument("--delay", type=float, default=0.0)
ap.add_argument("--implicit-tls", action="store_true", help="TLS from the first byte (smtps://)")
args = ap.parse_args()


class Handler:
    failures_left = args.fail_first

    async def handle_DATA(self, server, session, envelope):
        if args.delay:
            await asyncio.sleep(args.delay)
        if args.reject:
            return "550 5.7.1 mailbox unavailable"
        if Handler.failures_left > 0:
            Handler.failures_left -= 1
            return "451 4.3.0 try again later"
        raw = envelope.content
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        body = msg.get_body(preferencelist=("plain",))
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "auth_user": session.auth_data,
            "ehlo": session.host_name,
            "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
            "message_id": str(msg.get("Message-ID", "")),
            "subject": str(msg.get("Subject", "")),
            "body": body.get_content() if body is not None else "",
            "data": raw.decode("utf-8", "replace"),
        }
        with open(args.out, "a") as f:
            f.write(json.dumps(record) + "\n")
        return "250 OK"


def authenticator(server, session, envelope, mechanism, auth_data):
    user, password = args.auth.split(":", 1)
    ok = auth_data.login.decode() == user and auth_data.password.decode() == password
    return AuthResult(success=ok, handled=False, auth_data=auth_data.login.decode() if ok else None)


if args.port == 0:  # the Controller needs a number: take a free one from the kernel
    s = socket.socket()
    s.bind((args.host, 0))
    args.port = s.getsockname()[1]
    s.close()
kw = {}
if args.tls:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(*args.tls)
    if not args.implicit_tls:
        kw.update(tls_context=ctx, require_starttls=True)
if args.auth:
    warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
    # with implicit TLS the whole session is encrypted; aiosmtpd only knows STARTTLS as "tls"
    kw.update(authenticator=authenticator, auth_required=True,
              auth_require_tls=bool(args.tls) and not args.implicit_tls)
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})  # before threads start
extra = {"ssl_context": ctx} if args.tls and args.implicit_tls else {}
controller = Controller(Handler(), hostname=args.host, port=args.port, server_kwargs=kw, ready_timeout=10,
                        **extra)
controller.start()
print(f"PORT {args.port}", flush=True)
signal.sigwait({signal.SIGTERM, signal.SIGINT})
controller.stop()
