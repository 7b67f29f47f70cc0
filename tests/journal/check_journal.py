#!/usr/bin/python3
"""Checks the journal entries journal_probe wrote (journalctl -o json output files in WORK).
usage: check_journal.py message_ids.hpp WORK"""
import json
import re
import sys

ids_file, work = sys.argv[1], sys.argv[2]
ids = dict(re.findall(r'inline constexpr std::string_view (\w+) = "([0-9a-f]{32})";', open(ids_file).read()))
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def load(name):
    with open(f"{work}/{name}") as f:
        return [json.loads(line) for line in f if line.strip()]


SECRET = "Xq7-community-secret"
# What journal_probe sends, stated independently: severity -> syslog priority I=2 II=3 III=4 IV=5.
expected = [
    dict(MESSAGE="[I] room-101 codec-101 unreachable for 90 s", PRIORITY="2", MESSAGE_ID=ids["alarm_raised"],
         AVMON_ROOM="room-101", AVMON_DEVICE="codec-101", AVMON_SEVERITY="I", AVMON_ALARM_ID="101",
         AVMON_STATE="raised"),
    dict(MESSAGE="[II] room-102 mic-102 RF level low, escalated to supervisor", PRIORITY="3",
         MESSAGE_ID=ids["alarm_escalated"], AVMON_ROOM="room-102", AVMON_DEVICE="mic-102", AVMON_SEVERITY="II",
         AVMON_ALARM_ID="102", AVMON_STATE="raised"),
    dict(MESSAGE="[III] room-103 proj-103 lamp hours 2950 above 2900", PRIORITY="4",
         MESSAGE_ID=ids["alarm_raised"], AVMON_ROOM="room-103", AVMON_DEVICE="proj-103", AVMON_SEVERITY="III",
         AVMON_ALARM_ID="103", AVMON_STATE="raised"),
    dict(MESSAGE="[IV] room-104 disp-104 filter cleaning done", PRIORITY="5", MESSAGE_ID=ids["alarm_resolved"],
         AVMON_ROOM="room-104", AVMON_DEVICE="disp-104", AVMON_SEVERITY="IV", AVMON_ALARM_ID="104",
         AVMON_STATE="resolved"),
    dict(MESSAGE="snmp: community *** rejected by sw-3f", PRIORITY="3", MESSAGE_ID=ids["probe_error"],
         AVMON_DEVICE="sw-3f", AVMON_DETAIL="line one\ncommunity=***"),
]

entries = load("all.json")
check(len(entries) == len(expected), f"expected {len(expected)} entries, got {len(entries)}")
for want, got in zip(expected, entries):
    for key, value in want.items():
        check(got.get(key) == value, f"{want['MESSAGE']!r}: {key}={got.get(key)!r}, want {value!r}")
    check(got.get("SYSLOG_IDENTIFIER") == "avmond", f"SYSLOG_IDENTIFIER={got.get('SYSLOG_IDENTIFIER')!r}")
    check(got.get("_TRANSPORT") == "journal", f"_TRANSPORT={got.get('_TRANSPORT')!r}")
    if "AVMON_SEVERITY" not in want:
        check("AVMON_SEVERITY" not in got, "a non-alarm line carries AVMON_SEVERITY")
    for key, value in got.items():
        check(SECRET not in json.dumps(value), f"secret leaked in field {key}")


def messages(name):
    return [e["MESSAGE"] for e in load(name)]


check(messages("sev_I.json") == [expected[0]["MESSAGE"]], f"AVMON_SEVERITY=I gave {messages('sev_I.json')}")
check(messages("sev_III.json") == [expected[2]["MESSAGE"]], f"AVMON_SEVERITY=III gave {messages('sev_III.json')}")
check(messages("prio_crit.json") == [expected[0]["MESSAGE"]], f"-p crit gave {messages('prio_crit.json')}")
for name in ("alarm_raised", "alarm_escalated", "alarm_resolved", "probe_error"):
    got = messages(f"id_{name}.json")
    want = [e["MESSAGE"] for e in expected if e["MESSAGE_ID"] == ids[name]]
    check(got == want, f"MESSAGE_ID={ids[name]} ({name}) gave {got}, want {want}")

if failures:
    print("FAIL:\n  " + "\n  ".join(failures))
    sys.exit(1)
print(f"checked {len(entries)} entries, {sum(len(e) for e in expected)} fields")
