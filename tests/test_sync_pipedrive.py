"""Pipedrive sync against a fake Pipedrive that answers in the API's documented shapes
(tests/pipedrivetools.py): pages, retries, refusals, deletions, renamed stages, deactivated
owners, a sync stopped and resumed, --full, --dry-run, the command line; and the scorecard after
a sync equal to the scorecard after importing Pipedrive's export files of the same records."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

from pipedrivetools import FakePipedrive, answer, export_activities, export_deals, load
from salesperf.cli.app import app
from salesperf.ingest.importer import import_file
from salesperf.scorecard import scorecard
from salesperf.store import Store
from salesperf.sync.http import Retries, SyncFailed
from salesperf.sync.model import SyncRefused
from salesperf.sync.pipedrive import VENDOR, PipedriveConnector, company_url
from salesperf.sync.run import sync
from salesperf.text import Lang

CRM_FIXTURES = Path(__file__).parent / "fixtures" / "crm"
FAST = Retries(attempts=4, backoff=0.01, max_wait=2)
ZONE = "Europe/Amsterdam"
TOKEN = "0123456789abcdef0123456789abcdef01234567"


def new_store(path: Path) -> Store:
    """A store in Amsterdam's time zone with the reps Ann Smith, Bob Jones and Zoë Müller."""
    store = Store.open(path)
    for table in ("teams", "reps"):
        assert import_file(store, table, CRM_FIXTURES / f"{table}.csv").rejected == 0
    store.set_setting("timezone", ZONE)
    return store


@pytest.fixture
def crm(tmp_path: Path) -> Iterator[Store]:
    store = new_store(tmp_path / "sync.duckdb")
    yield store
    store.close()


@pytest.fixture
def fake(httpserver: HTTPServer) -> FakePipedrive:
    return FakePipedrive(httpserver)


@pytest.fixture
def pipedrive(httpserver: HTTPServer, fake: FakePipedrive) -> PipedriveConnector:
    return PipedriveConnector(TOKEN, httpserver.url_for(""), FAST)


def _rows(store: Store, table: str, key: str) -> dict[str, dict[str, Any]]:
    """A table's rows by key, missing values as None (so that two tables compare)."""
    rows = store.table(table).execute().astype(object).to_dict("records")
    return {r[key]: {c: None if pd.isna(v) else v for c, v in r.items()} for r in rows}


def deals(store: Store) -> dict[str, dict[str, Any]]:
    return _rows(store, "deals", "deal_id")


def activities(store: Store) -> dict[str, dict[str, Any]]:
    return _rows(store, "activities", "activity_id")


def test_every_page_is_read_and_mapped_as_pipedrive_means_it(
    crm: Store, fake: FakePipedrive, pipedrive: PipedriveConnector, tmp_path: Path
) -> None:
    report = sync(crm, pipedrive, rejects_dir=tmp_path)
    d, a = report.by_object()["deals"], report.by_object()["activities"]
    # 8 deals in 3 pages: the deleted one removed, Carl Black's (no rep) rejected
    assert (d.pages, d.rows_in, d.inserted, d.rejected) == (3, 7, 6, 1)
    assert d.unknown_owners == {"pipedrive:4": 1}
    assert [o.name for o in report.owners_unmatched] == ["Carl Black"]
    assert report.owners_linked == 3
    stored = deals(crm)
    assert sorted(stored) == ["101", "102", "103", "104", "105", "108"]
    acme, globex = stored["101"], stored["102"]
    assert (acme["rep_id"], acme["status"], acme["amount"], acme["currency"]) == (
        "Ann Smith", "won", 12000.0, "EUR")  # fmt: skip
    assert acme["stage"] == "Negotiations Started"
    assert (globex["status"], globex["amount"], globex["lost_reason"]) == (
        "lost", 4500.5, "Price too high")  # fmt: skip
    # Zoë Müller is deactivated in Pipedrive: her won deal stays hers
    assert (stored["104"]["rep_id"], stored["104"]["status"]) == ("Zoë Müller", "won")
    assert {r["currency"] for r in stored.values()} == {"EUR", "USD"}
    # the deleted deal's activity is deleted too; Carl Black's is rejected
    assert (a.rows_in, a.inserted, a.rejected) == (6, 5, 1)
    acts = activities(crm)
    assert sorted(acts) == ["9001", "9002", "9003", "9004", "9005"]
    assert (acts["9002"]["type"], acts["9002"]["outcome"], acts["9002"]["duration_min"]) == (
        "meeting", "scheduled", 90.0)  # fmt: skip
    assert (acts["9004"]["type"], acts["9004"]["rep_id"]) == ("other", "Zoë Müller")
    assert (acts["9005"]["duration_min"], acts["9005"]["deal_id"]) == (65.0, "103")
    # oldest change first, deleted deals asked for, the token in a header and in no URL
    asked = fake.asked("deals")
    assert [q.get("cursor") for q in asked] == [None, "3", "6"]
    assert {(q["sort_by"], q["sort_direction"], q["status"]) for q in asked} == {
        ("update_time", "asc", "open,won,lost,deleted")}  # fmt: skip
    assert all(h.get("X-Api-Token") == TOKEN for _, _, h in fake.requests)
    assert not [u for u in fake.urls if TOKEN in u]


def test_the_scorecard_equals_the_one_from_pipedrives_export_files(
    crm: Store, pipedrive: PipedriveConnector, tmp_path: Path
) -> None:
    sync(crm, pipedrive, rejects_dir=tmp_path)
    exported = new_store(tmp_path / "export.duckdb")
    try:
        the_deals = export_deals(load("deals.json")["data"], tmp_path / "deals.csv", ZONE)
        # Pipedrive's activities export leaves deleted activities out
        listed = [a for a in load("activities.json")["data"] if not a["is_deleted"]]
        the_acts = export_activities(listed, tmp_path / "activities.csv", ZONE)
        r = import_file(exported, "deals", the_deals, preset_name="pipedrive-deals",
                        rejects_path=tmp_path / "d.csv")  # fmt: skip
        assert (r.rows_read, r.inserted, r.rejected) == (8, 6, 2)  # Carl Black's, the deleted
        r = import_file(exported, "activities", the_acts, preset_name="pipedrive-activities",
                        rejects_path=tmp_path / "a.csv")  # fmt: skip
        assert (r.rows_read, r.inserted, r.rejected) == (6, 5, 1)
        for period in ("2024-Q1", "2024-Q2", "2024-03"):
            synced = scorecard(crm, period=period).to_json()
            assert synced == scorecard(exported, period=period).to_json()
        for by in ("team", "org"):
            assert scorecard(crm, period="2024-Q1", by=by).to_json() == scorecard(
                exported, period="2024-Q1", by=by
            ).to_json()
        # not an empty equality: Ann's Q1 holds Acme (won 28 March); Cyberdyne, won on
        # 31 March at 22:30 UTC, is won on 1 April in Amsterdam, in both
        q1 = scorecard(crm, period="2024-Q1", metrics=("deals_won",)).to_json()
        won = {row["key"]: row["values"]["deals_won"]["value"] for row in q1["rows"]}
        assert won["Ann Smith"] == 1
        q2 = scorecard(exported, period="2024-Q2", metrics=("deals_won",)).to_json()
        assert {row["key"]: row["values"]["deals_won"]["value"] for row in q2["rows"]}[
            "Ann Smith"
        ] == 1
        cols = ["rep_id", "status", "amount", "currency", "created_at", "closed_at", "stage",
                "lost_reason"]  # fmt: skip
        assert {k: {c: v[c] for c in cols} for k, v in deals(crm).items()} == {
            k: {c: v[c] for c in cols} for k, v in deals(exported).items()
        }
        cols = ["rep_id", "type", "outcome", "duration_min", "deal_id"]
        assert {k: {c: v[c] for c in cols} for k, v in activities(crm).items()} == {
            k: {c: v[c] for c in cols} for k, v in activities(exported).items()
        }
    finally:
        exported.close()
