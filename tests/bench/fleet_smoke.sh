#!/usr/bin/env bash
# Smoke run of bench/fleet/run.sh: every measurement runs once on 20 devices, and the
# results file must say that each poller really got its answers (and the dead 10 % did not).
#   fleet_smoke.sh SOURCE_DIR BUILD_DIR RESULT_JSON
set -euo pipefail
src=$1 build=$2 out=$3
rm -f "$out"
bash "$src/bench/fleet/run.sh" --smoke --build "$build" --out "$out" > "$out.log" 2>&1 || { cat "$out.log"; exit 1; }
/usr/bin/python3 - "$out" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
s = r["summary"]
problems = []
def want(cond, what):
    if not cond:
        problems.append(what)
snmp = s["snmp"]["20"]
want(snmp["pipeline"]["answered"] == 20, f"pipeline answered {snmp['pipeline']['answered']} of 20")
want(snmp["pipeline"]["answered_per_s"] > 0 and snmp["pipeline"]["cpu_s_per_1000"] > 0, "pipeline rates missing")
want(any(x["bench"] == "min_poller" and x["data"]["answered"] == 20 for x in r["raw"]), "min_poller did not get 20 answers")
want(any(x["bench"] == "snmpget" and x["data"]["answered"] == 20 for x in r["raw"]), "snmpget loop did not get 20 answers")
dead = s["dead"]["20"]
want(dead["answered"] == 18 and dead["devices"] == 20, f"dead run: {dead['answered']} of {dead['devices']} answered, want 18 of 20")
want(dead["met"], f"dead-device cycle {dead['cycle_wall_s']} s over {dead['limit_s']} s")
want(s["icmp"]["20"]["pipeline"]["answered"] == 20, "ICMP pipeline did not get 20 replies")
want(s["icmp"]["20"]["fping"]["answered"] == 20, "fping did not get 20 replies")
want(s["snmpd"]["20"]["answered"] == 20, "pipeline against snmpd did not get 20 answers")
want(0 < s["memory"]["20"]["vm_hwm_mib"] < 1024, "no peak RSS recorded")
for p in problems:
    print("FAIL:", p)
print("results:", json.dumps(s)[:2000])
sys.exit(1 if problems else 0)
PY
