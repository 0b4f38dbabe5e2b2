"""The revenue forecast and its backtest: hand-built worlds whose answer is known, no peeking at
what came after the forecast day, calibration on the demo organisation, and the command line.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from typer.testing import CliRunner

from salesperf.analysis.forecast.core import (
    ForecastQuery,
    forecast,
    resolve_scope,
    target_and_actual,
    targets_and_actuals,
)
from salesperf.analysis.windows import money, percent
from salesperf.cli.app import app
from salesperf.cli.common import out
from salesperf.cli.forecast import render_forecast
from salesperf.demo import DemoConfig, generate
from salesperf.ingest.importer import import_file
from salesperf.metrics.periods import parse_period
from salesperf.store import Store
from salesperf.text import Lang

runner = CliRunner()
Q1 = parse_period("2026-Q1")
DAY = timedelta(days=1)


def _ts(d: date, hour: int = 12) -> str:
    return datetime.combine(d, time(hour)).isoformat()


def _load(store: Store, write: Callable[..., Path], tables: dict[str, str]) -> Store:
    for name in ("teams", "reps", "deals", "deal_stages", "targets"):
        if name in tables:
            result = import_file(store, name, write(f"{name}.csv", tables[name]))
            assert result.rejected == 0, result.problems
    return store


TEAMS = "team_id,name,parent_team_id\nORG,Acme,\nT1,North,ORG\n"
REPS = "rep_id,name,team_id\nR1,Ann,T1\n"
DEALS = "deal_id,rep_id,created_at,status,amount,closed_at\n"
STAGES = "deal_id,stage,entered_at\n"


# -- hand-built worlds -------------------------------------------------------------------------
@pytest.fixture
def closed_only(empty_store: Store, write: Callable[..., Path]) -> Store:
    """Deals all closed before 15 February 2026, none created in the 13 weeks before it."""
    deals = DEALS + (
        "W1,R1,2025-09-01,won,5000,2026-01-10\n"
        "W2,R1,2025-09-02,won,3000,2026-02-01\n"
        "W3,R1,2025-08-01,won,7000,2025-12-20\n"  # before the quarter
        "L1,R1,2025-09-05,lost,4000,2026-01-20\n"
    )
    targets = (
        "scope,scope_id,metric,period_start,period_end,value\n"
        "org,ORG,revenue_won,2026-01-01,2026-03-31,10000\n"
    )
    return _load(empty_store, write, {"teams": TEAMS, "reps": REPS, "deals": deals,
                                      "targets": targets})  # fmt: skip


@pytest.mark.slow
def test_without_pipeline_or_pace_the_forecast_is_the_closed_revenue(
    closed_only: Store, on_engine: Callable[[Store], Store]
) -> None:
    closed_only = on_engine(closed_only)
    f = forecast(closed_only, ForecastQuery(Q1, date(2026, 2, 15), draws=1000))
    assert f.closed == 8000  # W1 + W2; W3 closed before the quarter, L1 was lost
    assert (f.open_deals, f.pipeline_expected, f.new_expected) == (0, 0.0, 0.0)
    assert (f.revenue.p10, f.revenue.p50, f.revenue.p90) == (8000, 8000, 8000)
    assert f.attainment is not None and f.attainment.p50 == pytest.approx(0.8)
    assert (f.target, f.p_target, f.mean, f.expected) == (10000, 0.0, 8000, 8000)
    # the path: the actual revenue week by week, then a flat fan to the quarter's end
    actual = {p.day: p.actual for p in f.path if p.actual is not None}
    assert actual[date(2026, 1, 8)] == 0 and actual[date(2026, 1, 15)] == 5000
    assert actual[date(2026, 2, 5)] == 8000 and actual[date(2026, 2, 15)] == 8000
    fan = [p for p in f.path if p.p50 is not None]
    assert fan[0].day == date(2026, 2, 15) and fan[-1].day == Q1.end
    assert {(p.p10, p.p50, p.p90) for p in fan} == {(8000, 8000, 8000)}
    rep = forecast(closed_only, ForecastQuery(Q1, date(2026, 2, 15), rep="R1", draws=1000))
    assert (rep.closed, rep.revenue.p90, rep.target, rep.p_target) == (8000, 8000, None, None)
    json.dumps(f.to_json())  # JSON-safe


def _history() -> tuple[str, str]:
    """400 past deals, each open at exactly one weekly snapshot in stage proposal: 300 won two
    days after it, 100 lost. A deal in proposal is won within the quarter 3 times in 4."""
    deals, stages = [], []
    last_snapshot = Q1.start - timedelta(days=(Q1.end - Q1.start).days)
    for j in range(1, 51):
        snap = last_snapshot - timedelta(weeks=j)
        for i in range(8):
            d = f"H{j:02d}{i}"
            status = "won" if i < 6 else "lost"
            deals.append(f"{d},R1,{_ts(snap - DAY)},{status},10000,{_ts(snap + 2 * DAY)}")
            stages.append(f"{d},proposal,{_ts(snap - DAY)}")
    return "\n".join(deals) + "\n", "\n".join(stages) + "\n"


def _one_open_deal(store: Store, write: Callable[..., Path], deal: str, stages: str = "") -> Store:
    """The history, and deal O, in proposal since 92 days before the quarter."""
    past, past_stages = _history()
    created = Q1.start - timedelta(days=92)
    targets = (
        "scope,scope_id,metric,period_start,period_end,value\n"
        "org,ORG,revenue_won,2026-01-01,2026-03-31,10000\n"
    )
    return _load(store, write, {
        "teams": TEAMS, "reps": REPS, "targets": targets,
        "deals": DEALS + past + deal.format(created=_ts(created)),
        "deal_stages": STAGES + past_stages + f"O,proposal,{_ts(created)}\n" + stages,
    })  # fmt: skip


@pytest.mark.slow
def test_one_open_deal_is_won_with_the_rate_its_stage_had(
    empty_store: Store,
    write: Callable[..., Path],
    tmp_path: Path,
    on_engine: Callable[[Store], Store],
) -> None:
    store = on_engine(_one_open_deal(empty_store, write, "O,R1,{created},open,10000,\n"))
    f = forecast(store, ForecastQuery(Q1, Q1.start, draws=10_000, seed=3))
    # by hand: 300 of the 400 (and O itself, open at the last snapshot) were won in time; the
    # shrinkage moves that by well under a point with so many deals
    p = 300 / 401
    assert f.open_deals == 1 and f.new_expected == 0
    assert f.pipeline_expected / 10000 == pytest.approx(p, abs=0.003)
    se = math.sqrt(p * (1 - p) / f.draws)  # Monte Carlo error of a share
    assert f.p_target == pytest.approx(p, abs=4 * se)  # the target is O's amount
    assert f.mean == pytest.approx(10000 * p, abs=4 * 10000 * se)
    assert (f.revenue.p10, f.revenue.p50, f.revenue.p90) == (0, 10000, 10000)
    # a won deal closes two days on, as the past wins did
    fan = {pt.day: pt for pt in f.path}
    assert fan[Q1.start].p90 == 0 and fan[Q1.start + timedelta(weeks=1)].p90 == 10000
    # the same deal, won or lost after the forecast day: the forecast cannot tell
    for outcome in ("won", "lost"):
        other = Store.open(tmp_path / f"{outcome}.duckdb")
        _one_open_deal(
            other, write, f"O,R1,{{created}},{outcome},10000,2026-01-04\n",
            f"O,closed_{outcome},2026-01-04\n",
        )  # fmt: skip
        again = forecast(other, ForecastQuery(Q1, Q1.start, draws=10_000, seed=3))
        assert again.to_json() == f.to_json()
        other.close()


# -- no peeking --------------------------------------------------------------------------------
AS_OF = date(2026, 5, 13)  # mid-quarter in the demo's 2026-Q2


def _rewrite_after(tables: dict[str, pa.Table], cut: datetime) -> dict[str, pa.Table]:
    """The demo's tables with everything after `cut` changed: deals closed after it flip
    between won and lost and close three days later, deals created after it double in amount,
    and stage entries after it are replaced by one negotiation entry a day after `cut`."""
    d = tables["deals"]
    after_close = pc.fill_null(pc.greater_equal(d["closed_at"], pa.scalar(cut)), False)
    flipped = pc.if_else(pc.equal(d["status"], "won"), "lost", "won")
    status = pc.if_else(after_close, flipped, d["status"])
    closed = pc.if_else(after_close, pc.add(d["closed_at"], pa.scalar(timedelta(days=3))),
                        d["closed_at"])  # fmt: skip
    created_after = pc.greater_equal(d["created_at"], pa.scalar(cut))
    amount = pc.if_else(created_after, pc.multiply(d["amount"], 2.0), d["amount"])
    d = d.set_column(d.schema.get_field_index("status"), "status", status)
    d = d.set_column(d.schema.get_field_index("closed_at"), "closed_at", closed)
    d = d.set_column(d.schema.get_field_index("amount"), "amount", amount)
    st = tables["deal_stages"]
    late = pc.greater_equal(st["entered_at"], pa.scalar(cut))
    moved = pc.unique(st.filter(late)["deal_id"])
    kept = st.filter(pc.invert(late))
    extra = pa.table({
        "deal_id": moved,
        "stage": pa.array(["negotiation"] * len(moved)),
        "entered_at": pa.array([cut + DAY] * len(moved), kept.schema.field("entered_at").type),
    }).select(kept.column_names)  # fmt: skip
    return {**tables, "deals": d, "deal_stages": pa.concat_tables([kept, extra.cast(kept.schema)])}


@pytest.mark.slow
def test_a_forecast_does_not_see_what_came_after_its_day(demo_store: Store, tmp_path: Path) -> None:
    data = generate(DemoConfig())  # the same tables as the demo store
    cut = datetime.combine(AS_OF, time())  # midnight UTC: after midnight in Amsterdam
    other = Store.open(tmp_path / "rewritten.duckdb")
    other.replace_all(_rewrite_after(data.tables, cut))
    for key, value in demo_store.settings.__dict__.items():
        if key in ("timezone", "currency"):
            other.set_setting(key, value)
    q2 = parse_period("2026-Q2")
    org = resolve_scope(demo_store, None, None)
    # what happened after the day did change ...
    assert target_and_actual(other, org, q2)[1] != target_and_actual(demo_store, org, q2)[1]
    # ... and the forecast made on the day did not (a team's forecast uses the organisation's
    # rates and drift as well as the team's own deals)
    query = ForecastQuery(q2, AS_OF, team="T03", draws=1000)
    assert forecast(other, query).to_json() == forecast(demo_store, query).to_json()
    other.close()


# -- the command line --------------------------------------------------------------------------
def _cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["forecast", *args], env={"COLUMNS": "160"})
    return result.exit_code, result.output


@pytest.mark.slow
def test_cli_shows_the_library_numbers(demo_store: Store) -> None:
    path = str(demo_store.path)
    args = ("--store", path, "--period", "2026-Q2", "--as-of", str(AS_OF), "--draws", "2000")
    code, text = _cli(*args, "--team", "T04", "--format", "json")
    assert code == 0, text
    data = json.loads(text)
    lib = forecast(demo_store, ForecastQuery(parse_period("2026-Q2"), AS_OF, team="T04",
                                             draws=2000))  # fmt: skip
    assert data == json.loads(json.dumps(lib.to_json()))
    assert data["scope"] == {"kind": "team", "id": "T04", "name": "Benelux 2"}
    code, text = _cli(*args, "--team", "T04")
    assert code == 0, text
    assert f"Chance of reaching the target: {lib.p_target:.0%}" in text
    assert f"€{lib.closed:,.0f}" in text and f"€{lib.revenue.p50:,.0f}" in text
    with out.capture() as captured:  # the same forecast in Dutch
        render_forecast(lib, "EUR", Lang.NL)
    dutch = captured.get()
    assert f"Kans om het doel te halen: {percent(lib.p_target, 0, 'nl')}" in dutch
    assert money(lib.revenue.p50, "EUR", "nl") in dutch and "Aannames" in dutch


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--period", "2026-Q5"), "'2026-Q5' is not a period"),
        (("--period", "2026-Q1", "--team", "T1", "--rep", "R1"), "give --team or --rep, not both"),
        (("--period", "2026-Q1", "--as-of", "2026-04-01"), "lies outside 2026-Q1"),
        (("--period", "2026-Q1", "--as-of", "15-02-2026"), "is not a date; use YYYY-MM-DD"),
        (("--period", "2026-Q1", "--team", "NOPE"), "unknown team 'NOPE'"),
        (("--period", "2026-Q1", "--rep", "NOPE"), "unknown rep 'NOPE'"),
        (("--period", "2026-Q1", "--draws", "5"), "draws must be from 100"),
    ],
)
@pytest.mark.slow
def test_cli_refuses_bad_input_with_exit_code_2(
    closed_only: Store, args: tuple[str, ...], message: str
) -> None:
    code, text = _cli("--store", str(closed_only.path), *args)
    assert code == 2, text
    assert message in text
    assert "Traceback" not in text


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"team": "T1", "rep": "R1"}, "not both"),
        ({"as_of": date(2026, 4, 2)}, "outside 2026-Q1"),
        ({"draws": 10}, "draws must be from 100"),
    ],
)
def test_bad_queries_are_refused(kw: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ForecastQuery(Q1, **kw)


@pytest.mark.slow
def test_targets_for_many_scopes_match_one_by_one(
    closed_only: Store, on_engine: Callable[[Store], Store]
) -> None:
    closed_only = on_engine(closed_only)
    scopes = [resolve_scope(closed_only, None, None), resolve_scope(closed_only, "T1", None)]
    many = targets_and_actuals(closed_only, scopes, Q1)
    assert many == {"org": (10000.0, 8000.0), "T1": (None, 8000.0)}
    assert many["org"] == target_and_actual(closed_only, scopes[0], Q1)


@pytest.mark.slow
def test_the_forecast_day_defaults_to_today_clipped_to_the_period(closed_only: Store) -> None:
    assert ForecastQuery(Q1, today=date(2026, 2, 15)).day() == date(2026, 2, 15)
    assert ForecastQuery(Q1, today=date(2025, 11, 1)).day() == Q1.start
    assert ForecastQuery(Q1, today=date(2026, 6, 1)).day() == Q1.end
    done = forecast(closed_only, ForecastQuery(Q1, today=date(2026, 6, 1), draws=100))
    assert (done.as_of, done.closed, done.revenue.p10, done.revenue.p90) == (
        Q1.end, 8000, 8000, 8000)  # fmt: skip
    assert done.open_deals == 0 and done.path[-1].actual == 8000
    # the day after the period's last may be asked for: the period is over
    over = forecast(closed_only, ForecastQuery(Q1, Q1.end, draws=100))
    assert over.to_json() == done.to_json()


@pytest.mark.slow
def test_a_forecast_on_the_period_s_first_day_has_nothing_closed_and_says_so(
    demo_store: Store,
) -> None:
    f = forecast(demo_store, ForecastQuery(period="2026-Q3", as_of=date(2026, 7, 1)))
    assert f.closed == 0
    first = f.assumptions[0]
    assert "nothing yet" in first.en and "2026-07-01" in first.en
    assert "nog niets" in first.nl and "01-07-2026" in first.nl
    assert "to 2026-06-30" not in first.en  # no range that ends before it starts


@pytest.mark.slow
def test_a_forecast_of_a_quarter_years_after_the_data_has_nothing_new_and_no_error(
    demo_store: Store,
) -> None:
    """No deal kind had a pace in the months before a far-off quarter: the forecast says so
    (nothing closed, the old open pipeline only) instead of failing inside pandas."""
    q = parse_period("2030-Q1")
    f = forecast(demo_store, ForecastQuery(q, q.start, draws=1000))
    assert f.closed == 0.0
    assert f.to_json()["period"]["start"] == "2030-01-01"


def test_a_window_of_a_year_out_of_range_says_which_years() -> None:
    from salesperf.analysis.windows import resolve_window

    with pytest.raises(ValueError, match="its year must lie from 1900 to 2999"):
        resolve_window("0001-Q1", date(2026, 10, 1))


@pytest.mark.slow
def test_new_deal_misses_need_a_whole_pace_window_of_history(demo_store: Store) -> None:
    """A snapshot whose pace window (the 91 days before it) starts before the store's first
    deal reads too slow a pace, and its miss is left out of the drift."""
    from types import SimpleNamespace

    import pandas as pd

    from salesperf.analysis.forecast.drift import _whole_pace
    from salesperf.analysis.forecast.history import read_history

    h = read_history(demo_store, date(2025, 4, 1), 91)
    first = demo_store.con.raw_sql("select min(created_at) from deals").fetchone()[0]
    assert h.first_created == first.date()  # the demo's first deal is created mid-morning
    fake: Any = SimpleNamespace(first_created=date(2024, 1, 10), pace_days=91)
    snaps = pd.DatetimeIndex(["2024-04-09", "2024-04-10", "2024-04-11"])  # 90, 91, 92 days on
    assert _whole_pace(fake, snaps).tolist() == [False, True, True]
    assert _whole_pace(SimpleNamespace(first_created=None, pace_days=91), snaps).all()  # type: ignore[arg-type]
