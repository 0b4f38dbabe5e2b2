"""The web import as a wizard: how the file is written is detected and can be changed, each
column of the table is chosen from the file's columns, the whole file is checked before
anything is written, and a wrong choice is said in the viewer's language with nothing written.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from salesperf.auth.users import add_user, password_hasher
from salesperf.cli.app import app as cli
from salesperf.ingest.sniff import choice_problems, sniff
from salesperf.store import Store
from test_dutch_pages import PRESETS, foreign_words, visible_text
from webtools import PASSWORD, app_for, client_for

#: A Dutch export: semicolons, decimal commas, days first (a day of 12 or less as well, which
#: read month first would be another date), Windows-1252 with an "é".
DUTCH = (
    "Dealnummer;Verkoper;Aangemaakt;Fase;Bedrag;Gesloten;Opmerking\n"
    "W1;R1;03-09-2026;won;1.234,50;29-09-2026;\n"
    "W2;R2;29/08/2026;open;99,90;;\n"
    "W3;R1;12-07-2026;lost;7,5;01-08-2026;Prijs té hoog\n"
)
DUTCH_COLUMNS = {
    "deal_id": "Dealnummer", "rep_id": "Verkoper", "created_at": "Aangemaakt",
    "status": "Fase", "amount": "Bedrag", "closed_at": "Gesloten", "lost_reason": "Opmerking",
}  # fmt: skip
#: Comma-separated, ISO dates, UTF-8 with a byte-order mark, canonical names; four bad rows.
ISO_BOM = "\ufeff" + (
    "deal_id,rep_id,created_at,status,amount\n"
    "P1,R1,2026-09-01,open,100.5\n"
    "P2,R9,2026-09-02,open,50\n"
    "P3,R1,2026-13-01,open,10\n"
    "P4,R2,2026-09-03,open,abc\n"
    "P5,R2,2026-09-04,won,-5\n"
    "P6,R1,2026-09-05,open,7\n"
)


# -- detection ---------------------------------------------------------------------------------
def test_a_dutch_windows_file_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "verkoop.csv"
    path.write_bytes(DUTCH.encode("cp1252"))
    found = sniff(path)
    assert (found.encoding, found.delimiter, found.decimal, found.date_format) == (
        "cp1252", ";", ",", "DD-MM-YYYY"
    )  # fmt: skip
    assert found.columns[0] == "Dealnummer" and found.rows[2][-1] == "Prijs té hoog"


def test_a_comma_iso_file_with_a_byte_order_mark_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    path.write_bytes(ISO_BOM.encode("utf-8"))
    found = sniff(path)
    assert (found.encoding, found.delimiter, found.decimal, found.date_format) == (
        "utf-8-sig", ",", ".", "ISO"
    )  # fmt: skip
    assert found.columns[0] == "deal_id"  # the mark is no part of the first name


def test_month_first_dates_and_plain_utf8_are_detected(tmp_path: Path) -> None:
    path = tmp_path / "us.csv"
    path.write_text("id|when|amount|who\n1|09/29/2026|1,234.50|Zoë\n2|10/01/2026|3.25|Ann\n")
    found = sniff(path)
    assert (found.encoding, found.delimiter, found.decimal, found.date_format) == (
        "utf-8", "|", ".", "MM/DD/YYYY"
    )  # fmt: skip


def test_choices_that_cannot_read_the_file_are_found(tmp_path: Path) -> None:
    path = tmp_path / "verkoop.csv"
    path.write_bytes(DUTCH.encode("cp1252"))
    ok = {"encoding": "cp1252", "delimiter": ";", "decimal": ",", "date_format": "DD-MM-YYYY"}
    assert choice_problems(path, **ok) == []
    [bad] = choice_problems(path, **{**ok, "encoding": "utf-8"})
    assert (bad.kind, bad.offset) == ("encoding", DUTCH.encode("cp1252").index(b"\xe9"))
    [one] = choice_problems(path, **{**ok, "delimiter": ","})
    assert (one.kind, one.column) == ("one_column", DUTCH.splitlines()[0])
    [opt] = choice_problems(path, **{**ok, "date_format": "YYYY/DD"})
    assert (opt.kind, opt.option, opt.value) == ("option", "date_format", "YYYY/DD")


# -- the pages -----------------------------------------------------------------------------------
class _Form(HTMLParser):
    """The fields the wizard's form would submit, as a browser fills them in."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: dict[str, str] = {}
        self._select: str | None = None
        self._first: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "input" and a.get("name") and (a.get("type") != "checkbox" or "checked" in a):
            self.fields[a["name"]] = a.get("value", "")
        elif tag == "select":
            self._select, self._first = a["name"], None
        elif tag == "option" and self._select:
            if self._first is None:
                self._first = a["value"]
                self.fields[self._select] = a["value"]
            if "selected" in a:
                self.fields[self._select] = a["value"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def wizard_fields(html: str) -> dict[str, str]:
    """The wizard form's fields as shown (the detected and proposed choices)."""
    start = html.index('id="import-wizard"')
    parser = _Form()
    parser.feed(html[html.rindex("<form", 0, start) : html.index("</form>", start)])
    return parser.fields


@pytest.fixture
def web(store: Store, tmp_path: Path) -> dict[str, Any]:
    """The small organisation (reps R1 to R3) served, with an administrator, a manager and a
    rep signed in."""
    hasher = password_hasher(cheap=True)
    add_user(store, "boss", PASSWORD, "admin", hasher=hasher)
    add_user(store, "mgr", PASSWORD, "manager", rep_id="R3", team_id="T2", hasher=hasher)
    add_user(store, "ann", PASSWORD, "rep", rep_id="R1", hasher=hasher)
    assert store.path is not None
    app = app_for(store.path)
    clients = {name: client_for(app, name) for name in ("boss", "mgr", "ann")}
    return {"store": store, "clients": clients, "work": store.path.parent / "web-work"}


def upload(client: TestClient, csrf: str | None, name: str, content: bytes, **form: str) -> Any:
    """The wizard's first step: the file, for the deals table."""
    return client.post(
        "/import/preview", files={"file": (name, content, "text/csv")},
        data={"csrf_token": csrf or "", "table": "deals", **form},
    )  # fmt: skip


def choose(fields: dict[str, str], columns: dict[str, str]) -> dict[str, str]:
    """The form with the file's column chosen for each canonical column in `columns`."""
    return {**fields, **{f"column.{c}": src for c, src in columns.items()}}


def deals(store: Store) -> dict[str, dict[str, Any]]:
    df = store.table("deals").execute()
    return {r["deal_id"]: r for r in df.to_dict("records")}


def _day(value: datetime) -> date:
    return value.date()


def test_a_dutch_file_is_detected_chosen_checked_and_imported_with_the_right_days(
    web: dict[str, Any],
) -> None:
    client, csrf = web["clients"]["boss"]
    first = upload(client, csrf, "verkoop.csv", DUTCH.encode("cp1252"))
    # its names are not the table's: the required columns are still to be chosen
    assert first.status_code == 422, first.text[:300]
    fields = wizard_fields(first.text)
    assert {k: fields[k] for k in ("delimiter", "decimal", "date_format", "encoding")} == {
        "delimiter": "semicolon", "decimal": "comma", "date_format": "DD-MM-YYYY",
        "encoding": "cp1252",
    }  # fmt: skip
    assert "Choose the file&#39;s column for “Deal”" in first.text.replace("'", "&#39;")
    checked = client.post("/import/check", data=choose(fields, DUTCH_COLUMNS))
    assert checked.status_code == 200, checked.text[:500]
    assert 'data-summary="3,3,0"' in checked.text
    assert "Every row passes the checks." in checked.text
    # the first rows as they will be written: the days as the file means them, the amounts
    sample = checked.text[checked.text.index('id="wizard-sample"') :]
    cells = re.findall(r"<td>([^<]*)</td>", sample)
    assert cells[:7] == ["W1", "R1", "2026-09-03", "Won", "1,234.50", "EUR", "2026-09-29"]
    assert "2026-08-29" in cells and "Prijs té hoog" in cells
    assert deals(web["store"]) == {}  # nothing written by the preview
    done = client.post("/import/run", data=wizard_fields(checked.text))
    assert done.status_code == 200, done.text[:500]
    assert 'data-count="inserted">3<' in done.text
    stored = deals(web["store"])
    assert {k: _day(v["created_at"]) for k, v in stored.items()} == {
        "W1": date(2026, 9, 3), "W2": date(2026, 8, 29), "W3": date(2026, 7, 12)
    }  # fmt: skip
    assert _day(stored["W1"]["closed_at"]) == date(2026, 9, 29)
    assert {k: v["amount"] for k, v in stored.items()} == {"W1": 1234.5, "W2": 99.9, "W3": 7.5}
    assert stored["W3"]["lost_reason"] == "Prijs té hoog"
    assert not (web["work"] / "uploads" / fields["upload"]).exists()  # imported: deleted


def test_the_previews_problems_are_what_the_import_rejects(web: dict[str, Any]) -> None:
    client, csrf = web["clients"]["boss"]
    shown = upload(client, csrf, "deals.csv", ISO_BOM.encode("utf-8"))
    assert shown.status_code == 200, shown.text[:500]
    kinds = {
        rule: int(n)
        for rule, n in re.findall(r'data-rule="([^"]+)" data-count="(\d+)"', shown.text)
    }
    assert kinds == {
        "unknown_reference": 1, "not_a_date": 1, "not_a_number": 1, "negative": 1,
        "closed_without_date": 1,
    }  # fmt: skip
    assert 'data-summary="6,2,4"' in shown.text
    assert '<li data-line="4">4: 2026-13-01' in shown.text  # an example, by its line
    done = client.post("/import/run", data=wizard_fields(shown.text))
    assert done.status_code == 200, done.text[:500]
    assert 'data-count="rejected">4<' in done.text and 'data-count="inserted">2<' in done.text
    store = web["store"]
    rejects = store.table("salesperf_rejects").execute()
    assert dict(Counter(rejects.rule)) == kinds
    assert set(deals(store)) == {"P1", "P6"}
    assert deals(store)["P1"]["amount"] == 100.5


E_ACUTE = DUTCH.encode("cp1252").index("é".encode("cp1252"))
WRONG = [
    ({"encoding": "utf-8"}, f"The file cannot be read as UTF-8: byte {E_ACUTE} is no character"),
    ({"delimiter": "comma"}, "Separated by Comma ( , ), the file has one column only"),
    ({"column.deal_id": "Nope"}, "The file has no column “Nope” (chosen for “Deal”)"),
    ({"column.rep_id": ""}, "Choose the file's column for “Salesperson”"),
    ({"date_format": "YYYY/DD"}, "“YYYY/DD” is not one of the choices for “Dates written as”"),
]


@pytest.mark.parametrize(("change", "said"), WRONG, ids=[w[1][:20] for w in WRONG])
def test_a_wrong_choice_is_said_on_the_page_and_writes_nothing(
    web: dict[str, Any], change: dict[str, str], said: str
) -> None:
    client, csrf = web["clients"]["boss"]
    store = web["store"]
    fields = wizard_fields(upload(client, csrf, "verkoop.csv", DUTCH.encode("cp1252")).text)
    fields = {**choose(fields, DUTCH_COLUMNS), **change}
    before = (store.count("deals"), store.count("salesperf_imports"))
    for step in ("/import/check", "/import/run"):
        r = client.post(step, data=fields)
        assert r.status_code == 422, (step, r.status_code, r.text[:300])
        assert said in r.text.replace("&#39;", "'"), r.text[:2000]
        assert "--" not in visible_text(r.text)  # no command-line syntax
    assert (store.count("deals"), store.count("salesperf_imports")) == before
    # the upload is kept: the right choices import it
    right = {**fields, **choose({}, DUTCH_COLUMNS), "encoding": "cp1252",
             "delimiter": "semicolon", "date_format": "DD-MM-YYYY"}  # fmt: skip
    right.pop("previewed")
    done = client.post("/import/run", data=right)
    assert done.status_code == 200 and 'data-count="inserted">3<' in done.text


def test_choices_changed_after_the_preview_show_the_preview_again(web: dict[str, Any]) -> None:
    client, csrf = web["clients"]["boss"]
    fields = wizard_fields(upload(client, csrf, "verkoop.csv", DUTCH.encode("cp1252")).text)
    shown = client.post("/import/check", data=choose(fields, DUTCH_COLUMNS))
    changed = {**wizard_fields(shown.text), "date_format": "MM/DD/YYYY"}
    r = client.post("/import/run", data=changed)
    assert r.status_code == 200 and 'id="wizard-note"' in r.text
    assert 'data-summary="3,0,3"' in r.text  # read month first, no day is a date
    assert web["store"].count("deals") == 0


@pytest.mark.slow
def test_the_wizard_speaks_dutch(web: dict[str, Any]) -> None:
    client, csrf = web["clients"]["boss"]
    client.cookies.set("salesperf_lang", "nl")
    first = upload(client, csrf, "verkoop.csv", DUTCH.encode("cp1252"))
    fields = choose(wizard_fields(first.text), DUTCH_COLUMNS)
    bad = client.post("/import/check", data={**fields, "encoding": "utf-8"})
    assert "Het bestand is niet te lezen als UTF-8" in bad.text
    checked = client.post("/import/check", data=fields)
    bad_rows = DUTCH + "W4;R9;31-02-2026;open;abc;;\n"
    problems = client.post(
        "/import/check",
        data=fields
        | {
            "upload": wizard_fields(
                upload(client, csrf, "fouten.csv", bad_rows.encode("cp1252")).text
            )["upload"]
        },
    )
    kinds = re.findall(r'data-rule="([^"]+)"', problems.text)
    assert sorted(kinds) == ["not_a_date", "not_a_number", "unknown_reference"]
    assert "de waarde is geen datum in het verwachte formaat" in problems.text
    refused = upload(client, csrf, "leeg.csv", b"")
    assert refused.status_code == 422 and "leeg.csv is leeg" in refused.text
    for page in (client.get("/import"), first, bad, checked, problems, refused):
        assert '<html lang="nl">' in page.text
        text = visible_text(page.text)
        for preset in PRESETS:
            text = text.replace(preset, " ")
        assert foreign_words(text) == [], foreign_words(text)


def test_only_who_may_import_may_use_the_wizard(web: dict[str, Any]) -> None:
    boss, boss_csrf = web["clients"]["boss"]
    token = wizard_fields(upload(boss, boss_csrf, "deals.csv", ISO_BOM.encode()).text)["upload"]
    for name in ("mgr", "ann"):
        client, csrf = web["clients"][name]
        assert upload(client, csrf, "deals.csv", ISO_BOM.encode()).status_code == 403
        for step in ("/import/check", "/import/run"):
            r = client.post(step, data={"csrf_token": csrf or "", "table": "deals",
                                        "upload": token, "delimiter": "comma"})  # fmt: skip
            assert r.status_code == 403, (name, step, r.status_code)
    assert [p.name for p in (web["work"] / "uploads").iterdir()] == [token]
    assert web["store"].count("deals") == 0


# -- the command line takes the same choices -------------------------------------------------------
def test_the_command_line_imports_a_dutch_file_with_the_same_choices(
    store: Store, write: Callable[..., Path], tmp_path: Path
) -> None:
    path = tmp_path / "verkoop.csv"
    path.write_bytes(DUTCH.encode("cp1252"))
    maps = [arg for c, src in DUTCH_COLUMNS.items() for arg in ("--map", f"{src}={c}")]
    assert store.path is not None
    store.close()
    result = CliRunner().invoke(
        cli,
        ["import", "deals", str(path), *maps, "--delimiter", "semicolon", "--decimal", ",",
         "--date-format", "DD-MM-YYYY", "--encoding", "cp1252", "--store", str(store.path)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with Store.open(store.path) as s:
        stored = deals(s)
    assert {k: _day(v["created_at"]) for k, v in stored.items()} == {
        "W1": date(2026, 9, 3), "W2": date(2026, 8, 29), "W3": date(2026, 7, 12)
    }  # fmt: skip
    assert stored["W1"]["amount"] == 1234.5 and stored["W3"]["lost_reason"] == "Prijs té hoog"


def test_a_workbook_offers_its_date_format_only(web: dict[str, Any], tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["deal_id", "rep_id", "created_at", "status"])
    ws.append(["X1", "R1", "29-09-2026", "open"])  # a day first, typed as text
    path = tmp_path / "deals.xlsx"
    wb.save(path)
    client, csrf = web["clients"]["boss"]
    shown = upload(client, csrf, "deals.xlsx", path.read_bytes())
    fields = wizard_fields(shown.text)
    assert "delimiter" not in fields and "encoding" not in fields
    assert fields["date_format"] == "ISO" and 'data-summary="1,0,1"' in shown.text
    checked = client.post("/import/check", data={**fields, "date_format": "DD-MM-YYYY"})
    assert 'data-summary="1,1,0"' in checked.text
    done = client.post("/import/run", data=wizard_fields(checked.text))
    assert done.status_code == 200, done.text[:500]
    assert _day(deals(web["store"])["X1"]["created_at"]) == date(2026, 9, 29)
