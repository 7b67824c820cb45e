"""The sync benchmark's report (benchmarks/sync_bench.py): the table of figures against
the budgets, the machine and code measured, and cProfile's hot spots."""

from __future__ import annotations

import cProfile
import os
import pstats
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def hot_spots(profile: cProfile.Profile, top: int = 18) -> dict:
    """The functions with the most own time and the most cumulative time."""
    stats = pstats.Stats(profile)
    total = stats.total_tt
    rows = []
    for (file, line, name), (_cc, ncalls, tt, ct, _callers) in stats.stats.items():
        where = f"{Path(file).name}:{line}({name})" if line else name
        if "site-packages" in file:
            where = f"{file.split('site-packages/')[-1]}:{line}({name})"
        elif "/lr_desk/" in file:
            where = f"lr_desk/{file.split('/lr_desk/')[-1]}:{line}({name})"
        rows.append((where, ncalls, tt, ct))
    by_own = sorted(rows, key=lambda r: r[2], reverse=True)[:top]
    mine = [r for r in rows if r[0].startswith("lr_desk/")]
    by_cum = sorted(mine, key=lambda r: r[3], reverse=True)[:top]

    def fmt(r):
        return {"function": r[0], "calls": r[1], "own_s": round(r[2], 3),
                "cumulative_s": round(r[3], 3), "own_pct": round(100 * r[2] / total, 1)}

    # where the SQL statements come from: the lr_desk callers of Connection.execute
    sites: dict[str, list] = {}
    for (file, _line, name), entry in stats.stats.items():
        if name == "execute" and file.endswith(("sqlalchemy/engine/base.py",
                                                 "sqlalchemy/orm/session.py")):
            for (cfile, cline, cname), (_c, nc, _t, ct) in entry[4].items():
                if "/lr_desk/" in cfile:
                    key = f"{Path(cfile).name}:{cline}({cname})"
                    slot = sites.setdefault(key, [0, 0.0])
                    slot[0] += nc
                    slot[1] += ct
    statements = [{"caller": k, "executes": n, "cumulative_s": round(t, 3)}
                  for k, (n, t) in sorted(sites.items(), key=lambda kv: -kv[1][1])][:top]
    return {"total_s": round(total, 3), "by_own_time": [fmt(r) for r in by_own],
            "lr_desk_by_cumulative": [fmt(r) for r in by_cum], "statements": statements}


def print_hot_spots(title: str, spots: dict) -> None:
    print(f"\n{title} (cProfile, {spots['total_s']} s profiled)")
    print("  most own time:")
    for r in spots["by_own_time"][:14]:
        print(f"    {r['own_s']:8.2f} s {r['own_pct']:5.1f}%  {r['calls']:>10,}  {r['function']}")
    print("  lr_desk functions by cumulative time:")
    for r in spots["lr_desk_by_cumulative"][:12]:
        print(f"    {r['cumulative_s']:8.2f} s           {r['calls']:>10,}  {r['function']}")
    if spots.get("statements"):
        print("  SQL statements by lr_desk call site (executes, time in them):")
        for r in spots["statements"][:10]:
            print(f"    {r['cumulative_s']:8.2f} s           {r['executes']:>10,}  {r['caller']}")


def machine() -> dict:
    import platform

    import psutil

    load = os.getloadavg()
    try:  # which code was measured: the commit, and whether lr_desk/ had edits on top
        git = ["git", "-C", str(ROOT)]
        head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run([*git, "status", "--porcelain", "--", "lr_desk"],
                               capture_output=True, text=True, check=True).stdout.strip()
        code = head + (" + uncommitted changes in lr_desk/" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        code = "unknown"
    return {"code": code, "python": sys.version.split()[0], "cpus": os.cpu_count(),
            "cpu": platform.processor() or platform.machine(),
            "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "load_avg_at_start": [round(x, 2) for x in load], "platform": platform.platform()}


def print_table(r: dict) -> None:
    lines = [("what", "measured", "baseline", "ratio / note", "budget")]
    if "push_pull" in r:
        p = r["push_pull"]
        m = p["median"]
        n = p["changes"]
        lines += [
            (f"push {n:,} changes (push_outbox)", f"{m['push_s']:.0f} ms",
             f"{m['raw_insert_s']:.0f} ms raw insert", f"{p['ratio_push']}x", "<= 3x"),
            ("  of which in CentralStore.push", f"{m['push_central_s']:.0f} ms", "", "", ""),
            ("  vs raw insert with the same keys", "",
             f"{m['raw_insert_keyed_s']:.0f} ms", f"{p['ratio_push_vs_keyed']}x", ""),
            (f"pull {n:,} changes (engine.pull, new device)", f"{m['pull_s']:.0f} ms",
             f"{m['raw_select_s']:.0f} ms raw select", f"{p['ratio_pull']}x", "<= 3x"),
            ("  median of each run's own ratios", "", "",
             f"push {p['ratio_push_same_run']}x, pull {p['ratio_pull_same_run']}x", ""),
            ("  of which fetching (CentralStore.pull)", f"{m['pull_fetch_s']:.0f} ms",
             f"{m['raw_select_s']:.0f} ms raw select", f"{p['ratio_pull_fetch_only']}x", ""),
            ("push + pull", f"{m['push_s'] + m['pull_s']:.0f} ms",
             f"{m['raw_insert_s'] + m['raw_select_s']:.0f} ms",
             f"{p['ratio_combined']}x", "<= 3x"),
        ]
        if "ratio_push_cpu" in p:  # CPU time, this process's and the server's
            lines += [("push, CPU time (desk + server)", f"{m['push_cpu_s']:.0f} ms",
                       f"{m['raw_insert_cpu_s']:.0f} ms raw insert", f"{p['ratio_push_cpu']}x",
                       "<= 3x"),
                      ("pull, CPU time (desk + server)", f"{m['pull_cpu_s']:.0f} ms",
                       f"{m['raw_select_cpu_s']:.0f} ms raw select", f"{p['ratio_pull_cpu']}x",
                       "<= 3x")]
        if "pouchdb" in p:  # the peer, in the same run: how many times lr_desk's time
            q = p["pouchdb"]
            lines += [("PouchDB push (loopback HTTP)", f"{q['push_ms']:.0f} ms", "lr_desk's push",
                       f"{q['push_times_lr_desk']}x lr_desk", ""),
                      ("PouchDB pull (loopback HTTP)", f"{q['pull_ms']:.0f} ms", "lr_desk's pull",
                       f"{q['pull_times_lr_desk']}x lr_desk", ""),
                      ("PouchDB push + pull", "", "", f"{q['push_pull_times_lr_desk']}x lr_desk",
                       "")]
    if "idle" in r:
        i = r["idle"]
        for key, label in (("log_10k_new_device", "idle sync, new device"),
                           ("log_10k_author_device", "idle sync, the device that pushed"),
                           ("log_big", "idle sync")):
            x = i[key]
            lines.append((f"{label}, log {x['log']:,}", f"{x['median_ms']} ms",
                          "", f"p95 {x['p95_ms']} ms", "< 100 ms"))
    if "first_sync" in r:
        f = r["first_sync"]
        if "skipped" in f or "failed" in f:
            lines.append(("first sync of the dataset", f.get("skipped") or f.get("failed"),
                          "", "", ""))
        else:
            label = "first sync, full dataset" if not f.get("extrapolated_full_s") else \
                f"first sync, first {f['loaded']:,} changes"
            lines.append((label, f"{f['pull_s']:.0f} s", f"{f['pulled']:,} changes",
                          f"{f['rate_per_s']:,}/s", "(time)"))
            if f.get("extrapolated_full_s"):
                total = f["dataset_changes"]
                lines.append((f"  EXTRAPOLATED to all {total:,}",
                              f"~{f['extrapolated_full_s'] / 60:.0f} min", "", "at that rate", ""))
            lines.append(("  peak memory of the pulling process", f"{f['peak_rss_mb']} MB",
                          f"{f['rss_before_mb']} MB before", f"{f['rss_after_mb']} MB after",
                          "(memory)"))
            lines.append(("  fetching (CentralStore.pull)", f"{f['fetch_s']:.0f} s",
                          f"{f['pages']:,} pages", "", ""))
            lines.append(("  device database afterwards", f"{f['device_db_mb']:,} MB", "", "", ""))
            if f.get("idle_sync"):
                lines.append((f"idle sync on that device, log {f['loaded']:,}",
                              f"{f['idle_sync']['median_ms']} ms", "",
                              f"p95 {f['idle_sync']['p95_ms']} ms", "< 100 ms"))
    widths = [max(len(str(row[c])) for row in lines) for c in range(5)]
    print()
    for k, row in enumerate(lines):
        print("  ".join(str(v).ljust(widths[c]) for c, v in enumerate(row)).rstrip())
        if k == 0:
            print("  ".join("-" * w for w in widths))
    if "push_pull" in r:
        p = r["push_pull"]
        print(f"\npush and pull measured {p['changes']:,} changes, {p['audit_changes']:,} of "
              f"them audit records (the first of {p['written']:,} that fill_demo wrote for "
              f"{p['people']} people): " + ", ".join(f"{k} {v:,}" for k, v in
                                                      sorted(p["mix"].items())))
    f = r.get("first_sync", {})
    if f.get("per_entity"):
        print("\nfirst sync, merge time per table (pages counted under the table of their "
              "first change):")
        for entity, x in f["per_entity"].items():
            print(f"  {entity:<18} {x['changes']:>10,} changes  {x['apply_s']:8.1f} s  "
                  f"{x['rate_per_s'] or 0:>8,}/s")
    p = r.get("push_pull", {})
    for key, title in (("profile_push", f"push of {p.get('changes', 0):,} changes"),
                       ("profile_pull", f"pull of {p.get('changes', 0):,} changes")):
        if key in p:
            print_hot_spots(title, p[key])
    if f.get("profile"):
        print_hot_spots(f"first sync pull of {f.get('pulled', 0):,} changes", f["profile"])


