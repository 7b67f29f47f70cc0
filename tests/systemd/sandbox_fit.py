#!/usr/bin/python3
"""Checks a strace log of avmond against the unit's sandbox: every system call must pass the
unit's SystemCallFilter= lines (SystemCallErrorNumber=EPERM would make a violation fail
silently, not crash), and every socket() family must be in RestrictAddressFamilies=.
usage: sandbox_fit.py avmond.service strace.log"""
import re
import subprocess
import sys

unit_path, trace_path = sys.argv[1], sys.argv[2]
cache = {}


def expand(name):
    """A syscall set name (@group, recursively) or a single call, as systemd-analyze knows them."""
    if not name.startswith("@"):
        return {name}
    if name not in cache:
        out = subprocess.run(["systemd-analyze", "syscall-filter", name], capture_output=True, text=True,
                             check=True).stdout
        calls = set()
        for line in out.splitlines()[1:]:
            line = line.strip()
            if line and not line.startswith("#"):
                calls |= expand(line)
        cache[name] = calls
    return cache[name]


# systemd: the first SystemCallFilter= decides allow-list (no ~) or deny-list mode; later
# allow lines add to it, "~" lines take away from it.
allowed, filters, families = None, [], None
for line in open(unit_path):
    line = line.strip()
    if line.startswith("SystemCallFilter="):
        filters.append(line.split("=", 1)[1])
    elif line.startswith("RestrictAddressFamilies="):
        families = set(line.split("=", 1)[1].split())
if not filters or filters[0].startswith("~"):
    sys.exit("FAIL: expected an allow-list SystemCallFilter= first in " + unit_path)
allowed = set()
for f in filters:
    deny = f.startswith("~")
    names = set().union(*(expand(n) for n in f.lstrip("~").split()))
    allowed = allowed - names if deny else allowed | names

used, socket_families = {}, set()
call = re.compile(r"^\d+\s+(?:<\.\.\. )?([a-z0-9_]+)\((.*)")
for line in open(trace_path):
    m = call.match(line)
    if not m:
        continue
    name, args = m.groups()
    used[name] = used.get(name, 0) + 1
    if name == "socket":
        socket_families.add(args.split(",")[0].strip())

denied = sorted(set(used) - allowed)
print(f"{len(used)} distinct system calls, {sum(used.values())} calls; socket families {sorted(socket_families)}")
ok = True
if denied:
    print("FAIL: calls the unit's SystemCallFilter= refuses (EPERM): " + ", ".join(denied))
    ok = False
if families is None or not socket_families <= families:
    print(f"FAIL: socket families {sorted(socket_families - (families or set()))} not in RestrictAddressFamilies=")
    ok = False
if len(used) < 20:
    print("FAIL: the trace is too short to mean anything")
    ok = False
sys.exit(0 if ok else 1)
