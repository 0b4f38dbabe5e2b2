"""Metrics on a public data set, against an independent computation from the raw CSV.

Maven CRM opportunities: win rate, revenue won, average deal size and median sales cycle per
agent, per manager's team and per regional office, each recomputed here with pandas straight
from sales_pipeline.csv and sales_teams.csv.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from salesperf.ingest.importer import import_file
from salesperf.metrics.compiler import run
from salesperf.metrics.periods import Grain
from salesperf.metrics.query import By, Query
from salesperf.store import Store

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "maven_crm_sales_opportunities"
EXAMPLES = ROOT / "examples" / "maven_crm"
METRICS = (
    "deals_won",
    "deals_lost",
    "win_rate",
    "revenue_won",
    "avg_deal_size",
    "sales_cycle_days",
)

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def maven(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A store holding the Maven teams, reps and deals, imported through the example mappings."""
    for name in ("sales_teams.csv", "sales_pipeline.csv"):
        if not (DATA / name).is_file():
            pytest.skip(f"{name} is not in {DATA}")
    folder = tmp_path_factory.mktemp("maven")
    store = Store.open(folder / "s.duckdb")
    steps = [
        ("1-teams-org", "teams", "sales_teams.csv"),
        ("2-teams-offices", "teams", "sales_teams.csv"),
        ("3-teams-managers", "teams", "sales_teams.csv"),
        ("4-reps-managers", "reps", "sales_teams.csv"),
        ("5-reps-agents", "reps", "sales_teams.csv"),
        ("7-deals", "deals", "sales_pipeline.csv"),
    ]
    for step, table, name in steps:
        import_file(store, table, DATA / name, mapping_file=EXAMPLES / f"{step}.toml",
                    rejects_path=folder / f"{step}.rejects.csv")  # fmt: skip
    yield store
    store.close()


def _independent(group: str) -> pd.DataFrame:
    """The figures per `group` column computed from the raw files alone."""
    deals = pd.read_csv(DATA / "sales_pipeline.csv")
    teams = pd.read_csv(DATA / "sales_teams.csv")
    deals = deals.merge(teams, on="sales_agent", how="left")
    closed = deals[deals.deal_stage.isin(["Won", "Lost"])].copy()
    closed["won"] = closed.deal_stage == "Won"
    closed["days"] = (
        pd.to_datetime(closed.close_date) - pd.to_datetime(closed.engage_date)
    ).dt.days
    won = closed[closed.won]
    out = pd.DataFrame(
        {
            "deals_won": closed.groupby(group).won.sum(),
            "deals_lost": (~closed.won).groupby(closed[group]).sum(),
            "revenue_won": won.groupby(group).close_value.sum(),
            "sales_cycle_days": won.groupby(group).days.median(),
        }
    )
    out["win_rate"] = out.deals_won / (out.deals_won + out.deals_lost)
    out["avg_deal_size"] = out.revenue_won / out.deals_won
    return out


def _ours(store: Store, by: By) -> pd.DataFrame:
    q = Query(METRICS, date(2016, 1, 1), date(2018, 1, 1), Grain.ALL, by)
    df = run(store.con, q, store.settings.timezone)
    return df.set_index(q.key)


def _compare(ours: pd.DataFrame, theirs: pd.DataFrame, keys: list[str]) -> None:
    assert keys, "nothing to compare"
    for key in keys:
        for m in METRICS:
            got, want = ours.loc[key, m], theirs.loc[key, m]
            assert float(got) == pytest.approx(float(want), rel=1e-9, abs=0.005), (key, m)


@pytest.mark.slow
def test_per_agent(maven: Store) -> None:
    theirs = _independent("sales_agent")
    ours = _ours(maven, By.REP)
    assert len(theirs) == 30  # agents with at least one closed deal
    _compare(ours, theirs, list(theirs.index))


def test_per_manager_team(maven: Store) -> None:
    theirs = _independent("manager")
    ours = _ours(maven, By.TEAM)
    assert len(theirs) == 6
    _compare(ours, theirs, list(theirs.index))


def test_per_regional_office(maven: Store) -> None:
    theirs = _independent("regional_office")
    ours = _ours(maven, By.TEAM)
    assert set(theirs.index) == {"Central", "East", "West"}
    _compare(ours, theirs, list(theirs.index))
    # and the whole organisation is the sum of its offices' rows, not the mean of their rates
    org = ours.loc["maventech"]
    assert org.deals_won == theirs.deals_won.sum()
    assert org.win_rate == pytest.approx(
        theirs.deals_won.sum() / (theirs.deals_won.sum() + theirs.deals_lost.sum())
    )
