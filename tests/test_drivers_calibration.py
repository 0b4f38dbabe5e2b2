"""The drivers' count model: the same fit as statsmodels' GLM with rep and week dummies, its
false findings and power over 200 simulated organisations with seasons, holidays and volume
shocks, and an organisation whose data start inside the default window."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from typer.testing import CliRunner

from salesperf.analysis.drivers.core import DriversQuery, drivers
from salesperf.analysis.drivers.model import fit_lags
from salesperf.analysis.drivers.panel import data_span, lag_column, lagged
from salesperf.analysis.stats.fepois import fit_poisson_fe
from salesperf.cli.app import app
from salesperf.ingest.importer import import_file
from salesperf.store import Store

# -- the same fit as statsmodels ---------------------------------------------------------------


def _statsmodels() -> Any:
    """statsmodels' API, imported by the slow tests that use it (about 1.4 s to import, which
    every test process would pay when collecting this module)."""
    import statsmodels.api as sm

    return sm


def _small_panel(rng: np.random.Generator, reps: int, weeks: int) -> pd.DataFrame:
    """Counts with rep and week levels; every rep and week has some deals (no separation)."""
    rep, week = np.repeat(np.arange(reps), weeks), np.tile(np.arange(weeks), reps)
    x = rng.poisson(4, (reps * weeks, 3)).astype(float)
    eta = 0.3 + rng.normal(0, 0.4, reps)[rep] + rng.normal(0, 0.3, weeks)[week] + 0.08 * x[:, 0]
    y = rng.poisson(np.exp(eta)).astype(float)
    y[np.arange(reps) * weeks] += 1  # each rep's first week
    y[:weeks] += 1  # each week, through the first rep
    return pd.DataFrame({"rep": rep, "week": week.astype(str), "y": y,
                         "a": x[:, 0], "b": x[:, 1], "c": x[:, 2]})  # fmt: skip


@pytest.mark.parametrize("clustered", [True, False])
@pytest.mark.slow
def test_the_fit_equals_statsmodels_glm_with_rep_and_week_dummies(clustered: bool) -> None:
    sm = _statsmodels()
    df = _small_panel(np.random.default_rng(7), reps=12, weeks=15)
    table, dispersion = fit_poisson_fe(df, "y", ["a", "b", "c"], clustered)
    dummies = pd.get_dummies(df[["rep", "week"]].astype(str), drop_first=True, dtype=float)
    exog = sm.add_constant(pd.concat([df[["a", "b", "c"]], dummies], axis=1))
    glm = sm.GLM(df["y"], exog, family=sm.families.Poisson())
    plain = glm.fit()
    np.testing.assert_allclose(table["estimate"], plain.params[["a", "b", "c"]], atol=1e-6)
    assert dispersion == pytest.approx(plain.pearson_chi2 / plain.df_resid, rel=1e-6)
    # Poisson's errors scaled by the dispersion, with the cluster errors' factor (N - 1) / (N - K)
    scale = np.sqrt(max(dispersion, 1.0) * (len(df) - 1) / plain.df_resid)
    np.testing.assert_allclose(table["se_model"], scale * plain.bse[["a", "b", "c"]], rtol=1e-4)
    if clustered:
        ref = glm.fit(cov_type="cluster", cov_kwds={"groups": df["rep"]})
        # statsmodels' small-sample factor G / (G - 1) x (N - 1) / (N - K) counts the 11 rep
        # dummies in K; fixest's (and pyfixest's) leaves out fixed effects nested in the clusters
        nested = np.sqrt(plain.df_resid / (plain.df_resid + 11))
        cluster = nested * ref.bse[["a", "b", "c"]]
        np.testing.assert_allclose(table["se_cluster"], cluster, rtol=1e-4)
        assert np.all(np.abs(table["se_cluster"] / ref.bse[["a", "b", "c"]] - 1) < 0.05)
        want = np.maximum(cluster, scale * plain.bse[["a", "b", "c"]])
        np.testing.assert_allclose(table["se"], want, rtol=1e-4)
    else:
        assert table["se_cluster"].isna().all()
        np.testing.assert_allclose(table["se"], table["se_model"])


@pytest.mark.slow
def test_fit_lags_reports_statsmodels_rate_ratios_and_holm_over_all_lags() -> None:
    sm = _statsmodels()
    rng = np.random.default_rng(11)
    panel = simulate(rng, reps=12, weeks=30, max_lag=2)
    types = ("demo", "call")
    fit = fit_lags(panel, types, 2, first=2)
    rows = lagged(panel, types, 2, 2)
    rows = rows[rows.groupby("rep_id").deals_won.transform("sum") > 0]
    cols, x = [], {}
    for t in types:
        within = rows[lag_column(t, 0)] - rows.groupby("rep_id")[lag_column(t, 0)].transform("mean")
        for lag in range(3):
            x[f"{t}{lag}"] = rows[lag_column(t, lag)] / within.std(ddof=1)
            cols.append(f"{t}{lag}")
    x["working_days"] = rows["working_days"]
    dummies = pd.get_dummies(rows[["rep_id", "week"]].astype(str), drop_first=True, dtype=float)
    exog = sm.add_constant(pd.concat([pd.DataFrame(x), dummies], axis=1).astype(float))
    glm = sm.GLM(rows["deals_won"].astype(float), exog, family=sm.families.Poisson())
    ref = glm.fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(rows["rep_id"])[0]})
    plain = glm.fit()
    n, dof = len(rows), plain.df_resid
    scale = np.sqrt(max(1, plain.pearson_chi2 / dof) * (n - 1) / dof)
    nested = np.sqrt(dof / (dof + 11))  # (see the test above)
    se = np.maximum(nested * ref.bse[cols], scale * plain.bse[cols])
    p = 2 * stats.t(11).sf(np.abs(ref.params[cols] / se))
    for e in fit.effects:
        want = [np.exp(ref.params[f"{e.type}{lag}"]) for lag in range(3)]
        np.testing.assert_allclose([x.rate_ratio for x in e.lags], want, rtol=1e-6)
        want_p = [p[cols.index(f"{e.type}{lag}")] for lag in range(3)]
        assert [x.p_value for x in e.lags] == pytest.approx(want_p, rel=1e-3)
    assert fit.model.tests == 6 and fit.model.fixed_effects == "rep+week"
    # Holm over all six: the smallest p times 6
    best = min(fit.effects, key=lambda e: e.p_value)
    assert best.p_value == pytest.approx(min(1.0, 6 * min(x.p_value for x in best.lags)))


# -- calibration over simulated organisations ---------------------------------------------------
TYPES = ("demo", "call", "email", "meeting")
SEED, ORGS, EFFECT, LAG = 20261206, 200, 0.12, 2


def simulate(
    rng: np.random.Generator, reps: int = 25, weeks: int = 52, max_lag: int = 8, b: float = EFFECT
) -> pd.DataFrame:
    """A rep-week panel: `weeks` outcome weeks after `max_lag` earlier ones. Activity and deals
    won share seasons, holidays (weeks most reps are off) and volume shocks common to everyone;
    each rep has their own level, busy and quiet weeks (every type at once) and absences; some
    reps are hired or leave. Deals won rise by `b` (log) per demo held `LAG` weeks earlier and
    follow nothing else; calls, emails and meetings change nothing."""
    n_weeks = weeks + max_lag
    w = np.arange(n_weeks)
    holiday = np.zeros(n_weeks)
    holiday[rng.choice(n_weeks, 4, replace=False)] = -1.2
    common = 0.25 * np.sin(2 * np.pi * w / 52) + holiday + rng.normal(0, 0.15, n_weeks)
    absent = rng.random((reps, n_weeks)) < 0.04
    busy = rng.normal(0, 0.25, (reps, n_weeks))
    base = np.exp(rng.normal(0, 0.35, reps)[:, None] + common[None, :] + busy - 3 * absent)
    means = {"demo": 4.0, "call": 25.0, "email": 30.0, "meeting": 3.0}
    counts = {t: rng.poisson(m * base) for t, m in means.items()}
    demos = np.concatenate([np.zeros((reps, LAG)), counts["demo"][:, : n_weeks - LAG]], axis=1)
    win_common = 0.6 * common + rng.normal(0, 0.1, n_weeks)
    mu = np.exp(rng.normal(-0.6, 0.4, reps)[:, None] + win_common + b * (demos - 4) - 2 * absent)
    won = rng.negative_binomial(2, 2 / (2 + mu))  # more spread than Poisson
    start = np.where(rng.random(reps) < 0.2, rng.integers(0, n_weeks // 2, reps), 0)
    stop = np.where(rng.random(reps) < 0.15, rng.integers(n_weeks // 2, n_weeks, reps), n_weeks)
    active = (w >= start[:, None]) & (w < stop[:, None])
    return pd.DataFrame(
        {
            "rep_id": np.repeat([f"R{i:02d}" for i in range(reps)], n_weeks),
            "week": np.tile(w, reps),
            "active": active.ravel(),
            "working_days": np.where(absent, 0, 5).ravel(),
            "deals_won": (won * active).ravel(),
            **{t: (c * active).ravel() for t, c in counts.items()},
        }
    )


@pytest.mark.slow  # about a minute: 200 fits of 36 slopes and some 1,300 rep-weeks each
def test_over_200_simulated_organisations_null_types_are_rarely_found_the_driver_nearly_always(
) -> None:  # fmt: skip
    rng = np.random.default_rng(SEED)
    false, found, covered = 0, 0, 0
    for _ in range(ORGS):
        fit = fit_lags(simulate(rng), TYPES, 8, first=8)
        effect = {e.type: e for e in fit.effects}
        assert fit.model.tests == 4 * 9
        false += any(effect[t].significant for t in TYPES[1:])
        found += effect["demo"].significant and effect["demo"].best_lag == LAG
        at = effect["demo"].lags[LAG]
        covered += at.low <= np.exp(EFFECT * effect["demo"].per) <= at.high
    # recorded in docs/analysis.md: 1 false finding (0.5%), 190 found (95%), 93% covered
    assert false / ORGS <= 0.05
    assert found / ORGS >= 0.90
    assert covered / ORGS >= 0.90  # the 95% interval of the planted lag holds the truth


# -- an organisation whose data start inside the default window ---------------------------------
def test_the_data_span_is_where_both_activities_and_deals_are_recorded() -> None:
    d = date.fromisoformat
    days = pd.DataFrame(
        {
            "rep_id": ["R1", "R1", "R2", "R2"],
            "kind": ["activity", "deal", "activity", "deal"],
            "first": [d("2026-03-04"), d("2025-01-10"), d("2026-03-02"), d("2025-06-01")],
            "last": [d("2026-09-30"), d("2026-09-10"), d("2026-08-31"), d("2026-09-25")],
        }
    )
    # activities from 2 March 2026 (R2), deals to 25 September (R2): the overlap
    assert data_span(days) == (d("2026-03-02"), d("2026-09-25"))
    assert data_span(days[days.kind == "activity"]) == (d("2026-03-02"), d("2026-09-30"))
    assert data_span(days.iloc[:0]) is None


HELD_OUT_START = date(2026, 2, 2)  # a Monday; the default window from 2026-10-01 starts 2025-10-01
TODAY = date(2026, 10, 1)


def _held_out_org(store: Store, write: Callable[..., Path]) -> None:
    """20 reps from February 2026 (one hired in April, one leaving in July): deals won follow
    demos by two weeks; calls and emails rise and fall with everyone's busy weeks, holidays and
    volume shocks, as wins do, but change nothing."""
    rng = np.random.default_rng(14)
    weeks, reps = 34, [f"R{i}" for i in range(4, 24)]
    rows = ["rep_id,name,team_id,start_date,end_date"]
    rows += [f"{r},Rep {r},T1,{'2026-04-06' if r == 'R5' else ''},"
             f"{'2026-07-10' if r == 'R6' else ''}" for r in reps]  # fmt: skip
    assert import_file(store, "reps", write("reps.csv", "\n".join(rows) + "\n")).rejected == 0
    common = 0.2 * np.sin(np.arange(weeks) / 5) + rng.normal(0, 0.15, weeks)
    common[[12, 13, 27]] -= 1.0  # Easter and summer weeks: little work, few wins
    acts, deals = (
        ["activity_id,rep_id,type,occurred_at"],
        ["deal_id,rep_id,created_at,status,closed_at"],
    )
    for r in reps:
        level = rng.normal(0, 0.3)
        demo = rng.poisson(4 * np.exp(level + common))
        for wk in range(weeks):
            monday = HELD_OUT_START + timedelta(weeks=wk)
            if (r == "R5" and monday < date(2026, 4, 6)) or (
                r == "R6" and monday > date(2026, 7, 10)
            ):
                continue
            busy = np.exp(level + common[wk] + rng.normal(0, 0.2))
            n = {"demo": demo[wk], "call": rng.poisson(12 * busy), "email": rng.poisson(15 * busy)}
            for t, k in n.items():
                for i in range(k):
                    at = monday + timedelta(days=int(rng.integers(0, 5)))
                    acts.append(f"{r}-{wk}-{t}-{i},{r},{t},{at}T{9 + i % 8:02d}:00:00Z")
            lagged_demo = demo[wk - 2] if wk >= 2 else 4
            mu = np.exp(-0.4 + 0.6 * common[wk] + level / 2 + 0.15 * (lagged_demo - 4))
            for i in range(rng.poisson(mu)):
                closed = monday + timedelta(days=int(rng.integers(0, 5)))
                created = max(closed - timedelta(days=20), HELD_OUT_START)
                deals.append(f"{r}-{wk}-{i},{r},{created},won,{closed}")
    for table, lines in (("activities", acts), ("deals", deals)):
        result = import_file(store, table, write(f"{table}.csv", "\n".join(lines) + "\n"))
        assert result.rejected == 0, result.problems[:3]


@pytest.mark.slow
def test_an_organisation_younger_than_the_window_finds_its_driver_and_not_its_noise(
    store: Store, write: Callable[..., Path]
) -> None:
    _held_out_org(store, write)
    r = drivers(store, DriversQuery(today=TODAY))
    # the window asked for began eight months before the data: cut to them, and said so
    assert r.requested is not None and r.requested.label == "last-4-quarters"
    assert (r.window.start, r.window.end) == (HELD_OUT_START, date(2026, 9, 28))
    assert r.weeks == (HELD_OUT_START + timedelta(weeks=8), date(2026, 9, 28))
    cut = r.notes[-1]
    # a rolling window is named by its days, as the formatter writes a span of days
    assert "The window 2025-10-01 – 2026-09-30 reaches beyond the data" in cut.en
    assert "Het venster 01-10-2025 – 30-09-2026 reikt verder dan de gegevens" in cut.nl
    assert "used 2026-02-02 to 2026-09-27" in cut.en
    assert "gebruikt is 02-02-2026 tot en met 27-09-2026" in cut.nl
    effect = {e.type: e for e in r.fit.effects}
    assert effect["demo"].significant and effect["demo"].best_lag == 2
    assert effect["demo"].low > 1
    assert not effect["call"].significant and not effect["email"].significant
    assert r.fit.model.fixed_effects == "rep+week" and r.fit.model.tests == 27
    # the command says the window it used
    out = CliRunner().invoke(app, ["drivers", "--store", str(store.path), "--as-of",
                                   "2026-10-01", "--format", "json"])  # fmt: skip
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["window"] == {"label": "2026-02-02..2026-09-27", "start": "2026-02-02",
                              "end": "2026-09-28"}  # fmt: skip
    assert data["requested"]["label"] == "last-4-quarters"
    assert data["weeks"] == ["2026-03-30", "2026-09-28"]
    out = CliRunner().invoke(app, ["drivers", "--store", str(store.path), "--as-of", "2026-10-01"],
                             env={"COLUMNS": "200"})  # fmt: skip
    assert out.exit_code == 0, out.output
    assert (
        "Drivers of deals won, 2026-02-02 – 2026-09-27 (everyone; ISO weeks 2026-03-30 – 2026-09-27)"
        in out.output
    )
    assert cut.en in out.output.replace("\n", " ")
