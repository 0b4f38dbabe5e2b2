"""Every rule of the data model: a bad row per rule, its message, and that it was not written."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from salesperf.ingest.importer import import_file
from salesperf.store import Store

#: Each test that asks for a store runs on DuckDB and on PostgreSQL (tests/conftest.py).
STORE_ENGINES = ("duckdb", "postgres")

DEAL_HEAD = "deal_id,rep_id,created_at,status,amount,closed_at\n"
GOOD_DEAL = "D1,R1,2025-01-06,won,1000,2025-02-03\n"

# table, file text (line 2 is good, line 3 breaks the rule), column, rule, words in the message
CASES = [
    ("deals", DEAL_HEAD + GOOD_DEAL + "D2,,2025-01-06,open,10,\n",
     "rep_id", "required", "rep_id is empty, and every deal needs one"),
    ("deals", DEAL_HEAD + GOOD_DEAL + "D2,R1,2025-01-06,open,ten,\n",
     "amount", "not_a_number", "'ten' is not a number"),
    ("deals", DEAL_HEAD + GOOD_DEAL + "D2,R1,2025-13-45,open,10,\n",
     "created_at", "not_a_date", "'2025-13-45' is not a date"),
    ("reps", "rep_id,name,team_id,role\nR8,Xi,T1,rep\nR9,Yo,T1,boss\n",
     "role", "unknown_word", "'boss' is not a known role; use one of: rep, manager"),
    ("deals", DEAL_HEAD + GOOD_DEAL + "D2,R1,2025-01-06,open,-5,\n",
     "amount", "negative", "amount is -5; it cannot be negative"),
    ("deals", DEAL_HEAD + GOOD_DEAL + "D2,R9,2025-01-06,open,10,\n",
     "rep_id", "unknown_reference", "rep 'R9' is not known"),
    ("deals", DEAL_HEAD + GOOD_DEAL + "D2,R1,2025-01-06,won,10,\n",
     "closed_at", "closed_without_date", "the deal is won but has no close date"),
    ("deals", DEAL_HEAD + GOOD_DEAL + "D2,R1,2025-03-01,lost,10,2025-02-01\n",
     "closed_at", "closed_before_created",
     "the deal is lost, closed on 2025-02-01, before it was created on 2025-03-01"),
    ("deals", DEAL_HEAD + GOOD_DEAL + "D1,R2,2025-01-06,open,10,\n",
     "deal_id", "duplicate_id", "deal_id D1 appears more than once in the file; the row on line 2 was kept"),
    ("deals", "deal_id,rep_id,created_at,status,amount,closed_at,currency\n"
     "D1,R1,2025-01-06,won,1000,2025-02-03,EUR\nD2,R1,2025-01-06,won,10,2025-02-03,US$\n",
     "currency", "unknown_currency", "'US$' is not a currency code; use the three letters of ISO 4217"),
    ("deals", DEAL_HEAD + GOOD_DEAL + "D\x002,R1,2025-01-06,open,10,\n",
     "deal_id", "control_character",
     "deal_id holds an invisible control character (such as a NUL byte) at character 2"),
    ("deals", "deal_id,rep_id,created_at,status,amount,closed_at,currency\n"
     "D1,R1,2025-01-06,won,1000,2025-02-03,USD\nD2,R1,2025-01-06,won,10,2025-02-03,XTS\n",
     "currency", "no_rate", "there is no exchange rate from XTS to EUR on or before 2025-01-06"),
    ("activities", "activity_id,rep_id,type,occurred_at\nA1,R1,call,2025-01-06 10:00\n"
     "A2,R1,call,0001-01-01\n",
     "occurred_at", "date_out_of_range", "occurred_at 0001-01-01 lies outside the accepted dates"),
    ("activities", "activity_id,rep_id,type,occurred_at\nA1,R1,call,2025-01-06 10:00\n"
     f"{'A' * 256},R1,call,2025-01-06 11:00\n",
     "activity_id", "too_long", "activity_id is 256 characters long; at most 255 are taken"),
    ("activities", "activity_id,rep_id,type,occurred_at\nA1,R1,call,2025-01-06 10:00\n"
     "A2,R1,telepathy,2025-01-06 11:00\n",
     "type", "unknown_word", "'telepathy' is not a known type"),
    ("activities", "activity_id,rep_id,type,occurred_at,duration_min\n"
     "A1,R1,call,2025-01-06 10:00,5\nA2,R1,call,2025-01-06 11:00,-3\n",
     "duration_min", "negative", "duration_min is -3"),
    ("reps", "rep_id,name,team_id,start_date,end_date\nR7,Eve,T1,2024-01-01,\n"
     "R8,Fay,T1,2024-05-01,2024-02-01\n",
     "end_date", "end_before_start", "the end date 2024-02-01 lies before the start date 2024-05-01"),
    ("reps", "rep_id,name,team_id\nR7,Eve,T1\nR8,Fay,T9\n",
     "team_id", "unknown_reference", "team 'T9' is not known"),
    ("surveys", "response_id,responded_at,scale,score\nS1,2025-01-06,csat5,5\nS2,2025-01-06,csat5,6\n",
     "score", "score_out_of_scale", "score 6 is outside the csat5 scale (1-5)"),
    ("surveys", "response_id,responded_at,scale,score\nS1,2025-01-06,nps10,9\nS2,2025-01-06,nps10,4.5\n",
     "score", "not_a_whole_number", "'4.5' is not a whole number"),
    ("targets", "scope,scope_id,metric,period_start,period_end,value\n"
     "rep,R1,revenue_won,2025-01-01,2025-03-31,50000\nrep,R1,happiness,2025-01-01,2025-03-31,5\n",
     "metric", "unknown_metric", "'happiness' is not a metric"),
    ("targets", "scope,scope_id,metric,period_start,period_end,value\n"
     "rep,R1,activities:demo,2025-01-01,2025-03-31,40\nteam,T7,revenue_won,2025-01-01,2025-03-31,5\n",
     "scope_id", "unknown_reference", "team 'T7' is not known"),
    ("targets", "scope,scope_id,metric,period_start,period_end,value\n"
     "org,ORG,revenue_won,2025-01-01,2025-03-31,900\norg,ORG,revenue_won,2025-04-01,2025-03-31,5\n",
     "period_end", "end_before_start", "the period ends on 2025-03-31, before it starts on 2025-04-01"),
    ("absences", "rep_id,date\nR1,2025-01-06\nR1,06/01/2025\n",
     "date", "not_a_date", "'06/01/2025' is not a date"),
    ("leads", "lead_id,created_at,source\nL1,2025-01-06,referral\nL2,2025-01-06,carrier pigeon\n",
     "source", "unknown_word", "'carrier pigeon' is not a known source"),
    ("deal_stages", "deal_id,stage,entered_at\nD1,demo,2025-01-10\nD9,demo,2025-01-10\n",
     "deal_id", "unknown_reference", "deal 'D9' is not known"),
    ("deals", DEAL_HEAD + GOOD_DEAL + "D2,R1,2025-01-06,open,10,,surplus\n",
     "", "malformed_line", "the line does not split into the header's columns"),
]  # fmt: skip


def _ids(case: tuple[str, ...]) -> str:
    return f"{case[0]}-{case[3]}-{case[2]}"


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
@pytest.mark.slow
def test_each_rule_rejects_its_row_and_keeps_the_rest(
    store: Store, write: Callable[..., Path], tmp_path: Path, case: tuple[str, ...]
) -> None:
    table, text, column, rule, words = case
    if table == "deal_stages":
        import_file(store, "deals", write("d.csv", DEAL_HEAD + GOOD_DEAL))
    before = store.count(table)
    result = import_file(store, table, write(f"{table}.csv", text))

    assert result.rejected == 1
    assert result.accepted == 1
    [problem] = result.problems
    assert (problem.line, problem.column, problem.rule) == (3, column, rule)
    assert words in problem.message
    assert store.count(table) == before + 1

    # the rejected row is kept, as given, in the rejects file and in the store
    assert result.rejects_path is not None
    with open(result.rejects_path, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["line"] for r in rows] == ["3"]
    assert words in rows[0]["problems"]
    raw_line = text.splitlines()[2]
    kept = store.table("salesperf_rejects").execute()
    kept = kept[kept.import_id == result.import_id]
    assert list(kept.rule) == [rule]
    assert int(kept.line.iloc[0]) == 3
    raw = json.loads(kept.raw_row.iloc[0])
    given = raw.get("line_text") or ",".join(v or "" for v in raw.values())
    assert given == raw_line


@pytest.mark.slow
def test_all_problems_of_a_row_are_reported_in_one_pass(
    store: Store, write: Callable[..., Path]
) -> None:
    text = DEAL_HEAD + "D2,R9,someday,won,-1,\nD3,,2025-01-01,open,x,\n"
    result = import_file(store, "deals", write("d.csv", text))
    found = {(p.line, p.column, p.rule) for p in result.problems}
    assert found == {
        (2, "rep_id", "unknown_reference"),
        (2, "created_at", "not_a_date"),
        (2, "amount", "negative"),
        (2, "closed_at", "closed_without_date"),
        (3, "rep_id", "required"),
        (3, "amount", "not_a_number"),
    }
    assert result.rejected == 2
    assert store.count("deals") == 0


@pytest.mark.slow
def test_a_file_of_only_bad_rows_writes_nothing_but_the_log(
    store: Store, write: Callable[..., Path]
) -> None:
    result = import_file(store, "deals", write("d.csv", DEAL_HEAD + "D2,R9,2025-01-01,open,1,\n"))
    assert (result.inserted, result.rejected) == (0, 1)
    assert store.count("deals") == 0
    log = store.table("salesperf_imports").execute()
    assert int(log[log.import_id == result.import_id].rejected.iloc[0]) == 1


def test_reps_and_their_team_can_arrive_in_one_team_file(
    empty_store: Store, write: Callable[..., Path]
) -> None:
    """A team may name a parent defined further down the same file."""
    text = "team_id,name,parent_team_id\nT1,North,ORG\nORG,Acme,\nT2,South,NOPE\n"
    result = import_file(empty_store, "teams", write("t.csv", text))
    assert result.inserted == 2
    assert [(p.line, p.rule) for p in result.problems] == [(4, "unknown_reference")]


@pytest.mark.slow
def test_an_open_deal_may_expect_to_close_on_any_date(
    store: Store, write: Callable[..., Path]
) -> None:
    """An open deal's closed_at is its expected close date, which may lie before its creation
    (a CRM keeps the first guess); only a won or lost deal must close on or after creation."""
    text = DEAL_HEAD + "D1,R1,2025-03-01,open,10,2025-02-01\nD2,R1,2025-03-01,won,10,2025-02-01\n"
    result = import_file(store, "deals", write("d.csv", text))
    assert result.inserted == 1
    assert [(p.line, p.rule) for p in result.problems] == [(3, "closed_before_created")]
    assert result.problems[0].message.startswith("the deal is won, closed on 2025-02-01")


@pytest.mark.slow
def test_deals_keep_their_currency_and_need_a_rate_on_their_day(
    store: Store, write: Callable[..., Path]
) -> None:
    """The ECB's rates come in for a currency the file names; a deal created before the first
    rate of its currency is rejected, as is one in a currency without rates."""
    text = (
        "deal_id,rep_id,created_at,status,amount,closed_at,currency\n"
        "D1,R1,2025-01-06,won,1000,2025-02-03,usd\n"
        "D2,R1,2025-01-06,won,10,2025-02-03,\n"
        "D3,R1,1998-06-01,won,10,1998-07-01,GBP\n"  # before the euro and its reference rates
        "D4,R1,2025-01-06,open,10,,EUR\n"
    )
    result = import_file(store, "deals", write("d.csv", text))
    assert [(p.line, p.rule) for p in result.problems] == [(4, "no_rate")]
    got = store.table("deals").execute().set_index("deal_id")["currency"].to_dict()
    assert got == {"D1": "USD", "D2": "EUR", "D4": "EUR"}
    rates = store.table("fx_rates").execute()
    assert set(rates.currency) == {"USD", "GBP"}
    assert str(rates.date.min())[:10] == "1999-01-04"


@pytest.mark.slow
def test_nul_bytes_reject_their_row_or_leave_free_text(
    store: Store, write: Callable[..., Path], tmp_path: Path
) -> None:
    """A Windows-1252 export with NUL bytes inside fields: in free text (the lost reason) they
    are dropped, in an id the row is rejected naming its line and column; the file is read."""
    text = (
        "deal_id,rep_id,created_at,status,amount,closed_at,lost_reason\r\n"
        'D1,R1,2025-01-06,lost,10,2025-02-03,"Prix trop \u00e9lev\u00e9\x00\x00"\r\n'
        "D\x002,R1,2025-01-06,won,20,2025-02-03,\r\n"
        "D3,R1,2025-01-06,won,30,2025-02-03,\r\n"
    )
    path = write("sf.csv", text, encoding="cp1252")
    result = import_file(store, "deals", path, rejects_path=tmp_path / "r.csv")
    assert (result.inserted, result.rejected) == (2, 1)
    assert [(p.line, p.column, p.rule) for p in result.problems] == [
        (3, "deal_id", "control_character")
    ]
    reasons = store.table("deals").execute().set_index("deal_id")["lost_reason"].to_dict()
    assert reasons["D1"] == "Prix trop \u00e9lev\u00e9"


@pytest.mark.slow
def test_messages_name_the_files_own_columns(store: Store, write: Callable[..., Path]) -> None:
    """A rejected row's message names the column as the file has it, the canonical name beside."""
    text = "Deal,Owner,Created,Stage,Amount\nD1,R1,,open,10\nD2,R1,2025-01-06,open,-4\n"
    result = import_file(
        store, "deals", write("d.csv", text),
        maps=["Deal=deal_id", "Owner=rep_id", "Created=created_at", "Stage=status"],
    )  # fmt: skip
    messages = {p.line: p.message for p in result.problems}
    assert messages == {
        2: "Created (created_at) is empty, and every deal needs one",
        3: "Amount is -4; it cannot be negative",
    }


@pytest.mark.slow
def test_an_offset_without_seconds_is_read_as_an_instant(
    store: Store, write: Callable[..., Path]
) -> None:
    """ISO times with an offset or Z but no seconds are instants; plain times are local."""
    store.set_setting("timezone", "Europe/Amsterdam")
    text = (
        "activity_id,rep_id,type,occurred_at\nA1,R1,call,2025-03-01T10:00+02:00\n"
        "A2,R1,call,2025-03-01T10:00Z\nA3,R1,call,2025-03-01 10:00:00\n"
        "A4,R1,call,2025-03-01T10:00:00-05:00\nA5,R1,call,2025-03-01 10:00\n"
    )
    result = import_file(store, "activities", write("a.csv", text))
    assert result.rejected == 0
    got = store.table("activities").execute().set_index("activity_id")["occurred_at"]
    assert {k: str(v) for k, v in got.items()} == {
        "A1": "2025-03-01 08:00:00", "A2": "2025-03-01 10:00:00", "A3": "2025-03-01 09:00:00",
        "A4": "2025-03-01 15:00:00", "A5": "2025-03-01 09:00:00",
    }  # fmt: skip
