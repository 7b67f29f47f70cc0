#!/bin/bash
# The October HTML report rendered by headless Chromium, offline: a PNG of plausible size and
# a DOM with the three inline SVG charts (Pareto bars + cumulative line, heat map, trend).
# Usage: html_chromium_test.sh AVMONCTL DATA_DIR
set -euo pipefail
ctl=$1
data=$2
work=$(mktemp -d /tmp/avmon-report-html.XXXXXX)
trap 'rm -rf "$work"' EXIT

chromium_bin=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium_bin" ]; then
    echo "FAIL: chromium is not installed (scripts/install-deps.sh installs it)" >&2
    exit 1
fi

"$ctl" test-rules --db "$work/october.db" "$data/october.toml" > "$work/test-rules.log"
"$ctl" report --month 2026-10 --format html --now 2026-11-01T06:00:00Z \
    --config "$data/site.toml" --db "$work/october.db" -o "$work/report.html"

# Self-contained: nothing is fetched from elsewhere (mail clients block it anyway).
if grep -Eq '(src|href)="(https?:)?//' "$work/report.html"; then
    echo "FAIL: the report references external resources" >&2
    exit 1
fi

flags=(--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update
       --disable-sync --no-first-run --disable-quic --disable-dev-shm-usage --hide-scrollbars
       --user-data-dir="$work/profile")
# Offline like a mail client: in a namespace with no network when we may create one.
run_offline=()
if unshare -n true 2>/dev/null; then run_offline=(unshare -n); fi

"${run_offline[@]}" "$chromium_bin" "${flags[@]}" --window-size=1100,2400 \
    --screenshot="$work/report.png" "file://$work/report.html" > "$work/shot.log" 2>&1 || true
"${run_offline[@]}" "$chromium_bin" "${flags[@]}" --dump-dom "file://$work/report.html" \
    > "$work/dom.html" 2> "$work/dom.log" || true

fail() { echo "FAIL: $*" >&2; tail -5 "$work/shot.log" >&2 || true; exit 1; }
[ -s "$work/report.png" ] || fail "no screenshot written"
size=$(stat -c %s "$work/report.png")
[ "$size" -gt 30000 ] || fail "screenshot is only $size bytes"
[ "$(head -c 8 "$work/report.png" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] || fail "not a PNG"

grep -q '<svg class="chart pareto"' "$work/dom.html" || fail "no Pareto chart in the DOM"
grep -q '<polyline class="cumulative"' "$work/dom.html" || fail "no cumulative line in the Pareto chart"
grep -q '<svg class="chart heatmap"' "$work/dom.html" || fail "no heat map in the DOM"
grep -q '<svg class="chart trend"' "$work/dom.html" || fail "no trend chart in the DOM"
rects=$(grep -o '<rect' "$work/dom.html" | wc -l)
# 3 Pareto bars + 2 rooms x 31 days in the heat map.
[ "$rects" -ge 65 ] || fail "only $rects <rect> elements (expected >= 65)"
grep -q 'Boardroom 1' "$work/dom.html" || fail "room names missing"

if [ -n "${AVMON_REPORT_KEEP_PNG:-}" ]; then cp "$work/report.png" "$AVMON_REPORT_KEEP_PNG"; fi
echo "PASS: report.html rendered: $size byte PNG, $rects rects, 3 charts"
