"""The analyses' Dutch explanations write dates, periods and numbers the Dutch way (01-07-2026,
K3 2026, juli 2026, 1.234,56) and the English ones the English way (2026-07-01, Q3 2026,
July 2026, 1,234.56): both through the one formatter, as the dashboard does."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

import pytest

from salesperf.analysis.drivers.core import DriversQuery, drivers
from salesperf.analysis.forecast.backtest import backtest
from salesperf.analysis.forecast.core import ForecastQuery, forecast
from salesperf.analysis.health import HealthQuery, health
from salesperf.analysis.plan.core import PlanQuery, plan
from salesperf.analysis.quadrant.model import DiagnoseQuery, diagnose
from salesperf.analysis.windows import day_text, period_text, resolve_window, span_text, window_text
from salesperf.i18n import format as fmt
from salesperf.i18n.words import word
from salesperf.metrics.periods import Period, parse_period
from salesperf.store import Store
from salesperf.text import Lang, Text

TODAY = date(2026, 10, 1)

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ISO_LABEL = re.compile(r"\b\d{4}-(?:Q[1-4]|W\d{2}|\d{2})\b(?!-\d)")  # 2026-Q3, 2026-W27, 2026-07
EN_QUARTER = re.compile(r"\bQ([1-4]) (\d{4})\b")  # Q3 2026, as people read a quarter
DUTCH_DATE = re.compile(r"\b\d{2}-\d{2}-\d{4}\b")
# an English decimal point: a point between digits that does not start a Dutch group of three
# (1.234 is Dutch for a thousand and more; 0.60, 7.3% and 7.69e-05 are English)
ENGLISH_DECIMAL = re.compile(r"\b0\.\d|\d\.(?!\d{3}(?!\d))\d")
EN_DECIMAL_NUMBER = re.compile(r"\d[\d,]*\.\d+")


# -- the formatters ---------------------------------------------------------------------------
def test_day_and_span_text_by_hand() -> None:
    assert day_text(date(2026, 7, 1), "nl") == "01-07-2026"
    assert span_text(date(2026, 7, 1), date(2026, 9, 30), "nl") == "01-07-2026 – 30-09-2026"
    assert span_text(date(2026, 7, 1), date(2026, 9, 30), "en") == "2026-07-01 – 2026-09-30"


@pytest.mark.parametrize(
    ("label", "english", "dutch"),
    [
        ("2026-Q3", "Q3 2026", "K3 2026"),
        ("2025-Q4", "Q4 2025", "K4 2025"),
        ("2026-07", "July 2026", "juli 2026"),
        ("2026-03", "March 2026", "maart 2026"),
        ("2026-12", "December 2026", "december 2026"),
        ("2026-W27", "Week 27 2026", "week 27 2026"),
        ("2026-W05", "Week 5 2026", "week 5 2026"),
        ("2026", "2026", "2026"),
        ("2026-07-14", "2026-07-14", "14-07-2026"),
        ("2026-07-01..2026-09-30", "2026-07-01 – 2026-09-30", "01-07-2026 – 30-09-2026"),
    ],
)
def test_period_text_by_hand(label: str, english: str, dutch: str) -> None:
    p = parse_period(label)
    assert (period_text(p, Lang.EN), period_text(p, Lang.NL)) == (english, dutch)


def test_period_text_of_ranges_and_rolling_windows() -> None:
    quarters = Period(date(2025, 10, 1), date(2026, 10, 1), "2025-Q4..2026-Q3")  # plan's window
    assert period_text(quarters, "nl") == "K4 2025 – K3 2026"
    assert period_text(quarters, "en") == "Q4 2025 – Q3 2026"
    rolling = resolve_window("last-4-quarters", TODAY)
    assert period_text(rolling, "nl") == "01-10-2025 – 30-09-2026"
    assert period_text(rolling, "en") == "2025-10-01 – 2026-09-30"


@pytest.mark.parametrize(
    ("window", "en", "nl"),
    [
        ("2026-Q3", "Q3 2026 (2026-07-01 – 2026-09-30)", "K3 2026 (01-07-2026 – 30-09-2026)"),
        ("2026-07", "July 2026 (2026-07-01 – 2026-07-31)", "juli 2026 (01-07-2026 – 31-07-2026)"),
        ("2026-07-01..2026-09-30", "2026-07-01 – 2026-09-30", "01-07-2026 – 30-09-2026"),
        ("last-4-quarters", "2025-10-01 – 2026-09-30", "01-10-2025 – 30-09-2026"),
        ("last-quarter", "Q3 2026 (2026-07-01 – 2026-09-30)", "K3 2026 (01-07-2026 – 30-09-2026)"),
    ],
)  # fmt: skip
def test_window_text(window: str, en: str, nl: str) -> None:
    p = resolve_window(window, TODAY)
    assert (window_text(p, Lang.EN), window_text(p, Lang.NL)) == (en, nl)


# -- the analyses on the demo -----------------------------------------------------------------
def texts(value: Any, path: str = "") -> list[tuple[str, Text]]:
    """Every `Text` in a result, with where it sits."""
    if isinstance(value, Text):
        return [(path, value)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [t for f in dataclasses.fields(value)
                for t in texts(getattr(value, f.name), f"{path}.{f.name}")]  # fmt: skip
    if isinstance(value, Mapping):
        return [t for k, v in value.items() for t in texts(v, f"{path}[{k}]")]
    if isinstance(value, tuple | list):
        return [t for i, v in enumerate(value) for t in texts(v, f"{path}[{i}]")]
    return []


@pytest.fixture(scope="module")
def results(demo_store: Store) -> dict[str, Any]:
    """Each analysis on the demo, as of 1 October 2026 over fixed windows."""
    s = demo_store
    return {
        "diagnose": diagnose(s, DiagnoseQuery(window="2026-Q3", today=TODAY)),
        "health": health(s, HealthQuery(last="2026-Q3", today=TODAY)),
        "health_monthly": health(s, HealthQuery(grain="month", last="2026-09", today=TODAY)),
        "drivers": drivers(s, DriversQuery(window="2025-10-01..2026-09-30", today=TODAY)),
        "plan": plan(s, PlanQuery(250_000, "2026-Q4", rep="R002", today=TODAY)),
        "plan_team": plan(s, PlanQuery(1_000_000, "2026-Q4", team="T03", today=TODAY)),
        "forecast": forecast(
            s, ForecastQuery(parse_period("2026-Q3"), date(2026, 8, 15), team="T04", today=TODAY)
        ),
        "backtest": backtest(s, ["2026-Q3"], checkpoints=(6,), draws=1000),
    }


@pytest.fixture(scope="module")
def all_texts(results: dict[str, Any]) -> list[tuple[str, Text]]:
    return [t for name, r in results.items() for t in texts(r, name)]


@pytest.mark.slow
def test_every_analysis_explains_itself_in_both_languages(
    results: dict[str, Any], all_texts: list[tuple[str, Text]]
) -> None:
    for name in results:
        mine = [t for path, t in all_texts if path.startswith(name + ".")]
        assert len(mine) >= 1, name
        assert all(t.nl and t.en for t in mine), name
    assert len(all_texts) > 200


def test_no_dutch_text_writes_iso_dates_labels_or_english_decimals(
    all_texts: list[tuple[str, Text]],
) -> None:
    for pattern in (ISO_DATE, ISO_LABEL, EN_QUARTER, ENGLISH_DECIMAL):
        bad = [(path, t.nl) for path, t in all_texts if pattern.search(t.nl)]
        assert bad == [], pattern.pattern
    # the checks can fail: the English texts do write such dates, quarters and decimals
    for pattern in (ISO_DATE, EN_QUARTER, ENGLISH_DECIMAL):
        assert any(pattern.search(t.en) for _, t in all_texts), pattern.pattern
    # and no text, English or Dutch, writes a period's id (2026-Q3) where people read it
    assert [(path, t.en) for path, t in all_texts if ISO_LABEL.search(t.en)] == []
    dated = [path for path, t in all_texts if DUTCH_DATE.search(t.nl)]
    assert {p.split(".")[0] for p in dated} >= {"diagnose", "health", "forecast"}


def test_the_dutch_text_says_what_the_english_says(all_texts: list[tuple[str, Text]]) -> None:
    """Every date, period and decimal number of an English text is in its Dutch text, in Dutch
    notation (the dashboard's own formatters for dates and periods)."""
    checked = 0
    for path, t in all_texts:
        for iso in ISO_DATE.findall(t.en):
            assert fmt.date(iso, "nl") in t.nl, (path, iso)
            checked += 1
        for m in EN_QUARTER.finditer(t.en):
            p = parse_period(f"{m.group(2)}-Q{m.group(1)}")
            assert period_text(p, Lang.NL) in t.nl, (path, p.label)
            checked += 1
        for n in EN_DECIMAL_NUMBER.findall(t.en):
            assert n.translate(str.maketrans(",.", ".,")) in t.nl, (path, n)
            checked += 1
    assert checked > 500


def test_diagnosis_window_in_dutch(results: dict[str, Any]) -> None:
    d = results["diagnose"]
    assert d.explanation.en.startswith("Q3 2026 (2026-07-01 – 2026-09-30): each rep")
    assert d.explanation.nl.startswith("K3 2026 (01-07-2026 – 30-09-2026): elke verkoper")
    spans = [r for rep in d.reps for r in rep.reasons if r.about == "activity" and "[" in r.text.en]
    assert spans  # an index interval: 1,02 [0,95–1,09]
    i = spans[0].text
    index = next(rep.activity.index for rep in d.reps if spans[0] in rep.reasons)
    assert f"{fmt.number(index.value, 'nl', 2)} [{fmt.number(index.low, 'nl', 2)}–" in i.nl


def test_health_periods_and_pace_weeks_in_dutch(results: dict[str, Any]) -> None:
    h = results["health"]
    # the last four quarters, and the four full ISO weeks before 1 October 2026 (a Thursday):
    # Monday 31 August to Sunday 27 September
    assert h.explanation.nl.endswith("van de laatste 4 kwartalen (K4 2025 – K3 2026).")
    assert h.explanation.en.endswith("of the last 4 quarters (Q4 2025 – Q3 2026).")
    checks = [r.activity for r in h.rows if r.activity is not None and r.activity.target]
    assert checks
    for c in checks:
        assert "de laatste volle weken (31-08-2026 – 27-09-2026)" in c.explanation.nl
        assert "the last full weeks (2026-08-31 – 2026-09-27)" in c.explanation.en
        assert c.explanation.nl.startswith("Voor het doel van K4 2026 van €")
    monthly = results["health_monthly"]
    assert monthly.explanation.nl.endswith("maanden (juni 2026 – september 2026).")
    flagged = [r for r in monthly.rows if r.missed == 4]
    assert flagged and "(juni 2026, juli 2026, augustus 2026, september 2026)" in flagged[0].flag.nl


def test_plan_numbers_are_the_dashboards_dutch_numbers(results: dict[str, Any]) -> None:
    p = results["plan"]
    nl = p.explanation.nl
    assert "binnen te halen in K4 2026 heeft" in nl
    assert "met de ratio's van K4 2025 – K3 2026" in nl
    for figure in (
        fmt.number(p.deals, "nl", 1),
        fmt.number(p.opportunities, "nl", 1),
        fmt.percent(p.rates.win_rate.value, "nl", 1),
        fmt.number(p.per_week, "nl", 1),
    ):
        assert figure in nl, figure
    assert p.chance is not None
    assert (
        fmt.number(p.chance.levels[0].scale, "nl", 2) + " keer het plan" in p.chance.explanation.nl
    )
    team = results["plan_team"]
    assert team.split is not None
    assert "in K4 2025 – K3 2026" in team.split.nl or "voor K4 2026" in team.split.nl
    assert fmt.number(team.per_week, "nl", 1) in team.explanation.nl  # 1.127,1: a thousands dot


def test_drivers_and_backtest_decimals_in_dutch(results: dict[str, Any]) -> None:
    d = results["drivers"]
    m = d.fit.model
    assert m.family == "poisson" and m.fixed_effects == "rep+week"
    assert f"(dispersie {fmt.number(m.dispersion, 'nl', 2)});" in m.description.nl
    assert f"(dispersion {m.dispersion:.2f});" in m.description.en
    sample = d.notes[1].nl
    assert f"{fmt.number(d.fit.sample.activities, 'nl', 0)} activiteiten" in sample
    assert d.fit.sample.activities >= 1000  # so the Dutch count has a thousands dot
    for e in d.fit.effects:
        assert e.explanation.nl.startswith(
            f"{word(e.type, 'nl')}: {fmt.number(e.per, 'nl', 1)} meer per week"
        )  # the type's label (Opvolging), not its code (follow_up)
    b = results["backtest"]
    assert b.overall.mae is not None
    assert f"gemiddeld {fmt.percent(b.overall.mae, 'nl', 1)} van het doel" in b.explanation.nl


def test_forecast_days_in_dutch(results: dict[str, Any]) -> None:
    f = results["forecast"]
    closed, pipeline, new = (t.nl for t in f.assumptions[:3])
    assert "van 01-07-2026 tot en met 14-08-2026" in closed
    assert "deals open op 15-08-2026" in pipeline
    assert re.search(r"momentopnamen van \d{2}-\d{2}-2025 tot \d{2}-\d{2}-2026 ", pipeline)
    assert "dagen vóór 15-08-2026 (" in new
    en = f.assumptions[0].en
    assert "from 2026-07-01 to 2026-08-14" in en
