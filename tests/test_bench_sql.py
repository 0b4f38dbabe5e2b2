"""The scorecard benchmark's bar, the expert hand-written SQL (bench/scorecard_expert.py), gives
the metric layer's figures: every metric and its previous period's, for reps and teams by week
and by month, on the demo organisation. It computes them its own way (local days from the
zone's offsets, per rep and day first, distinct accounts from triples), so agreeing is a check
of both; read a few months at a time, it must give the same figures as read at once."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from bench.scorecard_expert import expert_scorecard
from bench.scorecard_sql import METRICS

from salesperf.metrics.compiler import run_levels
from salesperf.metrics.periods import Grain
from salesperf.metrics.query import By, Compare, Query
from salesperf.store import Store

pytestmark = pytest.mark.slow

RANGES = {
    "week": (date(2025, 3, 3), date(2026, 3, 2)),
    "month": (date(2025, 2, 1), date(2026, 4, 1)),
}
COMBOS = [(g, b) for b in ("rep", "team") for g in ("week", "month")]
KEYS = {"rep": "rep_id", "team": "team_id"}


@pytest.fixture(scope="module")
def layer(demo_store: Store) -> dict[tuple[str, str], pd.DataFrame]:
    """The metric layer's scorecards, both levels of each grain in one query."""
    tz = demo_store.settings.timezone
    out = {}
    for grain, (a, b) in RANGES.items():
        q = Query(METRICS, a, b, Grain(grain), By.REP, (Compare.PREVIOUS,))
        for by, df in run_levels(demo_store.con, q, (By.REP, By.TEAM), tz).items():
            out[(grain, by.value)] = df
    return out


@pytest.mark.parametrize("chunk_months", [None, 1, 3])
def test_expert_sql_gives_the_metric_layers_figures(
    demo_store: Store, layer: dict[tuple[str, str], pd.DataFrame], chunk_months: int | None
) -> None:
    con = demo_store.con.con.cursor()  # its own temporary tables, not the store's
    try:
        frames = expert_scorecard(con, demo_store.settings.timezone, RANGES, COMBOS, chunk_months)
    finally:
        con.close()
    columns = [*METRICS, *(f"{m}_prev" for m in METRICS)]
    for (grain, by), ours in frames.items():
        theirs = layer[(grain, by)]
        theirs = theirs.rename(columns={KEYS[by]: "k", "period_start": "period"})
        ours = ours.assign(period=pd.to_datetime(ours.period).dt.date)
        assert len(ours) == len(theirs), (grain, by)
        both = ours.merge(theirs, on=["k", "period"], suffixes=("", "_layer"), validate="1:1")
        assert len(both) == len(theirs), (grain, by)
        assert both.accounts_touched.sum() > 0  # the check reads figures, not empty columns
        for c in columns:
            pd.testing.assert_series_equal(
                both[c].astype("float64"),
                both[f"{c}_layer"].astype("float64"),
                check_names=False,
                rtol=1e-9,
                obj=f"{by} x {grain}: {c}",
            )
