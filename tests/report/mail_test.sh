#!/bin/bash
# `avmonctl report --mail` against a real SMTP server on loopback (tests/notify/smtp_sink.py,
# aiosmtpd): one message to both recipients, the text report as body, the HTML attached.
# Usage: mail_test.sh AVMONCTL DATA_DIR SMTP_SINK
set -euo pipefail
ctl=$1
data=$2
sink=$3
work=$(mktemp -d /tmp/avmon-report-mail.XXXXXX)
sink_pid=
cleanup() {
    if [ -n "$sink_pid" ]; then kill "$sink_pid" 2>/dev/null || true; wait "$sink_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

/usr/bin/python3 "$sink" --port 0 --out "$work/mails.jsonl" > "$work/sink.out" 2> "$work/sink.err" &
sink_pid=$!
port=
for _ in $(seq 100); do
    port=$(sed -n 's/^PORT \([0-9]*\)$/\1/p' "$work/sink.out")
    [ -n "$port" ] && break
    sleep 0.1
done
[ -n "$port" ] || fail "the SMTP sink did not start: $(cat "$work/sink.err")"

# The test site with an [smtp] section pointing at the sink (plain SMTP on loopback).
cp "$data/site.toml" "$work/site.toml"
cat >> "$work/site.toml" <<CFG

[smtp]
enabled = true
url = "smtp://127.0.0.1:$port"
from = "avmon@example.com"
starttls = false
CFG
"$ctl" test-rules --db "$work/october.db" "$data/october.toml" > /dev/null
"$ctl" report --month 2026-10 --now 2026-11-01T06:00:00Z --config "$work/site.toml" --db "$work/october.db" \
    --mail ops@example.com,lead@example.com 2> "$work/report.err" || fail "report --mail failed: $(cat "$work/report.err")"

[ -s "$work/mails.jsonl" ] || fail "no mail arrived"
/usr/bin/python3 - "$work/mails.jsonl" <<'PY' || fail "the mail is not as expected"
import json, sys
mails = [json.loads(l) for l in open(sys.argv[1])]
assert len(mails) == 1, f"{len(mails)} mails"
m = mails[0]
assert sorted(m["rcpt_tos"]) == ["lead@example.com", "ops@example.com"], m["rcpt_tos"]
assert m["mail_from"] == "avmon@example.com"
assert m["subject"].startswith("avmon monthly AV health report 2026-10 (all): availability 99.8"), m["subject"]
assert "Alarms by severity" in m["body"] and "SLA breaches (1)" in m["body"], m["body"][:400]
assert 'filename="avmon-report-2026-10.html"' in m["data"]
assert "Content-Type: text/html; charset=utf-8" in m["data"]
PY
# Without addresses on the command line, [report] recipients get it.
cat >> "$work/site.toml" <<CFG

[report]
recipients = ["monthly@example.com"]
CFG
: > "$work/mails.jsonl"
"$ctl" report --month 2026-10 --now 2026-11-01T06:00:00Z --config "$work/site.toml" --db "$work/october.db" \
    --no-archive --mail 2> "$work/report2.err" || fail "report --mail (config recipients) failed: $(cat "$work/report2.err")"
/usr/bin/python3 - "$work/mails.jsonl" <<'PY' || fail "the mail to report.recipients is not as expected"
import json, sys
mails = [json.loads(l) for l in open(sys.argv[1])]
assert len(mails) == 1 and mails[0]["rcpt_tos"] == ["monthly@example.com"], mails
PY
# Exit status 1 and a clear message when the server is not there.
kill "$sink_pid"; wait "$sink_pid" 2>/dev/null || true; sink_pid=
if "$ctl" report --month 2026-10 --config "$work/site.toml" --db "$work/october.db" --no-archive \
    --mail ops@example.com 2> "$work/fail.err"; then fail "mail to a dead server succeeded"; fi
grep -q "mail to ops@example.com via smtp://127.0.0.1:$port failed" "$work/fail.err" || fail "unclear error: $(cat "$work/fail.err")"
echo "PASS: report mailed to 2 recipients with the HTML attached, then to report.recipients; a dead server fails with exit 1"
