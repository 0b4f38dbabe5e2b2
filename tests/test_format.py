"""One formatter: a period, a money amount, a percentage and a date read the same in English and
in Dutch wherever people see them: the CLI, the analyses' texts, the pages and the exports.

The expected strings are written by hand (Babel's en_GB and nl_NL forms; see the docstring of
`salesperf.i18n.format`); the rest of the file finds those very strings in each interface, on a small
organisation whose quarter 2026-Q3 holds 81 closed deals, 10 of them won for 1,234,567.891 in
all (a win rate of 10/81 = 12.345...%).
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from salesperf.analysis.plan.rates import Estimate, Rates
from salesperf.analysis.plan.text import explain_plan
from salesperf.analysis.quadrant.window import given_window
from salesperf.auth.users import add_demo_users, password_hasher
from salesperf.cli.app import app
from salesperf.i18n import format as fmt
from salesperf.metrics.periods import parse_period
from salesperf.text import Lang
from webtools import ADMIN, app_for, client_for, imported_store

NBSP = "\u00a0"
QUARTER = parse_period("2026-Q3")
MONTH = parse_period("2026-07")
AMOUNT = 1234567.891
DAY = date(2026, 7, 1)

# (English, Dutch), written by hand
EXPECTED = {
    "quarter": ("Q3 2026", "K3 2026"),
    "month": ("July 2026", "juli 2026"),
    "money": ("€1,234,568", f"€{NBSP}1.234.568"),
    "negative money": ("-€1,234,568", f"-€{NBSP}1.234.568"),
    "percent": ("12.3%", "12,3%"),
    "no percent": ("—", "—"),
    "date": ("2026-07-01", "01-07-2026"),
    "days": ("2026-07-01 – 2026-09-30", "01-07-2026 – 30-09-2026"),
}


def formatted(lang: Lang) -> dict[str, str]:
    """Each form of EXPECTED as the formatter writes it in `lang`."""
    last = date(2026, 9, 30)
    return {
        "quarter": fmt.period(QUARTER, lang),
        "month": fmt.period(MONTH, lang),
        "money": fmt.money(AMOUNT, lang),
        "negative money": fmt.money(-AMOUNT, lang),
        "percent": fmt.percent(0.1234, lang),
        "no percent": fmt.percent(None, lang),
        "date": fmt.date(DAY, lang),
        "days": fmt.span(QUARTER.start, last, lang),
    }


@pytest.mark.parametrize("lang", [Lang.EN, Lang.NL])
def test_the_formatter_writes_each_form_as_chosen(lang: Lang) -> None:
    i = 0 if lang is Lang.EN else 1
    assert formatted(lang) == {k: v[i] for k, v in EXPECTED.items()}


def test_other_forms_by_hand() -> None:
    assert fmt.number(1234.5, Lang.EN, 1) == "1,234.5"
    assert fmt.number(1234.5, Lang.NL, 1) == "1.234,5"
    assert fmt.number(float("nan"), Lang.EN) == "—"
    assert fmt.money(5, Lang.EN, "USD") == "US$5"
    assert fmt.points(-0.0123, Lang.NL) == "−1,2 pt"
    assert fmt.points(0.0004, Lang.EN) == "±0.0 pt"
    assert fmt.relative(-0.004, Lang.EN) == "+0%"  # never −0%
    assert fmt.relative(0.111, Lang.NL) == "+11%"
    assert fmt.change(-50, 1000, "money", Lang.EN) == "−5%"
    assert fmt.change(3, 0, "count", Lang.NL) == "nieuw"
    assert fmt.period(parse_period("2026-W05"), Lang.EN) == "Week 5 2026"
    assert fmt.period(parse_period("2025-Q4..2026-Q3"), Lang.NL) == "K4 2025 – K3 2026"
    assert fmt.window(QUARTER, Lang.EN) == "Q3 2026 (2026-07-01 – 2026-09-30)"
    assert fmt.window(parse_period("2026-07-01..2026-09-30"), Lang.NL) == EXPECTED["days"][1]


# -- the same strings in every interface ---------------------------------------------------------
def _deals() -> str:
    rows = ["deal_id,rep_id,created_at,status,amount,closed_at"]
    amounts = [100_000.0] * 9 + [AMOUNT - 900_000]  # won: 1,234,567.891 in all
    for i, amount in enumerate(amounts):
        rows.append(f"W{i},R1,2026-06-01,won,{amount},2026-07-{i + 1:02d}")
    for i in range(71):  # 10 won of 81 closed: 12.3%
        rows.append(f"L{i},R1,2026-06-01,lost,1000,2026-08-{i % 28 + 1:02d}")
    return "\n".join(rows) + "\n"


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A one-team organisation with the quarter's deals, and the demo users (admin)."""
    folder = tmp_path_factory.mktemp("format")
    store = imported_store(
        folder,
        {
            "teams": "team_id,name,parent_team_id\nT1,North,\n",
            "reps": "rep_id,name,team_id\nR1,Ann,T1\n",
            "activities": (
                "activity_id,rep_id,type,occurred_at,outcome,account_id\n"
                "A1,R1,call,2026-07-01T09:00:00Z,connected,\n"
                "A2,R1,call,2026-09-30T09:00:00Z,connected,\n"
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
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.slow
def test_the_cli_writes_them(small: Path) -> None:
    en = _cli("scorecard", "--by", "org", "--period", "2026-Q3", "--metrics",
              "revenue_won,win_rate", "--store", str(small))  # fmt: skip
    for key in ("quarter", "money", "percent"):
        assert EXPECTED[key][0] in en, (key, en)
    months = _cli("scorecard", "--by", "org", "--period", "2026-Q3", "--grain", "month",
                  "--metrics", "revenue_won", "--store", str(small))  # fmt: skip
    assert EXPECTED["date"][0] in months  # the July row starts on 2026-07-01
    for lang, i in (("en", 0), ("nl", 1)):
        money = _cli("metrics", "explain", "revenue_won", "--period", "2026-Q3", "--by", "org",
                     "--lang", lang, "--store", str(small))  # fmt: skip
        rate = _cli("metrics", "explain", "win_rate", "--period", "2026-Q3", "--by", "org",
                    "--lang", lang, "--store", str(small))  # fmt: skip
        assert f", {EXPECTED['quarter'][i]}:" in money and f", {EXPECTED['quarter'][i]}:" in rate
        assert f": {EXPECTED['money'][i]}" in money, money
        assert f": {EXPECTED['percent'][i]}" in rate, rate


def test_the_analysis_texts_write_them() -> None:
    window = given_window(QUARTER).text
    size = Estimate(AMOUNT / 10, None, None, 10, "rep R1", "mean")
    win = Estimate(0.1234, None, None, 81, "rep R1", "raw")
    rates = Rates(QUARTER, size, win, 81, "rep R1", ())
    plan = explain_plan("EUR", "Ann", AMOUNT, QUARTER, rates, 10.0, 81.0, (), 4)
    for lang, i in ((Lang.EN, 0), (Lang.NL, 1)):
        assert f"{EXPECTED['quarter'][i]} ({EXPECTED['days'][i]})" in window.get(lang)
        assert EXPECTED["date"][i] in window.get(lang)
        for key in ("quarter", "money", "percent"):
            assert EXPECTED[key][i] in plan.get(lang), (key, plan.get(lang))


def test_the_pages_write_them(small: Path) -> None:
    client, _ = client_for(app_for(small), ADMIN)
    for accept, i in (("en", 0), ("nl", 1)):
        html = client.get(
            "/teams", params={"period": "2026-Q3"}, headers={"Accept-Language": accept}
        ).text
        for key in ("quarter", "money", "percent"):
            assert EXPECTED[key][i] in html, (accept, key)


def test_the_export_keeps_numbers_raw_and_dates_in_iso(small: Path) -> None:
    """A CSV export is for machines: its numbers are raw (1234567.891, not €1,234,568) and its
    dates ISO 8601, which is the English date form; the period id names the file."""
    client, _ = client_for(app_for(small), ADMIN)
    r = client.get(
        "/export/scorecard",
        params={"by": "org", "period": "2026-Q3", "metrics": "revenue_won,win_rate"},
    )
    assert r.status_code == 200, r.text[:500]
    assert 'filename="scorecard-2026-Q3.csv"' in r.headers["content-disposition"]
    (row,) = list(csv.DictReader(io.StringIO(r.text)))
    assert row["period_start"] == EXPECTED["date"][0]
    assert float(row["revenue_won"]) == pytest.approx(AMOUNT)
    assert float(row["win_rate"]) == pytest.approx(10 / 81)
    assert EXPECTED["money"][0] not in r.text
