"""`salesperf sync hubspot` against a stand-in for HubSpot's CRM v3 API (tests/hubspot_fake.py,
answering from the documented response shapes in tests/fixtures/sync/hubspot/): paging, limits,
refusals, deletions, renamed stages, deactivated owners, a sync stopped and resumed, --full and
--dry-run; and the scorecard after a sync equals the scorecard after importing the same records
as HubSpot's export files."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

from hubspot_export import export_files
from hubspot_fake import FIXTURES, TOKEN, FakeHubSpot, Fault, load
from salesperf.cli.app import app
from salesperf.ingest.importer import import_file
from salesperf.scorecard import scorecard
from salesperf.store import Store
from salesperf.sync.http import Retries, SyncFailed
from salesperf.sync.hubspot import VENDOR, HubSpot
from salesperf.sync.model import Cursor, SyncRefused
from salesperf.sync.run import sync

QUICK = Retries(attempts=4, backoff=0.01, max_wait=2)


@pytest.fixture
def crm(tmp_path: Path) -> Iterator[Store]:
    """A store with the four reps the HubSpot owners are (by e-mail)."""
    store = Store.open(tmp_path / "s.duckdb")
    for table in ("teams", "reps"):
        assert import_file(store, table, FIXTURES / f"{table}.csv").rejected == 0
    yield store
    store.close()


@pytest.fixture
def hub(httpserver: HTTPServer) -> FakeHubSpot:
    return FakeHubSpot(httpserver)


def connector(hub: FakeHubSpot, token: str = TOKEN) -> HubSpot:
    """Small pages, so that eight deals take three searches and owners two pages."""
    return HubSpot(token, hub.url, QUICK, search_limit=3, list_limit=2)


def deals(store: Store) -> dict[str, dict[str, Any]]:
    d = store.table("deals").execute()
    return {str(r["deal_id"]): r for r in d.to_dict("records")}


def searches(hub: FakeHubSpot, kind: str) -> list[dict[str, Any]]:
    return [b for m, p, b in hub.requests if p == f"/crm/v3/objects/{kind}/search"]


# -- reading ------------------------------------------------------------------------------------


@pytest.mark.slow  # a whole first sync of every object (about 7 s)
def test_deals_paged_with_their_stages_meaning_owners_and_currencies(
    crm: Store, hub: FakeHubSpot, tmp_path: Path
) -> None:
    report = sync(crm, connector(hub), rejects_dir=tmp_path)
    assert report.owners_linked == 4 and report.owners_unmatched == ()
    done = report.by_object()["deals"]
    assert (done.rows_in, done.inserted, done.rejected, done.pages) == (8, 8, 0, 3)
    assert done.cursor == Cursor("2024-04-05T14:00:00.000Z", "2008")
    # three searches, each from the last modification time read on
    bodies = searches(hub, "deals")[:3]  # then the same three again, for the stage history
    assert [b["after"] for b in bodies] == ["0", "1", "1"]  # 2003, then 2006 read at that time
    assert [b["filterGroups"][0]["filters"][0]["value"] if b["filterGroups"] else None
            for b in bodies] == [None, "1712048400000", "1712145600000"]  # fmt: skip
    d = deals(crm)
    assert {k: (v["status"], v["stage"]) for k, v in d.items()} == {
        "2001": ("won", "Closed Won"), "2002": ("lost", "Closed Lost"),
        "2003": ("won", "Signed"), "2004": ("open", "Qualified To Buy"),
        "2005": ("won", "Closed Won"), "2006": ("lost", "Gone quiet"),
        "2007": ("won", "Closed Won"), "2008": ("open", "Contract Sent"),
    }  # fmt: skip
    assert {k: (v["amount"], v["currency"]) for k, v in d.items() if k in ("2002", "2003")} == {
        "2002": (4500.5, "EUR"), "2003": (9000.0, "USD"),
    }  # fmt: skip
    # the deactivated owner's deal stays with his rep
    assert d["2005"]["rep_id"] == "R4" and d["2003"]["rep_id"] == "R1"
    assert d["2002"]["lost_reason"] == "Competitor" and d["2002"]["kind"] == "existing_business"
    aliases = crm.table("rep_aliases").execute().set_index("alias")["rep_id"].to_dict()
    assert aliases == {"hubspot:101": "R1", "hubspot:102": "R2", "hubspot:103": "R3",
                       "hubspot:104": "R4"}  # fmt: skip
    accounts = crm.table("accounts").execute().set_index("account_id")["name"].to_dict()
    assert accounts == {"901": "Acme Corp", "902": "Globex", "903": "Initech"}
    stages = crm.table("deal_stages").execute()
    assert len(stages) == 18 and report.by_object()["deal_stages"].pages == 3
    history = stages[stages["deal_id"] == "2003"].sort_values("entered_at")
    assert history["stage"].tolist() == ["34521988", "34521989"]
    assert str(history["entered_at"].iloc[1]) == "2024-03-05 10:00:00"
    acts = crm.table("activities").execute().set_index("activity_id")
    assert len(acts) == 12
    assert acts.loc["48210001", ["type", "outcome", "rep_id"]].tolist() == [
        "call",
        "connected",
        "R1",
    ]
    assert acts.loc["48210001", "duration_min"] == pytest.approx(3.05)
    assert acts.loc["48210004", "rep_id"] == "R4"
    assert acts.loc["48210003", "outcome"] == "voicemail"
    assert acts.loc["51000002", ["type", "outcome"]].tolist() == ["meeting", "no_show"]
    assert acts.loc["53000001", ["type", "outcome"]].tolist() == ["call", "completed"]
    assert acts.loc["53000003", ["type", "outcome"]].tolist() == ["follow_up", "scheduled"]


# -- the key test: a sync and an export file give the same scorecard -------------------------------


@pytest.mark.slow
def test_the_scorecard_after_a_sync_equals_the_one_after_importing_the_export(
    crm: Store, hub: FakeHubSpot, tmp_path: Path
) -> None:
    report = sync(crm, HubSpot(TOKEN, hub.url, QUICK), rejects_dir=tmp_path)
    assert sum(o.rejected for o in report.objects) == 0
    other = Store.open(tmp_path / "export.duckdb")
    for table in ("teams", "reps"):
        import_file(other, table, FIXTURES / f"{table}.csv")
    for preset, path in export_files(tmp_path).items():
        table = {"hubspot-deals": "deals", "hubspot-companies": "accounts"}.get(
            preset, "activities"
        )
        r = import_file(other, table, path, preset_name=preset, rejects_path=tmp_path / "r.csv")
        assert r.rejected == 0, r.problems
    for by in ("rep", "team"):
        synced = scorecard(crm, by=by, period="2024-Q1", today=datetime(2024, 5, 1).date())
        exported = scorecard(other, by=by, period="2024-Q1", today=datetime(2024, 5, 1).date())
        assert synced.to_json() == exported.to_json()
    card = scorecard(crm, by="team", period="2024-Q1").to_json()
    values = card["rows"][0]["values"]
    # won in Q1: 12000 + 3000 EUR, 9000 + 5000 USD at the ECB rates; lost: 2002 and 2006
    assert values["win_rate"]["value"] == pytest.approx(4 / 6)
    assert crm.count("deals") == other.count("deals") == 8
    assert crm.count("activities") == other.count("activities") == 12
    assert crm.count("accounts") == other.count("accounts") == 3
    other.close()


# -- limits and refusals ------------------------------------------------------------------------


def deal_search(request: Any) -> bool:
    return bool(request.path == "/crm/v3/objects/deals/search")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("status", "body", "headers"),
    [
        (429, "error-429-secondly.json", {"Retry-After": "1"}),
        (500, "error-500.json", None),
    ],
    ids=["429-retry-after", "500"],
)
def test_a_rate_limit_or_a_server_error_is_retried(
    crm: Store, hub: FakeHubSpot, tmp_path: Path, status: int, body: str,
    headers: dict[str, str] | None,
) -> None:  # fmt: skip
    hub.faults.append(Fault(deal_search, status, load(body), headers, times=2))
    report = sync(crm, connector(hub), rejects_dir=tmp_path)
    assert report.by_object()["deals"].rows_in == 8 and crm.count("deals") == 8
    # the two refused, then the three pages (and three again for the stage history)
    assert len(searches(hub, "deals")) == 2 + 3 + 3


def test_the_daily_limit_stops_the_sync_and_says_when_it_resets(
    crm: Store, hub: FakeHubSpot, tmp_path: Path
) -> None:
    hub.faults.append(Fault(deal_search, 429, load("error-429-daily.json"),
                            {"X-HubSpot-RateLimit-Daily": "250000"}, times=10))  # fmt: skip
    with pytest.raises(SyncRefused) as err:
        sync(crm, connector(hub), rejects_dir=tmp_path)
    assert "daily API limit of 250000 requests is reached" in err.value.text.en
    assert "resets at midnight in the HubSpot account's time zone" in err.value.text.en
    assert "daglimiet van 250000 verzoeken" in err.value.text.nl
    assert crm.count("deals") == 0


def test_an_expired_token_is_refused_with_what_to_do(
    crm: Store, hub: FakeHubSpot, tmp_path: Path
) -> None:
    with pytest.raises(SyncRefused) as err:
        sync(crm, connector(hub, token="pat-eu1-expired"), rejects_dir=tmp_path)
    en, nl = err.value.text.en, err.value.text.nl
    assert "HubSpot refused the token (HTTP 401: The OAuth token used to make this call " in en
    assert "access token is expired" in en and "set SALESPERF_HUBSPOT_TOKEN" in en
    assert "toegangstoken van de private app is verlopen" in nl
    assert crm.count("rep_aliases") == 0


def test_a_missing_scope_is_named(crm: Store, hub: FakeHubSpot, tmp_path: Path) -> None:
    hub.faults.append(Fault(deal_search, 403, load("error-403-scopes.json")))
    with pytest.raises(SyncRefused) as err:
        sync(crm, connector(hub), rejects_dir=tmp_path)
    assert err.value.text.en.startswith(
        "HubSpot refused /crm/v3/objects/deals/search (HTTP 403, missing scopes): grant the "
        "private app the scope crm.objects.deals.read"
    )
    assert "geef de private app de scope crm.objects.deals.read" in err.value.text.nl


# -- deletions, renamed stages ------------------------------------------------------------------


@pytest.mark.slow
def test_archived_and_merged_deals_are_removed(
    crm: Store, hub: FakeHubSpot, tmp_path: Path
) -> None:
    extra = []
    for new_id, mod in (("2009", "2024-04-05T15:00:00.000Z"), ("2099", "2024-04-05T16:00:00.000Z")):
        r = hub.records_of("deals")[0]
        r["id"] = r["properties"]["hs_object_id"] = new_id
        r["properties"]["hs_lastmodifieddate"] = mod
        extra.append(r)
    hub.records["deals"] += extra
    sync(crm, connector(hub), rejects_dir=tmp_path)
    assert {"2009", "2099"} <= set(deals(crm))
    # 2009 archived; 2099 merged into 2007 (HubSpot keeps 2007, listing both ids)
    hub.records["deals"] = [r for r in hub.records["deals"] if r["id"] not in ("2009", "2099")]
    hub.archived["deals"] = load("deals-archived.json")["results"]
    merged = next(r for r in hub.records["deals"] if r["id"] == "2007")["properties"]
    merged["hs_merged_object_ids"] = "2099;2007"
    merged["hs_lastmodifieddate"] = "2024-04-07T10:00:00.000Z"
    report = sync(crm, connector(hub), rejects_dir=tmp_path)
    assert report.by_object()["deals"].deleted == 2
    assert sorted(deals(crm)) == [f"200{i}" for i in range(1, 9)]
    kept = crm.table("salesperf_deleted").execute()
    assert sorted(kept["row_key"].astype(str)) == ["2009", "2099"]


@pytest.mark.slow
def test_a_renamed_stage_keeps_the_status(crm: Store, hub: FakeHubSpot, tmp_path: Path) -> None:
    sync(crm, connector(hub), rejects_dir=tmp_path)
    for p in hub.pipelines["results"]:
        for s in p["stages"]:
            s["label"] = {"closedwon": "Won 🎉", "34521990": "Closed: no decision",
                          "contractsent": "Won? Contract out"}.get(s["id"], s["label"])  # fmt: skip
    for r in hub.records["deals"]:  # every deal touched since, so read again
        r["properties"]["hs_lastmodifieddate"] = "2024-04-08T09:00:00.000Z"
    sync(crm, connector(hub), rejects_dir=tmp_path)
    d = deals(crm)
    renamed = {k: (v["status"], v["stage"]) for k, v in d.items() if k in ("2001", "2006", "2008")}
    assert renamed == {
        "2001": ("won", "Won 🎉"), "2006": ("lost", "Closed: no decision"),
        "2008": ("open", "Won? Contract out"),
    }  # fmt: skip


# -- stopped and resumed; --full; --dry-run; the command ----------------------------------------


@pytest.mark.slow
def test_a_sync_stopped_between_pages_goes_on_where_it_stopped(
    crm: Store, hub: FakeHubSpot, tmp_path: Path
) -> None:
    class Stop(Exception):
        pass

    def stop_after_the_first_page(obj: str, rows: int) -> None:
        if obj == "deals":
            raise Stop

    with pytest.raises(Stop):
        sync(crm, connector(hub), rejects_dir=tmp_path, on_progress=stop_after_the_first_page)
    assert sorted(deals(crm)) == ["2001", "2002", "2003"]  # the first page, committed
    hub.requests.clear()
    report = sync(crm, connector(hub), rejects_dir=tmp_path)
    # from the committed cursor (2003 at 09:00 on 2 April) on: 2003 again (GTE), then the rest
    first = searches(hub, "deals")[0]["filterGroups"][0]["filters"][0]
    assert first == {"propertyName": "hs_lastmodifieddate", "operator": "GTE",
                     "value": "1712048400000"}  # fmt: skip
    done = report.by_object()["deals"]
    assert (done.rows_in, done.inserted, done.unchanged) == (6, 5, 1)
    assert sorted(deals(crm)) == [f"200{i}" for i in range(1, 9)]
    assert crm.count("activities") == 12


@pytest.mark.slow
def test_a_server_failing_on_page_three_loses_nothing(
    crm: Store, hub: FakeHubSpot, tmp_path: Path
) -> None:
    hub.faults.append(Fault(lambda r: deal_search(r) and len(searches(hub, "deals")) >= 3, 502,
                            load("error-500.json"), times=4))  # fmt: skip
    with pytest.raises(SyncFailed) as err:
        sync(crm, connector(hub), rejects_dir=tmp_path)
    assert "HubSpot kept answering HTTP 502 after every retry" in err.value.text.en
    assert sorted(deals(crm)) == ["2001", "2002", "2003", "2004", "2005", "2006"]
    report = sync(crm, connector(hub), rejects_dir=tmp_path)
    done = report.by_object()["deals"]
    assert (done.rows_in, done.inserted, done.unchanged) == (3, 2, 1)  # 2006 again, 2007, 2008
    assert sorted(deals(crm)) == [f"200{i}" for i in range(1, 9)]
    log = crm.table("salesperf_imports").execute()
    assert int(log[log["table_name"] == "deals"]["rows_read"].sum()) == 6 + 3


@pytest.mark.slow
def test_full_removes_what_hubspot_no_longer_has(
    crm: Store, hub: FakeHubSpot, tmp_path: Path
) -> None:
    sync(crm, HubSpot(TOKEN, hub.url, QUICK), rejects_dir=tmp_path)
    hub.records["deals"] = [r for r in hub.records["deals"] if r["id"] != "2008"]
    hub.records["calls"] = [r for r in hub.records["calls"] if r["id"] != "48210002"]
    report = sync(crm, HubSpot(TOKEN, hub.url, QUICK), full=True, rejects_dir=tmp_path)
    assert report.by_object()["deals"].deleted == 1
    assert "2008" not in deals(crm) and len(deals(crm)) == 7
    acts = set(crm.table("activities").execute()["activity_id"].astype(str))
    # the call alone is gone: meetings, e-mails and tasks share the table and stay
    assert len(acts) == 11 and "48210002" not in acts and {"51000001", "52000001"} <= acts
    assert sum(o.deleted for o in report.objects if o.table == "activities") == 1


@pytest.mark.slow
def test_a_dry_run_writes_nothing(crm: Store, hub: FakeHubSpot, tmp_path: Path) -> None:
    report = sync(crm, HubSpot(TOKEN, hub.url, QUICK), dry_run=True, rejects_dir=tmp_path)
    assert report.by_object()["deals"].rows_in == 8 and report.owners_linked == 4
    assert crm.count("deals") == crm.count("activities") == crm.count("rep_aliases") == 0
    assert crm.table("salesperf_imports").count().execute() == 2  # teams and reps


@pytest.mark.slow
def test_the_command(crm: Store, hub: FakeHubSpot, tmp_path: Path,
                     monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    path = str(crm.path)
    crm.close()
    monkeypatch.setenv("SALESPERF_HUBSPOT_TOKEN", TOKEN)
    monkeypatch.delenv("SALESPERF_SYNC_SETTINGS", raising=False)
    result = CliRunner().invoke(app, ["sync", "hubspot", "--base-url", hub.url, "--store", path,
                                      "--rejects", str(tmp_path)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (
        "HubSpot: synced" in result.output
        and "4 of the CRM's users linked to reps" in result.output
    )
    with Store.open(path) as s:
        assert s.count("deals") == 8
    monkeypatch.setenv("SALESPERF_HUBSPOT_TOKEN", "pat-eu1-revoked")
    result = CliRunner().invoke(app, ["sync", "hubspot", "--base-url", hub.url, "--store", path])
    assert result.exit_code != 0
    assert "HubSpot refused the token (HTTP 401" in result.output


def test_the_vendor_declares_its_token_and_scopes() -> None:
    assert [(c.key, c.env, c.secret) for c in VENDOR.credentials] == [
        ("token", "SALESPERF_HUBSPOT_TOKEN", True)
    ]
    assert "crm.objects.owners.read" in VENDOR.scopes and "crm.objects.deals.read" in VENDOR.scopes
