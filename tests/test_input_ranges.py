"""Dates outside a sane range and texts longer than a column takes are rejected on every write
path (files, the CLI, JSON batches), each with its reason; the range is a setting."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from salesperf.auth.tokens import create_token
from salesperf.cli.app import app as cli
from salesperf.ingest.importer import import_file
from salesperf.schema import ID_CHARS, TEXT_CHARS
from salesperf.settings import DAYS_AHEAD
from salesperf.store import Store, StoreError
from webtools import ADMIN, REP, REP_ID, app_for, build_web_store

HEADER = "activity_id,rep_id,type,occurred_at\n"


def _activities(write: Callable[..., Path], *days: str) -> Path:
    rows = "".join(f"A{i},R1,call,{d}\n" for i, d in enumerate(days))
    return write("acts.csv", HEADER + rows)


@pytest.mark.slow
def test_dates_before_1990_or_more_than_the_days_ahead_are_rejected_with_the_reason(
    store: Store, write: Callable[..., Path]
) -> None:
    today = date.today()
    last = today + timedelta(days=DAYS_AHEAD)
    days = ["0001-01-01", "1989-12-31", "1990-01-01", today.isoformat(), last.isoformat(),
            (last + timedelta(days=1)).isoformat(), "9999-12-31T23:59:59"]  # fmt: skip
    result = import_file(store, "activities", _activities(write, *days))
    rejected = {p.line: p for p in result.problems}
    # lines count from 2 (the header is line 1)
    assert sorted(rejected) == [2, 3, 7, 8]
    assert {p.rule for p in rejected.values()} == {"date_out_of_range"}
    assert result.inserted == 3
    msg = rejected[2].message
    assert "occurred_at 0001-01-01 lies outside the accepted dates" in msg
    assert f"1990-01-01 to {last.isoformat()}" in msg and "earliest_date" in msg
    assert "valt buiten de toegestane datums" in rejected[2].message_nl
    stored = sorted(r[0] for r in store._exec("SELECT CAST(occurred_at AS DATE) FROM activities"))
    assert stored == [date(1990, 1, 1), today, last]


def test_the_range_is_a_setting(store: Store, write: Callable[..., Path]) -> None:
    assert store.set_setting("earliest_date", "1970-01-01") == "1970-01-01"
    assert store.set_setting("days_ahead", "0") == "0"
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    result = import_file(store, "activities", _activities(write, "1975-06-01", tomorrow))
    assert result.inserted == 1 and [p.line for p in result.problems] == [3]
    for key, value, words in (
        ("earliest_date", "yesterday", "not a date"),
        ("earliest_date", "0001-01-01", "too early"),
        ("days_ahead", "-1", "between 0 and 36500"),
        ("days_ahead", "many", "whole number"),
    ):
        with pytest.raises(StoreError, match=words):
            store.set_setting(key, value)


@pytest.mark.slow
def test_every_date_column_of_every_table_is_checked(
    store: Store, write: Callable[..., Path]
) -> None:
    """Dates (start_date) and timestamps (created_at, closed_at) alike, in deals and reps."""
    deals = write(
        "deals.csv",
        "deal_id,rep_id,created_at,status,amount,closed_at\n"
        "D1,R1,0001-01-01,open,10,\n"
        "D2,R1,2025-01-01,won,10,3000-01-01\n"
        "D3,R1,2025-01-01,won,10,2025-02-01\n",
    )
    result = import_file(store, "deals", deals)
    assert {(p.line, p.column, p.rule) for p in result.problems} == {
        (2, "created_at", "date_out_of_range"),
        (3, "closed_at", "date_out_of_range"),
    }
    reps = write("reps.csv", "rep_id,team_id,start_date\nR9,T1,1066-10-14\n")
    assert [p.rule for p in import_file(store, "reps", reps).problems] == ["date_out_of_range"]


def test_texts_longer_than_the_column_takes_are_rejected(
    store: Store, write: Callable[..., Path]
) -> None:
    long_id = "X" * (ID_CHARS + 1)
    long_name = "n" * (TEXT_CHARS + 1)
    deals = write(
        "deals.csv",
        "deal_id,rep_id,created_at,status,lost_reason\n"
        f"{long_id},R1,2025-01-01,open,\n"
        f"D2,R1,2025-01-01,open,{long_name}\n"
        f"{'Y' * ID_CHARS},R1,2025-01-01,open,{'n' * TEXT_CHARS}\n",
    )
    result = import_file(store, "deals", deals)
    assert result.inserted == 1
    got = {(p.line, p.column, p.rule) for p in result.problems}
    assert got == {(2, "deal_id", "too_long"), (3, "lost_reason", "too_long")}
    first = next(p for p in result.problems if p.line == 2)
    assert f"deal_id is {ID_CHARS + 1} characters long; at most {ID_CHARS}" in first.message
    assert first.value is not None and len(first.value) < 50  # the value is shown cut short


@pytest.mark.slow
def test_the_cli_import_rejects_them_too(store: Store, write: Callable[..., Path]) -> None:
    path = _activities(write, "0001-01-01", "2025-03-03")
    store_path = store.path
    store.close()
    r = CliRunner().invoke(
        cli, ["import", "activities", str(path), "--store", str(store_path)], env={"COLUMNS": "200"}
    )
    assert r.exit_code == 0, r.output
    assert "1 row(s) rejected" in r.output, r.output
    rejects = Path("acts.activities.rejects.csv").read_text()
    assert "lies outside the accepted dates" in rejects


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    path = build_web_store(tmp_path_factory.mktemp("ranges") / "store.duckdb")
    app = app_for(path)
    store = Store.open(path)
    _, token = create_token(store, REP, "write")
    _, admin = create_token(store, ADMIN, "read")
    yield {
        "client": TestClient(app, headers={"authorization": f"Bearer {token}"}),
        "admin": TestClient(app, headers={"authorization": f"Bearer {admin}"}),
        "store": store,
    }
    store.close()


@pytest.mark.slow
def test_a_batch_with_a_year_0001_activity_is_422_and_the_drivers_page_keeps_working(
    api: dict[str, Any],
) -> None:
    client = api["client"]
    row = {"activity_id": "OLD-1", "rep_id": REP_ID, "type": "call",
           "occurred_at": "0001-01-01"}  # fmt: skip
    r = client.post("/api/activities", json=[row])
    assert r.status_code == 422, r.text
    (problem,) = r.json()["problems"]
    assert (problem["column"], problem["rule"]) == ("occurred_at", "date_out_of_range")
    assert api["store"]._exec("SELECT count(*) FROM activities WHERE activity_id = 'OLD-1'") == [
        (0,)
    ]
    drivers = api["admin"].get("/api/drivers")
    assert drivers.status_code == 200, drivers.text
    assert drivers.json()["window"]["start"] >= "2025", drivers.json()["window"]


def test_a_batch_with_a_10_kb_id_is_422(api: dict[str, Any]) -> None:
    row = {"activity_id": "k" * 10_000, "rep_id": REP_ID, "type": "call",
           "occurred_at": "2026-09-01T10:00:00"}  # fmt: skip
    r = api["client"].post("/api/activities", json=[row])
    assert r.status_code == 422, r.text
    assert r.json()["problems"][0]["rule"] == "too_long"
    assert "at most 255" in r.json()["problems"][0]["message"]
