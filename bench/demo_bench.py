"""Demo benchmark: `salesperf demo --reps 500 --years 2` into a fresh store, timed end to end."""

from __future__ import annotations

from bench.common import OUT, PEAK, Run, machine, now, record, run_child

BUILD = (
    PEAK
    + """
import json, sys, time
from salesperf.demo import DemoConfig, build_demo
from salesperf.store import Store
t = time.perf_counter()
with Store.open(sys.argv[1]) as s:
    build_demo(s, DemoConfig(reps=500, years=2))
    n = s.count("activities")
sec = time.perf_counter() - t
print(json.dumps({"seconds": sec, "peak_kb": _peak(), "activities": n}))
"""
)


def run() -> list[Run]:
    """Build the 500-rep, two-year demo organisation in a new store file and record it."""
    OUT.mkdir(parents=True, exist_ok=True)
    store = OUT / "demo_bench.duckdb"
    for p in (store, store.with_suffix(".duckdb.wal")):
        p.unlink(missing_ok=True)
    r = run_child("demo", BUILD, str(store))
    n = int(r.detail["activities"])  # type: ignore[call-overload]
    print(f"  {n:,} activities in {r.seconds:.1f} s, peak {r.peak_mb:,.0f} MB")
    verdict = "met" if n >= 10_000_000 and r.seconds < 30 else "NOT met"
    record(
        "demo",
        f"Measured {now()} on {machine()}.\n\n"
        f"`salesperf demo --reps 500 --years 2` (generation and writing into a new store file): "
        f"{n:,} activities in {r.seconds:.1f} s, peak memory {r.peak_mb:,.0f} MB. "
        f"Bar: at least 10 million activities in under 30 seconds: {verdict}.",
    )
    store.unlink(missing_ok=True)
    return [r]
