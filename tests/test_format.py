"""One formatter: a period, a money amount, a percentage and a date read the same in English and
in Dutch wherever people see them. This file holds the formatter's forms, written by hand
(Babel's en_GB and nl_NL forms; see the docstring of `salesperf.i18n.format`);
`tests/test_one_formatter.py` finds them on every surface: the CLI, the analyses' texts, the
pages, and the exports (which keep raw values).
"""

from __future__ import annotations

from datetime import date

import pytest

from salesperf.i18n import format as fmt
from salesperf.metrics.periods import parse_period
from salesperf.text import Lang

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
