#!/bin/bash
# avmonctl test-rules must fail loudly and readably on wrong expectations and malformed files.
set -u
avmonctl=$1
dir=$2
fail() { echo "FAIL: $*"; echo "--- output was:"; cat "$out"; exit 1; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT

"$avmonctl" test-rules "$dir/wrong_expectations.toml" >"$out" 2>&1
rc=$?
[ "$rc" -eq 1 ] || fail "exit status $rc, expected 1"
grep -q '^FAIL  .*wrong_expectations.toml (wrong on purpose): 1 passed, 3 failed' "$out" || fail "summary line"
grep -q 'wrong_expectations.toml:11: expected alarm not found' "$out" || fail "alarm mismatch names file:line"
grep -q -- '- expected: codec-h2/unreachable .*severity=I$' "$out" || fail "expected alarm line"
grep -q -- '+ got:      codec-h2/unreachable .*severity=II state=raised' "$out" || fail "got alarm line"
grep -q -- '- expected: +20m (±1m) raised .*codec-h2/\*' "$out" || fail "expected event line"
grep -q -- '+ got:      +6m .*raised .*codec-h2/unreachable .*alarm 1' "$out" || fail "got event line"
grep -q 'expected at least 1 notification(s) to wang@example.com, got 0' "$out" || fail "notification mismatch"
grep -q 'timeline (got):' "$out" || fail "timeline"
grep -q 'scenarios: 0 passed, 1 failed; checks: 1 passed, 3 failed' "$out" || fail "totals"

"$avmonctl" test-rules "$dir/malformed.toml" >"$out" 2>&1
rc=$?
[ "$rc" -eq 1 ] || fail "malformed: exit status $rc, expected 1"
grep -q 'malformed.toml:9: expect.event: unknown key "devcie"' "$out" || fail "malformed: names the typo and its line"

"$avmonctl" test-rules >"$out" 2>&1
[ $? -eq 2 ] || fail "no files: usage error expected"
"$avmonctl" test-rules --bogus x.toml >"$out" 2>&1
[ $? -eq 2 ] || fail "unknown option: usage error expected"
echo "ok"
