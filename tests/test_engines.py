"""The same store on DuckDB, PostgreSQL and Spark: the same numbers, imports and guarantees.

The hand-computed scorecards run on all three engines; the demo organisation's full scorecard is
compared cell by cell (money to the cent); an import with a bad row lands the same everywhere.
Every analysis of the demo organisation gives the same result on the three. Beyond that, the
metric, cohort, validation and import-file suites run their store tests on PostgreSQL too (their
`STORE_ENGINES`, see `pytest_generate_tests` in conftest.py); Spark costs seconds per query, so
of those it gets the hand-computed ones. The analysis suites run their hand-built stores on every engine themselves
(the `on_engine` fixture), and tests/test_server_engines.py serves each engine.
"""

from __future__ import annotations

import json
import math
import multiprocessing
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from conftest import HANDBUILT, new_store_url
from salesperf.ingest.importer import import_file
from salesperf.metrics.compiler import run
from salesperf.metrics.periods import Grain
from salesperf.metrics.query import By, Query
from salesperf.metrics.registry import Unit, computable, metric
from salesperf.scorecard import scorecard
from salesperf.store import MergeCounts, Store, StoreError, copy_store
from salesperf.store.migrations import LATEST_VERSION
from salesperf.store.reads import Footprint
from salesperf.store.system_tables import IMPORTS, META, REJECTS
from test_cohort_metrics import COHORT
from test_cohort_metrics import EXPECTED as COHORT_EXPECTED
from test_cohort_metrics import METRICS as COHORT_METRICS
from test_metrics import ALL, EXPECTED_REPS, MARCH

# Spark converts frames with a pandas keyword that pandas 3 deprecates
pytestmark = pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning")

Writer = Callable[..., Path]
Factory = Callable[..., Store]


def _same(actual: object, expected: object, money: bool = False) -> bool:
    """Equal as figures: both undefined, or equal (money to the cent, the rest to 1e-9)."""
    if expected is None or (isinstance(expected, float) and math.isnan(expected)):
        return (
            actual is None or actual is pd.NA or (isinstance(actual, float) and math.isnan(actual))
        )
    if actual is None or actual is pd.NA:
        return False
    a, e = float(actual), float(expected)  # type: ignore[arg-type]
    if money:
        return round(a, 2) == round(e, 2)
    return math.isclose(a, e, rel_tol=1e-9, abs_tol=1e-12)


def wrong_hand_cells(df: pd.DataFrame) -> dict[tuple[str, str], tuple[object, object]]:
    """The cells of the hand-built organisation's March rep scorecard (indexed by rep) that
    differ from the hand-computed figures of tests/test_metrics.py: (actual, expected)."""
    return {
        (rep, m): (df.loc[rep, m], v)
        for rep, expected in EXPECTED_REPS.items()
        for m, v in expected.items()
        if not _same(df.loc[rep, m], v)
    }


def _load(store: Store, files: dict[str, str], write: Writer, timezone: str = "UTC") -> Store:
    store.set_setting("timezone", timezone)
    for table, text in files.items():
        result = import_file(store, table, write(f"{table}.csv", text))
        assert result.rejected == 0, result.problems
    return store


# -- hand-computed figures, on every engine ------------------------------------------------------


@pytest.mark.slow
def test_every_hand_computed_metric_on_every_engine(
    backend_store: Store, write: Writer, backend: str
) -> None:
    """tests/test_metrics.py's organisation: every metric of every rep, and the team roll-up."""
    org = _load(backend_store, HANDBUILT, write, "Europe/Amsterdam")
    assert org.engine == backend
    q = Query(ALL, MARCH.start, MARCH.end, Grain.MONTH, By.REP)
    df = run(org.con, q, org.settings.timezone).set_index("rep_id")
    wrong = wrong_hand_cells(df)
    assert not wrong, wrong
    assert set(df.period_start) == {date(2025, 3, 1)}
    if backend == "spark":  # a query costs seconds there: the cohort test rolls teams up
        return
    teams = run(
        org.con, Query(ALL, MARCH.start, MARCH.end, Grain.MONTH, By.TEAM), "Europe/Amsterdam"
    )
    t = teams.set_index("team_id")
    assert (t.loc["T1", "activities"], t.loc["T1a", "activities"], t.loc["ORG", "activities"]) == (
        5,
        1,
        6,
    )
    assert t.loc["ORG", "win_rate"] == pytest.approx(2 / 3)  # 2 won, 1 lost: not a mean of rates
    assert t.loc["T1", "quota_attainment"] == pytest.approx(1000 / 5000)
    assert t.loc["T1", "activities_per_day"] == pytest.approx(5 / (20 + 21))


@pytest.mark.slow
def test_hand_computed_cohort_metrics_on_every_engine(backend_store: Store, write: Writer) -> None:
    """tests/test_cohort_metrics.py's organisation, by team: customers as spans, lead cohorts
    seen from the end of the range, medians of hours and of touches."""
    s = _load(backend_store, COHORT, write)
    q = Query(COHORT_METRICS, date(2025, 3, 1), date(2025, 4, 1), Grain.MONTH, By.TEAM)
    df = run(s.con, q, "UTC").set_index("team_id")
    assert set(df.index) == set(COHORT_EXPECTED["team"])
    wrong = {
        (k, m): (df.loc[k, m], v)
        for k, values in COHORT_EXPECTED["team"].items()
        for m, v in zip(COHORT_METRICS, values, strict=True)
        if not _same(df.loc[k, m], v)
    }
    assert not wrong, wrong


# -- the demo organisation's full scorecard ------------------------------------------------------

DEMO_METRICS = tuple(m for m in computable() if m != "type_to_win_rate")  # that one needs a split


@pytest.fixture(scope="module")
def demo_duckdb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A small demo organisation (8 reps, one year) in a DuckDB file."""
    from salesperf.demo import DemoConfig, build_demo

    s = Store.open(tmp_path_factory.mktemp("demo_engines") / "demo.duckdb")
    build_demo(s, DemoConfig(reps=8, years=1))
    yield s
    s.close()


def _cells(store: Store, by: str) -> dict[tuple[str, date, str], tuple[object, ...]]:
    card = scorecard(store, by=by, grain="month", period="2026-Q3", metrics=DEMO_METRICS)
    return {
        (row.key, row.period_start, m): (c.value, c.previous, c.target, c.attainment)
        for row in card.rows
        for m, c in row.cells.items()
    }


@pytest.mark.slow
@pytest.mark.parametrize("other", ["postgres", "spark"])
def test_the_demo_scorecard_is_identical_on_every_engine(
    demo_duckdb: Store, other: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Every metric, by rep and by team, month by month with the previous period and targets:
    the same cells as on DuckDB (money to the cent, the rest to 1e-9)."""
    with Store.open(new_store_url(other, request, tmp_path)[0]) as s:
        copied = copy_store(demo_duckdb, s)
        assert copied == demo_duckdb.counts()
        assert s.settings == demo_duckdb.settings
        # Spark spends seconds on a query: there the team scorecard, which rolls every rep up
        for by in ("team",) if other == "spark" else ("rep", "team"):
            expected, actual = _cells(demo_duckdb, by), _cells(s, by)
            assert actual.keys() == expected.keys()
            assert len(expected) > 100
            wrong = {
                k: (a, e)
                for k, e in expected.items()
                for a in [actual[k]]
                if not all(
                    _same(x, y, money=metric(k[2]).unit is Unit.MONEY)
                    for x, y in zip(a, e, strict=True)
                )
            }
            assert not wrong, dict(list(wrong.items())[:5])


def _json_differences(actual: Any, expected: Any, at: str = "") -> list[str]:
    """Where two analysis results (as JSON) differ: figures to 1e-9, everything else exactly."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        if actual.keys() != expected.keys():
            return [f"{at}: keys {sorted(actual)} != {sorted(expected)}"]
        return [d for k in expected for d in _json_differences(actual[k], expected[k], f"{at}.{k}")]
    if isinstance(expected, list) and isinstance(actual, list):
        if len(actual) != len(expected):
            return [f"{at}: {len(actual)} items != {len(expected)}"]
        return [
            d
            for i, (a, e) in enumerate(zip(actual, expected, strict=True))
            for d in _json_differences(a, e, f"{at}[{i}]")
        ]
    numbers = (int, float)
    if (
        isinstance(expected, numbers)
        and isinstance(actual, numbers)
        and not isinstance(expected, bool)
        and not isinstance(actual, bool)
    ):
        return [] if _same(actual, expected) else [f"{at}: {actual!r} != {expected!r}"]
    return [] if actual == expected else [f"{at}: {actual!r} != {expected!r}"]


def _analyses() -> dict[str, Callable[[Store], Any]]:
    """Every analysis, for the organisation and for one team (and one rep, where it has one)."""
    from salesperf.analysis.drivers.core import DriversQuery, drivers
    from salesperf.analysis.forecast.core import ForecastQuery, forecast
    from salesperf.analysis.health import HealthQuery, health
    from salesperf.analysis.plan.core import PlanQuery, plan
    from salesperf.analysis.quadrant.model import DiagnoseQuery, diagnose
    from salesperf.analysis.quality import QualityQuery, quality
    from salesperf.analysis.vocab import Peers
    from salesperf.metrics.periods import parse_period

    today = date(2026, 10, 1)
    q3, q4 = parse_period("2026-Q3"), parse_period("2026-Q4")
    return {
        "diagnose": lambda s: diagnose(s, DiagnoseQuery(window="2026-Q3", today=today)),
        "diagnose T02": lambda s: diagnose(
            s,
            DiagnoseQuery(team="T02", window="last-2-quarters", peers=Peers.OWN_TEAM, today=today),
        ),
        "health": lambda s: health(s, HealthQuery(today=today)),
        "health T02 by month": lambda s: health(
            s, HealthQuery(team="T02", grain="month", periods=6, min_missed=2, today=today)
        ),
        "drivers": lambda s: drivers(s, DriversQuery(today=today)),
        # strict thresholds, so that the demo's clean data still raises findings to compare
        "quality": lambda s: quality(s, QualityQuery(q3, as_of=today, min_silent=1, min_rows=500)),
        "quality T02 in a week": lambda s: quality(
            s, QualityQuery(parse_period("2026-W38"), team="T02", min_silent=1, min_rows=60)
        ),
        "plan": lambda s: plan(s, PlanQuery(400_000, "2026-Q4", today=today)),
        "plan R001": lambda s: plan(s, PlanQuery(60_000, "2026-Q4", rep="R001", today=today)),
        "forecast": lambda s: forecast(s, ForecastQuery(q4, today, draws=2000)),
        "forecast T02 mid-quarter": lambda s: forecast(
            s, ForecastQuery(q3, date(2026, 8, 12), team="T02", draws=2000)
        ),
    }


@pytest.mark.slow
@pytest.mark.parametrize("other", ["postgres", "spark"])
def test_every_analysis_gives_the_same_result_on_every_engine(
    demo_duckdb: Store, other: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """The quadrant, health, drivers, data quality, plan and forecast of the demo organisation, whole (every
    figure, interval, label and sentence of their JSON), on a copy of the store on PostgreSQL
    and on Spark: the same as on DuckDB."""
    with Store.open(new_store_url(other, request, tmp_path)[0]) as s:
        assert copy_store(demo_duckdb, s) == demo_duckdb.counts()
        for name, run_analysis in _analyses().items():
            expected = run_analysis(demo_duckdb).to_json()
            actual = run_analysis(s).to_json()
            # a result, not a refusal (the demo's data are clean: its quality findings are few)
            least = 500 if name.startswith("quality") else 2000
            assert len(json.dumps(expected, default=str)) > least, name
            wrong = _json_differences(actual, expected)
            assert not wrong, (name, wrong[:5])


@pytest.mark.parametrize("backend", ["postgres"])
def test_the_demo_builds_on_postgres_as_on_duckdb(
    demo_duckdb: Store, engine_store: Factory
) -> None:
    """`build_demo` replaces a PostgreSQL store's tables in one go: the same rows as on DuckDB."""
    from salesperf.demo import DemoConfig, build_demo

    s = engine_store()
    build_demo(s, DemoConfig(reps=8, years=1))
    assert s.counts() == demo_duckdb.counts()
    revenue = "SELECT round(sum(amount)::numeric, 2) FROM deals WHERE status = 'won'"
    assert float(s._exec(revenue)[0][0]) == pytest.approx(
        demo_duckdb._exec("SELECT round(sum(amount), 2) FROM deals WHERE status = 'won'")[0][0]
    )


# -- imports: the same outcome on every engine ---------------------------------------------------

ACTS = (
    "activity_id,rep_id,type,occurred_at,outcome\n"
    "A1,R1,call,2025-03-03 09:00,connected\n"
    "A2,R9,call,2025-03-03 10:00,connected\n"  # an unknown rep
    "A3,R2,email,2025-03-04 11:00,\n"
    "A4,R3,meeting,not a date,held\n"  # a bad timestamp
)
FIXED = (
    "activity_id,rep_id,type,occurred_at,outcome\n"
    "A1,R1,call,2025-03-03 09:00,no_answer\n"  # corrected
    "A3,R2,email,2025-03-04 11:00,\n"
    "A4,R3,meeting,2025-03-05 12:00,held\n"
)


def _stored(s: Store) -> list[tuple[object, ...]]:
    return [
        tuple(r)
        for r in s._exec(
            "SELECT activity_id, rep_id, type, CAST(occurred_at AS VARCHAR), outcome "
            "FROM activities ORDER BY activity_id"
        )
    ]


@pytest.mark.slow
def test_an_import_with_bad_rows_lands_the_same_on_every_engine(
    store_on_engine: Store, write: Writer
) -> None:
    s = store_on_engine
    r = import_file(s, "activities", write("acts.csv", ACTS))
    assert (r.rows_read, r.inserted, r.updated, r.unchanged, r.rejected) == (4, 2, 0, 0, 2)
    assert [(p.line, p.column, p.rule) for p in r.problems] == [
        (3, "rep_id", "unknown_reference"),
        (5, "occurred_at", "not_a_date"),
    ]
    assert _stored(s) == [
        ("A1", "R1", "call", "2025-03-03 09:00:00", "connected"),
        ("A3", "R2", "email", "2025-03-04 11:00:00", None),
    ]
    kept = s._exec(
        f"SELECT line, column_name, value, rule FROM {REJECTS} WHERE import_id = ? ORDER BY line",
        [r.import_id],
    )
    assert [tuple(k) for k in kept] == [
        (3, "rep_id", "R9", "unknown_reference"),
        (5, "occurred_at", "not a date", "not_a_date"),
    ]
    log = s._exec(
        f"SELECT table_name, rows_read, inserted, updated, unchanged, rejected FROM {IMPORTS} "
        "WHERE import_id = ?",
        [r.import_id],
    )
    assert [tuple(x) for x in log] == [("activities", 4, 2, 0, 0, 2)]
    again = import_file(s, "activities", write("acts.csv", ACTS))
    assert (again.inserted, again.updated, again.unchanged, again.rejected) == (0, 0, 2, 2)
    assert again.import_id > r.import_id
    fixed = import_file(s, "activities", write("fixed.csv", FIXED))
    assert (fixed.inserted, fixed.updated, fixed.unchanged, fixed.rejected) == (1, 1, 1, 0)
    assert _stored(s) == [
        ("A1", "R1", "call", "2025-03-03 09:00:00", "no_answer"),
        ("A3", "R2", "email", "2025-03-04 11:00:00", None),
        ("A4", "R3", "meeting", "2025-03-05 12:00:00", "held"),
    ]
    assert s.count(IMPORTS) == 5  # teams, reps and the three above


class Boom(Exception):
    pass


@pytest.mark.slow
def test_a_failed_import_leaves_every_engine_as_it_was(
    store_on_engine: Store, write: Writer
) -> None:
    s = store_on_engine
    import_file(s, "activities", write("acts.csv", ACTS))
    before = (_stored(s), s.count(IMPORTS), s.count(REJECTS), s.counts())

    def fail_at(phase: str) -> None:
        if phase == "commit":  # inside the transaction, after the rows were written
            raise Boom

    with pytest.raises(Boom):
        import_file(s, "activities", write("fixed.csv", FIXED), on_phase=fail_at)
    assert (_stored(s), s.count(IMPORTS), s.count(REJECTS), s.counts()) == before
    fixed = import_file(s, "activities", write("fixed.csv", FIXED))  # and the store still works
    assert (fixed.inserted, fixed.updated, fixed.unchanged) == (1, 1, 1)


def test_queries_name_the_tables_they_read_on_every_engine(store_on_engine: Store) -> None:
    """What the web server's remembered results rest on (`salesperf.store.reads`): an Ibis
    query, and the store's own read of its settings, name the tables they read on every engine."""
    from salesperf.store.reads import EVERYTHING, recording

    store_on_engine.table("reps").count().execute()  # (Spark starts: its catalog read whole)
    with recording() as seen:
        assert store_on_engine.table("reps").count().execute() == 3
        assert store_on_engine.settings.timezone
    assert {"reps", "salesperf_meta"} <= seen and EVERYTHING not in seen


def test_batches_merge_by_key_on_every_engine(store_on_engine: Store) -> None:
    """`merge_rows`, for the API's small batches: idempotent by id, refused whole when wrong."""
    s = store_on_engine
    batch = [
        {"activity_id": "B1", "rep_id": "R1", "type": "call", "occurred_at": "2025-03-03 09:00"},
        {"activity_id": "B2", "rep_id": "R2", "type": "email", "occurred_at": "2025-03-03 10:00",
         "outcome": "sent", "duration_min": 2.5},
    ]  # fmt: skip
    first = s.merge_rows("activities", batch)
    assert first == MergeCounts(2, 0, 0)
    # what the write touched, for the results it leaves alone (`salesperf.store.reads`)
    assert first.footprint == Footprint(datetime(2025, 3, 3, 9), False, frozenset({"R1", "R2"}))
    again = s.merge_rows("activities", batch)
    assert again == MergeCounts(0, 0, 2) and again.footprint is None  # nothing written
    changed = [{**batch[0], "outcome": "connected"}, {**batch[1], "activity_id": "B3"}]
    changed[0]["occurred_at"] = "2025-03-04 09:00"  # the stored row's day counts too
    changed[1]["deal_id"] = "D1"
    written = s.merge_rows("activities", changed)
    assert written == MergeCounts(1, 1, 0)
    assert written.footprint == Footprint(datetime(2025, 3, 3, 9), True, frozenset({"R1", "R2"}))
    assert s.count("activities") == 3
    assert s._exec("SELECT duration_min, outcome FROM activities WHERE activity_id = 'B3'") == [
        (2.5, "sent")
    ]
    for bad, words in [
        ([batch[0], batch[0]], "more than once"),
        ([{"activity_id": "B4", "rep_id": "R1"}], "need type, occurred_at"),
        ([{**batch[0], "colour": "red"}], "no column 'colour'"),
        ([{**batch[0], "occurred_at": None}], "need a value for occurred_at"),
    ]:
        with pytest.raises(StoreError, match=words):
            s.merge_rows("activities", bad)
    assert s.count("activities") == 3


@pytest.fixture
def store_on_engine(backend_store: Store, write: Writer) -> Store:
    """A store on `backend` with the small team tree and three reps of conftest's `store`."""
    from conftest import REPS_CSV, TEAMS_CSV

    assert import_file(backend_store, "teams", write("teams.csv", TEAMS_CSV)).inserted == 3
    assert import_file(backend_store, "reps", write("reps.csv", REPS_CSV)).inserted == 3
    return backend_store


# -- PostgreSQL: versions, keys, indexes; Spark: a warehouse that keeps ---------------------------


@pytest.mark.parametrize("backend", ["postgres"])
def test_schema_versions_on_postgres(engine_store: Factory) -> None:
    old = engine_store(target_version=1)
    assert old.schema_version == 1
    assert not old.has_table(IMPORTS)
    old.set_setting("timezone", "Europe/Amsterdam")
    old._exec("INSERT INTO teams (team_id, name) VALUES (?, ?)", ["T1", "North"])
    url = old.url
    old.close()
    with Store.open(url) as s:
        assert s.schema_version == LATEST_VERSION
        assert {IMPORTS, REJECTS} <= set(s.con.list_tables())
        assert s.table("teams").execute().team_id.tolist() == ["T1"]
        assert s.settings.timezone == "Europe/Amsterdam"
        indexes = {
            r[0] for r in s._exec("SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'")
        }
        assert any("activities_rep_id_occurred_at_idx" in i for i in indexes)
        assert any("deals_rep_id_closed_at_idx" in i for i in indexes)
        assert any("deal_stages_deal_id_idx" in i for i in indexes)
        assert any("activities_pkey" in i and "(activity_id)" in i for i in indexes)
        assert any("targets_pkey" in i and "(scope, scope_id, metric, period_start, period_end)" in i
                   for i in indexes)  # fmt: skip
        s._exec(f"UPDATE {META} SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="schema version 99, newer than this salesperf"):
        Store.open(url)


def test_rejects_kept_before_version_4_are_kept_and_read_in_english(
    engine_store: Factory, write: Writer
) -> None:
    """Version 4 gives rejected rows their Dutch message; rows rejected before keep theirs,
    and their download in Dutch falls back to the English message."""
    from salesperf.server.api.uploads import rejects_csv

    old = engine_store(target_version=3)
    old._exec(
        f"INSERT INTO {REJECTS} (import_id, line, column_name, value, rule, message, raw_row) "
        "VALUES (1, 2, 'rep_id', 'R9', 'unknown_reference', 'old message', ?)",
        ['{"rep_id": "R9"}'],
    )
    url = old.url
    old.close()
    with Store.open(url) as s:
        assert s.schema_version == LATEST_VERSION == 11
        assert rejects_csv(s, 1, "nl").decode().splitlines() == [
            "regel,problemen,rep_id",
            "2,rep_id: old message,R9",
        ]
        _load(s, {"teams": "team_id,name\nT1,North\n"}, write)
        result = import_file(s, "reps", write("reps.csv", "rep_id,name,team_id\nR1,Ann,T9\n"))
        assert result.rejected == 1
        nl = rejects_csv(s, result.import_id, "nl").decode().splitlines()
        assert nl[0] == "regel,problemen,rep_id,name,team_id"
        assert nl[1] == (
            "2,\"team_id: team 'T9' is onbekend; importeer die eerst in de tabel teams, of neem "
            'die op in dit bestand",R1,Ann,T9'
        )
        en = rejects_csv(s, result.import_id, "en").decode().splitlines()
        assert en[1] != nl[1] and en[1].endswith(",R1,Ann,T9")


@pytest.mark.slow
def test_salesperf_copy_moves_a_store_with_its_users_to_every_engine(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, write: Writer
) -> None:
    """From a DuckDB file (this module's `org` is on PostgreSQL) to a new store on each engine."""
    from typer.testing import CliRunner

    from salesperf.auth.users import add_user, password_hasher, verify_password
    from salesperf.cli.app import app

    source = str(tmp_path / "source.duckdb")
    with Store.open(source) as org:
        _load(org, HANDBUILT, write, "Europe/Amsterdam")
        add_user(org, "boss", "a-long-password", "admin", hasher=password_hasher(cheap=True))
        expected, settings = org.counts(), org.settings
    url = new_store_url(backend, request, tmp_path)[0]
    runner = CliRunner()
    result = runner.invoke(app, ["copy", url, "--store", source])
    assert result.exit_code == 0, result.output
    assert (
        "activities" in result.output and "Sessions and API tokens were not copied" in result.output
    )
    with Store.open(url) as copy:
        assert copy.engine == backend
        assert copy.counts() == expected, result.output
        assert copy.settings == settings
        assert verify_password(copy, "boss", "a-long-password").username == "boss"
    again = runner.invoke(app, ["copy", url, "--store", source])
    assert again.exit_code == 2 and "give --replace to overwrite" in again.output
    assert runner.invoke(app, ["copy", url, "--store", source, "--replace"]).exit_code == 0
    with Store.open(url) as copy:  # replaced, not added to
        assert copy.counts() == expected
    same = runner.invoke(app, ["copy", source, "--store", source])
    assert same.exit_code == 2 and "is the store being copied" in same.output


@pytest.mark.postgres  # asks for the server itself, inside the test
def test_processes_opening_a_new_postgres_store_at_once_create_it_once(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    from engines import open_version

    server = request.getfixturevalue("pg_server")
    url = server.create_database(f"race_{tmp_path.name}"[:60])
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        versions = pool.map(open_version, [url] * 4)
    assert versions == [LATEST_VERSION] * 4
    with Store.open(url) as s:
        assert s._exec(f"SELECT count(*) FROM {META} WHERE key = 'schema_version'") == [(1,)]


@pytest.mark.parametrize("backend", ["spark"])
def test_a_spark_warehouse_keeps_its_tables_between_sessions(
    engine_store: Factory, write: Writer, tmp_path: Path
) -> None:
    s = engine_store()
    _load(s, {"teams": HANDBUILT["teams"], "reps": HANDBUILT["reps"]}, write, "Europe/Amsterdam")
    s.merge_rows("teams", [{"team_id": "T3", "name": "East", "parent_team_id": "ORG"}])
    s.close()
    warehouse = Path(s.url.split("warehouse=", 1)[1])
    assert warehouse.parent == tmp_path
    # one Parquet snapshot per canonical table and roll-up: replaced snapshots are removed
    assert sorted(p.parent.name for p in warehouse.glob("tables/*/*.parquet")) == sorted(
        ["teams", "reps", "accounts", "leads", "deals", "deal_stages", "activities", "targets",
         "surveys", "absences", "rep_aliases", "fx_rates", "rollup_activities",
         "rollup_accounts", "rollup_deals", "rollup_stages", "rollup_account_reps"]
    )  # fmt: skip
    with Store.open(f"local[2]?warehouse={warehouse}") as again:
        assert again.schema_version == LATEST_VERSION
        assert again.settings.timezone == "Europe/Amsterdam"
        assert again.counts()["teams"] == 5
        teams = again.table("teams").to_pandas().sort_values("team_id")
        assert teams.team_id.tolist() == ["ORG", "T1", "T1a", "T2", "T3"]


# -- store URLs ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("postgres://somewhere/db", "write postgresql://"),
        ("mysql://somewhere/db", "supported stores are"),
        ("local[2]?colour=red", "unknown Spark store option 'colour'"),
        ("local[2]?warehouse={tmp}/no/such/folder", "folder .* is missing"),
    ],
)
def test_unusable_store_urls_are_refused(url: str, words: str, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=words):
        Store.open(url.format(tmp=tmp_path))


@pytest.mark.postgres  # asks for the server itself, inside the test
def test_postgres_connection_problems_are_explained(request: pytest.FixtureRequest) -> None:
    server = request.getfixturevalue("pg_server")
    with pytest.raises(StoreError, match=r"database 'nothere' does not exist .*createdb"):
        Store.open(server.url("nothere"))
    with pytest.raises(
        StoreError, match="cannot connect to PostgreSQL at postgresql://x:\\*\\*\\*@"
    ):
        Store.open("postgresql://x:secret@127.0.0.1:1/db")
    url = server.create_database("shown")
    with Store.open(url.replace("postgres@", "postgres:secret@")) as s:
        assert "secret" not in s.url and ":***@" in s.url
        assert s.engine == "postgres" and s.path is None
