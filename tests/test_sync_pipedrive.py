"""Pipedrive sync against a fake Pipedrive that answers in the API's documented shapes
(tests/pipedrivetools.py): pages, retries, refusals, deletions, renamed stages, deactivated
owners, a sync stopped and resumed, --full, --dry-run, the command line; and the scorecard after
a sync equal to the scorecard after importing Pipedrive's export files of the same records."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from cryptography.fernet import Fernet
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
from salesperf.sync.secrets import save_connection
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


@pytest.mark.slow
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
    # organizations are the accounts deals and activities name; Stark's is deleted
    accounts = _rows(crm, "accounts", "account_id")
    assert {k: v["name"] for k, v in accounts.items()} == {
        "1": "Acme Corp", "2": "Globex", "3": "Initech", "4": "Umbrella", "5": "Hooli",
        "6": "Wayne", "7": "Cyberdyne"}  # fmt: skip
    assert (acme["account_id"], acts["9005"]["account_id"]) == ("1", None)
    # oldest change first, deleted deals asked for, the token in a header and in no URL
    asked = fake.asked("deals")  # for the deals, then again for their stage history
    assert [q.get("cursor") for q in asked] == [None, "3", "6"] * 2
    assert {(q["sort_by"], q["sort_direction"], q["status"]) for q in asked} == {
        ("update_time", "asc", "open,won,lost,deleted")}  # fmt: skip
    assert all(h.get("X-Api-Token") == TOKEN for _, _, h in fake.requests)
    assert not [u for u in fake.urls if TOKEN in u]


@pytest.mark.slow
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
            assert (
                scorecard(crm, period="2024-Q1", by=by).to_json()
                == scorecard(exported, period="2024-Q1", by=by).to_json()
            )
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


@pytest.mark.slow
def test_a_429_with_retry_after_and_a_500_are_retried(
    crm: Store, fake: FakePipedrive, pipedrive: PipedriveConnector, tmp_path: Path
) -> None:
    over = load("rate-limit.json")
    fake.fail[("deals", 2)] = [
        answer(over, 429, {"Retry-After": "1", "x-ratelimit-limit": "40",
                           "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1"}),
        answer({"success": False, "error": "Internal server error"}, 500),
    ]  # fmt: skip
    report = sync(crm, pipedrive, rejects_dir=tmp_path)
    assert [q.get("cursor") for q in fake.asked("deals")][:5] == [None, "3", "3", "3", "6"]
    assert report.by_object()["deals"].inserted == 6
    assert sorted(deals(crm)) == ["101", "102", "103", "104", "105", "108"]


@pytest.mark.parametrize(
    ("status", "fixture", "headers", "said", "said_nl"),
    [
        (401, "unauthorized.json", {}, ["HTTP 401: unauthorized access",
         "Personal preferences > API", "SALESPERF_PIPEDRIVE_TOKEN"], "Persoonlijke voorkeuren"),
        (403, "forbidden.json", {}, ["You do not have permissions", "Permission sets",
         "admin's token"], "Rechtensets"),
        (429, "daily-limit.json", {"x-daily-requests-left": "0"}, ["daily API budget",
         "sync again tomorrow"], "dagelijkse API-budget"),
        (404, "unauthorized.json", {}, ["has no company at", "SALESPERF_PIPEDRIVE_DOMAIN"],
         "kent geen bedrijf"),
    ],
)  # fmt: skip
def test_what_no_retry_fixes_is_refused_saying_what_to_do(
    crm: Store, fake: FakePipedrive, pipedrive: PipedriveConnector, tmp_path: Path,
    status: int, fixture: str, headers: dict[str, str], said: list[str], said_nl: str,
) -> None:  # fmt: skip
    fake.fail[("deals", 2)] = [answer(load(fixture), status, headers)] * FAST.attempts
    with pytest.raises(SyncRefused) as caught:
        sync(crm, pipedrive, rejects_dir=tmp_path)
    message = caught.value.text.get(Lang.EN)
    assert all(s in message for s in said), message
    assert said_nl in caught.value.text.get(Lang.NL)
    assert sorted(deals(crm)) == ["102", "105"]  # the first page is kept


def test_an_expired_token_is_refused_before_anything_is_read(
    crm: Store, fake: FakePipedrive, pipedrive: PipedriveConnector
) -> None:
    fake.fail[("users", 1)] = [answer(load("unauthorized.json"), 401)]
    with pytest.raises(SyncRefused, match="SALESPERF_PIPEDRIVE_TOKEN"):
        sync(crm, pipedrive)
    assert [p for p, _, _ in fake.requests] == ["/api/v1/users"]  # a 401 is not retried
    assert deals(crm) == {}


def test_a_wrong_company_domain_is_refused_naming_it() -> None:
    assert company_url("acme") == "https://acme.pipedrive.com"
    assert company_url(" https://Acme.pipedrive.com/deals ") == "https://acme.pipedrive.com"
    with pytest.raises(SyncRefused, match="is not a Pipedrive company domain"):
        company_url("acme corp")
    assert VENDOR.connect({"token": TOKEN, "domain": "acme"}, None, FAST).base_url == (
        "https://acme.pipedrive.com")  # fmt: skip
    nowhere = PipedriveConnector(TOKEN, "http://127.0.0.1:9", Retries(2, 0.01, 1))
    with pytest.raises(SyncRefused, match=r"cannot reach Pipedrive at http://127\.0\.0\.1:9"):
        nowhere.owners()


def test_an_address_that_is_not_pipedrives_api_is_refused_naming_it(
    httpserver: HTTPServer,
) -> None:
    httpserver.expect_request("/api/v1/users").respond_with_data(
        "<html><body>Log in to Pipedrive</body></html>", content_type="text/html"
    )
    somewhere = PipedriveConnector(TOKEN, httpserver.url_for(""), FAST)
    with pytest.raises(SyncRefused, match="does not answer as Pipedrive's API does") as caught:
        somewhere.owners()
    assert "SALESPERF_PIPEDRIVE_DOMAIN" in caught.value.text.get(Lang.NL)


@pytest.mark.slow
def test_a_sync_stopped_between_pages_resumes_with_each_row_once(
    crm: Store, fake: FakePipedrive, pipedrive: PipedriveConnector, tmp_path: Path
) -> None:
    fake.fail[("deals", 3)] = [answer({"success": False, "error": "Bad gateway"}, 502)] * 4
    with pytest.raises(SyncFailed, match="HTTP 502"):
        sync(crm, pipedrive, rejects_dir=tmp_path)
    assert sorted(deals(crm)) == ["101", "102", "103", "104", "105"]  # pages 1 and 2
    report = sync(crm, pipedrive, rejects_dir=tmp_path)
    # the resumed read starts at the last committed record's time (Acme, page 2's last)
    since = [q["updated_since"] for q in fake.asked("deals") if "updated_since" in q]
    assert since == ["2024-03-28T16:20:05Z"]
    d = report.by_object()["deals"]
    assert (d.rows_in, d.inserted, d.unchanged) == (2, 1, 1)  # Acme again, and Cyberdyne
    assert sorted(deals(crm)) == ["101", "102", "103", "104", "105", "108"]
    assert crm.table("deals").count().execute() == 6


@pytest.mark.slow
def test_a_sync_killed_in_progress_goes_on_after_the_last_committed_page(
    crm: Store, fake: FakePipedrive, pipedrive: PipedriveConnector, tmp_path: Path
) -> None:
    def kill(obj: str, rows: int) -> None:
        if obj == "deals" and rows == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sync(crm, pipedrive, rejects_dir=tmp_path, on_progress=kill)
    assert sorted(deals(crm)) == ["102", "105"]
    sync(crm, pipedrive, rejects_dir=tmp_path)
    since = [(q["updated_since"], q.get("cursor")) for q in fake.asked("deals")
             if "updated_since" in q]  # fmt: skip
    assert since == [("2024-03-01T09:00:00Z", None), ("2024-03-01T09:00:00Z", "3")]  # Wayne's
    assert sorted(deals(crm)) == ["101", "102", "103", "104", "105", "108"]
    assert sorted(activities(crm)) == ["9001", "9002", "9003", "9004", "9005"]


@pytest.mark.slow
def test_deleted_records_go_and_a_renamed_stage_keeps_the_status(
    crm: Store, fake: FakePipedrive, pipedrive: PipedriveConnector, tmp_path: Path
) -> None:
    sync(crm, pipedrive, rejects_dir=tmp_path)
    # in Pipedrive: Globex deleted, the open deal's stage renamed "Won", Initech edited,
    # the e-mail activity deleted
    fake.change("deals", 102, status="deleted", is_deleted=True,
                update_time="2024-04-02T08:00:00Z")  # fmt: skip
    fake.change("stages", 2, name="Won", update_time="2024-04-02T09:00:00Z")
    fake.change("deals", 103, value=9000, update_time="2024-04-02T10:00:00Z")
    fake.change("activities", 9003, is_deleted=True, update_time="2024-04-02T11:00:00Z")
    report = sync(crm, pipedrive, rejects_dir=tmp_path)
    assert report.by_object()["deals"].deleted == 1
    assert report.by_object()["activities"].deleted == 1
    stored = deals(crm)
    assert "102" not in stored
    assert (stored["103"]["stage"], stored["103"]["status"], stored["103"]["amount"]) == (
        "Won", "open", 9000.0)  # fmt: skip
    assert "9003" not in activities(crm)
    kept = crm.table("salesperf_deleted").execute()
    pairs = sorted(zip(kept["table_name"], kept["row_key"], strict=True))
    assert [p for p in pairs if p[0] != "deal_stages"] == [("activities", "9003"), ("deals", "102")]
    # the deleted deal's stage history went with it (kept beside it), and no other deal's
    assert [json.loads(k)[0] for t, k in pairs if t == "deal_stages"] == ["102", "102"]
    stages = crm.table("deal_stages").execute()
    assert "102" not in set(stages["deal_id"]) and len(stages) > 0


@pytest.mark.slow
def test_full_removes_what_pipedrive_no_longer_has(
    crm: Store, fake: FakePipedrive, pipedrive: PipedriveConnector, tmp_path: Path
) -> None:
    sync(crm, pipedrive, rejects_dir=tmp_path)
    fake.purge("deals", 105)  # deleted over 30 days ago: the API lists it no more
    sync(crm, pipedrive, rejects_dir=tmp_path)
    assert "105" in deals(crm)  # an incremental sync cannot know
    report = sync(crm, pipedrive, full=True, rejects_dir=tmp_path)
    assert report.by_object()["deals"].deleted == 1
    assert sorted(deals(crm)) == ["101", "102", "103", "104", "108"]
    assert "updated_since" not in fake.asked("deals")[-1]


@pytest.mark.slow
def test_the_stage_history_of_the_changed_deals_comes_from_their_flow(
    crm: Store, fake: FakePipedrive, pipedrive: PipedriveConnector, tmp_path: Path
) -> None:
    report = sync(crm, pipedrive, rejects_dir=tmp_path)
    flows = sorted(p for p, _, _ in fake.requests if p.endswith("/flow"))
    # one flow per deal not deleted (Stark's is gone), asked for the deal's own changes only
    # (Acme's three changes in two pages of two)
    assert flows == [f"/api/v1/deals/{d}/flow" for d in (101, 101, 102, 103, 104, 105, 106, 108)]
    acme = [a["start"] for p, a, _ in fake.requests if p == "/api/v1/deals/101/flow"]
    assert acme == ["0", "2"]
    assert {a["items"] for p, a, _ in fake.requests if p.endswith("/flow")} == {"dealChange"}
    history = crm.table("deal_stages").execute()
    entered = {
        (r.deal_id, r.stage): r.entered_at.strftime("%Y-%m-%d %H:%M") for r in history.itertuples()
    }
    # v1 times are UTC; Acme's value change is no stage change
    assert {k: v for k, v in entered.items() if k[0] in ("101", "103")} == {
        ("101", "Qualified"): "2024-01-15 09:30",
        ("101", "Proposal Made"): "2024-02-01 10:00",
        ("101", "Negotiations Started"): "2024-03-01 10:00",
        ("103", "Contact Made"): "2024-03-01 10:00",
    }
    h = report.by_object()["stage_history"]
    assert (h.rows_in, h.inserted) == (len(history) + h.rejected, len(history))
    # a second sync reads only the deals changed since: none, so no flow
    before = len(fake.requests)
    sync(crm, pipedrive, rejects_dir=tmp_path)
    assert not [p for p, _, _ in fake.requests[before:] if p.endswith("/flow")][1:]


@pytest.mark.slow
def test_a_dry_run_reads_and_checks_but_writes_nothing(
    crm: Store, fake: FakePipedrive, pipedrive: PipedriveConnector, tmp_path: Path
) -> None:
    report = sync(crm, pipedrive, dry_run=True, rejects_dir=tmp_path)
    d = report.by_object()["deals"]
    assert (d.rows_in, report.by_object()["activities"].rows_in) == (7, 6)
    assert deals(crm) == {} and activities(crm) == {}
    aliases = crm.table("rep_aliases").execute()
    assert not aliases["alias"].str.startswith("pipedrive:").any()


@pytest.mark.slow
def test_the_command_reads_the_credentials_from_the_environment(
    httpserver: HTTPServer, fake: FakePipedrive, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    path = tmp_path / "cli.duckdb"
    new_store(path).close()
    monkeypatch.setenv("SALESPERF_PIPEDRIVE_TOKEN", TOKEN)
    monkeypatch.setenv("SALESPERF_PIPEDRIVE_DOMAIN", "acme")
    result = CliRunner().invoke(app, ["sync", "pipedrive", "--base-url",
                                      httpserver.url_for(""), "--store", str(path),
                                      "--rejects", str(tmp_path)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Pipedrive: synced" in result.output
    assert TOKEN not in result.output
    with Store.open(path) as store:
        assert sorted(deals(store)) == ["101", "102", "103", "104", "105", "108"]
    monkeypatch.delenv("SALESPERF_PIPEDRIVE_TOKEN")
    result = CliRunner().invoke(app, ["sync", "pipedrive", "--store", str(path)])
    assert result.exit_code != 0
    assert "SALESPERF_PIPEDRIVE_TOKEN" in result.output
    # the connection saved on the settings page serves the command, given the key
    key = Fernet.generate_key().decode()
    with Store.open(path) as store:
        save_connection(store, "pipedrive", {"token": TOKEN, "domain": "acme"}, key,
                        secret_keys=["token"])  # fmt: skip
    monkeypatch.setenv("SALESPERF_SECRET_KEY", key)
    result = CliRunner().invoke(app, ["sync", "pipedrive", "--base-url", httpserver.url_for(""),
                                      "--store", str(path), "--rejects", str(tmp_path)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Pipedrive: synced" in result.output and TOKEN not in result.output


def test_the_vendor_declares_its_credentials() -> None:
    assert [(c.key, c.env, c.secret) for c in VENDOR.credentials] == [
        ("token", "SALESPERF_PIPEDRIVE_TOKEN", True),
        ("domain", "SALESPERF_PIPEDRIVE_DOMAIN", False),
    ]
