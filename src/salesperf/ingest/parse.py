"""Parsing: SQL expressions that turn a column's text into a canonical value.

Each returns SQL for the DuckDB staging engine; values that cannot be read become NULL, and the
checks in `validate` turn a NULL from a given text into a rejected row with its reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from salesperf.ingest.sql import ident, lit
from salesperf.schema import Column

FORMAT_HINT = {
    "ISO": "YYYY-MM-DD, optionally with a time",
    "DD-MM-YYYY": "DD-MM-YYYY",
    "MM/DD/YYYY": "MM/DD/YYYY",
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

    @property
    def present(self) -> bool:
        """Whether the file (or a constant) gives this column at all."""
        return bool(self.sources) or self.constant is not None


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
    # the plain case (nothing to strip) skips the rewrite
    return (
        f"nullif(nfc_normalize(CASE WHEN regexp_matches({x}, '^{_EDGE}|{_EDGE}$') "
        f"THEN {edges} ELSE {x} END), '')"
    )


def given_sql(p: ColumnPlan) -> str:
    """The column's text as given: a constant, or the first filled source (trimmed; ids
    normalised by `id_sql`)."""
    if p.constant is not None:
        return lit(p.constant)
    if p.column.is_id:
        filled = [id_sql(ident(s)) for s in p.sources]
    else:
        filled = [f"nullif(trim({ident(s)}), '')" for s in p.sources]
    if not filled:
        return "CAST(NULL AS VARCHAR)"
    return filled[0] if len(filled) == 1 else "coalesce(" + ", ".join(filled) + ")"


def text_sql(p: ColumnPlan) -> str:
    """The column's text after the value map (case-insensitive; "*" catches other values)."""
    given = given_sql(p)
    if not p.values or not p.present:
        return given
    whens = " ".join(f"WHEN {lit(k)} THEN {lit(val)}" for k, val in p.values.items() if k != "*")
    default = p.values.get("*")
    otherwise = lit(default) if default is not None else given
    return f"CASE WHEN {given} IS NULL THEN NULL ELSE CASE lower({given}) {whens} ELSE {otherwise} END END"


def number_sql(x: str, decimal: str) -> str:
    """Text to a double (possibly not finite); plain numbers take the fast path.

    Thousands separators are accepted only in their exact pattern, so that "12,5" in a file
    with decimal points is rejected instead of being read as 125.
    """
    n = f"regexp_replace({x}, '[\\s\\x{{00A0}}€$£]', '', 'g')"
    if decimal == ",":
        slow = (
            f"CASE WHEN regexp_full_match({n}, '[+-]?\\d{{1,3}}(\\.\\d{{3}})+(,\\d+)?') "
            f"THEN try_cast(replace(replace({n}, '.', ''), ',', '.') AS DOUBLE) "
            f"WHEN regexp_full_match({n}, '[+-]?\\d*,\\d+') "
            f"THEN try_cast(replace({n}, ',', '.') AS DOUBLE) ELSE try_cast({n} AS DOUBLE) END"
        )
        return (
            f"CASE WHEN regexp_matches({x}, '[.,\\s]') THEN {slow} ELSE try_cast({x} AS DOUBLE) END"
        )
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
