"""The columns of an exported file and how the viewer wants it written.

A column has a kind (text, integer, number, amount, money, ratio, date, timestamp) that decides
its rounding and, in Excel, its number format. The readable form (the default) names each
column in the viewer's language (the metric registry's labels, `salesperf.i18n.words` for a
table's columns), writes times in the organisation's zone with the zone named in the header and
rounds numbers as their kind requires; the canonical form is for programs: the snake_case
names, the stored values unrounded and times in UTC, as stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from salesperf.i18n.messages import t
from salesperf.i18n.words import column
from salesperf.metrics.declare import Unit
from salesperf.metrics.registry import metric
from salesperf.schema import TABLES
from salesperf.schema import Kind as StoredKind
from salesperf.schema import table as table_of
from salesperf.scorecard import Scorecard
from salesperf.text import Lang


class Kind(StrEnum):
    """What an exported column holds."""

    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"
    AMOUNT = "amount"  # money in the currency each row names
    MONEY = "money"  # money in one currency, named in the header
    RATIO = "ratio"  # a share, written as a number (0.1235), shown as a percentage in Excel
    DATE = "date"
    TIMESTAMP = "timestamp"

    @property
    def numeric(self) -> bool:
        """Written as a number."""
        return self in (Kind.INTEGER, Kind.NUMBER, Kind.AMOUNT, Kind.MONEY, Kind.RATIO)


#: Decimals kept of each kind of number in the readable form.
DIGITS = {Kind.NUMBER: 2, Kind.AMOUNT: 2, Kind.MONEY: 2, Kind.RATIO: 4}


class Delimiter(StrEnum):
    """How a CSV file separates its fields, and so its decimal mark: for Excel in English
    (comma, decimal point) or in Dutch (semicolon, decimal comma)."""

    COMMA = "comma"
    SEMICOLON = "semicolon"

    @property
    def char(self) -> str:
        """The separating character."""
        return "," if self is Delimiter.COMMA else ";"


class Headers(StrEnum):
    """The form of a file: readable (the viewer's language) or canonical (for programs)."""

    READABLE = "readable"
    CANONICAL = "canonical"


@dataclass(frozen=True)
class Form:
    """How the viewer wants a file written."""

    lang: Lang
    delimiter: Delimiter
    canonical: bool
    timezone: str  # the zone times are written in ("UTC" in the canonical form)
    currency: str  # the organisation's currency

    @property
    def decimal_comma(self) -> bool:
        """Numbers with a decimal comma (a semicolon-separated file)."""
        return self.delimiter is Delimiter.SEMICOLON


def form_for(
    lang: Lang,
    timezone: str,
    currency: str,
    delimiter: Delimiter | None = None,
    headers: Headers = Headers.READABLE,
) -> Form:
    """The form asked for; by default readable, and separated as Excel in the viewer's language
    expects (a semicolon in Dutch), or by commas in the canonical form."""
    canonical = headers is Headers.CANONICAL
    if delimiter is None:
        dutch = lang is Lang.NL and not canonical
        delimiter = Delimiter.SEMICOLON if dutch else Delimiter.COMMA
    zone = "UTC" if canonical else timezone
    return Form(lang, delimiter, canonical, zone, currency)


@dataclass(frozen=True)
class Column:
    """One column of an exported file."""

    name: str  # its canonical name
    header: str  # its name in the file
    kind: Kind
    currency: str = ""  # money's currency
    words: bool = False  # holds a vocabulary's codes (or stages): written as words when readable

    @property
    def digits(self) -> int | None:
        """Decimals kept in the readable form (None: as stored)."""
        return DIGITS.get(self.kind)


_STORED = {
    StoredKind.TEXT: Kind.TEXT,
    StoredKind.INTEGER: Kind.INTEGER,
    StoredKind.NUMBER: Kind.NUMBER,
    StoredKind.DATE: Kind.DATE,
    StoredKind.TIMESTAMP: Kind.TIMESTAMP,
}
#: Columns whose kind says more than their stored type.
_SPECIAL = {("deals", "amount"): Kind.AMOUNT}


#: The columns that hold the words of a closed vocabulary, or stages, in any table (and so in a
#: scorecard's split by them).
WORD_COLUMNS = frozenset(
    {c.name for t in TABLES.values() for c in t.columns if c.vocabulary is not None} | {"stage"}
)


def table_columns(name: str, form: Form) -> tuple[Column, ...]:
    """The columns of a canonical table's export."""
    out = []
    for c in table_of(name).columns:
        kind = _SPECIAL.get((name, c.name), _STORED[c.kind])
        header = _header(c.name, column(c.name, form.lang), kind, form)
        words = c.vocabulary is not None or c.name == "stage"
        out.append(Column(c.name, header, kind, words=words))
    return tuple(out)


#: The scorecard's columns of each metric, after the metric's own value (by their suffix).
SUFFIXES = ("previous", "change", "target", "attainment", "target_basis")


def scorecard_columns(card: Scorecard, names: list[str], form: Form) -> tuple[Column, ...]:
    """The columns of a scorecard's export (`Scorecard.to_frame`'s, named `names`)."""
    kinds = {Unit.COUNT: Kind.INTEGER, Unit.MONEY: Kind.MONEY, Unit.RATIO: Kind.RATIO}
    of: dict[str, tuple[str, str]] = {}  # column -> (metric, suffix)
    for m in card.metrics:
        of[m] = (m, "")
        of.update({f"{m}_{s}": (m, s) for s in SUFFIXES})
    out = []
    for name in names:
        if name not in of:  # key, name, the split and period_start
            kind = Kind.DATE if name == "period_start" else Kind.TEXT
            header = _header(name, column(name, form.lang), kind, form)
            out.append(Column(name, header, kind, words=name in WORD_COLUMNS))
            continue
        m, suffix = of[name]
        unit = metric(m).unit
        kind = kinds.get(unit, Kind.NUMBER)
        if suffix == "attainment":
            kind = Kind.RATIO
        elif suffix == "target_basis":
            kind = Kind.TEXT
        label = card.label(m, form.lang)
        if suffix:
            label = f"{label} – {t(f'exports.column.{suffix}', form.lang)}"
        currency = card.currency if kind is Kind.MONEY else ""
        out.append(Column(name, _header(name, label, kind, form, currency), kind, currency))
    return tuple(out)


def _header(name: str, label: str, kind: Kind, form: Form, currency: str = "") -> str:
    if form.canonical:
        return name
    if kind is Kind.TIMESTAMP:
        return f"{label} ({form.timezone})"
    if kind is Kind.MONEY and currency:
        return f"{label} ({currency})"
    return label
