"""The drivers analysis: the planted driver found on the demo, honest intervals on simulated
panels, conversion by number of calls on the UCI bank data, hand-computed win rates, the CLI."""

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

from salesperf.analysis.drivers.core import (
    Drivers,
    DriversQuery,
    conversion_by_touches,
    drivers,
    touch_curve,
)
from salesperf.analysis.drivers.model import holm
from salesperf.analysis.drivers.panel import lagged, rep_week_panel
from salesperf.cli.app import app
from salesperf.i18n.words import word
from salesperf.ingest.importer import import_file
from salesperf.store import Store
from salesperf.text import Text

DEMO_TODAY = date(2026, 10, 1)  # the day after the demo's history: the window is 2025-Q4..2026-Q3
runner = CliRunner()


@pytest.fixture(scope="module")
def demo_result(demo_store: Store) -> Drivers:
    return drivers(demo_store, DriversQuery(today=DEMO_TODAY))


# -- the demo ----------------------------------------------------------------------------------
#: Types the demo draws only as prospecting, tied to no lead or deal: they change no win.
DEMO_NULL_TYPES = ("event", "social", "other")


@pytest.mark.slow
def test_on_the_demo_no_null_type_is_found_and_the_planted_driver_peaks_at_its_lag(
    demo_result: Drivers, demo_planted: Any
) -> None:
    r = demo_result
    assert (r.window.start, r.window.end) == (date(2025, 10, 1), date(2026, 10, 1))
    assert r.requested is None  # the demo's two years cover the window: nothing cut
    assert r.weeks == (date(2025, 10, 6), date(2026, 9, 28))  # whole ISO weeks only
    effects = {e.type: e for e in r.fit.effects}
    # `other` at lag 7 came out before week levels and the joint model; now no null type does
    for null in DEMO_NULL_TYPES:
        assert not effects[null].significant, effects[null].explanation.en
    assert effects["other"].lags[7].p_value > 0.001
    # the planted type's profile peaks at the planted lag, above 1 there before the adjustment
    e = effects[demo_planted.driver_type]
    z = [np.log(x.rate_ratio) / ((np.log(x.high) - np.log(x.low)) / 3.92) for x in e.lags]
    assert int(np.argmax(np.abs(z))) == e.lag == demo_planted.driver_lag_weeks == 3
    assert e.lags[3].low > 1
    assert r.fit.model.standard_errors == "cluster_by_rep"
    assert r.fit.model.family == "poisson" and r.fit.model.fixed_effects == "rep+week"
    assert r.fit.model.tests == 90  # ten types, lags 0 to 8: Holm runs over all of them
    assert "not causes" in r.notes[0].en and "geen oorzaken" in r.notes[0].nl
    assert str(r.fit.sample.deals_won) in r.notes[1].en
    data = json.loads(json.dumps(r.to_json()))  # JSON-safe
    demo = next(x for x in data["fit"]["effects"] if x["type"] == "demo")
    assert demo["lag"] == 3
    assert data["weeks"] == ["2025-10-06", "2026-09-28"] and data["requested"] is None


@pytest.mark.slow
def test_on_the_demo_the_planted_driver_is_found_when_it_is_the_question(
    demo_store: Store, demo_planted: Any
) -> None:
    # asked about the planted type alone, Holm runs over its 9 lags only, and it is found
    q = DriversQuery(types=(demo_planted.driver_type,), today=DEMO_TODAY)
    (e,) = drivers(demo_store, q).fit.effects
    assert e.significant and e.best_lag == demo_planted.driver_lag_weeks
    assert 1 < e.low < e.rate_ratio < e.high
    # with the null types beside it, they stay unfound
    q = DriversQuery(types=(demo_planted.driver_type, *DEMO_NULL_TYPES), today=DEMO_TODAY)
    fit = drivers(demo_store, q).fit
    assert not any(x.significant for x in fit.effects if x.type in DEMO_NULL_TYPES)


def _local(ts: pd.Series, tz: str) -> pd.Series:
    return pd.to_datetime(ts).dt.tz_localize("UTC").dt.tz_convert(tz).dt.tz_localize(None)


@pytest.mark.slow
def test_the_panel_matches_an_independent_count_from_the_raw_tables(demo_store: Store) -> None:
    first, end = date(2026, 6, 1), date(2026, 9, 28)
    types = demo_store.settings.activity_types
    panel = rep_week_panel(demo_store, first, end, 2, None, types)
    tz = demo_store.settings.timezone
    acts = demo_store.table("activities").select("rep_id", "type", "occurred_at").to_pandas()
    local = _local(acts.occurred_at, tz)
    acts["week"] = (local - pd.to_timedelta(local.dt.day_of_week, unit="D")).dt.date
    lo = first - timedelta(weeks=2)
    acts = acts[(acts.week >= lo) & (acts.week < end)]
    want = acts.groupby(["rep_id", "week", "type"]).size().unstack(fill_value=0)
    got = panel.set_index(["rep_id", "week"])[list(types)]
    got = got[got.sum(axis=1) > 0]
    pd.testing.assert_frame_equal(
        got.sort_index(), want.reindex(columns=list(types), fill_value=0).sort_index(),
        check_names=False, check_dtype=False,
    )  # fmt: skip
    deals = demo_store.table("deals").select("rep_id", "status", "closed_at").to_pandas()
    deals = deals[deals.status == "won"]
    local = _local(deals.closed_at, tz)
    deals["week"] = (local - pd.to_timedelta(local.dt.day_of_week, unit="D")).dt.date
    deals = deals[(deals.week >= lo) & (deals.week < end)]
    won = deals.groupby(["rep_id", "week"]).size()
    got_won = panel.set_index(["rep_id", "week"]).deals_won
    assert got_won[got_won > 0].sort_index().to_dict() == won.sort_index().to_dict()
    # every rep has every week; `active` runs from the start date to the end date, or to the
    # rep's last record when no end date is known
    assert len(panel) == 24 * 19
    reps = demo_store.table("reps").to_pandas().set_index("rep_id")
    last = acts.groupby("rep_id").week.max()  # (weeks of activities in the range)
    for rep, start, stop in (("R020", "2026-06-29", None), ("R004", "2025-11-17", None),
                             ("R008", None, "2025-07-22")):  # fmt: skip
        rows = panel[panel.rep_id == rep]
        begin = pd.Timestamp(start).date() if start else date(2000, 1, 1)
        end_day = pd.Timestamp(stop).date() if stop else last.get(rep, date(2000, 1, 1))
        expected = [begin <= w + timedelta(days=6) and w <= end_day for w in rows.week]
        assert rows.active.tolist() == expected
        if start:
            assert pd.Timestamp(reps.loc[rep, "start_date"]).date() == pd.Timestamp(start).date()
    assert not panel[panel.rep_id == "R008"].active.any()  # left in 2025


def test_weeks_outside_employment_are_left_out(demo_store: Store) -> None:
    first, end = date(2025, 9, 1), date(2025, 11, 3)
    panel = rep_week_panel(demo_store, first, end, 1, frozenset({"R019", "R004"}), ("call",))
    rows = lagged(panel, ("call",), 1, first)
    # R019 left on 2025-10-04 (a Saturday): its last week is the one of 2025-09-29
    assert max(rows[rows.rep_id == "R019"].week) == date(2025, 9, 29)
    assert "R004" not in set(rows.rep_id)  # hired 2025-11-17, after the weeks asked
    assert set(rows.columns) >= {"call@0", "call@1"}
    r = rows[rows.rep_id == "R019"].set_index("week")
    whole = panel[panel.rep_id == "R019"].set_index("week").call
    assert r.loc[date(2025, 9, 8), "call@1"] == whole[date(2025, 9, 1)]


# -- the statistics ----------------------------------------------------------------------------
def test_holm_adjustment() -> None:
    p = np.array([0.01, 0.04, 0.03, 0.2])
    # sorted 0.01, 0.03, 0.04, 0.2 times 4, 3, 2, 1, then running maximum
    np.testing.assert_allclose(holm(p), [0.04, 0.09, 0.09, 0.2])


# -- conversion by number of touches -------------------------------------------------------------
CALLS = (Text("call", "gesprek"), Text("calls", "gesprekken"))


def test_conversion_by_calls_on_the_uci_bank_data(shared_data: Path) -> None:
    raw = pd.read_csv(shared_data / "uci_bank_marketing" / "bank-full.csv", sep=";")
    raw["converted"] = raw.y == "yes"
    curve = conversion_by_touches(raw, touches="campaign", converted="converted", noun=CALLS)
    # independently: each bin's leads and subscriptions straight from the file
    edges = [(1, 1), (2, 2), (3, 3), (4, 5), (6, 8), (9, 12), (13, 20), (21, 10_000)]
    want = []
    for lo, hi in edges:
        part = raw[(raw.campaign >= lo) & (raw.campaign <= hi)]
        want.append((len(part), int(part.converted.sum()), part.campaign.mean()))
    assert [(b.items, b.converted) for b in curve.bins] == [(n, k) for n, k, _ in want]
    assert sum(b.items for b in curve.bins) == len(raw) == 45_211
    by_call = raw.groupby("campaign").converted.mean()
    assert curve.bins[0].label == "1"
    assert curve.bins[0].rate == pytest.approx(by_call[1]) == pytest.approx(2561 / 17544)
    for b, (n, k, mean) in zip(curve.bins, want, strict=True):
        assert b.rate == pytest.approx(k / n)
        assert b.mean_touches == pytest.approx(mean)
    gains = [(want[i][1] / want[i][0] - want[i - 1][1] / want[i - 1][0])
             / (want[i][2] - want[i - 1][2]) for i in range(1, len(want))]  # fmt: skip
    assert [b.gain for b in curve.bins[1:]] == pytest.approx(gains)
    # diminishing returns: one call converts best; more calls add nothing
    assert curve.bins[0].rate > curve.bins[-2].rate > curve.bins[-1].rate
    assert curve.bins[0].low > curve.bins[-1].high  # not by chance
    assert max(gains) < 0.005
    assert curve.flattens_after == "1"
    assert "highest at 1 call (14.6%)" in curve.statement.en
    assert "bij 1 gesprek (14,6%)" in curve.statement.nl


def test_touch_curve_finds_where_the_returns_flatten() -> None:
    # 100 deals at each count of touches; the win rate rises 10 points a touch up to 4, then 1
    touches = [1, 2, 3, 4, 5, 6, 7, 8]
    won = [10, 20, 30, 40, 41, 42, 43, 44]
    curve = touch_curve(touches, [100] * 8, won)
    assert [b.label for b in curve.bins] == ["1", "2", "3", "4-5", "6-8"]
    assert [b.rate for b in curve.bins] == pytest.approx([0.1, 0.2, 0.3, 0.405, 0.43])
    # 3 -> 4-5: (0.405 - 0.3) / (4.5 - 3); 4-5 -> 6-8: (0.43 - 0.405) / (7 - 4.5)
    assert [b.gain for b in curve.bins[1:]] == pytest.approx([0.1, 0.1, 0.07, 0.01])
    assert curve.flattens_after == "4-5"
    assert "flatten after about 5 touches" in curve.statement.en
    assert "vlakt af na ongeveer 5 contactmomenten" in curve.statement.nl
    still = touch_curve(touches, [100] * 8, [10, 20, 30, 40, 50, 60, 70, 80])
    assert still.flattens_after is None
    assert "do not flatten" in still.statement.en


def test_touch_curve_rejects_impossible_counts() -> None:
    with pytest.raises(ValueError, match="converted <= items"):
        touch_curve([1], [3], [4])


# -- a hand-built store ---------------------------------------------------------------------------
DEALS = (
    "deal_id,rep_id,created_at,status,amount,closed_at\n"
    "D1,R1,2024-12-01,won,100,2025-01-10\n"
    "D2,R1,2024-12-01,lost,100,2025-01-20\n"
    "D3,R2,2024-12-01,won,100,2025-02-05\n"
    "D4,R2,2024-12-01,lost,100,2025-02-10\n"
    "D5,R3,2024-12-01,won,100,2025-03-01\n"
    "D6,R3,2024-12-01,lost,100,2025-03-15\n"
    "D7,R1,2024-12-01,won,100,2025-04-02\n"  # closed after the window
    "D8,R1,2024-12-01,open,100,\n"
)
ACTIVITIES = (
    "activity_id,rep_id,type,occurred_at,deal_id\n"
    "A1,R1,call,2025-01-02T10:00:00Z,D1\nA2,R1,demo,2025-01-05T10:00:00Z,D1\n"
    "A3,R1,call,2025-01-06T10:00:00Z,D2\n"
    "A4,R2,demo,2024-12-20T10:00:00Z,D3\nA5,R2,demo,2025-01-20T10:00:00Z,D3\n"
    "A6,R2,email,2025-01-25T10:00:00Z,D3\n"
    "A7,R3,call,2025-02-01T10:00:00Z,D5\nA8,R3,call,2025-02-02T10:00:00Z,D5\n"
    "A9,R3,call,2025-02-03T10:00:00Z,D5\nA10,R3,call,2025-02-04T10:00:00Z,D5\n"
    "A11,R3,email,2025-02-05T10:00:00Z,D5\n"
    "A12,R3,call,2025-03-02T10:00:00Z,D6\n"
    "A13,R1,demo,2025-03-20T10:00:00Z,D7\n"
    "A14,R1,call,2025-01-07T10:00:00Z,\n"  # not linked to a deal
)


@pytest.fixture
def small(store: Store, write: Callable[..., Path]) -> Store:
    for table, text in (("deals", DEALS), ("activities", ACTIVITIES)):
        assert import_file(store, table, write(f"{table}.csv", text)).rejected == 0
    return store


def _jeffreys(k: int, n: int) -> tuple[float, float]:
    low = 0.0 if k == 0 else stats.beta.ppf(0.025, k + 0.5, n - k + 0.5)
    high = 1.0 if k == n else stats.beta.ppf(0.975, k + 0.5, n - k + 0.5)
    return float(low), float(high)


@pytest.mark.slow
def test_with_and_without_and_touches_by_hand(
    small: Store, on_engine: Callable[[Store], Store]
) -> None:
    small = on_engine(small)
    r = drivers(small, DriversQuery(window="2025-Q1", max_lag=1, types=("call", "demo", "email")))
    ww = {w.type: w for w in r.with_without}
    # closed in Q1: D1 won, D2 lost, D3 won, D4 lost, D5 won, D6 lost
    # call on D1, D2, D5, D6 (2 of 4 won); none on D3, D4 (1 of 2)
    assert (ww["call"].with_type.won, ww["call"].with_type.closed) == (2, 4)
    assert (ww["call"].without.won, ww["call"].without.closed) == (1, 2)
    assert ww["call"].difference == pytest.approx(0.0)
    # demo on D1, D3 (both won; D3's first demo was in December); none on D2, D4, D5, D6
    assert (ww["demo"].with_type.won, ww["demo"].with_type.closed) == (2, 2)
    assert (ww["demo"].without.won, ww["demo"].without.closed) == (1, 4)
    assert ww["demo"].difference == pytest.approx(0.75)
    assert (ww["demo"].with_type.low, ww["demo"].with_type.high) == pytest.approx(_jeffreys(2, 2))
    assert (ww["demo"].without.low, ww["demo"].without.high) == pytest.approx(_jeffreys(1, 4))
    # the difference's interval: Newcombe's, from the two Jeffreys intervals
    lo2, hi2 = _jeffreys(2, 2)
    lo4, hi4 = _jeffreys(1, 4)
    assert ww["demo"].low == pytest.approx(0.75 - np.hypot(1 - lo2, hi4 - 0.25))
    assert ww["demo"].high == pytest.approx(0.75 + np.hypot(hi2 - 1, 0.25 - lo4))
    assert (ww["email"].with_type.won, ww["email"].with_type.closed) == (2, 2)
    # touches: D4 0 (lost); D2, D6 1 (lost); D1 2 (won); D3 3 (won); D5 5 (won)
    bins = {b.label: (b.items, b.converted) for b in r.touches.bins}
    assert bins == {"0": (1, 0), "1": (2, 0), "2": (1, 1), "3": (1, 1), "4-5": (1, 1)}
    assert all(b.gain is None for b in r.touches.bins)  # every bin too thin to compare
    assert r.touches.flattens_after is None
    assert "Too few" in r.touches.statement.en
    # team T2 is R3 alone: D5 (5 touches, won) and D6 (1 touch, lost)
    t2 = drivers(small, DriversQuery(team="T2", window="2025-Q1", max_lag=1, types=("call",)))
    assert {b.label: (b.items, b.converted) for b in t2.touches.bins} == {
        "1": (1, 0), "4-5": (1, 1),
    }  # fmt: skip
    assert (t2.with_without[0].with_type.won, t2.with_without[0].with_type.closed) == (1, 2)
    assert t2.fit.sample.reps == 1
    assert t2.fit.model.standard_errors == "model"  # one rep is too few to cluster


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (DriversQuery(team="NOPE", window="2025-Q1"), "no team 'NOPE'"),
        (DriversQuery(window="2025-Q1", types=("dance",)), "unknown activity type"),
        (
            DriversQuery(window="2024-Q1"),
            "holds no data: activities and deals are both recorded from 2024-12-20 to 2025-03-20",
        ),
        # deals run to 2 April (D7), activities only to 20 March
        (DriversQuery(window="2025-Q2"), "2025-Q2 .2025-04-01 to 2025-06-30. holds no data"),
        (DriversQuery(window="2025-01-01..2025-01-04"), "no whole ISO week"),
    ],
)
@pytest.mark.slow
def test_bad_input_is_refused_clearly(small: Store, query: DriversQuery, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        drivers(small, query)


@pytest.mark.parametrize("lag", [-1, 27, True])
def test_bad_max_lag_is_refused(lag: int) -> None:
    with pytest.raises(ValueError, match="max lag"):
        DriversQuery(max_lag=lag)


# -- the command line --------------------------------------------------------------------------
def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["drivers", *args], env={"COLUMNS": "120"})
    return result.exit_code, result.output


@pytest.mark.slow
def test_cli_shows_the_driver(demo_store: Store, demo_planted: Any) -> None:
    path, window = str(demo_store.path), "2025-10-01..2026-09-30"
    kind = demo_planted.driver_type
    code, text = _run("--store", path, "--window", window, "--types", kind)
    assert code == 0, text
    assert "2025-10-01 – 2026-09-30 (everyone; ISO weeks 2025-10-06 – 2026-09-27)" in text
    demo_line = next(line for line in text.splitlines() if line.strip().startswith(f"{kind} "))
    assert f"{demo_planted.driver_lag_weeks} wk" in demo_line
    want = drivers(demo_store, DriversQuery(window=window, types=(kind,))).fit.effects[0]
    assert want.explanation.en in text
    assert want.explanation.en.startswith(
        f"{word(kind, 'en')}: {want.per:.1f} more a week (+1 SD) goes with +"
    ) and want.explanation.en.endswith("deals won 3 weeks later (95% interval "
                                       f"{round(100 * (want.low - 1)):+d}% to "
                                       f"{round(100 * (want.high - 1)):+d}%).")  # fmt: skip
    assert "Win rate with and without each type" in text
    assert "the returns flatten after about 12 touches" in text
    assert "Holm's method over all 9 tests (each type at each lag)" in text
    code, text = _run("--store", path, "--window", window, "--lang", "nl",
                      "--format", "json", "--types", "demo,call")  # fmt: skip
    assert code == 0, text
    data = json.loads(text)
    demo = next(e for e in data["fit"]["effects"] if e["type"] == "demo")
    assert demo["lag"] == 3
    assert {w["type"] for w in data["with_without"]} == {"demo", "call"}
    assert data["fit"]["model"]["tests"] == 18 and data["requested"] is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--max-lag", "-1"), "max lag must be a whole number of weeks from 0 to 26"),
        (("--max-lag", "27"), "max lag must be a whole number of weeks from 0 to 26"),
        (("--team", "NOPE"), "there is no team 'NOPE'"),
        (("--types", ","), "--types names no activity type"),
    ],
)
@pytest.mark.slow
def test_cli_refuses_bad_input_with_exit_code_2(
    small: Store, args: tuple[str, ...], message: str
) -> None:
    code, text = _run("--store", str(small.path), "--window", "2025-Q1", *args)
    assert code == 2
    assert message in text
    assert "Traceback" not in text


def test_a_window_too_short_for_the_model_is_refused_clearly(demo_store: Store) -> None:
    with pytest.raises(ValueError, match="holds 1 whole ISO week"):
        drivers(demo_store, DriversQuery(window="last-1-week", today=date(2026, 10, 1)))


@pytest.mark.slow
def test_a_model_that_does_not_converge_is_said_not_a_server_error(tmp_path: Path) -> None:
    """A thin panel (one team's quarter, lags up to 8 weeks) on which the count model does not
    converge: the route answers, and every type says why it was not studied."""
    from webtools import ADMIN, app_for, build_web_store, client_for

    client, _ = client_for(app_for(build_web_store(tmp_path / "web.duckdb")), ADMIN)
    params = {"team": "T02", "window": "last-quarter", "max_lag": "8", "as_of": "2026-08-15"}
    r = client.get("/api/drivers", params=params)
    assert r.status_code == 200, r.text[:300]
    fit = r.json()["drivers"]["fit"]
    assert fit["model"]["tests"] == 0
    assert fit["skipped"] and {s["reason"]["en"] for s in fit["skipped"]} == {
        "the model did not converge"
    }
