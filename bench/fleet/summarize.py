#!/usr/bin/python3
"""Turns run.sh's raw lines into the results file: medians over repetitions, ratios taken
within the same run, the targets of issue 10 as met/MISSED, and a Markdown table on stdout."""
import argparse
import json
import os
import platform
import statistics
import subprocess
import time


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def machine():
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {"nproc": os.cpu_count(), "cpu_model": model, "kernel": platform.release(),
            "load_average": os.getloadavg()}


def commit(root):
    try:
        return subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
    except Exception:
        return "?"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("raw")
    ap.add_argument("out")
    ap.add_argument("--timeout-ms", type=int, default=1000)
    ap.add_argument("--retries", type=int, default=1)
    ap.add_argument("--root", default=".")
    a = ap.parse_args()
    raw = []
    for number, line in enumerate(open(a.raw), 1):
        if not line.strip():
            continue
        try:
            raw.append(json.loads(line))
        except json.JSONDecodeError as e:
            print(f"summarize: {a.raw}:{number}: skipped ({e}): {line.strip()[:200]}")

    def rows(bench, size, pred=lambda d: True):
        return [r for r in raw if r["bench"] == bench and r["size"] == size and pred(r["data"])]

    measured = lambda d: d.get("kind") == "cycle" and not d.get("warmup")

    def per_run(bench, size):
        """One row per repetition: fleet_bench's "run" line (all measured cycles together, the
        store's one publish included) for CPU and rate, the median measured cycle for wall time.
        Falls back to the measured cycles of results written before the "run" line existed."""
        runs = rows(bench, size, lambda d: d.get("kind") == "run")
        if not runs:
            return rows(bench, size, measured)
        out = []
        for r in runs:
            cycles = [c["data"] for c in rows(bench, size, measured) if c["rep"] == r["rep"]]
            data = dict(r["data"])
            data["wall_s"] = med([c["wall_s"] for c in cycles])
            data["reachable"] = med([c["reachable"] for c in cycles])
            data["devices"] = cycles[0]["devices"] if cycles else None
            data["cpu_s"] = r["data"]["cpu_s"] / max(1, r["data"]["cycles"])  # per cycle
            out.append({**r, "data": data})
        return out
    summary = {"snmp": {}, "snmp_window": {}, "dead": {}, "icmp": {}, "snmpd": {}, "store": {}, "memory": {}}
    sizes = sorted({r["size"] for r in raw if r["bench"] == "snmp"})
    for n in sizes:
        p = per_run("snmp", n)
        mp = rows("min_poller", n, lambda d: d["cycle"] == 2)
        sg = rows("snmpget", n)
        pipe = {"answered_per_s": med([r["data"]["answered_per_s"] for r in p]),
                "cpu_s_per_1000": med([r["data"]["cpu_s_per_1000"] for r in p]),
                "cycle_wall_s": med([r["data"]["wall_s"] for r in p]),
                "answered": med([r["data"]["reachable"] for r in p]),
                "sim_cpu_per_wall": med([r["sim_cpu_per_wall"] for r in p])}
        mini = {"answered_per_s": med([r["data"]["answered"] / r["data"]["wall_s"] for r in mp]),
                "cpu_s_per_1000": med([r["data"]["cpu_s"] * 1000 / max(1, r["data"]["answered"]) for r in mp]),
                "cycle_wall_s": med([r["data"]["wall_s"] for r in mp]),
                "sim_cpu_per_wall": med([r["sim_cpu_per_wall"] for r in mp])}
        get = {"answered_per_s": med([r["data"]["answered"] / r["data"]["wall_s"] for r in sg]),
               "cpu_s_per_1000": med([r["data"]["cpu_s"] * 1000 / max(1, r["data"]["answered"]) for r in sg]),
               "cycle_wall_s": med([r["data"]["wall_s"] for r in sg]),
               "sim_cpu_per_wall": med([r["sim_cpu_per_wall"] for r in sg])}
        # ratios per repetition (same run, back to back), then their median
        speedups, cpu_ratios = [], []
        for rep in {r["rep"] for r in p}:
            pr = [r for r in p if r["rep"] == rep]
            mr = [r for r in mp if r["rep"] == rep]
            gr = [r for r in sg if r["rep"] == rep]
            if pr and gr and gr[0]["data"]["answered"]:
                speedups.append(pr[0]["data"]["answered_per_s"] / (gr[0]["data"]["answered"] / gr[0]["data"]["wall_s"]))
            if pr and mr and mr[0]["data"]["cpu_s"] > 0:
                cpu_ratios.append(pr[0]["data"]["cpu_s_per_1000"] /
                                  (mr[0]["data"]["cpu_s"] * 1000 / max(1, mr[0]["data"]["answered"])))
        entry = {"pipeline": pipe, "min_poller": mini, "snmpget_loop": get,
                 "requests_per_s_vs_snmpget": med(speedups), "cpu_per_request_vs_min_poller": med(cpu_ratios)}
        entry["target_30x_snmpget"] = entry["requests_per_s_vs_snmpget"] is not None and entry["requests_per_s_vs_snmpget"] >= 30
        entry["target_cpu_2x_min_poller"] = entry["cpu_per_request_vs_min_poller"] is not None and entry["cpu_per_request_vs_min_poller"] <= 2
        entry["simulator_bound"] = any((x or 0) > 0.7 for x in (pipe["sim_cpu_per_wall"], mini["sim_cpu_per_wall"]))
        summary["snmp"][str(n)] = entry

        pw = per_run("snmp_window", n)
        if pw:
            ratios = []
            for rep in {r["rep"] for r in pw}:
                wr = [r for r in pw if r["rep"] == rep]
                mr = [r for r in mp if r["rep"] == rep]
                if wr and mr and mr[0]["data"]["cpu_s"] > 0:
                    ratios.append(wr[0]["data"]["cpu_s_per_1000"] /
                                  (mr[0]["data"]["cpu_s"] * 1000 / max(1, mr[0]["data"]["answered"])))
            whwm = [r["data"]["vm_hwm_kib"] for r in rows("snmp_window", n, lambda d: d.get("kind") == "summary")]
            windows = [r["data"].get("window") for r in rows("snmp_window", n, lambda d: d.get("kind") == "summary")]
            summary["snmp_window"][str(n)] = {
                "window": windows[0] if windows else None,
                "answered_per_s": med([r["data"]["answered_per_s"] for r in pw]),
                "cpu_s_per_1000": med([r["data"]["cpu_s_per_1000"] for r in pw]),
                "cycle_wall_s": med([r["data"]["wall_s"] for r in pw]),
                "answered": med([r["data"]["reachable"] for r in pw]),
                "cpu_per_request_vs_min_poller": med(ratios),
                "vm_hwm_mib": (med(whwm) or 0) / 1024,
                "sim_cpu_per_wall": med([r["sim_cpu_per_wall"] for r in pw])}

        d = per_run("dead", n)
        limit = 1.2 * a.timeout_ms / 1000 * (a.retries + 1)
        wall = med([r["data"]["wall_s"] for r in d])
        summary["dead"][str(n)] = {"cycle_wall_s": wall, "limit_s": limit, "met": wall is not None and wall <= limit,
                                   "answered": med([r["data"]["reachable"] for r in d]),
                                   "devices": d[0]["data"]["devices"] if d else None}

        ic = per_run("icmp", n)
        fp = rows("fping", n)
        summary["icmp"][str(n)] = {
            "pipeline": {"cycle_wall_s": med([r["data"]["wall_s"] for r in ic]),
                         "cpu_s": med([r["data"]["cpu_s"] for r in ic]),
                         "answered": med([r["data"]["reachable"] for r in ic])},
            "fping": {"wall_s": med([r["data"]["wall_s"] for r in fp]), "cpu_s": med([r["data"]["cpu_s"] for r in fp]),
                      "answered": med([r["data"]["answered"] for r in fp])}}

        sums = rows("snmp", n, lambda d: d.get("kind") == "summary")
        hwm = [r["data"]["vm_hwm_kib"] for r in sums]
        setup = [r["data"].get("rss_after_setup_kib") for r in sums]
        cfg = [r["data"].get("rss_after_config_kib") for r in sums]
        eng = [r["data"].get("rss_after_engine_kib") for r in sums]
        # fleet_bench's own peak with every poll in flight at once: not avmond, whose peak
        # (the target of 64 MiB) is measured by bench/avmond.
        summary["memory"][str(n)] = {"vm_hwm_mib": (med(hwm) or 0) / 1024, "all_polls_in_flight": True,
                                     "rss_after_config_mib": (med(cfg) or 0) / 1024,
                                     "rss_after_engine_mib": (med(eng) or 0) / 1024,
                                     "rss_after_setup_mib": (med(setup) or 0) / 1024}

    for n in sorted({r["size"] for r in raw if r["bench"] == "snmpd"}):
        s = per_run("snmpd", n)
        summary["snmpd"][str(n)] = {"answered_per_s": med([r["data"]["answered_per_s"] for r in s]),
                                    "cpu_s_per_1000": med([r["data"]["cpu_s_per_1000"] for r in s]),
                                    "cycle_wall_s": med([r["data"]["wall_s"] for r in s]),
                                    "answered": med([r["data"]["reachable"] for r in s]),
                                    "sim_cpu_per_wall": med([r["sim_cpu_per_wall"] for r in s])}
        summary["snmpd"][str(n)]["simulator_bound"] = (summary["snmpd"][str(n)]["sim_cpu_per_wall"] or 0) > 0.7

    st = [r for r in raw if r["bench"] == "store"]
    for run in ("writer", "bare"):
        x = [r["data"] for r in st if r["data"]["run"] == run]
        if x:
            summary["store"][run] = {"rows": st[0]["size"], "samples_per_s": med([v["samples_per_s"] for v in x]),
                                     "per_cpu_s": med([v["per_cpu_s"] for v in x])}

    result = {"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "machine": machine(),
              "commit": commit(a.root), "settings": {"timeout_ms": a.timeout_ms, "retries": a.retries},
              "summary": summary, "raw": raw}
    with open(a.out, "w") as f:
        json.dump(result, f, indent=1)

    fmt = lambda v, p=2: "-" if v is None else f"{v:,.{p}f}"
    print(f"results: {a.out}  (commit {result['commit']}, {result['machine']['nproc']} x {result['machine']['cpu_model']})")
    print("| N | pipeline req/s | CPU-s/1k req | cycle s | min_poller req/s | CPU-s/1k | snmpget req/s | x snmpget (>=30) | CPU x min (<=2) | sim CPU/wall |")
    print("|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for n, e in summary["snmp"].items():
        p, m, g = e["pipeline"], e["min_poller"], e["snmpget_loop"]
        print(f"| {n} | {fmt(p['answered_per_s'], 0)} | {fmt(p['cpu_s_per_1000'], 3)} | {fmt(p['cycle_wall_s'], 3)} | "
              f"{fmt(m['answered_per_s'], 0)} | {fmt(m['cpu_s_per_1000'], 3)} | {fmt(g['answered_per_s'], 0)} | "
              f"{fmt(e['requests_per_s_vs_snmpget'], 1)} {'met' if e['target_30x_snmpget'] else 'MISSED'} | "
              f"{fmt(e['cpu_per_request_vs_min_poller'], 2)} {'met' if e['target_cpu_2x_min_poller'] else 'MISSED'} | "
              f"{fmt(p['sim_cpu_per_wall'])}/{fmt(m['sim_cpu_per_wall'])}{' SIM-BOUND' if e['simulator_bound'] else ''} |")
    for n, e in summary["snmp_window"].items():
        print(f"window {e['window']} of {n}: {fmt(e['answered_per_s'], 0)} req/s, {fmt(e['cpu_s_per_1000'], 3)} CPU-s/1k, "
              f"cycle {fmt(e['cycle_wall_s'], 3)} s, CPU x min_poller {fmt(e['cpu_per_request_vs_min_poller'], 2)}, "
              f"VmHWM {fmt(e['vm_hwm_mib'], 1)} MiB, sim CPU/wall {fmt(e['sim_cpu_per_wall'])}")
    for n, e in summary["dead"].items():
        print(f"dead 10% of {n}: cycle {fmt(e['cycle_wall_s'], 3)} s, limit {fmt(e['limit_s'], 2)} s: {'met' if e['met'] else 'MISSED'}")
    for n, e in summary["icmp"].items():
        print(f"icmp {n}: pipeline {fmt(e['pipeline']['cycle_wall_s'], 3)} s / {fmt(e['pipeline']['cpu_s'], 3)} CPU-s "
              f"({fmt(e['pipeline']['answered'], 0)} answered); fping {fmt(e['fping']['wall_s'], 3)} s / "
              f"{fmt(e['fping']['cpu_s'], 3)} CPU-s ({fmt(e['fping']['answered'], 0)} answered)")
    for n, e in summary["snmpd"].items():
        print(f"snmpd {n}: {fmt(e['answered_per_s'], 0)} req/s, {fmt(e['cpu_s_per_1000'], 3)} CPU-s/1k, cycle "
              f"{fmt(e['cycle_wall_s'], 3)} s, snmpd CPU/wall {fmt(e['sim_cpu_per_wall'])}{' SIM-BOUND' if e['simulator_bound'] else ''}")
    for run, e in summary["store"].items():
        print(f"store {run} ({e['rows']} rows): {fmt(e['samples_per_s'], 0)} samples/s, {fmt(e['per_cpu_s'], 0)} per CPU-s")
    for n, e in summary["memory"].items():
        print(f"memory {n} devices, fleet_bench with all polls in flight (avmond's peak: bench/avmond): "
              f"VmHWM {fmt(e['vm_hwm_mib'], 1)} MiB; "
              f"RSS after config {fmt(e['rss_after_config_mib'], 1)}, after store+engine {fmt(e['rss_after_engine_mib'], 1)}, "
              f"after probes {fmt(e['rss_after_setup_mib'], 1)} MiB")


if __name__ == "__main__":
    main()
