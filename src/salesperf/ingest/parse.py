"""Parsing: SQL expressions that turn a column's text into a canonical value.

Each returns SQL for the DuckDB staging engine; values that cannot be read become NULL, and the
checks in `validate` turn a NULL from a given text into a rejected row with its reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from salesperf.ingest.mapping import StatusRule
from salesperf.ingest.sql import ident, lit, through
from salesperf.schema import Column, DealStatus

FORMAT_HINT = {
    "ISO": "YYYY-MM-DD, optionally with a time",
    "DD-MM-YYYY": "DD-MM-YYYY",
    "MM/DD/YYYY": "MM/DD/YYYY",
}
#: `FORMAT_HINT` in Dutch (a format not listed is shown as it is given).
FORMAT_HINT_NL = {
    "ISO": "JJJJ-MM-DD, eventueel met een tijd",
    "DD-MM-YYYY": "DD-MM-JJJJ",
    "MM/DD/YYYY": "MM/DD/JJJJ",
}


OFFSET_RE = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)$"


@dataclass(frozen=True)
class ColumnPlan:
    """Where one canonical column's text comes from."""

    column: Column
    sources: tuple[str, ...] = ()
    constant: str | None = None
    values: Mapping[str, str] | None = None
    date_format: str = "ISO"
    unit: str | None = None  # the unit a number is given in (`UNITS`), converted to minutes
    status: StatusRule | None = None  # the columns that decide a deal's status

    @property
    def present(self) -> bool:
        """Whether the file (or a constant, or a status rule) gives this column at all."""
        flags = bool(self.status and self.status.sources())
        return bool(self.sources) or self.constant is not None or flags


#: What an id may not begin or end with: white space of any kind (also non-breaking and
#: ideographic spaces), control characters and invisible format characters (zero-width space,
#: byte-order mark, direction marks).
_EDGE = r"[\s\p{Z}\p{Cc}\p{Cf}]"


def id_sql(x: str) -> str:
    """An id's text as it is stored and compared: without white space, control or format
    characters at either end, in Unicode normal form C (so that "é" typed as one character or
    as "e" and an accent is one id). Case and inner spaces are kept: ids such as Salesforce's
    are case-sensitive. Every id the importer writes, and so every id a scope decision sees,
    goes through here."""
    edges = f"regexp_replace({x}, '^{_EDGE}+|{_EDGE}+$', '', 'g')"
    # the plain case (nothing to strip) skips the rewrite; an ASCII text whose first and last
    # characters are printable (`plain_edges_sql`) is plain and in normal form C as it is,
    # without a regular expression
    return (
        f"nullif(CASE WHEN {plain_edges_sql(x)} THEN {x} "
        f"ELSE nfc_normalize(CASE WHEN regexp_matches({x}, '^{_EDGE}|{_EDGE}$') "
        f"THEN {edges} ELSE {x} END) END, '')"
    )


def ids_as_stored(con: Any, values: Iterable[str]) -> dict[str, str | None]:
    """Each id as the importer stores it (`id_sql`, the one rule), computed on the staging
    connection `con`."""
    return through(con, id_sql, values)


def ascii_sql(x: str) -> str:
    """SQL: the text is ASCII (a character beyond it takes two bytes or more)."""
    return f"strlen({x}) = length({x})"


def plain_edges_sql(x: str) -> str:
    """SQL: the text is ASCII and begins and ends with a printable character other than a space
    ('!' to '~'): no white space, control or format character at either end (`_EDGE`). The
    comparisons read the first byte (of the text and of its reverse), so this is cheaper than
    a regular expression."""
    return (
        f"({ascii_sql(x)} AND {x} >= '!' AND {x} < chr(127) "
        f"AND reverse({x}) >= '!' AND reverse({x}) < chr(127))"
    )


def trim_sql(x: str) -> str:
    """SQL: `trim(x)`, computed only for a text that may have a space at either end. The
    engine's trim removes space separators (Unicode category Zs), of which ASCII has one, the
    space itself: an ASCII text that neither begins nor ends with a space is its own trim."""
    return (
        f"CASE WHEN {ascii_sql(x)} AND NOT starts_with({x}, ' ') AND NOT ends_with({x}, ' ') "
        f"THEN {x} ELSE trim({x}) END"
    )


def given_sql(p: ColumnPlan) -> str:
    """The column's text as given: a constant, or the first filled source (trimmed; ids
    normalised by `id_sql`)."""
    if p.constant is not None:
        return lit(p.constant)
    if p.column.is_id:
        filled = [id_sql(ident(s)) for s in p.sources]
    else:
        filled = [f"nullif({trim_sql(ident(s))}, '')" for s in p.sources]
    if not filled:
        return "CAST(NULL AS VARCHAR)"
    return filled[0] if len(filled) == 1 else "coalesce(" + ", ".join(filled) + ")"


def text_sql(p: ColumnPlan) -> str:
    """The column's text after the value map (case-insensitive; "*" catches other values),
    and for a deal's status after the `[status]` columns (`status_sql`)."""
    given = given_sql(p)
    if p.status is not None and p.status.sources():
        return status_sql(p.status, given, p.values or {})
    if not p.values or not p.present:
        return given
    return _mapped(given, p.values, given)


def _mapped(given: str, values: Mapping[str, str], otherwise: str) -> str:
    whens = " ".join(f"WHEN {lit(k)} THEN {lit(val)}" for k, val in values.items() if k != "*")
    default = values.get("*")
    rest = lit(default) if default is not None else otherwise
    if not whens:  # only "*": every given value becomes the default
        return f"CASE WHEN {given} IS NULL THEN NULL ELSE {rest} END"
    return (
        f"CASE WHEN {given} IS NULL THEN NULL ELSE CASE lower({given}) {whens} ELSE {rest} END END"
    )


#: A vocabulary word that `word_sql` leaves as it is: lower case, digits and underscores.
_CANONICAL = re.compile(r"[a-z0-9_]+")


def word_sql(text: str, words: Sequence[str]) -> str:
    """SQL: a vocabulary column's text as a word: lower case, each run of white space and
    hyphens one underscore ("Follow-up" is follow_up). A text that is one of `words` already is
    its own word, so the regular expression runs only for the others."""
    normal = f"lower(regexp_replace({text}, '[\\s-]+', '_', 'g'))"
    canonical = [w for w in words if _CANONICAL.fullmatch(w)]
    if not canonical:
        return normal
    return f"CASE WHEN {among_sql(text, canonical)} THEN {text} ELSE {normal} END"


def among_sql(x: str, words: Sequence[str]) -> str:
    """SQL: `x IN (words)`, NULL for a NULL `x` as there. Written as a list lookup: the engine
    turns a long IN list into a join, which carries every column of the row through it."""
    return f"list_contains([{', '.join(lit(w) for w in words)}], {x})"


#: Words read as true and as false in flag columns (any case; English and Dutch).
TRUE_WORDS = ("true", "1", "yes", "y", "waar", "ja", "x")
FALSE_WORDS = ("false", "0", "no", "n", "onwaar", "nee")


def flag_sql(x: str) -> str:
    """A flag column's text as a boolean (NULL when empty or not a flag word)."""
    t = f"lower(trim({x}))"
    yes = ", ".join(lit(w) for w in TRUE_WORDS)
    no = ", ".join(lit(w) for w in FALSE_WORDS)
    return f"(CASE WHEN {t} IN ({yes}) THEN true WHEN {t} IN ({no}) THEN false END)"


def probability_sql(x: str) -> str:
    """A probability's text as a number ('40', '40%', '0,4'); NULL when it is not one."""
    return f"try_cast(replace(regexp_replace({x}, '[\\s%]', '', 'g'), ',', '.') AS DOUBLE)"


def status_sql(rule: StatusRule, given: str, values: Mapping[str, str]) -> str:
    """A deal's status from the `[status]` columns where they are filled, else from its label.

    The order (documented in `salesperf.ingest.mapping`): won/closed flags, probability at its
    maximum (won), not active (lost), probability between 0 and the maximum (open), probability
    0 (lost) when the label maps to no status and the deal is not marked active; then the label
    mapping. A flag or probability
    that cannot be read gives the text "column=value", which the status check rejects."""
    words = ", ".join(lit(w.value) for w in DealStatus)
    if values:
        label = _mapped(given, values, given)
        known = _mapped(given, values, "CAST(NULL AS VARCHAR)")
    else:
        label = given
        known = f"CASE WHEN lower({given}) IN ({words}) THEN {given} END"
    whens: list[str] = []
    flags = {k: getattr(rule, k) for k in ("won", "closed", "active")}
    for col in flags.values():
        if col:  # a filled flag that is no flag word is shown as it is
            x = f"nullif(trim({ident(col)}), '')"
            whens.append(
                f"WHEN {x} IS NOT NULL AND {flag_sql(x)} IS NULL THEN {lit(col + '=')} || {x}"
            )
    prob = None
    if rule.probability:
        x = f"nullif(trim({ident(rule.probability)}), '')"
        prob = probability_sql(x)
        whens.append(
            f"WHEN {x} IS NOT NULL AND {prob} IS NULL THEN {lit(rule.probability + '=')} || {x}"
        )
    won = flag_sql(ident(flags["won"])) if flags["won"] else "CAST(NULL AS BOOLEAN)"
    closed = flag_sql(ident(flags["closed"])) if flags["closed"] else "CAST(NULL AS BOOLEAN)"
    if flags["won"]:
        whens.append(f"WHEN {won} AND {closed} IS NOT false THEN 'won'")
    if flags["closed"]:
        whens.append(f"WHEN {closed} AND NOT {won} THEN 'lost'")
        whens.append(f"WHEN NOT {closed} THEN 'open'")
    top = rule.probability_max
    if prob:
        whens.append(f"WHEN {prob} >= {top} THEN 'won'")
    if flags["active"]:
        whens.append(f"WHEN NOT {flag_sql(ident(flags['active']))} THEN 'lost'")
    if prob:
        whens.append(f"WHEN {prob} > 0 AND {prob} < {top} THEN 'open'")
        active = flag_sql(ident(flags["active"])) if flags["active"] else "NULL"
        whens.append(f"WHEN {prob} = 0 AND {known} IS NULL AND {active} IS NOT true THEN 'lost'")
    return f"CASE {' '.join(whens)} ELSE {label} END"


#: Minutes per unit of a number given in that unit.
_PER_MINUTE = {"ms": 1 / 60000, "s": 1 / 60, "min": 1.0, "h": 60.0}
_CLOCK = {
    "hh:mm:ss": r"^(\d+):([0-5]?\d):([0-5]?\d(\.\d+)?)$",
    "hh:mm": r"^(\d+):([0-5]?\d)$",
}
#: How a unit is named in a rejected row's message, in English and in Dutch.
UNIT_HINT = {
    None: ("a number", "geen getal"),
    "ms": ("a number of milliseconds", "geen aantal milliseconden"),
    "s": ("a number of seconds", "geen aantal seconden"),
    "min": ("a number of minutes", "geen aantal minuten"),
    "h": ("a number of hours", "geen aantal uren"),
    "hh:mm:ss": (
        "a duration as hh:mm:ss (such as 00:03:25)",
        "geen duur als uu:mm:ss (zoals 00:03:25)",
    ),
    "hh:mm": ("a duration as hh:mm (such as 1:05)", "geen duur als uu:mm (zoals 1:05)"),
}


def _clock_sql(x: str, unit: str) -> tuple[str, str]:
    """(whether `x` is a text duration as `unit`, its minutes)."""
    pat = lit(_CLOCK[unit])
    part = [f"try_cast(regexp_extract(trim({x}), {pat}, {i}) AS DOUBLE)" for i in (1, 2, 3)]
    minutes = f"{part[0]} * 60 + {part[1]}" + (f" + {part[2]} / 60" if unit == "hh:mm:ss" else "")
    return f"regexp_matches(trim({x}), {pat})", minutes


def unit_sql(x: str, decimal: str, unit: str) -> str:
    """A number given in `unit` as minutes (NULL when it does not read as that unit). A number
    unit also takes a text duration hh:mm:ss (CRMs write the same column either way)."""
    is_clock, minutes = _clock_sql(x, "hh:mm:ss" if unit not in _CLOCK else unit)
    if unit in _CLOCK:
        return f"CASE WHEN {is_clock} THEN {minutes} END"
    number = f"({number_sql(x, decimal)}) * {_PER_MINUTE[unit]!r}"
    return f"CASE WHEN {is_clock} THEN {minutes} ELSE {number} END"


def number_sql(x: str, decimal: str, unit: str | None = None) -> str:
    """Text to a double (possibly not finite); plain numbers take the fast path. With a
    `unit`, the number is read in that unit and given in minutes (`unit_sql`).

    Thousands separators are accepted only in their exact pattern, so that "12,5" in a file
    with decimal points is rejected instead of being read as 125.
    """
    if unit is not None and unit != "min":
        return unit_sql(x, decimal, unit)
    # the engine computes an expression used more than once (`n`) for every row, before the
    # CASE that needs it: so `n` itself is computed only for a text that takes the slow path
    stripped = f"regexp_replace({x}, '[\\s\\x{{00A0}}€$£]', '', 'g')"
    if decimal == ",":
        slow_path = f"regexp_matches({x}, '[.,\\s]')"
        n = f"(CASE WHEN {slow_path} THEN {stripped} END)"
        slow = (
            f"CASE WHEN regexp_full_match({n}, '[+-]?\\d{{1,3}}(\\.\\d{{3}})+(,\\d+)?') "
            f"THEN try_cast(replace(replace({n}, '.', ''), ',', '.') AS DOUBLE) "
            f"WHEN regexp_full_match({n}, '[+-]?\\d*,\\d+') "
            f"THEN try_cast(replace({n}, ',', '.') AS DOUBLE) ELSE try_cast({n} AS DOUBLE) END"
        )
        return f"CASE WHEN {slow_path} THEN {slow} ELSE try_cast({x} AS DOUBLE) END"
    n = f"(CASE WHEN try_cast({x} AS DOUBLE) IS NULL THEN {stripped} END)"
    slow = (
        f"CASE WHEN regexp_full_match({n}, '[+-]?\\d{{1,3}}(,\\d{{3}})+(\\.\\d+)?') "
        f"THEN try_cast(replace({n}, ',', '') AS DOUBLE) ELSE try_cast({n} AS DOUBLE) END"
    )
    return f"coalesce(try_cast({x} AS DOUBLE), {slow})"


def local_timestamp(x: str, fmt: str) -> str:
    """Text to a naive timestamp as written (no zone handling)."""
    if fmt == "ISO":
        return f"try_cast({x} AS TIMESTAMP)"
    if fmt == "DD-MM-YYYY":
        pats = [f"%d{s}%m{s}%Y{t}" for s in ("-", "/", ".") for t in (" %H:%M:%S", " %H:%M", "")]
    elif fmt == "MM/DD/YYYY":
        pats = [f"%m/%d/%Y{t}" for t in (" %H:%M:%S", " %H:%M", " %I:%M %p", "")]
    else:
        pats = [fmt]
    return f"try_strptime({x}, [{', '.join(lit(p) for p in pats)}])"


def date_only_sql(text: str, local: str, fmt: str) -> str:
    """SQL: the value is a date without a time of day (a calendar day). In ISO and the named
    formats a time of day is written with a colon (`14:30`, `00:00`, an offset `+02:00`), so a
    value without one that is read at midnight is a date alone (`2025-07-01`, an Excel date
    cell); a %-pattern is date-only when it has no time or zone directive."""
    if fmt in FORMAT_HINT:
        return f"(strpos({text}, ':') = 0 AND CAST({local} AS TIME) = TIME '00:00:00')"
    timed = any(f"%{d}" in fmt for d in "HIklMSfgnpXcTRzZ")
    return "FALSE" if timed else "TRUE"
