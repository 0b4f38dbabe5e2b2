"""One formatter, every surface: a period, a money amount, a percentage and a date read the same,
in English and in Dutch, in the CLI, the analyses' texts and the pages (issue #16).

Each form is written once by the formatter (`fmt.period`, `fmt.money`, `fmt.percent`,
`fmt.date`), checked against the form written by hand, and then looked for, as that exact
string, in each surface, on one small organisation: its quarter 2026-Q3 holds 81 closed deals,
10 of them won for 1,234,567.891 in all (a win rate of 10/81 = 12.345...%), and the forecast is
made as of 2026-08-15.

- the CLI: `salesperf forecast --lang` (its title names the period and the day, its table the
  money closed so far), `salesperf metrics explain win_rate --lang` (the percentage) and
  `salesperf scorecard --lang` (the quarter, the money and the percentage).
- the analyses' texts: the forecast's assumptions (the day), the quadrant's window (the
  period) and the plan's explanation (period, money and percentage).
- the pages: /forecast (period, day, money closed so far) and /teams (money and percentage).
- the canonical exports are for machines, deliberately: a scorecard export carries none of these
  forms in either language, but the raw numbers, the ISO date (2026-07-01) and the period's id
  (2026-Q3) in the file's name; so the test asserts that instead (the readable exports are
  spreadsheet cells: tests/test_exports_lang.py).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from html import unescape
from pathlib import Path

import pytest
from typer.testing import CliRunner

from salesperf.analysis.forecast.core import ForecastQuery, forecast
from salesperf.analysis.plan.rates import Estimate, Rates
from salesperf.analysis.plan.text import explain_plan
from salesperf.analysis.quadrant.window import given_window
from salesperf.auth.users import add_demo_users, password_hasher
from salesperf.cli.app import app
from salesperf.i18n import format as fmt
from salesperf.metrics.periods import parse_period
from salesperf.store import Store
from salesperf.text import Lang
from webtools import ADMIN, app_for, client_for, imported_store

QUARTER = parse_period("2026-Q3")
AMOUNT = 1234567.891  # the revenue won in the quarter
WIN_RATE = 10 / 81  # won of closed deals in the quarter
AS_OF = date(2026, 8, 15)  # the day the forecast is made

# (English, Dutch), written by hand: the formatter's choices (see `salesperf.i18n.format`)
BY_HAND = {
    "period": ("Q3 2026", "K3 2026"),
    "money": ("€1,234,568", "€\u00a01.234.568"),
    "percent": ("12.3%", "12,3%"),
    "date": ("2026-08-15", "15-08-2026"),
}

# where each form must be read, surface by surface
WHERE = {
    "cli": ("period", "money", "percent", "date"),
    "analysis text": ("period", "money", "percent", "date"),
    "page": ("period", "money", "percent", "date"),
}


def forms(lang: Lang) -> dict[str, str]:
    """The four forms, each written once by the formatter in `lang`."""
    return {
        "period": fmt.period(QUARTER, lang),
        "money": fmt.money(AMOUNT, lang),
        "percent": fmt.percent(WIN_RATE, lang),
        "date": fmt.date(AS_OF, lang),
    }


def _deals() -> str:
    rows = ["deal_id,rep_id,created_at,status,amount,closed_at"]
    amounts = [100_000.0] * 9 + [AMOUNT - 900_000]  # won: 1,234,567.891 in all
    for i, amount in enumerate(amounts):
        rows.append(f"W{i},R1,2026-06-01,won,{amount},2026-07-{i + 1:02d}")
    for i in range(71):  # 10 won of 81 closed
        rows.append(f"L{i},R1,2026-06-01,lost,1000,2026-08-{i % 14 + 1:02d}")
    return "\n".join(rows) + "\n"


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A one-team organisation with the quarter's deals, and the demo users (admin)."""
    folder = tmp_path_factory.mktemp("one-formatter")
    store = imported_store(
        folder,
        {
            "teams": "team_id,name,parent_team_id\nT1,North,\n",
            "reps": "rep_id,name,team_id\nR1,Ann,T1\n",
            "activities": (
                "activity_id,rep_id,type,occurred_at,outcome,account_id\n"
                "A1,R1,call,2026-07-01T09:00:00Z,connected,\n"
                "A2,R1,call,2026-08-14T09:00:00Z,connected,\n"
            ),
            "deals": _deals(),
        },
    )
    add_demo_users(store, "demo-password", hasher=password_hasher(cheap=True))
    path = store.path
    assert path is not None
    store.close()
    return path


def _cli(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


def cli_text(org: Path, lang: Lang) -> str:
    """What the CLI itself prints, in `lang`, for the forecast and the win rate of the quarter
    (the forecast's assumptions left out: they are the analysis's text, tested as such)."""
    common = ("--lang", lang.value, "--store", str(org))
    made = _cli("forecast", "--period", QUARTER.label, "--as-of", AS_OF.isoformat(), *common)
    heading = {Lang.EN: "Assumptions", Lang.NL: "Aannames"}[lang]
    assert heading in made, made
    rate = _cli("metrics", "explain", "win_rate", "--period", QUARTER.label, "--by", "org", *common)
    card = _cli("scorecard", "--by", "org", "--period", QUARTER.label, "--metrics",
                "revenue_won,win_rate", *common)  # fmt: skip
    return made.split(heading)[0] + rate + card


def analysis_texts(org: Path, lang: Lang) -> tuple[str, ...]:
    """The analyses' own texts, in `lang`: the forecast's assumptions, the quadrant's window and
    the plan's explanation (its rates given: a deal size and the quarter's win rate)."""
    store = Store.open(org)
    try:
        made = forecast(store, ForecastQuery(QUARTER, AS_OF))
    finally:
        store.close()
    size = Estimate(AMOUNT / 10, None, None, 10, "org", "mean")
    win = Estimate(WIN_RATE, None, None, 81, "org", "raw")
    rates = Rates(QUARTER, size, win, 81, "org", ())
    plan = explain_plan("EUR", "North", AMOUNT, QUARTER, rates, 10.0, 81.0, (), 4)
    texts = (*made.assumptions, given_window(QUARTER).text, plan)
    return tuple(t.get(lang) for t in texts)


def visible(html: str) -> str:
    """The text a page shows: no scripts, styles, charts, tags or attributes (an input's ISO
    date is a value for the browser, not a form for the reader)."""
    html = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", html, flags=re.S | re.I)
    return unescape(re.sub(r"<[^>]*>", " ", html))


def page_text(org: Path, lang: Lang, leave_out: tuple[str, ...]) -> str:
    """What the /forecast and /teams pages of the quarter show, asked for in `lang`, without
    the texts `leave_out` (the forecast's assumptions: the analysis's text, tested as such)."""
    client, _ = client_for(app_for(org), ADMIN)
    headers = {"Accept-Language": lang.value}
    pages = (
        ("/forecast", {"period": QUARTER.label, "as_of": AS_OF.isoformat()}),
        ("/teams", {"period": QUARTER.label}),
    )
    html = []
    for path, params in pages:
        r = client.get(path, params=params, headers=headers)
        assert r.status_code == 200, (path, r.text[:500])
        html.append(visible(r.text))
    text = "\n".join(html)
    for t in leave_out:
        assert t in text, t
        text = text.replace(t, " ")
    return text


@pytest.mark.slow
@pytest.mark.parametrize("lang", [Lang.EN, Lang.NL])
def test_each_form_reads_the_same_on_every_surface(org: Path, lang: Lang) -> None:
    """The formatter's form of each value, in `lang`, is found in the CLI, the analyses' texts
    and the pages; the export holds the raw values instead."""
    written = forms(lang)
    assert written == {k: v[0 if lang is Lang.EN else 1] for k, v in BY_HAND.items()}
    texts = analysis_texts(org, lang)
    assumptions = texts[:-2]  # shown again on the forecast's page
    surfaces = {
        "cli": cli_text(org, lang),
        "analysis text": "\n".join(texts),
        "page": page_text(org, lang, assumptions),
    }
    missing = [
        (surface, form, written[form])
        for surface, wanted in WHERE.items()
        for form in wanted
        if written[form] not in surfaces[surface]
    ]
    assert missing == [], f"not written as the formatter writes it ({lang.value}): {missing}"
    # nor in the other language's form, nor as the raw value
    other = forms(Lang.NL if lang is Lang.EN else Lang.EN)
    raw = {"period": QUARTER.label, "money": "1234567", "percent": "0.123", "date": "2026-08-15"}
    wrong = [
        (surface, form, shown)
        for surface, wanted in WHERE.items()
        for form in wanted
        for shown in {other[form], raw[form]} - {written[form]}
        if shown in surfaces[surface]
    ]
    assert wrong == [], f"written otherwise ({lang.value}): {wrong}"

    # the canonical export is machine-readable in every language: raw numbers, ISO dates, the
    # period's id
    client, _ = client_for(app_for(org), ADMIN)
    r = client.get(
        "/export/scorecard",
        params={
            "by": "org",
            "period": QUARTER.label,
            "metrics": "revenue_won,win_rate",
            "headers": "canonical",
        },
        headers={"Accept-Language": lang.value},
    )
    assert r.status_code == 200, r.text[:500]
    assert f'filename="scorecard-{QUARTER.label}.csv"' in r.headers["content-disposition"]
    (row,) = list(csv.DictReader(io.StringIO(r.text)))
    assert row["period_start"] == QUARTER.start.isoformat() == "2026-07-01"
    assert float(row["revenue_won"]) == pytest.approx(AMOUNT)
    assert float(row["win_rate"]) == pytest.approx(WIN_RATE)
    shown = [f for f in (written["period"], written["money"], written["percent"]) if f in r.text]
    assert shown == []
