"""`salesperf sync salesforce` against a Salesforce org that answers as the REST API documents
(tests/salesforce_org.py, records from tests/fixtures/sync/salesforce/): paging, retries,
refusals, deletions, renamed stages, currencies, deactivated owners, a sync stopped and resumed,
`--full` and `--dry-run`; and the scorecard after a sync equals the scorecard after importing
the same records as Data Loader files with the export presets."""

from __future__ import annotations

import csv
import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

from salesforce_org import Org, answer, load, records
from salesperf.cli.app import app
from salesperf.ingest.importer import import_file
from salesperf.scorecard import scorecard
from salesperf.store import Store
from salesperf.sync.http import Retries, SyncFailed
from salesperf.sync.model import SyncRefused
from salesperf.sync.run import sync
from salesperf.sync.salesforce import SalesforceConnector, connect

pytestmark = pytest.mark.slow  # each sync imports five objects

FAST = Retries(attempts=4, backoff=0.01, max_wait=2)
INSTANCE = "https://acme.my.salesforce.com"
ANN, BOB = "0055g00000AnnSmAAA", "0055g00000BobJoAAA"
OPP = "0065g00000Opp00{}AAA"


def with_reps(store: Store, write: Callable[..., Path]) -> Store:
    """Ann and Bob as reps, known by their e-mail addresses."""
    import_file(store, "teams", write("teams.csv", "team_id,name\nSALES,Sales\n"))
    reps = "rep_id,name,email,team_id\nR1,Ann Smith,ann.smith@acme.test,SALES\n" \
           "R2,Bob Jones,bob.jones@acme.test,SALES\n"  # fmt: skip
    assert import_file(store, "reps", write("reps.csv", reps)).inserted == 2
    return store


@pytest.fixture
def sf(empty_store: Store, write: Callable[..., Path]) -> Store:
    return with_reps(empty_store, write)


@pytest.fixture
def sforg(httpserver: HTTPServer) -> Org:
    return Org(httpserver)


def connector(server: HTTPServer, **creds: str) -> SalesforceConnector:
    given = {"instance_url": INSTANCE, **(creds or {"access_token": "00D5g!session"})}
    return connect(given, server.url_for(""), FAST)


def deals(store: Store) -> dict[str, dict[str, Any]]:
    d = store.table("deals").execute()
    return {str(r["deal_id"]): r for r in d.to_dict("records")}


def test_a_first_sync_reads_every_page_of_every_object(
    sf: Store, sforg: Org, httpserver: HTTPServer, tmp_path: Path
) -> None:
    report = sync(sf, connector(httpserver), rejects_dir=tmp_path)
    done = report.by_object()
    assert {k: (o.pages, o.rows_in, o.inserted, o.rejected) for k, o in done.items()} == {
        "Account": (1, 2, 2, 0), "Opportunity": (3, 6, 6, 0), "OpportunityHistory": (3, 5, 5, 0),
        "Task": (2, 3, 3, 0), "Event": (1, 2, 2, 0),
    }  # fmt: skip
    # three pages of opportunities, followed through nextRecordsUrl
    assert sforg.requests.count("/services/data/v61.0/queryAll") == 5
    assert "/services/data/v61.0/queryAll/01gQry4-4" in sforg.requests
    [q] = sforg.soql("Opportunity")
    assert q == (
        "SELECT Id, OwnerId, StageName, Amount, CreatedDate, CloseDate, AccountId, Type, "
        "LeadSource, IsWon, IsClosed, CurrencyIsoCode, SystemModstamp, IsDeleted FROM "
        "Opportunity WHERE IsDeleted = false ORDER BY SystemModstamp, Id"
    )
    assert done["Opportunity"].cursor is not None
    assert done["Opportunity"].cursor.text() == f"2026-03-10T16:20:00Z/{OPP.format(6)}"
    d = deals(sf)
    one = d[OPP.format(1)]
    assert (one["rep_id"], one["status"], one["stage"], one["amount"], one["currency"]) == (
        "R1", "won", "Closed Won", 12000.0, "EUR")  # fmt: skip
    assert (str(one["created_at"]), str(one["closed_at"])[:10]) == (
        "2026-01-05 10:00:00",
        "2026-02-10",
    )
    assert (one["kind"], one["source"], one["account_id"]) == ("new_business", "inbound",
                                                               "0015g00000Acc001AAB")  # fmt: skip
    assert d[OPP.format(3)]["status"] == "open"
    assert d[OPP.format(4)]["amount"] == 9000.5
    assert pd.isna(d[OPP.format(6)]["amount"])  # no amount: null, not 0
    acts = sf.table("activities").execute().set_index("activity_id")
    assert acts.loc["00T5g00000Tsk001AAA", "duration_min"] == 5.0
    assert acts.loc["00T5g00000Tsk002AAA", "type"] == "email"  # TaskSubtype when Type is empty
    assert acts.loc["00U5g00000Evt001AAA", "type"] == "meeting"
    accounts = sf.table("accounts").execute().set_index("account_id")
    assert accounts.loc["0015g00000Acc002AAB", "name"] == "Müller GmbH"
    assert sf.count("deal_stages") == 5
    # the integration user owns nothing and matches no rep: reported, nothing rejected
    assert [o.name for o in report.owners_unmatched] == ["Integration User"]


def test_a_deactivated_owner_keeps_their_deals(
    sf: Store, sforg: Org, httpserver: HTTPServer
) -> None:
    report = sync(sf, connector(httpserver))
    assert report.owners_linked == 2
    aliases = sf.table("rep_aliases").execute().set_index("alias")["rep_id"].to_dict()
    assert aliases == {f"salesforce:{ANN}": "R1", f"salesforce:{BOB}": "R2"}
    bob = sorted(k for k, r in deals(sf).items() if r["rep_id"] == "R2")
    assert bob == [OPP.format(2), OPP.format(4)]


def test_deals_in_two_currencies_keep_their_own(
    sf: Store, sforg: Org, httpserver: HTTPServer
) -> None:
    sync(sf, connector(httpserver))
    per = {}
    for r in deals(sf).values():
        per.setdefault(r["currency"], []).append(r["deal_id"][-6:-3])
    assert {k: sorted(v) for k, v in per.items()} == {"EUR": ["001", "002", "005"],
                                                     "USD": ["003", "004", "006"]}  # fmt: skip


def test_an_org_with_one_currency_gives_its_own_to_every_deal(
    sf: Store, sforg: Org, httpserver: HTTPServer
) -> None:
    sforg.describe = {**sforg.describe, "fields": [f for f in sforg.describe["fields"]
                                                   if f["name"] != "CurrencyIsoCode"]}  # fmt: skip
    for r in sforg.data["Opportunity"]:
        r.pop("CurrencyIsoCode")
    sync(sf, connector(httpserver))
    assert "CurrencyIsoCode" not in sforg.soql("Opportunity")[0]
    assert sforg.soql("Organization") == ["SELECT DefaultCurrencyIsoCode FROM Organization"]
    assert {r["currency"] for r in deals(sf).values()} == {"GBP"}


def test_status_comes_from_the_stage_meaning_and_survives_a_rename(
    sf: Store, sforg: Org, httpserver: HTTPServer
) -> None:
    sync(sf, connector(httpserver))
    assert deals(sf)[OPP.format(5)]["status"] == "won"  # "Signed – Awaiting PO" is closed and won
    # the admin renames "Closed Won" to "Won (signed)": the records now hold the new label
    for s in sforg.whole["OpportunityStage"]["records"]:
        if s["ApiName"] == "Closed Won":
            s["ApiName"] = s["MasterLabel"] = "Won (signed)"
    one = dict(sforg.data["Opportunity"][0], StageName="Won (signed)",
               SystemModstamp="2026-03-20T08:00:00.000+0000")  # fmt: skip
    sforg.change("Opportunity", one)
    sync(sf, connector(httpserver))
    d = deals(sf)[OPP.format(1)]
    assert (d["stage"], d["status"]) == ("Won (signed)", "won")


def test_the_stage_meaning_decides_over_the_record_flags_and_values_are_data_loaders() -> None:
    """IsWon and IsClosed are the stage's (OpportunityStage); the record's own flags count
    only for a stage the org no longer lists. Values are written as Data Loader writes them."""
    from salesperf.sync.salesforce_rows import OBJECTS, row, stages

    opportunity = next(o for o in OBJECTS if o.name == "Opportunity")
    meaning = stages(load("stages.json")["records"])
    rec = dict(records("opportunities_2.json")[0], StageName="Closed Won", IsWon=False)
    r = row(opportunity, rec, meaning, None)
    assert (r["IsWon"], r["IsClosed"], r["StageName"]) == ("true", "true", "Closed Won")
    gone = row(opportunity, dict(rec, StageName="Old stage", IsWon=False), meaning, None)
    assert (gone["IsWon"], gone["IsClosed"]) == ("false", "false")
    assert (r["Amount"], r["CreatedDate"], r["CloseDate"]) == (
        "20000", "2026-02-01T09:00:00.000Z", "2026-06-30")  # fmt: skip
    assert (r["OwnerId"], r["CurrencyIsoCode"]) == (f"salesforce:{ANN}", "USD")
    single = row(
        opportunity, {k: v for k, v in rec.items() if k != "CurrencyIsoCode"}, meaning, "GBP"
    )
    assert single["CurrencyIsoCode"] == "GBP"


def test_an_incremental_sync_reads_from_the_cursor_and_removes_deleted_records(
    sf: Store, sforg: Org, httpserver: HTTPServer
) -> None:
    sync(sf, connector(httpserver))
    gone = dict(sforg.data["Opportunity"][1], IsDeleted=True,
                SystemModstamp="2026-03-21T10:00:00.000+0000")  # fmt: skip
    sforg.change("Opportunity", gone)
    task = dict(
        sforg.data["Task"][2], IsDeleted=True, SystemModstamp="2026-03-21T10:00:00.000+0000"
    )
    sforg.change("Task", task)
    history = sf.table("deal_stages").execute()
    of_gone = int((history["deal_id"] == OPP.format(2)).sum())
    assert of_gone > 0 and len(history) > of_gone
    report = sync(sf, connector(httpserver)).by_object()
    q = sforg.soql("Opportunity")[-1]
    assert q.endswith("FROM Opportunity WHERE SystemModstamp >= 2026-03-10T16:20:00Z "
                      "ORDER BY SystemModstamp, Id")  # fmt: skip
    assert sforg.requests[-1] == "/services/data/v61.0/queryAll"
    # O6 again (changed in the cursor's second: harmless), then O2 from the recycle bin
    assert (report["Opportunity"].rows_in, report["Opportunity"].unchanged) == (1, 1)
    assert (report["Opportunity"].deleted, report["Task"].deleted) == (1, 1)
    assert OPP.format(2) not in deals(sf) and len(deals(sf)) == 5
    assert sf.count("activities") == 4
    # the deleted opportunity's stage history went with it; the others' is left as it was
    left = sf.table("deal_stages").execute()
    assert OPP.format(2) not in set(left["deal_id"]) and len(left) == len(history) - of_gone


@pytest.mark.parametrize("stop", ["server", "interrupted"])
def test_a_sync_stopped_between_pages_goes_on_where_it_stopped(
    sf: Store, sforg: Org, httpserver: HTTPServer, stop: str
) -> None:
    pages: list[str] = []

    def progress(obj: str, rows: int) -> None:
        pages.append(obj)
        if stop == "interrupted" and obj == "Opportunity" and rows == 4:
            raise KeyboardInterrupt

    if stop == "server":
        sforg.first[("Opportunity", 3)] = [answer([{"message": "down", "errorCode": "UNKNOWN"}],
                                                  503) for _ in range(4)]  # fmt: skip
    with pytest.raises(SyncFailed if stop == "server" else KeyboardInterrupt):
        sync(sf, connector(httpserver), on_progress=progress)
    assert sorted(deals(sf)) == [OPP.format(i) for i in (1, 2, 3, 4)]
    sforg.first.clear()
    report = sync(sf, connector(httpserver)).by_object()
    # O4 again (the cursor's second), O5 at that same second, then O6: none lost, none twice
    assert sorted(deals(sf)) == [OPP.format(i) for i in range(1, 7)]
    assert (report["Opportunity"].rows_in, report["Opportunity"].inserted) == (3, 2)
    assert "SystemModstamp >= 2026-03-03T12:00:00Z" in sforg.soql("Opportunity")[-1]
    assert sf.count("deals") == 6


def test_a_429_and_a_500_are_retried(sf: Store, sforg: Org, httpserver: HTTPServer) -> None:
    busy = answer([{"message": "busy", "errorCode": "REQUEST_LIMIT_EXCEEDED"}], 429,
                  {"Retry-After": "0"})  # fmt: skip
    down = answer([{"message": "Internal error", "errorCode": "UNKNOWN_EXCEPTION"}], 500)
    sforg.first[("Opportunity", 2)] = [busy, down]
    report = sync(sf, connector(httpserver)).by_object()
    assert report["Opportunity"].rows_in == 6 and sf.count("deals") == 6
    assert sforg.requests.count("/services/data/v61.0/queryAll/01gQry4-2") == 3


@pytest.mark.parametrize(
    ("status", "code", "says"),
    [
        (401, "INVALID_SESSION_ID", "the access token has expired or was revoked"),
        (403, "REQUEST_LIMIT_EXCEEDED", "used all its API requests for the last 24 hours"),
        (403, "API_CURRENTLY_DISABLED", '"API Enabled", and Read and View All on Account and '),
        (400, "INVALID_TYPE", '"API Enabled", and Read and View All on Account and '),
    ],
)
def test_refusals_say_what_to_do(
    sf: Store, sforg: Org, httpserver: HTTPServer, status: int, code: str, says: str
) -> None:
    said = "sObject type 'Opportunity' is not supported" if code == "INVALID_TYPE" else "No"
    sforg.first[("Opportunity", 2)] = [answer([{"message": said, "errorCode": code}], status)]
    with pytest.raises(SyncRefused) as err:
        sync(sf, connector(httpserver))
    assert says in err.value.text.en and code in err.value.text.en
    assert code in err.value.text.nl and err.value.text.nl != err.value.text.en
    assert sf.count("deals") == 2  # the first page was committed; the next sync goes on from it


def test_an_api_usage_above_90_percent_is_warned(
    sf: Store, sforg: Org, httpserver: HTTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    sforg.limit = "api-usage=13600/15000"
    c = connector(httpserver)
    with caplog.at_level(logging.WARNING, "salesperf.sync.salesforce_api"):
        sync(sf, c)
    assert c.limit_warning == (13600, 15000)
    assert "used 13600 of its 15000 API requests" in caplog.text
    sforg.limit = "api-usage=13500/15000"  # 90% exactly: no warning
    quiet = connector(httpserver)
    sync(sf, quiet)
    assert quiet.limit_warning is None


def test_the_client_credentials_flow_gets_a_token(
    sf: Store, sforg: Org, httpserver: HTTPServer
) -> None:
    c = connector(httpserver, client_id="3MVG9abc", client_secret="s3cr3t")
    sync(sf, c)
    assert sforg.tokens == [{"grant_type": "client_credentials", "client_id": "3MVG9abc",
                             "client_secret": "s3cr3t"}]  # fmt: skip
    assert sf.count("deals") == 6


def test_bad_client_credentials_are_refused(sf: Store, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/services/oauth2/token", method="POST").respond_with_response(
        answer({"error": "invalid_client", "error_description": "invalid client credentials"}, 400)
    )
    with pytest.raises(SyncRefused, match="SALESPERF_SALESFORCE_CLIENT_SECRET"):
        sync(sf, connector(httpserver, client_id="3MVG9abc", client_secret="wrong"))


@pytest.mark.parametrize(
    ("creds", "says"),
    [
        ({}, "SALESPERF_SALESFORCE_CLIENT_ID and SALESPERF_SALESFORCE_CLIENT_SECRET is not set"),
        ({"client_id": "3MVG9abc"}, "(SALESPERF_SALESFORCE_CLIENT_SECRET is not set)"),
        ({"access_token": "x", "api_version": "latest"}, "takes a version such as v61.0"),
    ],
)
def test_incomplete_credentials_are_refused(creds: dict[str, str], says: str) -> None:
    with pytest.raises(SyncRefused) as err:
        connect({"instance_url": INSTANCE, **creds}, None, FAST)
    assert says in err.value.text.en


def test_a_full_sync_removes_what_the_org_no_longer_has(
    sf: Store, sforg: Org, httpserver: HTTPServer
) -> None:
    sync(sf, connector(httpserver))
    sforg.purge("Opportunity", OPP.format(3))
    sforg.purge("Task", "00T5g00000Tsk003AAA")
    report = sync(sf, connector(httpserver), full=True).by_object()
    assert report["Opportunity"].deleted == 1
    assert sorted(deals(sf)) == [OPP.format(i) for i in (1, 2, 4, 5, 6)]
    # tasks and events share the table: neither removes the other's, the purged task goes
    assert sorted(sf.table("activities").execute()["activity_id"]) == [
        "00T5g00000Tsk001AAA",
        "00T5g00000Tsk002AAA",
        "00U5g00000Evt001AAA",
        "00U5g00000Evt002AAA",
    ]
    assert (report["Task"].deleted, report["Event"].deleted) == (0, 1)


def test_a_dry_run_writes_nothing(sf: Store, sforg: Org, httpserver: HTTPServer) -> None:
    report = sync(sf, connector(httpserver), dry_run=True)
    assert report.by_object()["Opportunity"].rows_in == 6
    assert report.owners_linked == 2
    assert sf.count("deals") == sf.count("activities") == sf.count("rep_aliases") == 0
    sync(sf, connector(httpserver))
    sforg.purge("Opportunity", OPP.format(3))
    sforg.change("Opportunity", dict(sforg.data["Opportunity"][0], Amount=1.0,
                                     SystemModstamp="2026-03-20T08:00:00.000+0000"))  # fmt: skip
    checked = sync(sf, connector(httpserver), dry_run=True, full=True).by_object()["Opportunity"]
    assert (checked.rows_in, checked.rejected) == (5, 0)
    assert sorted(deals(sf)) == [OPP.format(i) for i in range(1, 7)]
    assert deals(sf)[OPP.format(1)]["amount"] == 12000.0


# -- the same records as Data Loader files ---------------------------------------------------


def data_loader(path: Path, rows: list[dict[str, Any]]) -> Path:
    """Records written as Data Loader writes them: every field, true/false, times in UTC with
    a Z, numbers as Java prints a double, empty for null."""

    def cell(v: Any) -> str:
        if v is None:
            return ""
        if isinstance(v, bool):
            return str(v).lower()
        if isinstance(v, str) and v.endswith("+0000"):
            return v[:-5] + "Z"
        return str(float(v)) if isinstance(v, float) else str(v)

    names = [k for k in rows[0] if k != "attributes"]
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(names)
        w.writerows([cell(r.get(n)) for n in names] for r in rows)
    return path


@pytest.mark.slow
def test_the_scorecard_after_a_sync_equals_the_one_after_a_data_loader_export(
    sf: Store, sforg: Org, httpserver: HTTPServer, tmp_path: Path, write: Callable[..., Path]
) -> None:
    sync(sf, connector(httpserver))
    other = with_reps(Store.open(tmp_path / "export.duckdb"), write)
    # the export names owners by their user id: the administrator adds them as aliases
    other.merge_rows("rep_aliases", [{"alias": ANN, "rep_id": "R1", "source": "salesforce"},
                                     {"alias": BOB, "rep_id": "R2", "source": "salesforce"}])  # fmt: skip
    files = [
        ("accounts", "Account.csv", "salesforce-api-accounts", ["accounts.json"]),
        ("deals", "Opportunity.csv", "salesforce-api-opportunities",
         ["opportunities_1.json", "opportunities_2.json", "opportunities_3.json"]),
        ("deal_stages", "OpportunityHistory.csv", "salesforce-api-opportunity-history",
         ["opportunity_history.json"]),
        ("activities", "Task.csv", "salesforce-api-tasks", ["tasks.json"]),
        ("activities", "Event.csv", "salesforce-api-events", ["events.json"]),
    ]  # fmt: skip
    for table, name, preset, sources in files:
        path = data_loader(tmp_path / name, records(*sources))
        r = import_file(other, table, path, preset_name=preset, rejects_path=tmp_path / "r.csv")
        assert r.rejected == 0, r.problems
    for table in ("accounts", "deals", "deal_stages", "activities"):
        assert sf.count(table) == other.count(table), table
    synced = scorecard(sf, period="2026-Q1", today=date(2026, 4, 15)).to_json()
    exported = scorecard(other, period="2026-Q1", today=date(2026, 4, 15)).to_json()
    other.close()
    assert synced == exported
    ann = next(r for r in synced["rows"] if r["key"] == "R1")["values"]
    bob = next(r for r in synced["rows"] if r["key"] == "R2")["values"]
    assert (ann["deals_won"]["value"], bob["deals_won"]["value"]) == (2, 1)
    assert (ann["win_rate"]["value"], bob["win_rate"]["value"]) == (pytest.approx(2 / 3), 0.5)


@pytest.mark.slow
def test_the_command_syncs_with_credentials_from_the_environment(
    sf: Store, sforg: Org, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = str(sf.path)
    sf.close()
    monkeypatch.setenv("SALESPERF_SALESFORCE_INSTANCE_URL", INSTANCE)
    monkeypatch.setenv("SALESPERF_SALESFORCE_CLIENT_ID", "3MVG9abc")
    monkeypatch.setenv("SALESPERF_SALESFORCE_CLIENT_SECRET", "s3cr3t")
    result = CliRunner().invoke(
        app, ["sync", "salesforce", "--base-url", httpserver.url_for(""), "--store", path]
    )
    assert result.exit_code == 0, result.output
    assert "s3cr3t" not in result.output
    cells = [[c.strip() for c in x.split("│")[1:-1]] for x in result.output.splitlines()
             if x.startswith("│")]  # fmt: skip
    assert next(c for c in cells if c[1] == "deals")[2:4] == ["6", "6"]  # rows in, new
    assert "Integration User (0055g00000IntegAAA) matches no rep" in result.output
    assert sforg.tokens[0]["client_id"] == "3MVG9abc"
    with Store.open(path) as again:
        assert again.count("deals") == 6


def test_no_credentials_in_the_environment_is_refused_by_the_command(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SALESPERF_SALESFORCE_INSTANCE_URL", INSTANCE)
    for name in ("CLIENT_ID", "CLIENT_SECRET", "ACCESS_TOKEN"):
        monkeypatch.delenv(f"SALESPERF_SALESFORCE_{name}", raising=False)
    result = CliRunner().invoke(app, ["sync", "salesforce", "--store", str(tmp_path / "s.db")])
    assert result.exit_code != 0
    assert "SALESPERF_SALESFORCE_ACCESS_TOKEN" in result.output
