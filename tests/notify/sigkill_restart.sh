#!/bin/bash
# SIGKILL the sending process while mail is queued (the sink answers slowly, so the kill lands
# inside SMTP transactions), restart it: every notification is delivered, none is lost, and no
# Message-ID is delivered as two different mails (a resend after a kill repeats the same id).
set -u
TOOL=$1
SINK=$2
N=12
WORK=$(mktemp -d /tmp/avmon-notify-kill-XXXXXX)
SINK_PID=
TOOL_PID=
cleanup() {
    [ -n "$TOOL_PID" ] && kill -9 "$TOOL_PID" 2>/dev/null
    if [ -n "$SINK_PID" ]; then kill "$SINK_PID" 2>/dev/null; wait "$SINK_PID" 2>/dev/null; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

exec {SINK_OUT}< <(exec /usr/bin/python3 "$SINK" --out "$WORK/mails.jsonl" --delay 0.25 & echo "PID $!"; wait)
read -r _ SINK_PID <&$SINK_OUT
read -r _ PORT <&$SINK_OUT || fail "sink did not start"
[ -n "$PORT" ] || fail "no port"
URL="smtp://127.0.0.1:$PORT"

for round in 1 2; do
    args=(--db "$WORK/avmon.db" --url "$URL")
    [ "$round" = 1 ] && args+=(--raise $N)
    "$TOOL" "${args[@]}" >"$WORK/tool.out" 2>"$WORK/tool$round.err" &
    TOOL_PID=$!
    # Kill once a couple of mails went through, i.e. in the middle of the queue.
    for _ in $(seq 1 100); do
        got=$( [ -f "$WORK/mails.jsonl" ] && wc -l <"$WORK/mails.jsonl" || echo 0)
        [ "$got" -ge $((round * 2)) ] && break
        sleep 0.05
    done
    sleep 0.1
    kill -9 "$TOOL_PID"
    wait "$TOOL_PID" 2>/dev/null
    TOOL_PID=
done
before=$(wc -l <"$WORK/mails.jsonl")
[ "$before" -lt $N ] || fail "the kills came too late ($before mails already delivered)"

"$TOOL" --db "$WORK/avmon.db" --url "$URL" --until-done 2>"$WORK/tool3.err" || fail "restart did not drain the outbox"

/usr/bin/python3 - "$WORK/mails.jsonl" "$WORK/avmon.db" $N <<'PY' || exit 1
import collections, json, sqlite3, sys
mails = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
n = int(sys.argv[3])
ids = collections.Counter(m["message_id"] for m in mails)
rows = sqlite3.connect(sys.argv[2]).execute("SELECT status, message_id FROM notifications").fetchall()
print(f"{len(mails)} mails delivered, {len(ids)} distinct Message-IDs, {len(rows)} outbox rows")
assert len(rows) == n, rows
assert all(s == "sent" for s, _ in rows), rows
assert len(ids) == n, f"expected {n} distinct mails, got {len(ids)}"
assert {m for _, m in rows} == set(ids), "outbox Message-IDs differ from the delivered ones"
# at-least-once: a mail killed after the server accepted it is repeated with the SAME id;
# at most one such repeat per kill (2 kills)
assert len(mails) <= n + 2, f"{len(mails)} mails for {n} notifications"
PY
echo "OK"
