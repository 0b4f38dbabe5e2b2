"""A Spark store that reads some canonical tables from the organisation's own lake.

The hand-built organisation of tests/test_metrics.py, with its activities as a folder of
Parquet files and its deals as one Parquet file, laid out as a lake would have them (other
column order, an extra column, a missing optional one, narrower and decimal types); the other
tables imported into the store. Every hand-computed figure holds; the lake tables are never
written; bad lake rows are refused with counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest

from salesperf.ingest.importer import import_file
from salesperf.ingest.source import FileRefused
from salesperf.metrics.compiler import run
from salesperf.metrics.periods import Grain
from salesperf.metrics.query import By, Query
from salesperf.store import Store, StoreError
from test_engines import wrong_hand_cells
from test_metrics import ALL, MARCH

pytestmark = [
    pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning"),
    pytest.mark.usefixtures("spark_home"),
]

LAKE_ACTIVITIES = (
    "SELECT CAST(occurred_at AS TIMESTAMP) AS occurred_at, upper(activity_id) AS ACTIVITY_ID, "
    "rep_id, type, outcome, CAST(duration_min AS INTEGER) AS duration_min, deal_id, account_id, "
    "'from the CRM' AS crm_note FROM activities"  # no lead_id; an extra column
)
LAKE_DEALS = "SELECT * REPLACE (CAST(amount AS DECIMAL(12, 2)) AS amount) FROM deals"


def _parquet(org: Path, sql: str, target: Path) -> None:
    with duckdb.connect(str(org), read_only=True) as con:
        con.execute(f"COPY ({sql}) TO '{target}' (FORMAT parquet)")


@pytest.fixture
def hand(org: Store) -> Path:
    """The hand-built organisation's DuckDB file, closed (so that it can be read)."""
    assert org.path is not None
    org.close()
    return org.path


@pytest.fixture
def lake(hand: Path, tmp_path: Path) -> Path:
    """The lake: activities in two Parquet files of a folder, deals in one file."""
    folder = tmp_path / "lake"
    (folder / "activities").mkdir(parents=True)
    _parquet(
        hand, f"{LAKE_ACTIVITIES} WHERE activity_id <= 'A3'", folder / "activities" / "a.parquet"
    )
    _parquet(
        hand, f"{LAKE_ACTIVITIES} WHERE activity_id > 'A3'", folder / "activities" / "b.parquet"
    )
    _parquet(hand, LAKE_DEALS, folder / "deals.parquet")
    return folder


Opener = Callable[..., Store]


@pytest.fixture
def open_lake(hand: Path, lake: Path, tmp_path: Path) -> Iterator[Opener]:
    """Open a Spark store reading activities and deals from the lake (or from other sources),
    with the other tables of the hand-built organisation imported."""
    opened: list[Store] = []

    def make(activities: str | None = None, deals: str | None = None) -> Store:
        activities = activities or f"parquet:{lake / 'activities'}"
        deals = deals or f"parquet:{lake / 'deals.parquet'}"
        url = (
            f"local[2]?warehouse={tmp_path / f'warehouse{len(opened)}'}"
            f"&table.activities={activities}&table.deals={deals}"
        )
        s = Store.open(url)
        opened.append(s)
        s.set_setting("timezone", "Europe/Amsterdam")
        with Store.open(hand) as source:
            s.replace_all({
                name: source.table(name).to_pyarrow()
                for name in ("teams", "reps", "absences", "surveys", "leads", "targets")
            })  # fmt: skip
        return s

    yield make
    for s in opened:
        s.close()


def test_every_hand_computed_metric_from_lake_tables(open_lake: Opener, hand: Path) -> None:
    s = open_lake()
    df = run(s.con, Query(ALL, MARCH.start, MARCH.end, Grain.MONTH, By.REP), "Europe/Amsterdam")
    wrong = wrong_hand_cells(df.set_index("rep_id"))
    assert not wrong, wrong
    with Store.open(hand) as source:
        assert s.counts() == source.counts()


def test_lake_tables_are_read_not_written(
    open_lake: Opener, lake: Path, write: Callable[..., Path]
) -> None:
    s = open_lake()
    acts = write("acts.csv", "activity_id,rep_id,type,occurred_at\nA9,R1,call,2025-03-03 09:00\n")
    with pytest.raises(FileRefused, match=r"activities table of this store is read from parquet:"):
        import_file(s, "activities", acts)
    with pytest.raises(StoreError, match="salesperf does not write"):
        s.merge_rows("deals", [{"deal_id": "D9", "rep_id": "R1", "created_at": "2025-03-01",
                                "status": "open", "amount": 5.0}])  # fmt: skip
    # a table referring to a lake table is checked against the lake's rows
    stages = write(
        "stages.csv", "deal_id,stage,entered_at\nD1,demo,2025-03-01\nD8,demo,2025-03-01\n"
    )
    result = import_file(s, "deal_stages", stages)
    assert (result.inserted, result.rejected) == (1, 1)
    assert "D8" in str(result.problems[0].message)
    # files the lake adds count from the next query on
    before = s.count("activities")
    _parquet_from_rows(lake / "activities" / "c.parquet")
    assert s.count("activities") == before + 1
    assert list(lake.rglob("*.parquet")) and not list(
        (lake.parent).glob("warehouse*/tables/activities")
    )


def _parquet_from_rows(target: Path) -> None:
    with duckdb.connect() as con:
        con.execute(
            f"COPY (SELECT TIMESTAMP '2025-03-07 10:00' AS occurred_at, 'A8' AS activity_id, "
            f"'R4' AS rep_id, 'call' AS type) TO '{target}' (FORMAT parquet)"
        )


def test_bad_lake_rows_are_refused_with_counts(
    open_lake: Opener, hand: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.parquet"
    _parquet(hand, (
        f"{LAKE_ACTIVITIES} UNION ALL "  # A1 twice, a rep nobody knows, a negative duration
        "SELECT occurred_at, 'A1', 'R1', 'call', NULL, 5, NULL, 'C1', '' FROM activities "
        "WHERE activity_id = 'A1' UNION ALL "
        "SELECT occurred_at, 'A10', 'R99', 'call', NULL, -3, NULL, 'C1', '' FROM activities "
        "WHERE activity_id = 'A1'"
    ), bad)  # fmt: skip
    s = open_lake(activities=f"parquet:{bad}")
    with pytest.raises(StoreError) as caught:
        s.con  # noqa: B018 (Spark starts, and reads the lake)
    text = str(caught.value)
    assert f"the activities table at parquet:{bad} breaks the rules" in text
    assert "1 row repeating the activity_id of another row" in text
    assert "1 row with a negative duration_min" in text
    assert "1 row whose rep_id is not in reps" in text


@pytest.mark.parametrize(
    ("sql", "words"),
    [
        ("SELECT activity_id, type, occurred_at FROM activities", "has no column rep_id"),
        (
            "SELECT activity_id, rep_id, type, CAST(occurred_at AS VARCHAR) AS occurred_at "
            "FROM activities",
            "occurred_at is string, not one of timestamp, timestamp_ntz",
        ),
    ],
)
def test_lake_tables_without_the_needed_columns_are_refused(
    open_lake: Opener, hand: Path, tmp_path: Path, sql: str, words: str
) -> None:
    _parquet(hand, sql, tmp_path / "x.parquet")
    s = open_lake(activities=f"parquet:{tmp_path / 'x.parquet'}")
    with pytest.raises(StoreError, match=words):
        s.con  # noqa: B018


@pytest.mark.parametrize(
    ("option", "words"),
    [
        ("table.calls=parquet:/lake/calls", "unknown table 'calls'"),
        ("table.deals=no such thing", "cannot read the deals table from 'no such thing'"),
        ("table.deals=s3a://lake/deals", "say its format first \\(parquet:s3a://lake/deals"),
    ],
)
def test_bad_lake_options_are_refused(tmp_path: Path, option: str, words: str) -> None:
    with pytest.raises(StoreError, match=words):
        Store.open(f"local[2]?warehouse={tmp_path / 'w'}&{option}")


def test_a_missing_lake_path_is_explained(open_lake: Opener, tmp_path: Path) -> None:
    s = open_lake(deals=f"parquet:{tmp_path / 'nowhere'}")
    with pytest.raises(StoreError, match="cannot read the deals table from parquet:"):
        s.con  # noqa: B018


def test_rollups_of_lake_tables_are_never_read(
    open_lake: Opener, hand: Path, lake: Path, tmp_path: Path
) -> None:
    """The lake changes without salesperf knowing, so the roll-ups made from its tables are
    never current: not when the store is made with them, nor when a warehouse whose roll-ups
    were built from its own tables is opened later with those tables read from the lake."""
    from salesperf.store.rollups import usable

    tz = "Europe/Amsterdam"
    assert usable(open_lake().con, tz) == frozenset()
    url = f"local[2]?warehouse={tmp_path / 'own'}"
    with Store.open(url) as own:
        own.set_setting("timezone", tz)
        with Store.open(hand) as source:
            own.replace_all({n: source.table(n).to_pyarrow() for n in source.counts()})
        assert usable(own.con, tz) == frozenset(
            {"rollup_activities", "rollup_accounts", "rollup_deals", "rollup_stages",
             "rollup_account_reps"}
        )  # fmt: skip
    with Store.open(f"{url}&table.activities=parquet:{lake / 'activities'}") as mixed:
        assert usable(mixed.con, tz) == frozenset({"rollup_deals", "rollup_stages"})
        df = run(mixed.con, Query(ALL, MARCH.start, MARCH.end, Grain.MONTH, By.REP), tz)
        assert not wrong_hand_cells(df.set_index("rep_id"))
