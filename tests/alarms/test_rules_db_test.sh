#!/bin/bash
# `avmonctl test-rules --db` writes the simulated month into a real store file.
set -u
avmonctl=$1
scenario=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
q() { sqlite3 "$dir/month.db" "$1"; }

"$avmonctl" test-rules --db "$dir/month.db" "$scenario" >"$dir/out" 2>&1 || { cat "$dir/out"; fail "test-rules --db failed"; }
grep -q "wrote $dir/month.db" "$dir/out" || fail "no 'wrote' line"
[ "$(q 'select count(*) from alarms')" = 14 ] || fail "alarms: $(q 'select count(*) from alarms')"
[ "$(q "select count(*) from alarm_events where kind = 'suppressed'")" = 6 ] || fail "suppressed events"
[ "$(q "select state || ' ' || escalation_level || ' ' || severity from alarms where device = 'codec-3f' and id = (select max(id) from alarms where device = 'codec-3f')")" = "closed 2 I" ] \
  || fail "codec-3f alarm row: $(q "select * from alarms where device = 'codec-3f'")"
[ "$(q "select count(*) from notifications where recipient = 'wang@example.com'")" -ge 1 ] || fail "escalation notification to wang"
[ "$(q 'select count(*) from samples')" -ge 40000 ] || fail "samples: $(q 'select count(*) from samples')"
[ "$(q 'select count(*) from devices')" = 8 ] || fail "devices"
# A second run never appends to an existing store.
"$avmonctl" test-rules --db "$dir/month.db" "$scenario" >"$dir/out2" 2>&1 && fail "second run into the same file succeeded"
grep -q "the file exists" "$dir/out2" || fail "second run: no clear reason"
echo ok
