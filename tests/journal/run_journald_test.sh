#!/bin/bash
# Starts a real systemd-journald in a private mount namespace (its own tmpfs /run/systemd and
# /run/log, so the host journal is untouched and tests can run in parallel), lets journal_probe
# log through avmon::log, and checks what journald stored.
#   run_journald_test.sh fields|default-sink|catalog <journal_probe> <source dir> [avmon.catalog]
set -euo pipefail
MODE=$1 PROBE=$2 SRC=$3 CATALOG=${4:-}
HERE=$(cd "$(dirname "$0")" && pwd)

if [ -z "${AVMON_IN_PRIVATE_MNTNS:-}" ]; then
    if [ "$(id -u)" != 0 ] && ! unshare -Urm true 2>/dev/null; then
        echo "SKIP: needs root or user namespaces for a private mount namespace"; exit 77
    fi
    [ "$(id -u)" = 0 ] && NS=(unshare -m --propagation private) || NS=(unshare -Urm --propagation private)
    AVMON_IN_PRIVATE_MNTNS=1 exec "${NS[@]}" bash "$0" "$@"
fi

mount -t tmpfs -o mode=755 tmpfs /run/systemd
mount -t tmpfs -o mode=755 tmpfs /run/log
mkdir -p /run/systemd/journal /run/log/journal /run/systemd/journald.conf.d
printf '[Journal]\nStorage=volatile\nReadKMsg=no\nForwardToSyslog=no\nForwardToWall=no\nForwardToConsole=no\nRateLimitBurst=0\n' \
    > /run/systemd/journald.conf.d/test.conf
WORK=$(mktemp -d /run/log/avmon-test.XXXXXX)   # inside our tmpfs: vanishes with the namespace

/lib/systemd/systemd-journald >"$WORK/journald.log" 2>&1 &
JPID=$!
cleanup() { kill "$JPID" 2>/dev/null || true; wait "$JPID" 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 250); do [ -S /run/systemd/journal/socket ] && break; sleep 0.02; done
[ -S /run/systemd/journal/socket ] || { echo "journald did not start"; cat "$WORK/journald.log"; exit 1; }

J=(journalctl -D /run/log/journal --no-pager -a)

case "$MODE" in
fields)
    "$PROBE" fields
    journalctl --sync
    "${J[@]}" -o json SYSLOG_IDENTIFIER=avmond >"$WORK/all.json"
    "${J[@]}" -o json SYSLOG_IDENTIFIER=avmond AVMON_SEVERITY=I >"$WORK/sev_I.json"
    "${J[@]}" -o json SYSLOG_IDENTIFIER=avmond AVMON_SEVERITY=III >"$WORK/sev_III.json"
    "${J[@]}" -o json -p crit SYSLOG_IDENTIFIER=avmond >"$WORK/prio_crit.json"
    for name in alarm_raised alarm_escalated alarm_resolved probe_error; do
        id=$(sed -n "s/.* $name = \"\([0-9a-f]\{32\}\)\";/\1/p" "$SRC/daemon/core/message_ids.hpp")
        [ -n "$id" ] || { echo "no id for $name in message_ids.hpp"; exit 1; }
        "${J[@]}" -o json "MESSAGE_ID=$id" >"$WORK/id_$name.json"
    done
    /usr/bin/python3 "$HERE/check_journal.py" "$SRC/daemon/core/message_ids.hpp" "$WORK"
    # The secret must not be in the stored journal files either, in any form journalctl hides.
    if grep -rqa 'Xq7-community-secret' /run/log/journal; then
        echo "FAIL: secret found in the journal files"; exit 1
    fi
    echo "OK: fields, priorities, filters, secret masking"
    ;;
default-sink)
    # Started by systemd: JOURNAL_STREAM names the stream stderr is connected to -> journal.
    ERR="$WORK/stderr.txt"; : >"$ERR"
    JOURNAL_STREAM=$(stat -c '%d:%i' "$ERR") "$PROBE" default-sink 2>"$ERR"
    journalctl --sync
    n=$("${J[@]}" -o cat SYSLOG_IDENTIFIER=avmond MESSAGE="default-sink probe line" | wc -l)
    [ "$n" = 1 ] || { echo "FAIL: expected 1 journal line with matching JOURNAL_STREAM, got $n"; exit 1; }
    [ ! -s "$ERR" ] || { echo "FAIL: stderr not empty with matching JOURNAL_STREAM:"; cat "$ERR"; exit 1; }

    # JOURNAL_STREAM names some other stream (stderr was redirected by hand): stderr with <N>.
    OTHER="$WORK/other.txt"; : >"$OTHER"
    JOURNAL_STREAM=$(stat -c '%d:%i' "$OTHER") "$PROBE" default-sink 2>"$ERR"
    expected='<4>default-sink probe line [AVMON_DEVICE=codec-9]'
    [ "$(cat "$ERR")" = "$expected" ] || { echo "FAIL: stderr was '$(cat "$ERR")', want '$expected'"; exit 1; }

    # No JOURNAL_STREAM at all (a terminal, a container): stderr with <N>.
    env -u JOURNAL_STREAM "$PROBE" default-sink 2>"$ERR"
    [ "$(cat "$ERR")" = "$expected" ] || { echo "FAIL: stderr was '$(cat "$ERR")', want '$expected'"; exit 1; }

    # Garbage in JOURNAL_STREAM is ignored, not trusted.
    JOURNAL_STREAM="not:a:stream" "$PROBE" default-sink 2>"$ERR"
    [ "$(cat "$ERR")" = "$expected" ] || { echo "FAIL: stderr was '$(cat "$ERR")', want '$expected'"; exit 1; }

    journalctl --sync
    n=$("${J[@]}" -o cat SYSLOG_IDENTIFIER=avmond MESSAGE="default-sink probe line" | wc -l)
    [ "$n" = 1 ] || { echo "FAIL: stderr-mode runs reached the journal ($n lines)"; exit 1; }
    echo "OK: make_default_sink picks the journal only when JOURNAL_STREAM matches stderr"
    ;;
catalog)
    # The generated catalogue, installed where journalctl looks for it (both directories are
    # private tmpfs mounts here, so the host's catalogue database is untouched).
    mount -t tmpfs -o mode=755 tmpfs /usr/lib/systemd/catalog
    mount -t tmpfs -o mode=755 tmpfs /var/lib/systemd
    cp "$CATALOG" /usr/lib/systemd/catalog/avmon.catalog
    journalctl --update-catalog
    listed=$(journalctl --list-catalog | awk '{print $1}' | sort)
    declared=$(sed -n 's/^inline constexpr std::string_view [a-z_]* = "\([0-9a-f]\{32\}\)";/\1/p' \
        "$SRC/daemon/core/message_ids.hpp" | sort)
    [ -n "$declared" ] || { echo "FAIL: no ids found in message_ids.hpp"; exit 1; }
    [ "$listed" = "$declared" ] || { echo "FAIL: catalogue ids differ from message_ids.hpp:"; diff <(echo "$declared") <(echo "$listed"); exit 1; }
    # `journalctl -x` explains a real entry with its catalogue text.
    "$PROBE" fields
    journalctl --sync
    raised=$(sed -n 's/.* alarm_raised = "\([0-9a-f]\{32\}\)";/\1/p' "$SRC/daemon/core/message_ids.hpp")
    out=$("${J[@]}" -x -o short "MESSAGE_ID=$raised")
    grep -q 'Subject: An alarm was raised' <<<"$out" || { echo "FAIL: no catalogue subject in -x output:"; echo "$out"; exit 1; }
    grep -q 'What to do: Acknowledge it' <<<"$out" || { echo "FAIL: no advice in -x output:"; echo "$out"; exit 1; }
    grep -q 'codec-101 unreachable for 90 s' <<<"$out" || { echo "FAIL: entry missing in -x output"; exit 1; }
    echo "OK: $(wc -l <<<"$listed") catalogue entries; journalctl -x explains avmond lines"
    ;;
*) echo "unknown mode $MODE"; exit 2 ;;
esac
