"""Periods as the pages write them can be typed back, in English and Dutch: every period the
formatter writes parses to the same period, the usual typed variants are read, and a period
that is none of them is refused in the viewer's language, on the API and on the pages."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from salesperf.analysis.windows import resolve_window
from salesperf.errors import InputError
from salesperf.i18n import format as fmt
from salesperf.metrics.periods import parse_period
from webtools import ADMIN, app_for, build_web_store, client_for

LABELS = (
    "2026", "2026-Q1", "2026-Q3", "2026-03", "2026-05", "2026-07", "2026-09", "2026-12",
    "2026-W01", "2026-W40", "2026-W53", "2026-07-14", "2026-01-01", "2026-07-01..2026-09-30",
    "2026-Q1..2026-Q2", "2025-12..2026-02", "2026-W52..2027-W02", "2025..2026",
)  # fmt: skip


@pytest.mark.parametrize("label", LABELS)
@pytest.mark.parametrize("lang", ["en", "nl"])
def test_every_period_as_written_parses_back_to_itself(label: str, lang: str) -> None:
    p = parse_period(label)
    shown = fmt.period(p, lang)
    back = parse_period(shown)
    assert (back.start, back.end, back.label) == (p.start, p.end, p.label), shown


@pytest.mark.parametrize(
    ("typed", "label", "start", "end"),
    [
        ("q3 2026", "2026-Q3", date(2026, 7, 1), date(2026, 10, 1)),
        ("K3-2026", "2026-Q3", date(2026, 7, 1), date(2026, 10, 1)),
        ("2026 Q4", "2026-Q4", date(2026, 10, 1), date(2027, 1, 1)),
        ("Jul 2026", "2026-07", date(2026, 7, 1), date(2026, 8, 1)),
        ("  juli   2026 ", "2026-07", date(2026, 7, 1), date(2026, 8, 1)),
        ("mrt. 2026", "2026-03", date(2026, 3, 1), date(2026, 4, 1)),
        ("mei 2026", "2026-05", date(2026, 5, 1), date(2026, 6, 1)),
        ("sept 2026", "2026-09", date(2026, 9, 1), date(2026, 10, 1)),
        ("okt 2026", "2026-10", date(2026, 10, 1), date(2026, 11, 1)),
        ("07-2026", "2026-07", date(2026, 7, 1), date(2026, 8, 1)),
        ("7/2026", "2026-07", date(2026, 7, 1), date(2026, 8, 1)),
        ("wk 40 2026", "2026-W40", date(2026, 9, 28), date(2026, 10, 5)),
        ("2026 week 1", "2026-W01", date(2025, 12, 29), date(2026, 1, 5)),
        ("14/07/2026", "2026-07-14", date(2026, 7, 14), date(2026, 7, 15)),
        ("1-7-2026", "2026-07-01", date(2026, 7, 1), date(2026, 7, 2)),
        ("14 juli 2026", "2026-07-14", date(2026, 7, 14), date(2026, 7, 15)),
        ("1 July 2026", "2026-07-01", date(2026, 7, 1), date(2026, 7, 2)),
        ("Q1 2026 to Q2 2026", "2026-Q1..2026-Q2", date(2026, 1, 1), date(2026, 7, 1)),
        ("juli 2026 t/m september 2026", "2026-07..2026-09", date(2026, 7, 1), date(2026, 10, 1)),
        ("1-7-2026 - 30-9-2026", "2026-07-01..2026-09-30", date(2026, 7, 1), date(2026, 10, 1)),
        ("2026-07-01 – 2026-09-30", "2026-07-01..2026-09-30", date(2026, 7, 1), date(2026, 10, 1)),
        ("2026-07-01 .. 2026-09-30", "2026-07-01..2026-09-30", date(2026, 7, 1), date(2026, 10, 1)),
    ],
)
def test_typed_variants(typed: str, label: str, start: date, end: date) -> None:
    p = parse_period(typed)
    assert (p.label, p.start, p.end) == (label, start, end)
    assert resolve_window(typed, date(2027, 1, 1)) == p  # the windows of the analyses too


@pytest.mark.parametrize(
    "typed",
    ["Q5 2026", "juli", "foo 2026", "32-01-2026", "Q3 2026 – ", "2026-13", "K3 2026 x", "2026/07"],
)
def test_what_is_no_period_is_refused_in_both_languages(typed: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_period(typed)
    said = caught.value.text
    assert said is not None
    assert said.en.startswith(f"{typed!r} is not a period") and "Q3 2025" in said.en
    assert said.nl.startswith(f"{typed!r} is geen periode") and "K3 2025" in said.nl
    assert str(caught.value) == said.en
    with pytest.raises(InputError) as window:
        resolve_window(typed, date(2027, 1, 1))
    assert window.value.text is not None and "is geen venster" in window.value.text.nl


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> dict[str, TestClient]:
    path = build_web_store(tmp_path_factory.mktemp("written") / "store.duckdb")
    app = app_for(Path(path))
    en = client_for(app, ADMIN)[0]
    nl = client_for(app, ADMIN)[0]
    nl.cookies.set("salesperf_lang", "nl")
    return {"en": en, "nl": nl}


def _card(client: TestClient, period: str) -> Any:
    r = client.get("/api/scorecard", params={"period": period, "by": "team"})
    assert r.status_code == 200, r.text[:300]
    return r.json()


@pytest.mark.slow
def test_the_api_reads_a_period_as_the_page_writes_it(web: dict[str, TestClient]) -> None:
    iso = _card(web["en"], "2026-Q3")
    assert iso["rows"] and any(v for row in iso["rows"] for v in row.values())
    for written in ("Q3 2026", "K3 2026"):
        assert _card(web["nl"], written) == iso, written
    for written, label in (
        ("juli 2026 – september 2026", "2026-07..2026-09"),
        ("01-07-2026 – 30-09-2026", "2026-07-01..2026-09-30"),
    ):  # the same days under the label of what was typed
        card = _card(web["nl"], written)
        assert card["period"] == iso["period"] | {"label": label}
        # the periods compared with: the same days too (labelled as days or months)
        assert {k: (p["start"], p["end"]) for k, p in card["compare"].items()} == {
            k: (p["start"], p["end"]) for k, p in iso["compare"].items()
        }
        assert card | {"period": iso["period"], "compare": iso["compare"]} == iso
    overview = web["nl"].get("/api/overview", params={"period": "K3 2026"})
    assert overview.status_code == 200
    assert overview.json() == web["en"].get("/api/overview", params={"period": "2026-Q3"}).json()


@pytest.mark.slow
def test_a_bad_period_is_refused_in_the_viewers_language(web: dict[str, TestClient]) -> None:
    r = web["nl"].get("/api/scorecard", params={"period": "K5 2026"})
    assert r.status_code == 422
    said = r.json()["error"]
    assert said.startswith("'K5 2026' is geen venster; gebruik last-quarter") and "K3 2026" in said
    r = web["en"].get("/api/scorecard", params={"period": "K5 2026"})
    assert r.status_code == 422 and r.json()["error"].startswith("'K5 2026' is not a window")
    r = web["nl"].get("/api/forecast", params={"period": "K5 2026"})  # a calendar period only
    assert r.status_code == 422
    assert r.json()["error"].startswith("'K5 2026' is geen periode; gebruik 2025, 2025-Q3 of K3")
    page = web["nl"].get("/", params={"period": "K5 2026"})
    assert page.status_code == 422
    assert "is geen venster" in page.text and "is not a" not in page.text


# -- every form the period box accepts, in English and Dutch, counted from a reference day -----
REFERENCE = date(2026, 12, 7)  # a Monday in the fourth quarter
Q3 = (date(2026, 7, 1), date(2026, 10, 1))
FORMS = [
    # ISO labels
    ("2026-Q3", Q3), ("2026-07", (date(2026, 7, 1), date(2026, 8, 1))),
    ("2026-W40", (date(2026, 9, 28), date(2026, 10, 5))),
    ("2026", (date(2026, 1, 1), date(2027, 1, 1))),
    # as the pages write them, in either language
    ("Q3 2026", Q3), ("K3 2026", Q3),
    ("July 2026", (date(2026, 7, 1), date(2026, 8, 1))),
    ("juli 2026", (date(2026, 7, 1), date(2026, 8, 1))),
    ("Week 40 2026", (date(2026, 9, 28), date(2026, 10, 5))),
    ("week 40 2026", (date(2026, 9, 28), date(2026, 10, 5))),
    # custom ranges, ISO days and Dutch days
    ("2026-07-01..2026-09-30", Q3), ("01-07-2026..30-09-2026", Q3),
    ("29-09-2026..05-10-2026", (date(2026, 9, 29), date(2026, 10, 6))),
    ("01-07-2026 – 30-09-2026", Q3),
    # words, counted from the reference day
    ("this week", (date(2026, 12, 7), date(2026, 12, 14))),
    ("deze week", (date(2026, 12, 7), date(2026, 12, 14))),
    ("this month", (date(2026, 12, 1), date(2027, 1, 1))),
    ("deze maand", (date(2026, 12, 1), date(2027, 1, 1))),
    ("this quarter", (date(2026, 10, 1), date(2027, 1, 1))),
    ("dit kwartaal", (date(2026, 10, 1), date(2027, 1, 1))),
    ("This Year", (date(2026, 1, 1), date(2027, 1, 1))),
    ("dit jaar", (date(2026, 1, 1), date(2027, 1, 1))),
    ("week to date", (date(2026, 12, 7), date(2026, 12, 8))),
    ("month to date", (date(2026, 12, 1), date(2026, 12, 8))),
    ("maand tot nu", (date(2026, 12, 1), date(2026, 12, 8))),
    ("quarter to date", (date(2026, 10, 1), date(2026, 12, 8))),
    ("quarter-to-date", (date(2026, 10, 1), date(2026, 12, 8))),
    ("QTD", (date(2026, 10, 1), date(2026, 12, 8))),
    ("kwartaal tot nu", (date(2026, 10, 1), date(2026, 12, 8))),
    ("kwartaal tot heden", (date(2026, 10, 1), date(2026, 12, 8))),
    ("year to date", (date(2026, 1, 1), date(2026, 12, 8))),
    ("jaar tot nu toe", (date(2026, 1, 1), date(2026, 12, 8))),
    ("previous week", (date(2026, 11, 30), date(2026, 12, 7))),
    ("vorige week", (date(2026, 11, 30), date(2026, 12, 7))),
    ("previous month", (date(2026, 11, 1), date(2026, 12, 1))),
    ("vorige maand", (date(2026, 11, 1), date(2026, 12, 1))),
    ("previous quarter", Q3), ("last quarter", Q3), ("vorig kwartaal", Q3),
    ("previous year", (date(2025, 1, 1), date(2026, 1, 1))),
    ("vorig jaar", (date(2025, 1, 1), date(2026, 1, 1))),
    ("same quarter last year", (date(2025, 10, 1), date(2026, 1, 1))),
    ("zelfde kwartaal vorig jaar", (date(2025, 10, 1), date(2026, 1, 1))),
    ("same month last year", (date(2025, 12, 1), date(2026, 1, 1))),
    ("zelfde maand vorig jaar", (date(2025, 12, 1), date(2026, 1, 1))),
    # the default period is the last full quarter (Q3 2026): the one before, and last year's
    ("previous period", (date(2026, 4, 1), date(2026, 7, 1))),
    ("vorige periode", (date(2026, 4, 1), date(2026, 7, 1))),
    ("same period last year", (date(2025, 7, 1), date(2025, 10, 1))),
    ("zelfde periode vorig jaar", (date(2025, 7, 1), date(2025, 10, 1))),
    ("today", (date(2026, 12, 7), date(2026, 12, 8))),
    ("gisteren", (date(2026, 12, 6), date(2026, 12, 7))),
]  # fmt: skip


@pytest.mark.parametrize(("typed", "days"), FORMS, ids=[f[0] for f in FORMS])
def test_every_form_the_box_accepts(typed: str, days: tuple[date, date]) -> None:
    p = resolve_window(typed, REFERENCE)
    assert (p.start, p.end) == days
    # and the box shows it back as the page writes it, which reads back as the same days
    for lang in ("en", "nl"):
        back = resolve_window(fmt.period(p, lang), REFERENCE)
        assert (back.start, back.end) == days, (lang, fmt.period(p, lang))


def test_the_period_box_shows_the_period_as_the_page_writes_it() -> None:
    assert fmt.period(resolve_window("K3 2026", REFERENCE), "nl") == "K3 2026"
    assert fmt.period(resolve_window("K3 2026", REFERENCE), "en") == "Q3 2026"
    qtd = resolve_window("kwartaal tot nu", REFERENCE)
    assert fmt.period(qtd, "nl") == "01-10-2026 – 07-12-2026"
    assert fmt.period(qtd, "en") == "2026-10-01 – 2026-12-07"
    assert fmt.period(resolve_window("juli 2026", REFERENCE), "en") == "July 2026"


@pytest.mark.parametrize(
    "typed",
    ["this quartr", "next quarter", "dit kwartaaltje", "quarter to", "previous decade",
     "same period next year", "2026-07-01..", "..2026-09-30", "2026-09-30..2026-07-01",
     "31-02-2026..01-03-2026", "vorig", "tot nu"],
)  # fmt: skip
def test_junk_is_refused_with_a_clear_message_in_both_languages(typed: str) -> None:
    with pytest.raises(InputError) as caught:
        resolve_window(typed, REFERENCE)
    said = caught.value.text
    assert said is not None
    assert said.en.startswith(f"{typed!r} is not a window") and "quarter to date" in said.en
    assert said.nl.startswith(f"{typed!r} is geen venster") and "kwartaal tot nu" in said.nl


@pytest.mark.slow
@pytest.mark.parametrize(
    ("period", "says"),
    [("<script>", "must be a period or a window"), ("x" * 65, "at most 64 characters")],
)
def test_the_api_refuses_junk_before_reading_it(
    web: dict[str, TestClient], period: str, says: str
) -> None:
    r = web["en"].get("/api/scorecard", params={"period": period})
    assert r.status_code == 422 and says in r.json()["error"]
