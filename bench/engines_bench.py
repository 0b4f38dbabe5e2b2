"""Engines benchmark: the scorecard on the 10-million-activity demo store, on DuckDB, PostgreSQL
and Spark, in one run.

The demo store file is the one the scorecard benchmark builds (bench/out/demo_10m.duckdb). It is
copied once into a PostgreSQL database (through COPY) and a Spark warehouse (Parquet), which are
kept in bench/out for later runs; loading is timed as well. PostgreSQL runs from the local
server binaries (Debian: /usr/lib/postgresql/<version>/bin), or from $SALESPERF_BENCH_POSTGRES
(a postgresql:// URL of an empty database) when given. Each engine runs the same queries in its
own process, and the figures are checked to agree with DuckDB's.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import date

from bench.common import OUT, PEAK, ROOT, Run, machine, now, record, run_child
from bench.scorecard_bench import CHECK, _agree, demo_store

RANGE = (date(2024, 11, 1), date(2026, 10, 1))
COMBOS = [("month", "rep"), ("month", "team")]
SPARK_CONF = "spark.driver.memory=4g"

LOAD = (
    PEAK
    + """
import json, sys, time
from salesperf.store import Store, copy_store
t = time.perf_counter()
with Store.open(sys.argv[1]) as src, Store.open(sys.argv[2]) as dst:
    n = copy_store(src, dst)["activities"]
sec = time.perf_counter() - t
print(json.dumps({"seconds": sec, "peak_kb": _peak(), "activities": n}))
"""
)

SCORECARD = (
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
a, b = (date.fromisoformat(x) for x in json.loads(sys.argv[2]))
s = Store.open(sys.argv[1])
tz = s.settings.timezone
t0 = time.perf_counter()
s.con  # Spark starts here; its start is reported apart
start = time.perf_counter() - t0
t = time.perf_counter()
checks = {}
combos = json.loads(sys.argv[3])
for grain in dict.fromkeys(g for g, _ in combos):  # each grain's levels in one query
    levels = tuple(By(by) for g, by in combos if g == grain)
    q = Query(METRICS, a, b, Grain(grain), levels[0], (Compare.PREVIOUS,))
    for by, df in run_levels(s.con, q, levels, tz).items():
        checks[f"{by.value}x{grain}"] = _check(df, by.value)
sec = time.perf_counter() - t
print(json.dumps({"seconds": sec, "peak_kb": _peak(), "start": start, "checks": checks}))
"""
)


def _count(url: str) -> int:
    """Activities in the store at `url` (0 when it cannot be opened)."""
    from salesperf.store import Store, StoreError

    try:
        with Store.open(url) as s:
            return int(s.count("activities"))
    except StoreError:
        return 0


def _postgres() -> tuple[str, object | None]:
    """The URL of the benchmark database, and the server started for it (if any)."""
    given = os.environ.get("SALESPERF_BENCH_POSTGRES")
    if given:
        return given, None
    sys.path.insert(0, str(ROOT / "tests"))
    from engines import start_postgres, why_no_postgres

    reason = why_no_postgres()
    if reason:
        raise SystemExit(f"cannot run PostgreSQL here: {reason}")
    server = start_postgres(OUT / "pg")
    try:
        server.create_database("demo_10m")
    except Exception as exc:  # kept from an earlier run
        if "already exists" not in str(exc):
            raise
    return server.url("demo_10m"), server


def run() -> list[Run]:
    """Load the demo store into each engine once, run the scorecard on each, record it."""
    OUT.mkdir(parents=True, exist_ok=True)
    base = OUT / "demo_10m.duckdb"
    demo_store(base, reps=500)
    count = _count(str(base))
    pg_url, server = _postgres()
    spark_dir = OUT / "spark_10m"
    urls = {
        "DuckDB": str(base),
        "PostgreSQL": pg_url,
        "Spark local[2]": f"local[2]?warehouse={spark_dir}&{SPARK_CONF}",
    }
    loads: dict[str, Run] = {}
    runs: dict[str, Run] = {}
    try:
        for label in ("PostgreSQL", "Spark local[2]"):
            if _count(urls[label]) != count:
                loads[label] = run_child(f"load {label}", LOAD, str(base), urls[label])
                print(f"  load {label}: {loads[label].seconds:.1f} s")
        dates = json.dumps([d.isoformat() for d in RANGE])
        for label, url in urls.items():
            runs[label] = run_child(label, SCORECARD, url, dates, json.dumps(COMBOS))
            print(f"  {label}: {runs[label].seconds:.1f} s")
    finally:
        if server is not None:
            server.stop(remove=False)  # type: ignore[attr-defined]
    ref = runs["DuckDB"].detail["checks"]
    lines = [
        f"Measured {now()} on {machine()}.",
        "",
        f"Every scorecard metric (19) per rep and per team (the whole subtree), month by month "
        f"with the previous month, from {RANGE[0]:%B %Y} to {RANGE[1]:%B %Y}, on the demo store "
        f"of {count:,} activities (two years), reps and teams in one query (`run_levels`), "
        "once on each engine. Each engine runs "
        "in its own process; PostgreSQL 15 and Spark (local mode, two cores) run on this same "
        "machine. Load: copying the DuckDB store in (PostgreSQL through COPY, Spark as Parquet), "
        "done once and kept; the copy builds each engine's roll-ups (`salesperf.store.rollups`), "
        "which the queries read on every engine. Spark's start is not in its query time.",
        "",
        "| engine | load | Spark start | queries | vs DuckDB | agrees |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for label, r in runs.items():
        load = f"{loads[label].seconds:.0f} s" if label in loads else "kept"
        if label == "DuckDB":
            load = "—"
        start = r.detail.get("start", 0.0)
        started = f"{float(start):.1f} s" if label.startswith("Spark") else "—"  # type: ignore[arg-type]
        agrees = "yes" if _agree(r.detail["checks"], ref) else "NO"  # type: ignore[arg-type]
        ratio = r.seconds / runs["DuckDB"].seconds
        lines.append(
            f"| {label} | {load} | {started} | {r.seconds:.1f} s | {ratio:.1f}x | {agrees} |"
        )
    record("engines", "\n".join(lines))
    return list(runs.values())
