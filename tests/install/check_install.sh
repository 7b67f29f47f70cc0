#!/bin/bash
# Installs the build into a staging prefix and checks the exact file list.
#   check_install.sh <build dir> <source dir> <configured sbindir> <have avmond 0|1> <have avmonctl 0|1> <have pandoc 0|1>
# A new install rule elsewhere must add its files to the expectation below.
set -euo pipefail
BUILD=$1 SRC=$2 FULL_SBINDIR=$3 HAVE_AVMOND=$4 HAVE_AVMONCTL=$5 HAVE_PANDOC=$6
P=$(mktemp -d)
trap 'rm -rf "$P"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

out=$(cmake --install "$BUILD" --prefix "$P" 2>&1) || { echo "$out"; fail "cmake --install failed"; }

{
    [ "$HAVE_AVMOND" = 1 ] && echo sbin/avmond
    [ "$HAVE_AVMONCTL" = 1 ] && echo bin/avmonctl
    printf '%s\n' \
        lib/systemd/system/avmond.service \
        lib/systemd/system/avmon-report.service \
        lib/systemd/system/avmon-report.timer \
        lib/sysusers.d/avmon.conf \
        lib/tmpfiles.d/avmon.conf \
        lib/systemd/catalog/avmon.catalog \
        share/doc/avmon/examples/avmond.service.d/cap-net-raw.conf.example \
        share/doc/avmon/examples/avmond.service.d/trap-port-162.conf.example \
        share/doc/avmon/examples/avmond.service.d/ip-allowlist.conf.example
    # Files other components write, installed by glob: every one of them must be there.
    for f in "$SRC"/docs/*.md; do echo "share/doc/avmon/$(basename "$f")"; done
    for f in "$SRC"/config/examples/*.toml; do [ -e "$f" ] && echo "share/doc/avmon/examples/$(basename "$f")"; done
    for f in "$SRC"/config/profiles/*.toml; do [ -e "$f" ] && echo "share/avmon/profiles/$(basename "$f")"; done
    if [ "$HAVE_PANDOC" = 1 ]; then
        for f in "$SRC"/docs/*.[1-8].md; do
            page=$(basename "$f" .md); echo "share/man/man${page##*.}/$page"
        done
    fi
    true
} | sort >"$P.expected"
(cd "$P" && find . \( -type f -o -type l \) | sed 's#^\./##' | sort) >"$P.installed"
trap 'rm -rf "$P" "$P.expected" "$P.installed"' EXIT
if ! diff -u "$P.expected" "$P.installed"; then fail "installed files differ from the expectation (- missing, + unexpected)"; fi

# The operator documentation this component promises is among them.
for doc in avmond.8.md operations.md message-ids.md architecture.md; do
    [ -f "$P/share/doc/avmon/$doc" ] || fail "share/doc/avmon/$doc missing"
done
# Units name the binary where this build's prefix puts it, and are not executable.
grep -qx "ExecStart=$FULL_SBINDIR/avmond --config /etc/avmon/avmon.toml" "$P/lib/systemd/system/avmond.service" \
    || fail "avmond.service ExecStart does not use $FULL_SBINDIR"
! grep -q '@[A-Z_]*@' "$P"/lib/systemd/system/* || fail "unsubstituted @VARIABLE@ in a unit"
for f in "$P"/lib/systemd/system/* "$P"/lib/sysusers.d/* "$P"/lib/tmpfiles.d/*; do
    [ "$(stat -c %a "$f")" = 644 ] || fail "$f has mode $(stat -c %a "$f")"
done
[ "$HAVE_AVMOND" = 1 ] && { [ -x "$P/sbin/avmond" ] || fail "sbin/avmond not executable"; }
[ "$HAVE_AVMONCTL" = 1 ] && { [ -x "$P/bin/avmonctl" ] || fail "bin/avmonctl not executable"; }
echo "OK: $(wc -l <"$P.installed") files installed as expected"
