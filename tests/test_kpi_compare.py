"""The KPI cards set each figure against the period before and the same period last year, as the
scorecard computes those periods on its own; a figure with nothing to compare with has a null
change, never 0; a figure resting on flagged data carries a marker saying why; and every form
of period gives a page the same figures as its ISO label, shown back as the page writes it."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from salesperf.metrics.periods import Period
from salesperf.scorecard import scorecard
from salesperf.server.pages.kpis import comparison
from salesperf.store import Store
from webtools import ADMIN, app_for, build_web_store, client_for

pytestmark = pytest.mark.slow

#: What each planted fault flags (analysis.quality.AFFECTS, written out by hand).
NO_OUTCOME = {"call_connect_rate", "meetings_held_rate"}
FEW_CLOSED = {"win_rate"}


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = build_web_store(tmp_path_factory.mktemp("kpis") / "store.duckdb")
    with Store.open(path) as s:  # a call without an outcome: R002's rates rest on it
        # written as the store writes a batch, its roll-ups kept current in the same transaction
        call = {"activity_id": "DQ1", "rep_id": "R002", "type": "call",
                "occurred_at": datetime(2026, 8, 12, 10, 0)}  # fmt: skip
        assert s.merge_rows("activities", [call]).inserted == 1
    app = app_for(Path(path))
    en = client_for(app, ADMIN)[0]
    nl = client_for(app, ADMIN)[0]
    nl.cookies.set("salesperf_lang", "nl")
    return {"path": path, "en": en, "nl": nl}


def _json(client: TestClient, path: str, **params: str) -> Any:
    r = client.get(path, params=params)
    assert r.status_code == 200, r.text[:300]
    return r.json()


def _independent(path: Path, by: str, start: date, end: date, metrics: tuple[str, ...],
                 **scope: Any) -> dict[str, Any]:  # fmt: skip
    """The scorecard of [start, end), computed here on its own: row key -> metric -> value."""
    with Store.open(path) as s:
        card = scorecard(s, by=by, period=Period(start, end, "x"), metrics=metrics, **scope)
    return {r.key: {m: c.value for m, c in r.cells.items()} for r in card.rows}


def _check(card: dict[str, Any], kind: str, other: dict[str, Any]) -> int:
    """Every figure's comparison of `kind` against the independent scorecard `other`."""
    checked = 0
    for row in card["rows"]:
        for m, cell in row["values"].items():
            expected = other.get(row["key"], {}).get(m)
            got = cell["compare"][kind]
            assert got["value"] == pytest.approx(expected), (row["key"], m, kind)
            if cell["value"] is None or expected is None:
                assert got["change"] is None and got["better"] is None, (row["key"], m)
            else:
                assert got["change"] == pytest.approx(cell["value"] - expected), (m, kind)
                checked += 1
    return checked


def test_the_overviews_comparisons_are_the_scorecards_of_q2_and_last_years_q3(
    web: dict[str, Any],
) -> None:
    kpis = _json(web["en"], "/api/overview", period="2026-Q3")["kpis"]
    assert kpis["compare"] == {
        "previous": {"label": "2026-Q2", "start": "2026-04-01", "end": "2026-06-30"},
        "last_year": {"label": "2025-Q3", "start": "2025-07-01", "end": "2025-09-30"},
    }
    metrics = tuple(m["name"] for m in kpis["metrics"])
    q2 = _independent(web["path"], "org", date(2026, 4, 1), date(2026, 7, 1), metrics)
    assert _check(kpis, "previous", q2) >= 5
    last_year = _independent(web["path"], "org", date(2025, 7, 1), date(2025, 10, 1), metrics)
    assert _check(kpis, "last_year", last_year) >= 1
    directions = {m["name"]: m["higher_is_better"] for m in kpis["metrics"]}
    assert directions["win_rate"] is True and directions["activities"] is True


def test_a_reps_custom_range_is_set_against_the_days_just_before(web: dict[str, Any]) -> None:
    # three weeks from a Monday, no calendar period: the 21 days before, and a year before
    got = _json(web["en"], "/api/reps/R003", period="2026-08-03..2026-08-23")["scorecard"]
    assert got["compare"]["previous"] == {
        "label": "2026-07-13..2026-08-02", "start": "2026-07-13", "end": "2026-08-02"
    }  # fmt: skip
    metrics = tuple(m["name"] for m in got["metrics"])
    before = _independent(web["path"], "rep", date(2026, 7, 13), date(2026, 8, 3), metrics,
                          reps=frozenset({"R003"}))  # fmt: skip
    assert _check(got, "previous", before) >= 5


def test_a_ratio_with_no_previous_denominator_is_null(web: dict[str, Any]) -> None:
    # the first quarter of the activities: the quarter before has no calls, no activities
    got = _json(web["en"], "/api/reps/R003", period="2025-Q4")["scorecard"]
    cells = got["rows"][0]["values"]
    for m in ("call_connect_rate", "revenue_per_activity"):
        assert cells[m]["value"] is not None, m
        assert cells[m]["compare"]["previous"] == {"value": None, "change": None, "better": None}
    html = web["en"].get("/reps/R003", params={"period": "2025-Q4"}).text
    card = html[html.index('data-metric="call_connect_rate"') :]
    assert re.search(r'data-compare="previous">\s*no comparison vs Q3 2025', card)


def test_better_follows_the_metrics_direction() -> None:
    assert comparison("win_rate", 0.5, 0.4)["better"] is True
    assert comparison("win_rate", 0.3, 0.4)["better"] is False
    assert comparison("sales_cycle_days", 30.0, 40.0) == {
        "value": 40.0, "change": -10.0, "better": True
    }  # fmt: skip
    assert comparison("deals_lost", 5, 3)["better"] is False
    assert comparison("activities", 7, 7) == {"value": 7, "change": 0, "better": None}
    assert comparison("activities", 7, None) == {"value": None, "change": None, "better": None}


def _flagged(html: str) -> dict[str, str]:
    """The KPI cards with a data-quality marker: metric -> the marker's flags."""
    found = re.findall(
        r'<div class="kpi flagged" data-metric="([a-z_]+)".*?<details class="dq" '
        r'data-flags="([a-z_ ]+)">',
        html,
        re.S,
    )
    return dict(found)


def test_markers_sit_exactly_on_the_figures_resting_on_flagged_data(web: dict[str, Any]) -> None:
    for rep, flags in (("R002", {"no_outcome": NO_OUTCOME}), ("R008", {"few_closed": FEW_CLOSED}),
                       ("R003", {})):  # fmt: skip
        data = _json(web["en"], f"/api/reps/{rep}", period="2026-Q3")["scorecard"]
        shown = {m["name"] for m in data["metrics"]}
        expected = {m: f for f, ms in flags.items() for m in ms & shown}
        values = data["rows"][0]["values"]
        assert {m: " ".join(q["flag"] for q in c["quality"]) for m, c in values.items()
                if c["quality"]} == expected, rep  # fmt: skip
        html = web["en"].get(f"/reps/{rep}", params={"period": "2026-Q3"}).text
        assert _flagged(html) == expected, rep
    r002 = _json(web["nl"], "/api/reps/R002", period="2026-Q3")["scorecard"]["rows"][0]
    mark = r002["values"]["call_connect_rate"]["quality"]
    assert [q["count"] for q in mark] == [1]
    assert mark[0]["text"]["en"].startswith("calls and meetings without an outcome: 1 of ")
    assert mark[0]["text"]["nl"].startswith("gesprekken en afspraken zonder uitkomst: 1 van ")
    html = web["nl"].get("/reps/R002", params={"period": "2026-Q3"}).text
    assert 'aria-label="Waarschuwing over de datakwaliteit"' in html
    assert "Controleer de data" in html and mark[0]["text"]["nl"] in html
    # the organisation's card: every rep's flags, summed
    org = _json(web["en"], "/api/overview", period="2026-Q3")["kpis"]["rows"][0]["values"]
    few = org["win_rate"]["quality"]
    assert [(q["flag"], q["reps"]) for q in few] == [("few_closed", 2)]
    assert few[0]["text"]["en"] == "closed deals, fewer than the rate needs: 2 reps"
    assert org["activities"]["quality"] == []


def _days(value: Any) -> Any:
    """A page's JSON with every period as its days (a range and a label of the same days are
    the same period)."""
    if isinstance(value, dict):
        if set(value) == {"label", "start", "end"}:
            return (value["start"], value["end"])
        return {k: _days(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_days(v) for v in value]
    return value


FORMS = ("Q3 2026", "K3 2026", "2026-07-01..2026-09-30", "01-07-2026..30-09-2026",
         "juli 2026 t/m september 2026", "previous quarter", "vorig kwartaal", "last-quarter")  # fmt: skip


@pytest.mark.parametrize("page", ["/", "/reps/R002", "/teams", "/teams/T04"])
def test_every_form_of_period_gives_the_page_the_figures_of_its_iso_label(
    web: dict[str, Any], page: str
) -> None:
    api = "/api/overview" if page == "/" else "/api" + page
    iso = _days(_json(web["nl"], api, period="2026-Q3"))
    forms = FORMS if page in ("/", "/reps/R002") else FORMS[1:4]
    for typed in forms:
        assert _days(_json(web["nl"], api, period=typed)) == iso, typed
        r = web["nl"].get(page, params={"period": typed})
        assert r.status_code == 200, (typed, r.text[:300])
    ranged = web["en"].get(page, params={"period_from": "2026-07-01", "period_to": "2026-09-30"})
    assert ranged.status_code == 200
    assert 'name="period" value="2026-07-01 – 2026-09-30"' in ranged.text


def test_the_box_shows_the_period_as_the_page_writes_it_in_the_viewers_language(
    web: dict[str, Any],
) -> None:
    for typed in ("2026-Q3", "Q3 2026", "K3 2026"):
        assert 'name="period" value="K3 2026"' in web["nl"].get("/", params={"period": typed}).text
        assert 'name="period" value="Q3 2026"' in web["en"].get("/", params={"period": typed}).text
    nl = web["nl"].get("/", params={"period_from": "2026-07-01", "period_to": "2026-09-30"}).text
    assert 'name="period" value="01-07-2026 – 30-09-2026"' in nl
    # the quick choices: the one shown is marked; the period before and last year's by label
    page = web["nl"].get("/", params={"period": "this quarter"}).text
    assert re.search(r'value="this quarter"[^>]*aria-current="true">Dit kwartaal<', page)
    assert 'name="period" value="K4 2026"' in page
    q3 = web["nl"].get("/", params={"period": "2026-Q3"}).text
    assert re.search(r'value="2026-Q2"[^>]*>Vorige periode <small>\(K2 2026\)</small>', q3)
    assert re.search(r'value="2025-Q3"[^>]*>Zelfde periode vorig jaar <small>\(K3 2025\)', q3)


def test_a_bad_period_is_shown_next_to_the_box_on_the_page(web: dict[str, Any]) -> None:
    r = web["nl"].get("/reps/R002", params={"period": "dit kwartaaltje"})
    assert r.status_code == 422
    assert 'name="period" value="dit kwartaaltje"' in r.text and 'aria-invalid="true"' in r.text
    error = re.search(r'<p class="error period-error" id="period-error" role="alert">(.*?)</p>',
                      r.text, re.S)  # fmt: skip
    assert error is not None
    assert error.group(1).startswith("&#39;dit kwartaaltje&#39; is geen venster; gebruik")
    assert error.group(1).endswith("de pagina toont K3 2026.")
    assert 'class="kpis"' in r.text and "is not a" not in r.text  # the page itself, in Dutch
    r = web["en"].get("/", params={"period_from": "2026-09-30", "period_to": "2026-07-01"})
    assert r.status_code == 422 and "&#39;2026-09-30..2026-07-01&#39; is not a window" in r.text
    r = web["en"].get("/", params={"period_from": "2026-07-01" * 7, "period_to": "2026-09-30"})
    assert r.status_code == 422 and "longer than a period may be (64 characters)" in r.text
    assert 'class="kpis"' in r.text
