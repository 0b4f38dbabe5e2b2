"""Forecast calibration: the forecast's backtest over seeded demo organisations' history.

Each quarter with enough history before it is forecast as of its first day and four and eight
weeks in, for the organisation and every team, and for every rep employed through the quarter,
from what was known on that day; the P10-P90 range should hold the actual revenue about 80% of
the time, at each checkpoint. Three organisations: the default demo and the same company drawn
with two other seeds.
"""

from __future__ import annotations

import time
from pathlib import Path

from bench.common import OUT, Run, machine, now, record, self_peak_kb

QUARTERS = 6
CHECKPOINTS = (0, 4, 8)
DRAWS = 2_000
SEEDS = (42, 7, 3)  # the default demo's seed first


def _store(path: Path, seed: int) -> None:
    """The seeded demo organisation, built once and kept in bench/out (rebuilt when the demo
    generator is newer than the file)."""
    import salesperf.demo as demo

    newest = max(p.stat().st_mtime for p in Path(demo.__file__).parent.glob("*.py"))
    if path.exists() and path.stat().st_mtime > newest:
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
    """Backtest the forecast on three demo organisations and record its calibration."""
    from salesperf.analysis.forecast.backtest import (
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
    all_reps: list[BacktestRow] = []
    per_scope: list[str] = []
    for seed in SEEDS:
        path = OUT / f"forecast_demo_{seed}.duckdb"
        _store(path, seed)
        started = time.perf_counter()
        with Store.open(path) as s:
            quarters = backtest_quarters(s, QUARTERS)
            b = backtest(s, quarters, CHECKPOINTS, draws=DRAWS, reps=True)
        seconds = time.perf_counter() - started
        c = b.overall
        r = Calibration.of("reps", list(b.rep_rows))
        label = "default demo" if seed == SEEDS[0] else f"demo, seed {seed}"
        weeks = " / ".join(_pct(w.coverage) for w in b.by_week)
        rep_weeks = " / ".join(_pct(w.coverage) for w in b.reps_by_week)
        print(
            f"  {label}: {b.periods[0]}..{b.periods[-1]}, P10-P90 coverage {_pct(c.coverage)} "
            f"of {c.forecasts} org and team forecasts (weeks {weeks}), {_pct(r.coverage)} of "
            f"{r.forecasts} rep forecasts (weeks {rep_weeks}), P50 off by {_pct(c.mae, 1)} of "
            f"target, Brier {c.brier:.3f}, {seconds:.0f} s"
        )
        rows.append(
            f"| {label} | {b.periods[0]} to {b.periods[-1]} | {c.forecasts} | "
            f"{weeks} | {r.forecasts} | {rep_weeks} | {_pct(c.mae, 1)} | {c.brier:.3f} | "
            f"{seconds:.0f} |"
        )
        per_scope.append(
            f"{label}: " + ", ".join(f"{k.scope} {_pct(k.coverage)}" for k in b.by_scope)
        )
        all_rows.extend(b.rows)
        all_reps.extend(b.rep_rows)
        detail: dict[str, object] = {
            "coverage": c.coverage,
            "coverage_by_week": [w.coverage for w in b.by_week],
            "rep_coverage_by_week": [w.coverage for w in b.reps_by_week],
            "mae": c.mae,
            "brier": c.brier,
        }
        runs.append(Run(label, seconds, self_peak_kb() / 1024, detail))

    def week(rs: list[BacktestRow], w: int) -> Calibration:
        return Calibration.of(f"week {w}", [r for r in rs if r.week == w])

    total, reps = Calibration.of("all", all_rows), Calibration.of("reps", all_reps)
    summary = []
    for name, rs in (("organisation and teams", all_rows), ("reps", all_reps)):
        parts = ", ".join(
            f"week {w}: {_pct(week(rs, w).coverage)} of {week(rs, w).forecasts}"
            for w in CHECKPOINTS
        )
        summary.append(f"| {name} | {parts} |")
        print(f"  all organisations, {name}: {parts}")
    record(
        "forecast",
        f"Measured {now()} on {machine()}.\n\n"
        f"The forecast's backtest (`salesperf.analysis.forecast.backtest`): the last {QUARTERS} quarters "
        f"of {len(SEEDS)} seeded demo organisations (the startup context, 24 reps, two years; "
        f"seeds {', '.join(map(str, SEEDS))}), each forecast as of weeks "
        f"{', '.join(map(str, CHECKPOINTS))} into the quarter for the organisation, every team "
        "and every rep employed through the quarter, from what was known on that day only, with "
        f"{DRAWS:,} simulated outcomes each, and set against the revenue the quarter actually "
        "brought. A well-calibrated P10-P90 range holds the actual about 80% of the time at "
        "every checkpoint; the mean absolute error of the P50 is in % of the target; the Brier "
        "score is that of the probability of reaching the target (0 is perfect, always saying "
        "50% scores 0.25).\n\n"
        "| organisation | quarters | org and team forecasts | P10-P90 coverage, weeks "
        f"{' / '.join(map(str, CHECKPOINTS))} | rep forecasts | rep coverage, weeks "
        f"{' / '.join(map(str, CHECKPOINTS))} | P50 error (% of target) | Brier | seconds |\n"
        "|---|---|---:|---:|---:|---:|---:|---:|---:|\n"
        + "\n".join(rows)
        + "\n\nAll organisations together, P10-P90 coverage per checkpoint:\n\n"
        "| forecasts of | coverage |\n|---|---|\n"
        + "\n".join(summary)
        + f"\n\nOverall: organisation and teams {_pct(total.coverage)} of {total.forecasts}, "
        f"reps {_pct(reps.coverage)} of {reps.forecasts}; P50 off by {_pct(total.mae, 1)} of "
        f"target; Brier {total.brier:.3f}.\n\nPer scope: " + "; ".join(per_scope) + ".",
    )
    return runs
