"""Scorecard benchmark: every scorecard metric, rep x week and rep x month, with team roll-ups and
the previous period, on demo stores of 10 and 50 million activities.

Beside it, in the same run and on the same store: one hand-written DuckDB SQL query per
(grouping, grain), and pandas as an analyst would write it. The figures are checked to agree.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import duckdb

from bench.common import OUT, PEAK, Run, machine, now, record, run_child

RANGES = {
    "week": (date(2024, 10, 7), date(2026, 9, 28)),
    "month": (date(2024, 11, 1), date(2026, 10, 1)),
}
COMBOS = [(g, b) for b in ("rep", "team") for g in ("week", "month")]


def demo_store(path: Path, reps: int) -> None:
    """The seeded demo organisation, built once and kept in bench/out."""
    if path.exists():
        return
    from salesperf.demo import DemoConfig, build_demo
    from salesperf.store import Store

    tmp = path.with_suffix(".building")
    tmp.unlink(missing_ok=True)
    with Store.open(tmp) as s:
        build_demo(s, DemoConfig(reps=reps, years=2, seed=7))
    tmp.rename(path)


def inflate(src: Path, dst: Path, copies: int) -> None:
    """A larger store: `copies` copies of every rep with their accounts, activities, deals and
    more, as an organisation `copies` times the size would have them (each copy of a rep works
    its own accounts)."""
    if dst.exists():
        return
    tmp = dst.with_suffix(".building")
    shutil.copy(src, tmp)
    con = duckdb.connect(str(tmp))
    for k in range(1, copies):
        sfx = f"'-{k}'"
        con.execute(f"""INSERT INTO accounts SELECT account_id || {sfx}, name, segment, created_at,
                        churned_at FROM accounts WHERE NOT contains(account_id, '-')""")
        con.execute(f"""INSERT INTO reps SELECT rep_id || {sfx}, name || {sfx}, email, team_id, role,
                        start_date, end_date FROM reps WHERE NOT contains(rep_id, '-')""")
        con.execute(f"""INSERT INTO activities SELECT activity_id || {sfx}, rep_id || {sfx}, type,
                        occurred_at, duration_min, outcome, deal_id || {sfx}, lead_id || {sfx},
                        account_id || {sfx} FROM activities WHERE NOT contains(activity_id, '-')""")
        con.execute(f"""INSERT INTO deals SELECT deal_id || {sfx}, rep_id || {sfx}, created_at, status,
                        amount, closed_at, account_id || {sfx}, stage, kind, lost_reason, source
                        FROM deals WHERE NOT contains(deal_id, '-')""")
        con.execute(f"""INSERT INTO surveys SELECT response_id || {sfx}, responded_at, scale, score,
                        account_id || {sfx}, rep_id || {sfx} FROM surveys WHERE NOT contains(response_id, '-')""")
        con.execute(f"""INSERT INTO leads SELECT lead_id || {sfx}, created_at, source, rep_id || {sfx},
                        account_id || {sfx}, qualified_at, deal_id || {sfx} FROM leads
                        WHERE NOT contains(lead_id, '-')""")
        con.execute(f"""INSERT INTO absences SELECT rep_id || {sfx}, date FROM absences
                        WHERE NOT contains(rep_id, '-')""")
    con.execute("CHECKPOINT")
    con.close()
    tmp.rename(dst)


CHECK = """
def _check(df, key):
    import math
    out = {"rows": int(len(df))}
    for m in ("activities", "revenue_won", "win_rate", "activities_per_day", "sales_cycle_days",
              "accounts_touched", "nps", "activities_prev"):
        v = float(df[m].astype("float64").sum(skipna=True))
        out[m] = round(v, 4)
    return out
"""

SALESPERF = (
    PEAK
    + CHECK
    + """
import json, sys, time
from datetime import date
from salesperf.store import Store
from salesperf.metrics.compiler import run_levels
from salesperf.metrics.query import By, Compare, Query
from salesperf.metrics.periods import Grain
from bench.scorecard_sql import METRICS
ranges = json.loads(sys.argv[2])
s = Store.open(sys.argv[1])
tz = s.settings.timezone
t = time.perf_counter()
checks = {}
combos = json.loads(sys.argv[3])
for grain in dict.fromkeys(g for g, _ in combos):  # each grain's levels in one query
    a, b = (date.fromisoformat(x) for x in ranges[grain])
    levels = tuple(By(by) for g, by in combos if g == grain)
    q = Query(METRICS, a, b, Grain(grain), levels[0], (Compare.PREVIOUS,))
    for by, df in run_levels(s.con, q, levels, tz).items():
        checks[f"{by.value}x{grain}"] = _check(df, by.value)
sec = time.perf_counter() - t
print(json.dumps({"seconds": sec, "peak_kb": _peak(), "checks": checks}))
"""
)

HAND_SQL = (
    PEAK
    + CHECK
    + """
import json, sys, time
from datetime import date
import duckdb
from bench.scorecard_sql import hand_sql
ranges = json.loads(sys.argv[2])
con = duckdb.connect(sys.argv[1], read_only=True, config={"memory_limit": "8GB"})
tz = con.execute("SELECT value FROM salesperf_meta WHERE key = 'timezone'").fetchone()[0]
t = time.perf_counter()
checks = {}
for grain, by in json.loads(sys.argv[3]):
    a, b = (date.fromisoformat(x) for x in ranges[grain])
    df = con.execute(hand_sql(grain, by, tz, a, b)).df()
    checks[f"{by}x{grain}"] = _check(df, by)
sec = time.perf_counter() - t
print(json.dumps({"seconds": sec, "peak_kb": _peak(), "checks": checks}))
"""
)

PANDAS = (
    PEAK
    + CHECK
    + """
import json, sys, time
from datetime import date
import duckdb
from bench.scorecard_sql import pandas_scorecard
ranges = json.loads(sys.argv[2])
t = time.perf_counter()
con = duckdb.connect(sys.argv[1], read_only=True)
tz = con.execute("SELECT value FROM salesperf_meta WHERE key = 'timezone'").fetchone()[0]
cols = {"activities": "rep_id, type, occurred_at, outcome, account_id",
        "deals": "rep_id, status, amount, created_at, closed_at",
        "surveys": "rep_id, scale, score, responded_at", "leads": "rep_id, source, created_at",
        "reps": "*", "teams": "*", "absences": "*"}
tables = {n: con.execute(f"SELECT {c} FROM {n}").df() for n, c in cols.items()}
checks = {}
for grain, by in json.loads(sys.argv[3]):
    a, b = (date.fromisoformat(x) for x in ranges[grain])
    df = pandas_scorecard(tables, grain, by, tz, a, b)
    checks[f"{by}x{grain}"] = _check(df, by)
sec = time.perf_counter() - t
print(json.dumps({"seconds": sec, "peak_kb": _peak(), "checks": checks}))
"""
)


def _agree(a: dict[str, object], b: dict[str, object]) -> bool:
    for combo, ca in a.items():
        cb = b[combo]
        assert isinstance(ca, dict)
        assert isinstance(cb, dict)
        for k, v in ca.items():
            if abs(float(v) - float(cb[k])) > 1e-6 * max(1.0, abs(float(v))):
                print(f"    disagree on {combo} {k}: {v} vs {cb[k]}")
                return False
    return True


def run(sizes: tuple[int, ...] = (10, 50), with_pandas: bool = True) -> list[Run]:
    """Run the contenders on the demo stores and record the figures."""
    OUT.mkdir(parents=True, exist_ok=True)
    base = OUT / "demo_10m.duckdb"
    demo_store(base, reps=500)
    ranges = json.dumps({g: [a.isoformat(), b.isoformat()] for g, (a, b) in RANGES.items()})
    combos = json.dumps(COMBOS)
    lines = [
        f"Measured {now()} on {machine()}.",
        "",
        "Every scorecard metric (19: activity, performance, effectiveness) for rep x week, "
        "rep x month, team x week and team x month (teams roll up their whole subtree), each "
        "with the previous period, over two years of the seeded demo organisation, in its time "
        "zone (Europe/Amsterdam). Each contender runs in its own process on the same store file; "
        "their figures are checked to agree. Pandas time includes loading the tables. salesperf "
        "asks for the reps and the teams of each grain in one query (`run_levels`), with the "
        "product's default engine budget (384 MB); the hand-written SQL is one query per "
        "grouping and grain, with an 8 GB budget (less is not enough for it at 50 million). The 50-million store is the 10-million one "
        "five times over, each copy of a rep with its own accounts, deals and leads. On the "
        "10-million store each contender runs twice, in turns, and the faster run counts (both "
        "are listed); peak memory is the larger of the two.",
        "",
        "| activities | contender | seconds | runs (s) | vs hand SQL | peak memory | agrees |",
        "|---:|---|---:|---|---:|---:|---|",
    ]
    runs: list[Run] = []
    for size in sizes:
        store = base if size == 10 else OUT / f"demo_{size}m.duckdb"
        inflate(base, store, size // 10)
        n = (
            duckdb.connect(str(store), read_only=True)
            .execute("SELECT count(*) FROM activities")
            .fetchone()
        )
        count = int(n[0]) if n else 0
        contenders = [("salesperf", SALESPERF), ("hand-written SQL", HAND_SQL)]
        # pandas holds every row in memory: 50 million activities need more than this machine's
        # 24 GiB, so it is measured on the 10 million store only
        if with_pandas and size <= 10:
            contenders.append(("pandas", PANDAS))
        # on the 10 million store each contender runs twice, in turns, and its faster run
        # counts (the machine's other load shows in single runs); peak memory is the larger
        rounds = 2 if size <= 10 else 1
        every: dict[str, list[Run]] = {}
        for _ in range(rounds):
            for label, code in contenders:
                try:
                    r = run_child(label, code, str(store), ranges, combos)
                except RuntimeError as exc:  # pandas may run out of memory on the largest store
                    print(f"  {label}: failed ({str(exc).splitlines()[-1][:200]})")
                    continue
                every.setdefault(label, []).append(r)
                runs.append(r)
                print(f"  {count:>11,} {label:18s} {r.seconds:7.2f} s  peak {r.peak_mb:6.0f} MB")
        results = {
            label: Run(label, min(r.seconds for r in rs), max(r.peak_mb for r in rs),
                       min(rs, key=lambda r: r.seconds).detail)
            for label, rs in every.items()
        }  # fmt: skip
        ref = results.get("hand-written SQL")
        for label, r in results.items():
            agrees = (
                "yes" if ref is None or _agree(r.detail["checks"], ref.detail["checks"]) else "NO"
            )  # type: ignore[arg-type]
            ratio = f"{r.seconds / ref.seconds:.2f}x" if ref else "—"
            each = ", ".join(f"{x.seconds:.2f}" for x in every[label])
            lines.append(
                f"| {count:,} | {label} | {r.seconds:.2f} | {each} | {ratio} | {r.peak_mb:,.0f} MB "
                f"| {agrees} |"
            )
        ours, pandas = results.get("salesperf"), results.get("pandas")
        if ours and ref:
            verdict = [
                f"salesperf at {ours.seconds / ref.seconds:.2f}x the hand-written SQL (bar: at most 1.3x)",
                f"peak {ours.peak_mb:,.0f} MB (bar at 50M: under 1 GB)",
            ]
            if pandas:
                verdict.append(
                    f"{pandas.seconds / ours.seconds:.1f}x faster than pandas (bar: at least 6x)"
                )
            lines += ["", f"At {count:,} activities: " + "; ".join(verdict) + ".", ""]
            lines += ["| activities | contender | seconds | runs (s) | vs hand SQL | peak memory "
                      "| agrees |", "|---:|---|---:|---|---:|---:|---|"] if size != sizes[-1] else []  # fmt: skip
    record("scorecard", "\n".join(lines))
    return runs
