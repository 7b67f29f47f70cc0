#!/bin/bash
# Offline checks of the configured systemd units (no systemd manager needed):
#   check_units.sh verify|security|dropins|users <configured unit dir> <source dir> <avmond> [avmonctl]
# The units are copied with ExecStart= pointing at the built binaries, because
# `systemd-analyze verify` insists that the binaries exist.
set -euo pipefail
MODE=$1 UNITS=$2 SRC=$3 AVMOND=$4 AVMONCTL=${5:-}
SBINDIR=$(sed -n 's#^ExecStart=\(.*\)/avmond --config.*#\1#p' "$UNITS/avmond.service")
BINDIR=$(sed -n 's#^ExecStart=\(.*\)/avmonctl report.*#\1#p' "$UNITS/avmon-report.service")
[ -n "$SBINDIR" ] && [ -n "$BINDIR" ] || { echo "cannot find the ExecStart paths in $UNITS"; exit 1; }
# avmonctl is another component's target; until it exists a stand-in executable keeps verify honest.
[ -n "$AVMONCTL" ] && [ -x "$AVMONCTL" ] || AVMONCTL=/bin/true

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
for u in avmond.service avmon-report.service avmon-report.timer; do
    sed -e "s#$SBINDIR/avmond#$AVMOND#g; s#$BINDIR/avmonctl#$AVMONCTL#g" "$UNITS/$u" >"$T/$u"
done
cd "$T"

# The exit code of verify is 0 even for bad settings: the gate is empty output.
verify_quiet() {
    local out
    out=$(systemd-analyze verify --man=no "$@" 2>&1) || true
    if [ -n "$out" ]; then echo "systemd-analyze verify $*:"; echo "$out"; return 1; fi
}
exposure() { systemd-analyze security --offline=true "$1" 2>&1 | sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p'; }
setting() { sed -n "s/^$2=//p" "$1"; }
fail() { echo "FAIL: $*"; exit 1; }

case "$MODE" in
verify)
    verify_quiet avmond.service avmon-report.service avmon-report.timer
    # Prove the gate catches mistakes on this systemd version: a broken copy must complain.
    sed -e 's/^ProtectSystem=strict/ProtectSystem=bogus/; s/^WatchdogSec=30s/WatchdogSec=soon/' avmond.service >broken.service
    if verify_quiet broken.service >/dev/null; then fail "verify printed nothing for a broken unit"; fi
    grep -q "^ExecStartPre=$AVMOND --check-config /etc/avmon/avmon.toml$" avmond.service || fail "ExecStartPre does not check the config"
    [ "$(setting avmond.service ExecReload | sed -n 1p)" = "$AVMOND --check-config /etc/avmon/avmon.toml" ] || fail "ExecReload must check the config first"
    [ "$(setting avmond.service ExecReload | tail -1)" = '/bin/kill -HUP $MAINPID' ] || fail "ExecReload must send SIGHUP"
    [ "$(setting avmond.service Type)" = notify ] || fail "Type must be notify"
    [ "$(setting avmond.service WatchdogSec)" = 30s ] || fail "WatchdogSec must be 30s"
    [ "$(setting avmon-report.timer OnCalendar)" = "*-*-01 06:00" ] || fail "timer OnCalendar"
    [ "$(setting avmon-report.timer Persistent)" = true ] || fail "timer must be Persistent"
    # The calendar expression really means the 1st of every month at 06:00.
    next=$(systemd-analyze calendar --iterations=2 '*-*-01 06:00' | sed -n 's/.*Next elapse: ... \([0-9-]*\) \([0-9:]*\).*/\1 \2/p' | sed -n 1p)
    [[ "$next" =~ ^[0-9]{4}-[0-9]{2}-01\ 06:00:00$ ]] || fail "OnCalendar elapses at '$next'"
    grep -q -- '--month last --mail' avmon-report.service || fail "report command"
    echo "OK: units verify cleanly"
    ;;
security)
    score=$(exposure avmond.service)
    echo "avmond.service exposure: $score (gate: 1.5)"
    systemd-analyze security --offline=true --threshold=15 avmond.service >/dev/null || fail "exposure $score above 1.5"
    echo "avmon-report.service exposure: $(exposure avmon-report.service)"
    systemd-analyze security --offline=true --threshold=15 avmon-report.service >/dev/null || fail "report exposure above 1.5"
    # The score must not be bought by breaking what avmond needs:
    families=" $(setting avmond.service RestrictAddressFamilies) "
    for f in AF_UNIX AF_INET AF_INET6; do [[ "$families" == *" $f "* ]] || fail "$f missing (SMTP, SNMP, control socket)"; done
    for dev in char-ttyS char-ttyUSB char-ttyACM; do
        setting avmond.service DeviceAllow | grep -x "$dev rw" >/dev/null || fail "DeviceAllow=$dev rw missing (serial)"
    done
    [ "$(setting avmond.service DevicePolicy)" = closed ] || fail "DevicePolicy must be closed"
    [ "$(setting avmond.service SupplementaryGroups)" = dialout ] || fail "dialout group missing (serial)"
    for bad in PrivateDevices PrivateNetwork PrivateUsers IPAddressDeny; do
        # PrivateDevices hides the serial ports, PrivateNetwork the devices, PrivateUsers maps the
        # avmonctl peer's uid to nobody, IPAddressDeny would cut off a public mail server.
        [ -z "$(setting avmond.service $bad)" ] || fail "$bad breaks avmond"
    done
    [ -z "$(setting avmond.service CapabilityBoundingSet)" ] || fail "the base unit needs no capabilities"
    ;;
dropins)
    # Each shipped drop-in example, installed the way the docs say, still verifies.
    for d in "$SRC"/systemd/dropins/*.conf.example; do
        name=$(basename "$d" .example)
        rm -rf avmond.service.d && mkdir avmond.service.d && cp "$d" avmond.service.d/"$name"
        verify_quiet avmond.service
        echo "avmond.service + $name: exposure $(exposure avmond.service)"
    done
    # (Output captured first: grep -q closing the pipe early would trip pipefail.)
    cp "$SRC/systemd/dropins/cap-net-raw.conf.example" avmond.service.d/cap-net-raw.conf
    report=$(systemd-analyze security --offline=true avmond.service 2>&1)
    grep -q '✗ CapabilityBoundingSet=~CAP_NET_(BIND_SERVICE|BROADCAST|RAW)' <<<"$report" \
        || fail "cap-net-raw drop-in does not grant CAP_NET_RAW"
    rm -rf avmond.service.d
    report=$(systemd-analyze security --offline=true avmond.service 2>&1)
    grep -q '✓ CapabilityBoundingSet=~CAP_NET_(BIND_SERVICE|BROADCAST|RAW)' <<<"$report" \
        || fail "base unit grants network capabilities"
    echo "OK: drop-ins"
    ;;
users)
    # sysusers creates the user, tmpfiles then creates the directories owned by it.
    R="$T/root"; mkdir -p "$R/etc"
    out=$(systemd-sysusers --root="$R" "$SRC/systemd/sysusers.d/avmon.conf" 2>&1) || fail "sysusers: $out"
    line=$(grep '^avmon:' "$R/etc/passwd") || fail "no avmon user: $out"
    IFS=: read -r _ _ uid gid _ home shell <<<"$line"
    [ "$home" = /var/lib/avmon ] || fail "home $home"
    [ "$shell" = /usr/sbin/nologin ] || fail "shell $shell"
    grep -q "^avmon:x:$gid:" "$R/etc/group" || fail "no avmon group with gid $gid"
    out=$(systemd-tmpfiles --root="$R" --create "$SRC/systemd/tmpfiles.d/avmon.conf" 2>&1) || fail "tmpfiles: $out"
    [ -z "$out" ] || fail "tmpfiles complained: $out"
    check_dir() {
        [ "$(stat -c '%a %u:%g' "$R$1")" = "$2" ] || fail "$1 is $(stat -c '%a %u:%g' "$R$1"), want $2"
    }
    check_dir /etc/avmon "750 0:$gid"
    check_dir /var/lib/avmon "750 $uid:$gid"
    check_dir /var/lib/avmon/reports "750 $uid:$gid"
    check_dir /var/lib/avmon/backups "750 $uid:$gid"
    check_dir /var/log/avmon "750 $uid:$gid"
    # The unit's directory modes agree with tmpfiles (systemd warns at every start otherwise).
    [ "$(setting avmond.service ConfigurationDirectoryMode)" = 0750 ] || fail "ConfigurationDirectoryMode"
    [ "$(setting avmond.service StateDirectoryMode)" = 0750 ] || fail "StateDirectoryMode"
    [ "$(setting avmond.service User)" = avmon ] && [ "$(setting avmond.service Group)" = avmon ] || fail "User/Group"
    echo "OK: sysusers + tmpfiles (uid $uid gid $gid)"
    ;;
*) echo "unknown mode $MODE"; exit 2 ;;
esac
