"""The SQL each kind of metric compiles to, kept in review: a change in meaning shows as a diff.

Run with SALESPERF_UPDATE_SNAPSHOTS=1 to rewrite the snapshots after an intended change.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import pytest

from salesperf.metrics.compiler import Compiler
from salesperf.metrics.periods import Grain
from salesperf.metrics.query import By, Compare, Query
from salesperf.store import Store

SNAPSHOTS = Path(__file__).parent / "snapshots"

CASES = {
    # a simple metric (one measure), by rep and ISO week
    "simple_activities_rep_week": Query(("activities",), date(2025, 1, 6), date(2025, 2, 3),
                                        Grain.WEEK, By.REP),
    # a ratio with a guarded denominator, by team through the tree, by month
    "ratio_win_rate_team_month": Query(("win_rate",), date(2025, 1, 1), date(2025, 4, 1),
                                       Grain.MONTH, By.TEAM),
    # a derived metric of three measures, for the organisation
    "derived_nps_org_quarter": Query(("nps",), date(2025, 1, 1), date(2025, 7, 1),
                                     Grain.QUARTER, By.ORG),
    # a median, against the previous period
    "median_sales_cycle_previous": Query(("sales_cycle_days",), date(2025, 4, 1),
                                         date(2025, 7, 1), Grain.QUARTER, By.REP,
                                         (Compare.PREVIOUS,)),
    # attainment of a target
    "target_quota_attainment": Query(("quota_attainment",), date(2025, 1, 1), date(2025, 4, 1),
                                     Grain.QUARTER, By.REP),
    # a cohort: leads with their deal's win, seen from the end of the range, by team
    "cohort_lead_conversion_team_month": Query(("lead_conversion_rate",), date(2025, 1, 1),
                                               date(2025, 4, 1), Grain.MONTH, By.TEAM),
    # a fact built from a join (leads with their first activity), a median
    "joined_speed_to_lead_rep_month": Query(("speed_to_lead_h",), date(2025, 1, 1),
                                            date(2025, 4, 1), Grain.MONTH, By.REP),
    # customers as spans over the periods they overlap
    "span_retention_org_quarter": Query(("retention_rate",), date(2025, 1, 1), date(2025, 7, 1),
                                        Grain.QUARTER, By.ORG),
}  # fmt: skip


def _normalise(sql: str) -> str:
    """Generated in-memory table names differ per run; the shape of the SQL does not."""
    return re.sub(r"ibis_pandas_memtable_[a-z0-9]+", "memtable", sql).strip() + "\n"


# several levels in one query: reps and teams, distinct accounts from the reps' own counts
LEVELS = {
    "levels_accounts_rep_team_week": (
        Query(("activities", "accounts_touched", "active_days"), date(2025, 1, 6),
              date(2025, 2, 3), Grain.WEEK, By.REP),
        (By.REP, By.TEAM),
    ),
}  # fmt: skip


#: The cases that read roll-ups on a store that keeps them (the others read the raw rows).
ROLLED = frozenset({
    "simple_activities_rep_week", "ratio_win_rate_team_month", "median_sales_cycle_previous",
    "target_quota_attainment", "levels_accounts_rep_team_week",
})  # fmt: skip


@pytest.mark.parametrize(
    "rollups", [False, pytest.param(True, marks=pytest.mark.slow)], ids=["raw", "rollups"]
)
@pytest.mark.parametrize("name", sorted(CASES) + sorted(LEVELS))
def test_sql_snapshot(name: str, rollups: bool, tmp_path: Path) -> None:
    """Each case from the raw rows, and as it runs on a store with current roll-ups."""
    with Store.open(tmp_path / "s.duckdb") as store:
        store.set_setting("timezone", "Europe/Amsterdam")
        if name in LEVELS:
            q, levels = LEVELS[name]
            compiler = Compiler(store.con, "Europe/Amsterdam", levels, rollups=rollups)
        else:
            q, compiler = CASES[name], Compiler(store.con, "Europe/Amsterdam", rollups=rollups)
        sql = _normalise(compiler.to_sql(q, compiler.plan(q)))
    rolled = rollups and name in ROLLED
    assert ("rollup_" in sql) == rolled
    path = SNAPSHOTS / f"{name}{'.rollups' if rolled else ''}.duckdb.sql"
    if os.environ.get("SALESPERF_UPDATE_SNAPSHOTS") == "1" or not path.exists():
        path.write_text(sql)
        if os.environ.get("SALESPERF_UPDATE_SNAPSHOTS") != "1":
            pytest.fail(f"snapshot {path.name} was missing and has been written; run again")
    assert sql == path.read_text(), f"{name} compiles differently; review the diff of {path.name}"
