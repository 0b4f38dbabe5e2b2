"""`python -m bench rollups`: what keeping the roll-ups costs, on the 10M and 50M demo stores.

- *rebuild*: `salesperf rollups rebuild` of the whole store, in a process of its own (its
  peak memory is its own), at the engine's default memory budget;
- *write*: a batch of 1 and of 1,000 new activities, written as the batch API writes them (a
  CSV checked and imported by the importer), into a copy of the store whose roll-ups are kept
  current and, in the same run, into a copy whose roll-ups are switched off (their state rows
  removed, so no write refreshes them): the ratio is what the upkeep adds.

The bars (issue "Live speed"): the 1,000-activity write into the 50M store, roll-ups included,
under 1 s; the rebuild of the 50M store under 60 s.
"""

from __future__ import annotations

import statistics
import time
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from bench.common import OUT, PEAK, load, machine, now, record, run_child
from bench.scorecard_bench import demo_store, inflate
from bench.web_bench import fresh_copy

ROUNDS = 5  # writes of each size per copy
SIZES = (1, 1000)
BARS = {"write_1000_50M": 1.0, "rebuild_50M": 60.0}

REBUILD = (
    PEAK
    + """
import json, sys, time
from salesperf.store import Store
from salesperf.store.maintain import rebuild
with Store.open(sys.argv[1]) as s:
    t = time.perf_counter()
    rows = rebuild(s)
    seconds = time.perf_counter() - t
print(json.dumps({"seconds": seconds, "peak_kb": _peak(), "rows": sum(rows.values())}))
"""
)


def _stores() -> dict[str, Path]:
    base = OUT / "demo_10m.duckdb"
    demo_store(base, reps=500)
    big = OUT / "demo_50m.duckdb"
    inflate(base, big, copies=5)
    return {"10M": base, "50M": big}


def _csv(folder: Path, tag: str, first: int, n: int, reps: list[str], day: datetime) -> Path:
    lines = ["activity_id,rep_id,type,occurred_at,outcome"]
    lines += [
        f"BENCH-{tag}-{first + i},{reps[(first + i) % len(reps)]},call,"
        f"{(day + timedelta(seconds=first + i)).isoformat()},connected"
        for i in range(n)
    ]
    path = folder / f"batch-{tag}-{first}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _writes(path: Path, kept: bool) -> dict[int, list[float]]:
    """Seconds of each write of each size into the store at `path`."""
    from salesperf.cli.serve import data_end
    from salesperf.ingest.importer import import_file
    from salesperf.store import Store

    out: dict[int, list[float]] = {n: [] for n in SIZES}
    folder = OUT / "rollups-batches"
    folder.mkdir(exist_ok=True)
    if not kept:
        with duckdb.connect(str(path)) as con:
            con.execute("DELETE FROM salesperf_rollups")
    with Store.open(path) as s:
        day_end = data_end(s)
        assert day_end is not None
        day = datetime.combine(day_end, datetime.min.time()) + timedelta(hours=9)
        reps = sorted(s.table("reps").rep_id.execute())
        first = 0
        for n in SIZES:
            for _ in range(ROUNDS):
                batch = _csv(folder, "kept" if kept else "off", first, n, reps, day)
                first += n
                t = time.perf_counter()
                result = import_file(s, "activities", batch)
                out[n].append(time.perf_counter() - t)
                assert (result.inserted, result.rejected) == (n, 0), result.problems
    return out


def run() -> None:
    """Rebuild and write on each store; record the figures."""
    rows = []
    figures: dict[str, float] = {}
    for size, source in _stores().items():
        copy = OUT / f"rollups_{size.lower()}.duckdb"
        fresh_copy(source, copy)
        rebuilt = run_child(f"rebuild {size}", REBUILD, str(copy))
        figures[f"rebuild_{size}"] = rebuilt.seconds
        rows.append(
            f"| {size} | rebuild of every roll-up ({rebuilt.detail['rows']:,} rows) | "
            f"{rebuilt.seconds:.1f} s | | {rebuilt.peak_mb:,.0f} MB |"
        )
        off = OUT / f"rollups_{size.lower()}_off.duckdb"
        fresh_copy(source, off)
        kept_s, off_s = _writes(copy, kept=True), _writes(off, kept=False)
        for n in SIZES:
            k, o = statistics.median(kept_s[n]), statistics.median(off_s[n])
            figures[f"write_{n}_{size}"] = k
            rows.append(
                f"| {size} | write of {n:,} activit{'y' if n == 1 else 'ies'} (median of "
                f"{ROUNDS}; all: {', '.join(f'{x:.2f}' for x in kept_s[n])}) | {k:.2f} s | "
                f"{o:.2f} s ({k / o:.2f}x) | |"
            )
        copy.unlink()
        off.unlink()
    bars = [
        f"- write of 1,000 activities into the 50M store under {BARS['write_1000_50M']:.0f} s: "
        f"{'met' if figures['write_1000_50M'] < BARS['write_1000_50M'] else '**not met**'} "
        f"({figures['write_1000_50M']:.2f} s)",
        f"- rebuild of the 50M store under {BARS['rebuild_50M']:.0f} s: "
        f"{'met' if figures['rebuild_50M'] < BARS['rebuild_50M'] else '**not met**'} "
        f"({figures['rebuild_50M']:.1f} s)",
    ]
    body = "\n".join(
        [
            f"Measured {now()} on {machine()}, load average {load()}.",
            "",
            "| store | work | roll-ups kept | roll-ups off (ratio) | peak memory |",
            "|---|---|---:|---:|---:|",
            *rows,
            "",
            *bars,
        ]
    )
    record("rollups", body)
    print(body)
