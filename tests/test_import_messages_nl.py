"""Import problems in English and Dutch: every rule's message in both languages, the same values
named in each, and both kept in the store; the JSON API answers with both; the import page shows
the viewer's language."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from salesperf.ingest.importer import Problem, import_file
from salesperf.ingest.rejects_file import parser_detail_nl
from salesperf.ingest.rules import RULES, RULES_NL, rule_text
from salesperf.server.api.uploads import mapping_for
from salesperf.store import Store
from test_validation import CASES, DEAL_HEAD, GOOD_DEAL
from webtools import ADMIN, REP, REP_ID, app_for, build_web_store, client_for


def _quoted(text: str) -> list[str]:
    return sorted(re.findall(r"'[^']*'", text))


def _numbers(text: str) -> list[str]:
    return sorted(re.findall(r"\d+", text))


def _import_case(store: Store, write: Callable[..., Path], case: tuple[str, ...]) -> Any:
    table, text = case[0], case[1]
    if table == "deal_stages":
        import_file(store, "deals", write("d.csv", DEAL_HEAD + GOOD_DEAL))
    return import_file(store, table, write(f"{table}.csv", text))


def test_the_cases_cover_every_rule_and_each_rule_is_explained_in_dutch() -> None:
    assert {c[3] for c in CASES} == set(RULES)
    assert set(RULES_NL) == set(RULES)
    for rule in RULES:
        text = rule_text(rule)
        assert text.en == RULES[rule]
        assert text.nl and text.nl != text.en


#: Hand-written Dutch for a few of the cases, whole sentences.
DUTCH = {
    "reps-unknown_word-role": "de waarde 'boss' staat niet in de woordenlijst van role; gebruik een van: rep, manager",
    "deals-required-rep_id": "rep_id is leeg, maar is verplicht voor een deal",
    "deals-closed_before_created-closed_at": "de deal is verloren, gesloten op 2025-02-01, vóór de aanmaakdatum 2025-03-01; een gewonnen of verloren deal sluit op of na de aanmaakdatum (de verwachte sluitdatum van een open deal mag elke datum zijn)",
    "deals-duplicate_id-deal_id": "deal_id D1 komt meer dan eens voor in het bestand; de rij op regel 2 is behouden",
    "deals-unknown_reference-rep_id": "verkoper 'R9' is onbekend; importeer die eerst in de tabel reps, of neem die op in dit bestand",
    "surveys-score_out_of_scale-score": "score 6 valt buiten de schaal csat5 (1-5)",
    "targets-unknown_reference-scope_id": "team 'T7' is onbekend; importeer die eerst",
    "deals-malformed_line-": "de regel valt niet uiteen in de kolommen van de kopregel (6 kolommen verwacht, 7 gevonden)",
}  # fmt: skip


#: The rules whose English message names the column.
NAMES_COLUMN = {"required", "negative", "unknown_word", "closed_without_date", "duplicate_id"}


def _id(case: tuple[str, ...]) -> str:
    return f"{case[0]}-{case[3]}-{case[2]}"


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
@pytest.mark.slow
def test_each_rules_problem_is_said_in_dutch_naming_the_same_values(
    store: Store, write: Callable[..., Path], case: tuple[str, ...]
) -> None:
    result = _import_case(store, write, case)
    [p] = result.problems
    assert (p.line, p.column, p.rule) == (3, case[2], case[3])
    assert case[4] in p.message  # the English message is as it was
    assert p.message_nl and p.message_nl != p.message
    assert p.text("nl") == p.message_nl and p.text("en") == p.message == p.text()
    # the Dutch sentence names what the English one names: the value, the column, every
    # quoted value and every number (dates, lines, scales, counts)
    if p.value and p.value in p.message:
        assert p.value in p.message_nl
    if p.rule in NAMES_COLUMN:
        assert p.column in p.message and p.column in p.message_nl
    assert _quoted(p.message_nl) == _quoted(p.message)
    assert _numbers(p.message_nl) == _numbers(p.message)
    # the English words of the message are not what the Dutch one says
    for english in (" is not ", "every ", "before", "cannot", "is empty", "appears", "known"):
        assert english not in p.message_nl
    if _id(case) in DUTCH:
        assert p.message_nl == DUTCH[_id(case)]

    # the rejects file is English by default; the store's rejects table keeps both languages
    assert result.rejects_path is not None
    with open(result.rejects_path, encoding="utf-8") as f:
        [row] = list(csv.DictReader(f))
    assert row["problems"] == f"{p.column or 'line'}: {p.message}"
    kept = store.table("salesperf_rejects").execute()
    kept = kept[kept.import_id == result.import_id]
    assert list(kept.message) == [p.message]
    assert list(kept.message_nl) == [p.message_nl]


def test_a_date_in_another_format_is_explained_in_dutch(
    store: Store, write: Callable[..., Path]
) -> None:
    _, mapping = mapping_for("absences", options={"date_format": "DD-MM-YYYY"})
    text = "rep_id,date\nR1,06-01-2025\nR1,2025-01-07\n"
    [p] = import_file(store, "absences", write("a.csv", text), mapping=mapping).problems
    assert p.message == "'2025-01-07' is not a date (DD-MM-YYYY)"
    assert p.message_nl == "'2025-01-07' is geen datum (DD-MM-JJJJ)"


def test_a_check_only_run_and_every_problem_of_a_row_carry_dutch(
    store: Store, write: Callable[..., Path]
) -> None:
    text = DEAL_HEAD + "D2,R9,someday,won,-1,\n"
    result = import_file(store, "deals", write("d.csv", text), check_only=True)
    assert len(result.problems) == 4
    assert all(p.message_nl and p.message_nl != p.message for p in result.problems)
    # a problem made without Dutch falls back to its English message
    assert Problem(2, "x", None, "required", "x is empty").text("nl") == "x is empty"


def test_parser_details_in_dutch() -> None:
    assert parser_detail_nl("Expected Number of Columns: 6 Found: 3") == (
        "6 kolommen verwacht, 3 gevonden"
    )
    assert parser_detail_nl("Value with unterminated quote found.") == (
        "een aanhalingsteken wordt niet gesloten"
    )
    assert parser_detail_nl("something else") == "something else"


# -- the JSON API and the pages ----------------------------------------------------------------
BAD_ACTIVITIES = (
    "activity_id,rep_id,type,occurred_at\n"
    "N1,R002,call,2026-09-01T10:00:00\n"
    "N2,R002,fax,2026-09-01T11:00:00\n"
)
FAX_NL = "de waarde 'fax' staat niet in de woordenlijst van type; gebruik een van: call, email"
FAX_EN = "'fax' is not a known type; use one of: call, email"


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A demo store and its app, with an administrator and a rep signed in."""
    path = build_web_store(tmp_path_factory.mktemp("nl") / "store.duckdb")
    app = app_for(path)
    return {"app": app, "admin": client_for(app, ADMIN), "rep": client_for(app, REP)}


@pytest.mark.slow
def test_a_batch_with_a_bad_row_answers_in_english_and_dutch(web: dict[str, Any]) -> None:
    admin, csrf = web["admin"]
    rows = [
        {"activity_id": "NB1", "rep_id": "R002", "type": "call",
         "occurred_at": "2026-09-02T10:00:00"},
        {"activity_id": "NB2", "rep_id": "R002", "type": "fax",
         "occurred_at": "2026-09-02T11:00:00"},
    ]  # fmt: skip
    r = admin.post("/api/activities", json=rows, headers={"x-csrf-token": csrf or ""})
    assert r.status_code == 422, r.text
    [p] = r.json()["problems"]
    assert (p["row"], p["id"], p["rule"]) == (1, "NB2", "unknown_word")
    assert p["message"].startswith(FAX_EN)
    assert p["message_nl"].startswith(FAX_NL)


@pytest.mark.slow
def test_an_uploads_json_answer_carries_both_languages(web: dict[str, Any]) -> None:
    admin, csrf = web["admin"]
    r = admin.post(
        "/api/import/activities",
        files={"file": ("acts.csv", BAD_ACTIVITIES.encode(), "text/csv")},
        headers={"x-csrf-token": csrf or ""},
    )
    assert r.status_code == 200, r.text
    [p] = r.json()["problems"]
    assert p["line"] == 3 and p["message"].startswith(FAX_EN)
    assert p["message_nl"].startswith(FAX_NL)


def _import_page(client: TestClient, csrf: str | None, text: str) -> str:
    """Upload, preview and import a file through the import pages; the result page."""
    preview = client.post(
        "/import/preview",
        data={"table": "activities", "csrf_token": csrf or ""},
        files={"file": ("acts.csv", text.encode(), "text/csv")},
    )
    assert preview.status_code == 200, preview.text[:500]
    upload = re.search(r'name="upload" value="([^"]+)"', preview.text)
    assert upload
    r = client.post(
        "/import/run",
        data={"table": "activities", "upload": upload.group(1), "csrf_token": csrf or ""},
    )
    assert r.status_code == 200, r.text[:500]
    return str(r.text)


def test_the_import_result_page_shows_the_viewers_language(web: dict[str, Any]) -> None:
    admin, csrf = web["admin"]
    admin.cookies.set("salesperf_lang", "nl")
    try:
        page = _import_page(admin, csrf, BAD_ACTIVITIES.replace("N", "P"))
    finally:
        admin.cookies.delete("salesperf_lang")
    assert "Afgewezen rijen" in page
    assert FAX_NL.replace("'", "&#39;") in page
    assert "is not a known type" not in page
    page = _import_page(admin, csrf, BAD_ACTIVITIES.replace("N", "Q"))
    assert FAX_EN.replace("'", "&#39;") in page
    assert "woordenlijst" not in page


def test_the_log_form_shows_its_problem_in_the_viewers_language(web: dict[str, Any]) -> None:
    rep, csrf = web["rep"]
    form = {"csrf_token": csrf, "rep_id": REP_ID, "type": "teleport",
            "occurred_at": "2026-09-10T14:30"}  # fmt: skip
    rep.cookies.set("salesperf_lang", "nl")
    try:
        r = rep.post("/activities/new", data=form)
    finally:
        rep.cookies.delete("salesperf_lang")
    assert r.status_code == 422
    assert "Type: &#39;teleport&#39; is geen van de keuzes; kies er een uit de lijst." in r.text
    r = rep.post("/activities/new", data=form)
    assert "Type: &#39;teleport&#39; is not one of the choices; choose one from the list." in r.text
