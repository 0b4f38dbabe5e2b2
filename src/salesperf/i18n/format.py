"""One formatter: every number, money amount, percentage, date and period a person reads, in
English or Dutch, whichever interface shows it (the CLI, the analyses' texts, the pages).
Machine-readable values (JSON fields, period ids such as 2026-Q3 in URLs and query parameters,
the canonical form of an export) are not formatted here and stay as they are. An export's cells
are numbers a spreadsheet reads: no thousands marks, the decimal mark of the file's form
(`decimal_texts`), ISO dates, and in Excel the number formats of `excel_format`.

One choice per form, English / Dutch (Babel's en_GB and nl_NL locales):

- number: 1,234.5 / 1.234,5 (a fixed number of decimals, half to even); None as an em dash.
- a number as typed into a form: 1500.5 / 1500,5 (no thousands marks; `salesperf.i18n.reading`
  reads one back).
- money: whole currency units with the locale's symbol, €1,234,568 / € 1.234.568 (a no-break
  space after the symbol in Dutch); negative -€1,234,568 / -€ 1.234.568; US$5 for dollars.
- percentage: a ratio times a hundred, one decimal unless asked otherwise, 12.3% / 12,3%.
- a signed change: + or − (U+2212), points for rates (+1.2 pt / +1,2 pt), else relative (−5%).
- date: ISO 8601, 2026-07-01, in English; 01-07-2026 in Dutch.
- period: Q3 2026 / K3 2026; July 2026 / juli 2026; Week 27 2026 / week 27 2026; 2026; a single
  day as a date; a range of calendar periods as Q4 2025 – Q3 2026 / K4 2025 – K3 2026; any other
  window (a rolling one, a range of days) as its days, 2026-07-01 – 2026-09-30 /
  01-07-2026 – 30-09-2026 (the last day included).
- window: a period with its days, Q3 2026 (2026-07-01 – 2026-09-30); only the days when the
  period names nothing more.
"""

from __future__ import annotations

import functools
import re
from datetime import date as Date
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc
from babel import Locale
from babel.dates import format_date as _babel_date
from babel.numbers import NumberPattern, format_currency, get_currency_symbol, parse_pattern

from salesperf.text import Lang

if TYPE_CHECKING:
    from salesperf.metrics.periods import Period

DASH = "—"
MINUS = "\u2212"
LOCALES = {Lang.EN: "en_GB", Lang.NL: "nl_NL"}


def _loc(lang: Lang | str) -> str:
    return LOCALES[Lang(lang)]


def _nl(lang: Lang | str) -> bool:
    return Lang(lang) is Lang.NL


def _pattern(digits: int) -> str:
    return "#,##0" + ("." + "0" * digits if digits else "")


@functools.cache
def _compiled(pattern: str) -> NumberPattern:
    """A number pattern parsed once (Babel parses it again on every call otherwise)."""
    return parse_pattern(pattern)


@functools.cache
def _locale(lang: Lang | str) -> Locale:
    return Locale.parse(_loc(lang))


def number(value: float | int | None, lang: Lang | str, digits: int = 0) -> str:
    """A number with the language's separators: 1,234.5 or 1.234,5; None as a dash."""
    if value is None or value != value:  # None or NaN
        return DASH
    # what `babel.numbers.format_decimal` does, with the pattern and the locale parsed once
    text: str = _compiled(_pattern(digits)).apply(value, _locale(lang))
    return text


def plain(value: float | int, lang: Lang | str) -> str:
    """A number as one types it into a form: the language's decimal mark, no thousands marks,
    no trailing zeros (1500, 1,5 / 1.5)."""
    text = format(Decimal(repr(float(value))), "f")
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return text.replace(".", ",") if _nl(lang) else text


def money(value: float | int | None, lang: Lang | str, currency: str = "EUR") -> str:
    """An amount in whole currency units: €12,346 or € 12.346 (a no-break space)."""
    if value is None or value != value:
        return DASH
    pattern = "¤\u00a0#,##0" if _nl(lang) else "¤#,##0"
    return format_currency(
        value, currency, format=pattern, currency_digits=False, locale=_loc(lang)
    )


def percent(value: float | None, lang: Lang | str, digits: int = 1) -> str:
    """A ratio as a percentage: 25.3% or 25,3%."""
    if value is None or value != value:
        return DASH
    # what `babel.numbers.format_percent` does, with the pattern and the locale parsed once
    text: str = _compiled(_pattern(digits) + "%").apply(value, _locale(lang))
    return text


def signed(value: float | None, lang: Lang | str, digits: int = 1) -> str:
    """A difference with its sign, + or − (U+2212), ± when it rounds to zero: +1.2, −0,5."""
    if value is None or value != value:
        return DASH
    half = 0.5 * 10**-digits
    sign = "+" if value >= half else (MINUS if value <= -half else "±")
    return sign + number(abs(value), lang, digits)


def points(value: float | None, lang: Lang | str, digits: int = 1) -> str:
    """A difference of two rates in percentage points, signed: +1.2 pt, −0,5 pt."""
    return DASH if value is None or value != value else f"{signed(100 * value, lang, digits)} pt"


def relative(value: float | None, lang: Lang | str, digits: int = 0) -> str:
    """A relative change as a signed percentage: +11%, −5%, never −0% (+0%)."""
    if value is None or value != value:
        return DASH
    shown = round(100 * value, digits)
    return ("+" if shown >= 0 else MINUS) + number(abs(shown), lang, digits) + "%"


def date(value: Date | datetime | str | None, lang: Lang | str) -> str:
    """A date: ISO 8601 (2026-07-01) in English, dd-mm-jjjj (01-07-2026) in Dutch."""
    if value is None or value == "":
        return DASH
    if isinstance(value, str):
        value = Date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = value.date()
    return value.strftime("%d-%m-%Y") if _nl(lang) else value.isoformat()


def month(value: Date | str, lang: Lang | str) -> str:
    """A month as words: July 2026, juli 2026."""
    if isinstance(value, str):
        value = Date.fromisoformat(value[:10])
    return _babel_date(value, format="LLLL yyyy", locale=_loc(lang))


def span(start: Date | str, last: Date | str, lang: Lang | str) -> str:
    """The days from `start` to `last`, both included: 2026-07-01 – 2026-09-30."""
    return f"{date(start, lang)} – {date(last, lang)}"


def _calendar(label: str, lang: Lang | str) -> str | None:
    """A calendar period's label (2026-Q3, 2026-07, 2026-W27, 2026, 2026-07-14) in words."""
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", label):
        return f"{'K' if _nl(lang) else 'Q'}{m.group(2)} {m.group(1)}"
    if m := re.fullmatch(r"(\d{4})-(\d{2})", label):
        return month(Date(int(m.group(1)), int(m.group(2)), 1), lang)
    if m := re.fullmatch(r"(\d{4})-W(\d{2})", label):
        return f"{'week' if _nl(lang) else 'Week'} {int(m.group(2))} {m.group(1)}"
    if re.fullmatch(r"\d{4}", label):
        return label
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", label):
        return date(label, lang)
    return None


def period_of(label: str, start: Date | str, last: Date | str, lang: Lang | str) -> str:
    """A period given by its label, first and last day, as the language names it."""
    parts = [_calendar(p, lang) for p in label.split("..", 1)]
    if all(p is not None for p in parts):
        return " – ".join(p for p in parts if p is not None)
    return date(start, lang) if str(start) == str(last) else span(start, last, lang)


def period(p: Period, lang: Lang | str) -> str:
    """A period as the language names it: Q3 2026, K3 2026, July 2026, or else its days."""
    return period_of(p.label, p.start, p.end - timedelta(days=1), lang)


def window(p: Period, lang: Lang | str) -> str:
    """A window with its days: Q3 2026 (2026-07-01 – 2026-09-30); only the days when the
    period names nothing more."""
    days = span(p.start, p.end - timedelta(days=1), lang)
    name = period(p, lang)
    if ".." in p.label or p.label == p.start.isoformat() or name == days:
        return days
    return f"{name} ({days})"


def metric(value: float | int | None, unit: str, lang: Lang | str, currency: str = "EUR") -> str:
    """A metric's value by its unit (ratio, money, hours, days, score, count); None as a dash."""
    if value is None or value != value:
        return DASH
    if unit == "ratio":
        return percent(value, lang)
    if unit == "money":
        return money(value, lang, currency)
    if unit in ("hours", "days", "score"):
        return number(value, lang, 1)
    return number(value, lang, 0 if float(value).is_integer() else 2)


def change(
    delta: float | int | None, previous: float | int | None, unit: str, lang: Lang | str
) -> str:
    """The change against the previous period: points for rates (+1.2 pt), relative for the
    rest (−5%), new when there was nothing before; empty when there is no change to show."""
    if delta is None:
        return ""
    if unit == "ratio":
        return points(delta, lang)
    if previous:
        return relative(delta / abs(previous), lang)
    return ("nieuw" if _nl(lang) else "new") if delta else ""


def decimal_texts(
    values: pa.Array | pa.ChunkedArray, decimal_comma: bool, float_point: bool = False
) -> pa.Array | pa.ChunkedArray:
    """Numbers (already rounded) as a file's cells: no thousands marks, a decimal point or a
    decimal comma (1234.5 / 1234,5), no trailing zeros, -0 as 0; nulls stay null.
    `float_point`: a whole float keeps one decimal, as Python writes it (1000.0), so that a
    program reads the column back as floats."""
    if pa.types.is_floating(values.type):
        values = pc.add(values, 0.0)  # -0.0 + 0.0 is 0.0
    text = pc.cast(values, pa.string())
    if float_point and pa.types.is_floating(values.type):
        whole = pc.invert(pc.match_substring_regex(text, "[.eEna]"))  # not 1.5, 1e+20, nan, inf
        text = pc.if_else(whole, pc.binary_join_element_wise(text, ".0", ""), text)
    return pc.replace_substring(text, ".", ",") if decimal_comma else text


#: A spreadsheet's number format of each kind of exported value (Excel's codes: the file stores
#: a point and commas, and the program shows the reader's own marks).
_EXCEL = {
    "integer": "#,##0",
    "number": "#,##0.00",
    "amount": "#,##0.00",
    "ratio": "0.0%",
}


def excel_format(kind: str, lang: Lang | str, currency: str = "EUR") -> str:
    """The number format of a spreadsheet's cells of one kind (integer, number, amount, money,
    ratio, date, timestamp): money with the currency's symbol, ratios as percentages, dates in
    the language's order (2026-07-01 / 01-07-2026)."""
    day = "dd-mm-yyyy" if _nl(lang) else "yyyy-mm-dd"
    if kind == "date":
        return day
    if kind == "timestamp":
        return day + " hh:mm"
    if kind == "money":
        symbol = get_currency_symbol(currency, locale=_loc(lang))
        return f'"{symbol}"' + ("\u00a0" if _nl(lang) else "") + "#,##0.00"
    return _EXCEL[kind]


def chart_locale(lang: Lang | str, currency: str = "EUR") -> dict[str, Any]:
    """The number and time format locales the charts use (d3's, bundled with vl-convert), with
    the organisation's currency symbol."""
    import vl_convert
    from babel.numbers import get_currency_symbol

    nl = Lang(lang) is Lang.NL
    number = dict(vl_convert.get_format_locale("nl-NL" if nl else "en-GB"))
    symbol = get_currency_symbol(currency, locale=LOCALES[Lang(lang)])
    number["currency"] = [f"{symbol}\u00a0", ""] if nl else [symbol, ""]
    return {
        "formatLocale": number,
        "timeFormatLocale": vl_convert.get_time_format_locale("nl-NL" if nl else "en-GB"),
    }
