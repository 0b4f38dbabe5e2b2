"""Forecast calibration: the forecast's backtest over the seeded demo organisations' history.

Each quarter with enough history before it is forecast as of its first day and four and eight
weeks in, for the organisation and every team, from what was known on that day; the P10-P90
range should hold the actual revenue about 80% of the time. Two organisations: the default demo
and the same company drawn with another seed.
"""

from __future__ import annotations

import time
from pathlib import Path

from bench.common import OUT, Run, machine, now, record, self_peak_kb

QUARTERS = 6
CHECKPOINTS = (0, 4, 8)
DRAWS = 2_000
SEEDS = (42, 7)  # the default demo's seed first


def _store(path: Path, seed: int) -> None:
    """The seeded demo organisation, built once and kept in bench/out."""
    if path.exists():
        return
    from salesperf.demo import DemoConfig, build_demo
    from salesperf.store import Store

    tmp = path.with_suffix(".building")
    tmp.unlink(missing_ok=True)
    with Store.open(tmp) as s:
        build_demo(s, DemoConfig(seed=seed))
    tmp.rename(path)


def _pct(v: float | None, digits: int = 0) -> str:
    return "—" if v is None else f"{100 * v:.{digits}f}%"


def run() -> list[Run]:
    """Backtest the forecast on two demo organisations and record its calibration."""
    from salesperf.analysis.backtest import (
        BacktestRow,
        Calibration,
        backtest,
        backtest_quarters,
    )
    from salesperf.store import Store

    OUT.mkdir(parents=True, exist_ok=True)
    runs: list[Run] = []
    rows: list[str] = []
    all_rows: list[BacktestRow] = []
    per_scope: list[str] = []
    for seed in SEEDS:
        path = OUT / f"forecast_demo_{seed}.duckdb"
        _store(path, seed)
        started = time.perf_counter()
        with Store.open(path) as s:
            quarters = backtest_quarters(s, QUARTERS)
            b = backtest(s, quarters, CHECKPOINTS, draws=DRAWS)
        seconds = time.perf_counter() - started
        c = b.overall
        label = "default demo" if seed == SEEDS[0] else f"demo, seed {seed}"
        print(
            f"  {label}: {b.periods[0]}..{b.periods[-1]}, P10-P90 coverage {_pct(c.coverage)} "
            f"of {c.forecasts} forecasts, P50 off by {_pct(c.mae, 1)} of target, Brier "
            f"{c.brier:.3f}, {seconds:.0f} s"
        )
        rows.append(
            f"| {label} | {b.periods[0]} to {b.periods[-1]} | {c.forecasts} | "
            f"{_pct(c.coverage)} | {_pct(c.mae, 1)} | {c.brier:.3f} | {seconds:.0f} |"
        )
        per_scope.append(
            f"{label}: "
            + ", ".join(f"{k.scope} {_pct(k.coverage)}" for k in b.by_scope)
            + "; "
            + ", ".join(f"{w.scope} {_pct(w.coverage)}" for w in b.by_week)
        )
        all_rows.extend(b.rows)
        detail: dict[str, object] = {"coverage": c.coverage, "mae": c.mae, "brier": c.brier}
        runs.append(Run(label, seconds, self_peak_kb() / 1024, detail))
    total = Calibration.of("all", all_rows)
    weeks = ", ".join(
        f"week {w}: {_pct(Calibration.of('', [r for r in all_rows if r.week == w]).coverage)}"
        for w in CHECKPOINTS
    )
    record(
        "forecast",
        f"Measured {now()} on {machine()}.\n\n"
        f"The forecast's backtest (`salesperf.analysis.backtest`): the last {QUARTERS} quarters "
        "of each seeded demo organisation (the startup context, 24 reps, two years), each "
        f"forecast as of weeks {', '.join(map(str, CHECKPOINTS))} into the quarter for the "
        "organisation and every team, from what was known on that day only, with "
        f"{DRAWS:,} simulated outcomes each, and set against the revenue the quarter actually "
        "brought. A well-calibrated P10-P90 range holds the actual about 80% of the time; the "
        "mean absolute error of the P50 is in % of the target; the Brier score is that of the "
        "probability of reaching the target (0 is perfect, always saying 50% scores 0.25).\n\n"
        "| organisation | quarters | forecasts | P10-P90 coverage | P50 error (% of target) "
        "| Brier | seconds |\n|---|---|---:|---:|---:|---:|---:|\n"
        + "\n".join(rows)
        + f"\n\nBoth together: P10-P90 coverage {_pct(total.coverage)} of {total.forecasts} "
        f"forecasts ({weeks}); P50 off by {_pct(total.mae, 1)} of target; Brier "
        f"{total.brier:.3f}.\n\nPer scope and per checkpoint: " + "; ".join(per_scope) + ".",
    )
    return runs
