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
        assert card | {"period": iso["period"]} == iso
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
