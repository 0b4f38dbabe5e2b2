"""The CRM presets: each reads a small export with that CRM's real header into canonical rows."""

# The exports below keep their lines whole, as the CRMs write them.

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from salesperf.ingest.importer import ImportResult, import_file
from salesperf.ingest.source import FileRefused
from salesperf.metrics.periods import date_only
from salesperf.store import Store

TEAMS = "team_id,name,parent_team_id\nORG,Acme Inc.,\nSALES,Sales,ORG\n"
REPS = "rep_id,name,team_id,role\nAnn Smith,Ann Smith,SALES,rep\nBob Jones,Bob Jones,SALES,rep\n"


@pytest.fixture
def crm(tmp_path: Path) -> Iterator[Store]:
    """A fresh store whose reps carry the owner names the CRMs write (Ann Smith, Bob Jones)."""
    store = Store.open(tmp_path / "s.duckdb")
    for table, text in (("teams", TEAMS), ("reps", REPS)):
        path = tmp_path / f"{table}.csv"
        path.write_text(text, encoding="utf-8")
        assert import_file(store, table, path, preset_name="generic").inserted == 2
    yield store
    store.close()


def run(store: Store, tmp_path: Path, table: str, preset: str, text: str) -> ImportResult:
    """Import `text` as a CSV export through the preset."""
    path = tmp_path / f"{preset}-{table}.csv"
    path.write_text(text, encoding="utf-8")
    return import_file(
        store, table, path, preset_name=preset, rejects_path=tmp_path / "rejects.csv"
    )


def rows(store: Store, table: str, key: str) -> pd.DataFrame:
    """The stored table, indexed by its id."""
    return store.table(table).execute().set_index(key)


def rejected(result: ImportResult) -> set[tuple[int, str, str]]:
    """(line, column, rule) of every problem."""
    return {(p.line, p.column, p.rule) for p in result.problems}


def ts(text: str) -> pd.Timestamp:
    """A stored timestamp (naive UTC; the test store's time zone is UTC)."""
    return pd.Timestamp(text)


def day(text: str) -> pd.Timestamp:
    """A stored date-only value: its day at the date-only mark (see periods.date_only)."""
    return pd.Timestamp(date_only(date.fromisoformat(text)))


def col(frame: pd.DataFrame, name: str) -> dict[str, object]:
    """One column by id, with missing values as None."""
    series = frame[name].astype(object)
    return series.where(series.notna(), None).to_dict()


HUBSPOT_DEALS = """\
Record ID,Deal Name,Deal Stage,Close Date,Deal owner,Amount,Create Date,Pipeline,Deal Type,Closed Lost Reason,Currency
15732441001,Acme Corp - annual licence,Closed Won,2024-03-28 17:05,Ann Smith,12000,2024-01-15 09:30,Sales Pipeline,New Business,,EUR
15732441002,Globex - 20 seats,Closed Lost,2024-02-20 11:00,Bob Jones,4500.50,2024-01-20 14:10,Sales Pipeline,Existing Business,Went with a competitor,EUR
15732441003,Initech - pilot,Contract Sent,2024-06-30 00:00,Ann Smith,8000,2024-03-01 10:00,Sales Pipeline,New Business,,EUR
15732441004,Umbrella - renewal,Closed Won,,Bob Jones,3000,2024-02-01 08:00,Sales Pipeline,Existing Business,,EUR
15732441005,Hooli - expansion,Appointment Scheduled,2024-07-31 00:00,Bob Jones,,2024-03-10 16:45,Sales Pipeline,,,EUR
15732441006,Stark - US office,Closed Won,2024-03-15 12:00,Ann Smith,9000,2024-02-10 09:00,Sales Pipeline,New Business,,USD
"""


@pytest.mark.slow
def test_hubspot_deals(crm: Store, tmp_path: Path) -> None:
    r = run(crm, tmp_path, "deals", "hubspot", HUBSPOT_DEALS)
    assert (r.rows_read, r.inserted, r.rejected) == (6, 5, 1)
    # a won deal without close date; a deal in another currency keeps its currency
    assert rejected(r) == {(5, "closed_at", "closed_without_date")}
    d = rows(crm, "deals", "deal_id")
    assert sorted(d.index) == [
        "15732441001", "15732441002", "15732441003", "15732441005", "15732441006"
    ]  # fmt: skip
    assert col(d, "status") == {
        "15732441001": "won",
        "15732441002": "lost",
        "15732441003": "open",
        "15732441005": "open",
        "15732441006": "won",
    }
    assert col(d, "currency") == {
        "15732441001": "EUR",
        "15732441002": "EUR",
        "15732441003": "EUR",
        "15732441005": "EUR",
        "15732441006": "USD",
    }
    assert d.loc["15732441001", "stage"] == "Closed Won"
    assert d.loc["15732441003", "stage"] == "Contract Sent"
    assert d.loc["15732441001", "rep_id"] == "Ann Smith"
    assert d.loc["15732441001", "amount"] == 12000.0
    assert d.loc["15732441002", "amount"] == 4500.5
    assert pd.isna(d.loc["15732441005", "amount"])
    assert d.loc["15732441001", "created_at"] == ts("2024-01-15 09:30")
    assert d.loc["15732441001", "closed_at"] == ts("2024-03-28 17:05")
    assert d.loc["15732441002", "closed_at"] == ts("2024-02-20 11:00")
    # an open deal keeps HubSpot's expected close date as given
    assert d.loc["15732441003", "closed_at"] == ts("2024-06-30")
    assert d.loc["15732441001", "kind"] == "new_business"
    assert d.loc["15732441002", "kind"] == "existing_business"
    assert d.loc["15732441002", "lost_reason"] == "Went with a competitor"
    assert d["source"].isna().all()
    assert "Deal Name" in r.ignored_columns


HUBSPOT_ACTIVITIES = """\
Record ID,Activity type,Activity date,Activity assigned to,Call title,Call outcome,Meeting outcome,Call duration
48210001,Call,2024-03-04 10:15,Ann Smith,Intro call,Connected,,183000
48210002,Call,2024-03-04 10:40,Ann Smith,Follow-up call,No answer,,0
48210003,Call,2024-03-05 09:00,Bob Jones,Discovery,Left voicemail,,31000
48210004,Meeting,2024-03-06 14:00,Bob Jones,,,Completed,
48210005,Meeting,2024-03-07 15:30,Ann Smith,,,No show,
48210006,Email,2024-03-07 16:02,Ann Smith,,,,
48210007,Task,2024-03-08 09:00,Bob Jones,,,,
48210008,Call,,Ann Smith,Lost timestamp,Connected,,60000
48210009,Call,2024-03-08 11:00,Carl Black,Cold call,Busy,,0
"""


def test_hubspot_activities(crm: Store, tmp_path: Path) -> None:
    r = run(crm, tmp_path, "activities", "hubspot", HUBSPOT_ACTIVITIES)
    assert (r.rows_read, r.inserted, r.rejected) == (9, 7, 2)
    assert rejected(r) == {
        (9, "occurred_at", "required"),
        (10, "rep_id", "unknown_reference"),
    }
    a = rows(crm, "activities", "activity_id")
    assert col(a, "type") == {
        "48210001": "call",
        "48210002": "call",
        "48210003": "call",
        "48210004": "meeting",
        "48210005": "meeting",
        "48210006": "email",
        "48210007": "other",
    }
    assert col(a, "outcome") == {
        "48210001": "connected",
        "48210002": "no_answer",
        "48210003": "voicemail",
        "48210004": "held",
        "48210005": "no_show",
        "48210006": None,
        "48210007": None,
    }
    assert a.loc["48210001", "occurred_at"] == ts("2024-03-04 10:15")
    assert a.loc["48210004", "rep_id"] == "Bob Jones"
    # HubSpot's call duration is in milliseconds: converted to minutes
    assert col(a, "duration_min") == {
        "48210001": pytest.approx(3.05),
        "48210002": 0.0,
        "48210003": pytest.approx(31000 / 60000),
        "48210004": None,
        "48210005": None,
        "48210006": None,
        "48210007": None,
    }


SALESFORCE_DEALS = """\
Opportunity Owner,Account Name,Opportunity Name,Stage,Fiscal Period,Amount,Probability (%),Age,Close Date,Created Date,Next Step,Lead Source,Type,Opportunity ID
Ann Smith,Acme Corp,Acme - annual licence,Closed Won,Q1-2024,"12,500.00",100,45,3/28/2024,2/12/2024,,Web,New Customer,0065g00000AbCdEAA1
Bob Jones,Globex,Globex - upgrade,Closed Lost,Q1-2024,"4,000.00",0,46,1/5/2024,11/20/2023,,Purchased List,Existing Customer - Upgrade,0065g00000AbCdEAA2
Ann Smith,Initech,Initech - pilot,Negotiation/Review,Q2-2024,"20,000.00",90,30,6/30/2024,3/1/2024,Send contract,Partner Referral,New Customer,0065g00000AbCdEAA3
Bob Jones,Umbrella,Umbrella - renewal,Closed Won,Q1-2024,"3,000.00",100,20,28/03/2024,3/8/2024,,Trade Show,Existing Customer - Replacement,0065g00000AbCdEAA4
Bob Jones,Hooli,Hooli - expansion,Prospecting,Q3-2024,"7,250.00",10,5,9/30/2024,3/20/2024,,Other,,0065g00000AbCdEAA5
"""


def test_salesforce_deals(crm: Store, tmp_path: Path) -> None:
    r = run(crm, tmp_path, "deals", "salesforce", SALESFORCE_DEALS)
    assert (r.rows_read, r.inserted, r.rejected) == (5, 4, 1)
    # a day-first date in a US-locale export is not a date
    assert rejected(r) == {(5, "closed_at", "not_a_date")}
    assert r.problems[0].value == "28/03/2024"
    d = rows(crm, "deals", "deal_id")
    assert col(d, "status") == {
        "0065g00000AbCdEAA1": "won",
        "0065g00000AbCdEAA2": "lost",
        "0065g00000AbCdEAA3": "open",
        "0065g00000AbCdEAA5": "open",
    }
    assert d.loc["0065g00000AbCdEAA3", "stage"] == "Negotiation/Review"
    assert col(d, "amount") == {
        "0065g00000AbCdEAA1": 12500.0,
        "0065g00000AbCdEAA2": 4000.0,
        "0065g00000AbCdEAA3": 20000.0,
        "0065g00000AbCdEAA5": 7250.0,
    }
    assert d.loc["0065g00000AbCdEAA1", "created_at"] == day("2024-02-12")
    assert d.loc["0065g00000AbCdEAA1", "closed_at"] == day("2024-03-28")
    assert d.loc["0065g00000AbCdEAA2", "created_at"] == day("2023-11-20")
    assert d.loc["0065g00000AbCdEAA2", "closed_at"] == day("2024-01-05")
    assert col(d, "source") == {
        "0065g00000AbCdEAA1": "inbound",
        "0065g00000AbCdEAA2": "outbound",
        "0065g00000AbCdEAA3": "partner",
        "0065g00000AbCdEAA5": "other",
    }
    assert d.loc["0065g00000AbCdEAA1", "kind"] == "new_business"
    assert d.loc["0065g00000AbCdEAA2", "kind"] == "existing_business"
    assert pd.isna(d.loc["0065g00000AbCdEAA5", "kind"])
    assert d.loc["0065g00000AbCdEAA2", "rep_id"] == "Bob Jones"


SALESFORCE_ACTIVITIES = """\
Assigned,Subject,Date,Task,Type,Status,Priority,Activity ID,Call Result,Call Duration
Ann Smith,Call,3/4/2024,1,Call,Completed,Normal,00T5g00000Ab1AAA,Left message,75
Ann Smith,Demo with Acme,3/5/2024,0,Meeting,,,00U5g00000Cd2BBB,,
Bob Jones,Send proposal,3/8/2024,1,Email,Not Started,High,00T5g00000Ab3CCC,,
Bob Jones,Check in later,3/9/2024,1,Other,Deferred,Low,00T5g00000Ab4DDD,,
Ann Smith,Follow up,3/11/2024,1,,In Progress,Normal,00T5g00000Ab5EEE,,
"""


@pytest.mark.slow
def test_salesforce_activities(crm: Store, tmp_path: Path) -> None:
    r = run(crm, tmp_path, "activities", "salesforce", SALESFORCE_ACTIVITIES)
    assert (r.rows_read, r.inserted, r.rejected) == (5, 4, 1)
    # a task without a Type cannot be counted as any kind of activity
    assert rejected(r) == {(6, "type", "required")}
    a = rows(crm, "activities", "activity_id")
    assert col(a, "type") == {
        "00T5g00000Ab1AAA": "call",
        "00U5g00000Cd2BBB": "meeting",
        "00T5g00000Ab3CCC": "email",
        "00T5g00000Ab4DDD": "other",
    }
    assert col(a, "outcome") == {
        "00T5g00000Ab1AAA": "completed",
        "00U5g00000Cd2BBB": None,
        "00T5g00000Ab3CCC": "scheduled",
        "00T5g00000Ab4DDD": "other",
    }
    assert a.loc["00T5g00000Ab1AAA", "occurred_at"] == day("2024-03-04")
    assert a.loc["00T5g00000Ab4DDD", "occurred_at"] == day("2024-03-09")
    assert a.loc["00T5g00000Ab3CCC", "rep_id"] == "Bob Jones"
    # Call Duration is in seconds: converted to minutes
    assert col(a, "duration_min") == {
        "00T5g00000Ab1AAA": 1.25,
        "00U5g00000Cd2BBB": None,
        "00T5g00000Ab3CCC": None,
        "00T5g00000Ab4DDD": None,
    }


PIPEDRIVE_DEALS = """\
Deal - ID,Deal - Title,Deal - Creator,Deal - Owner,Deal - Value,Deal - Currency,Deal - Organization,Deal - Pipeline,Deal - Stage,Deal - Status,Deal - Deal created,Deal - Won time,Deal - Lost time,Deal - Lost reason,Deal - Expected close date
101,Acme deal,Ann Smith,Ann Smith,12000,EUR,Acme Corp,Pipeline,Negotiations Started,Won,2024-01-15 09:30:00,2024-03-28 16:20:05,,,2024-03-31
102,Globex deal,Bob Jones,Bob Jones,4500.5,EUR,Globex,Pipeline,Proposal Made,Lost,2024-01-20 14:10:00,,2024-02-20 11:00:00,Price too high,2024-02-28
103,Initech deal,Ann Smith,Ann Smith,8000,EUR,Initech,Pipeline,Contact Made,Open,2024-03-01 10:00:00,,,,2024-06-30
104,Umbrella deal,Bob Jones,Bob Jones,3000,EUR,Umbrella,Pipeline,Negotiations Started,Won,2024-02-01 08:00:00,,,,2024-03-15
105,Hooli deal,Bob Jones,Bob Jones,2500,EUR,Hooli,Pipeline,Qualified,Deleted,2024-02-05 08:00:00,,,,
"""


@pytest.mark.slow
def test_pipedrive_deals(crm: Store, tmp_path: Path) -> None:
    r = run(crm, tmp_path, "deals", "pipedrive", PIPEDRIVE_DEALS)
    assert (r.rows_read, r.inserted, r.rejected) == (5, 3, 2)
    assert rejected(r) == {
        (5, "closed_at", "closed_without_date"),
        (6, "status", "unknown_word"),
    }
    d = rows(crm, "deals", "deal_id")
    assert col(d, "status") == {"101": "won", "102": "lost", "103": "open"}
    assert col(d, "stage") == {
        "101": "Negotiations Started",
        "102": "Proposal Made",
        "103": "Contact Made",
    }
    assert col(d, "amount") == {"101": 12000.0, "102": 4500.5, "103": 8000.0}
    assert d.loc["101", "created_at"] == ts("2024-01-15 09:30:00")
    # the close date is the won time for won deals and the lost time for lost ones
    assert d.loc["101", "closed_at"] == ts("2024-03-28 16:20:05")
    assert d.loc["102", "closed_at"] == ts("2024-02-20 11:00:00")
    assert pd.isna(d.loc["103", "closed_at"])
    assert d.loc["102", "lost_reason"] == "Price too high"
    assert d.loc["102", "rep_id"] == "Bob Jones"


@pytest.mark.slow
def test_pipedrive_deals_keep_their_currency(crm: Store, tmp_path: Path) -> None:
    text = PIPEDRIVE_DEALS.splitlines()[0] + "\n" + PIPEDRIVE_DEALS.splitlines()[1]
    r = run(crm, tmp_path, "deals", "pipedrive", text.replace(",EUR,", ",USD,") + "\n")
    assert (r.inserted, r.rejected) == (1, 0)
    assert col(rows(crm, "deals", "deal_id"), "currency") == {"101": "USD"}


PIPEDRIVE_ACTIVITIES = """\
Activity - ID,Activity - Subject,Activity - Type,Activity - Assigned to user,Activity - Done,Activity - Due date,Activity - Due time,Activity - Duration,Activity - Deal,Deal - ID
9001,Intro call,Call,Ann Smith,Done,2024-03-04,10:00,00:15,Acme deal,101
9002,Lunch with the CFO,Lunch,Bob Jones,To do,2024-03-20,12:30,01:30,Globex deal,102
9003,Send the quote,Email,Ann Smith,Done,2024-03-05,,,Acme deal,101
9004,Contract deadline,Deadline,Bob Jones,To do,2024-03-29,,,,
9005,Demo,Meeting,Ann Smith,Done,2024-03-06,14:00,01:00,Initech deal,103
9006,Call back,Call,Bob Jones,To do,,,,Globex deal,102
"""


@pytest.mark.slow
def test_pipedrive_activities(crm: Store, tmp_path: Path) -> None:
    r = run(crm, tmp_path, "activities", "pipedrive", PIPEDRIVE_ACTIVITIES)
    assert (r.rows_read, r.inserted, r.rejected) == (6, 5, 1)
    assert rejected(r) == {(7, "occurred_at", "required")}
    a = rows(crm, "activities", "activity_id")
    assert col(a, "type") == {
        "9001": "call",
        "9002": "meeting",
        "9003": "email",
        "9004": "other",
        "9005": "meeting",
    }
    assert col(a, "outcome") == {
        "9001": "completed",
        "9002": "scheduled",
        "9003": "completed",
        "9004": "scheduled",
        "9005": "completed",
    }
    assert a.loc["9001", "occurred_at"] == day("2024-03-04")
    assert a.loc["9002", "rep_id"] == "Bob Jones"
    # the related deal's "Deal - ID" column links the activity to its deal
    assert col(a, "deal_id") == {
        "9001": "101",
        "9002": "102",
        "9003": "101",
        "9004": None,
        "9005": "103",
    }
    # Activity - Duration is HH:MM: converted to minutes
    assert col(a, "duration_min") == {
        "9001": 15.0,
        "9002": 90.0,
        "9003": None,
        "9004": None,
        "9005": 60.0,
    }


@pytest.mark.slow
def test_rejected_rows_are_kept_in_the_store(crm: Store, tmp_path: Path) -> None:
    r = run(crm, tmp_path, "deals", "hubspot", HUBSPOT_DEALS)
    kept = crm.table("salesperf_rejects").execute()
    kept = kept[kept["import_id"] == r.import_id]
    assert sorted(zip(kept["line"], kept["rule"], strict=True)) == [(5, "closed_without_date")]
    raw = json.loads(kept.loc[kept["line"] == 5, "raw_row"].iloc[0])
    assert raw["Deal Name"] == "Umbrella - renewal" and raw["Deal Stage"] == "Closed Won"


def test_an_unmapped_stage_is_never_silently_open(crm: Store, tmp_path: Path) -> None:
    """A renamed closing stage without probability or flags is not taken as open."""
    text = HUBSPOT_DEALS.replace("Closed Won,2024-03-28", "Closed: won,2024-03-28")
    # an import that stops on unmapped status values is fine too
    with contextlib.suppress(FileRefused):
        run(crm, tmp_path, "deals", "hubspot", text)
    d = rows(crm, "deals", "deal_id")
    assert "15732441001" not in d.index


def test_a_value_map_of_only_a_default_maps_every_value(crm: Store, tmp_path: Path) -> None:
    """[values.kind] with only "*" gives every filled value the default (it was a traceback)."""
    path = tmp_path / "map.toml"
    path.write_text('[values.kind]\n"*" = "renewal"\n', encoding="utf-8")
    data = tmp_path / "deals.csv"
    data.write_text(
        "deal_id,rep_id,created_at,status,kind\nD1,Ann Smith,2024-01-01,open,new\n"
        "D2,Ann Smith,2024-01-01,open,\n",
        encoding="utf-8",
    )
    r = import_file(crm, "deals", data, mapping_file=path, rejects_path=tmp_path / "r.csv")
    assert r.inserted == 2
    assert col(rows(crm, "deals", "deal_id"), "kind") == {"D1": "renewal", "D2": None}


@pytest.mark.slow
def test_status_flags_that_cannot_be_read_reject_the_row(crm: Store, tmp_path: Path) -> None:
    path = tmp_path / "map.toml"
    path.write_text('table = "deals"\n[status]\nwon = "IsWon"\nclosed = "IsClosed"\n')
    data = tmp_path / "deals.csv"
    data.write_text(
        "deal_id,rep_id,created_at,closed_at,IsWon,IsClosed\n"
        "D1,Ann Smith,2024-01-01,2024-02-01,TRUE,True\n"
        "D2,Ann Smith,2024-01-01,2024-02-01,no,YES\n"
        "D3,Ann Smith,2024-01-01,2024-02-01,0,0\n"
        "D4,Ann Smith,2024-01-01,2024-02-01,maybe,1\n",
        encoding="utf-8",
    )
    r = import_file(crm, "deals", data, mapping_file=path, rejects_path=tmp_path / "r.csv")
    assert rejected(r) == {(5, "status", "unknown_word")}
    assert "IsWon=maybe" in r.problems[0].message
    assert col(rows(crm, "deals", "deal_id"), "status") == {"D1": "won", "D2": "lost", "D3": "open"}
