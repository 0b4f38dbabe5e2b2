"""Checks: every rule of the data model, as one set-based pass over a staged file.

`plan_columns` decides where each canonical column comes from (and refuses a file that lacks a
required column). `stage_sql` builds the single statement that maps, parses and checks every
row: typed canonical columns, a `_bad` flag and, for bad rows only, the list of problems, each
with its column, rule, value and a message a sales-operations person understands.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass

from salesperf.ingest.mapping import CHECK_ONLY, ImportMapping, normalise_name
from salesperf.ingest.readers import FileRefused
from salesperf.ingest.sql import ident, lit
from salesperf.schema import Column, DealStatus, Kind, LeadSource, SurveyScale, Table

#: Rules, with a short explanation used in docs and summaries.
RULES: Mapping[str, str] = {
    "required": "a required value is missing",
    "not_a_number": "the value is not a number",
    "not_a_whole_number": "the value is not a whole number",
    "not_a_date": "the value is not a date in the expected format",
    "unknown_word": "the value is not in the column's vocabulary",
    "negative": "the amount is below zero",
    "unknown_reference": "the rep, team or deal it refers to is not known",
    "closed_without_date": "a won or lost deal has no close date",
    "closed_before_created": "a deal closes before it was created",
    "end_before_start": "an end date lies before the start date",
    "score_out_of_scale": "a survey score lies outside its scale",
    "unknown_metric": "a target names a metric that does not exist",
    "other_currency": "the amount is in another currency than the organisation's",
    "duplicate_id": "the same id appears more than once in the file",
    "malformed_line": "the line cannot be split into the header's columns",
}

_FORMAT_HINT = {
    "ISO": "YYYY-MM-DD, optionally with a time",
    "DD-MM-YYYY": "DD-MM-YYYY",
    "MM/DD/YYYY": "MM/DD/YYYY",
}
_OFFSET_RE = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)$"


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


@dataclass(frozen=True)
class Plan:
    """How a file's columns become one canonical table's columns."""

    spec: Table
    columns: tuple[ColumnPlan, ...]
    currency: ColumnPlan | None
    ignored: tuple[str, ...]
    dedupe: bool = False

    def get(self, name: str) -> ColumnPlan:
        """The plan of one canonical column."""
        return next(p for p in self.columns if p.column.name == name)


def plan_columns(spec: Table, source_columns: tuple[str, ...], mapping: ImportMapping) -> Plan:
    """Match source columns to canonical ones; refuse the file if a required one is missing."""
    problems: list[str] = []
    by_norm: dict[str, str] = {normalise_name(c): c for c in source_columns}
    missing_sources = [
        s for s in mapping.rename if s not in source_columns and s not in mapping.optional
    ]
    for s in missing_sources:
        close = difflib.get_close_matches(s, source_columns, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        problems.append(f"the mapping names the column {s!r}, which the file does not have{hint}")
    used: set[str] = set()
    plans: list[ColumnPlan] = []
    default_format = mapping.option("date_format") or "ISO"
    all_cols = [*spec.columns, *(Column(c) for c in CHECK_ONLY)]
    for col in all_cols:
        sources = tuple(s for s in mapping.sources_for(col.name) if s in source_columns)
        if not sources and mapping.auto and col.name not in mapping.constants:
            match = by_norm.get(col.name)
            explicitly_used = any(match == s for s in mapping.rename)
            if match is not None and not explicitly_used:
                sources = (match,)
        used.update(sources)
        plans.append(
            ColumnPlan(
                column=col,
                sources=sources,
                constant=mapping.constants.get(col.name),
                values=mapping.values.get(col.name),
                date_format=mapping.formats.get(col.name, default_format),
            )
        )
    for p in plans:
        if p.column.required and not p.present:
            close = difflib.get_close_matches(p.column.name, list(source_columns), n=1, cutoff=0.5)
            hint = f"; perhaps --map {close[0]!r}={p.column.name}" if close else ""
            problems.append(
                f"no column gives {p.column.name}, which every {spec.entity} needs "
                f"(map one with --map SOURCE={p.column.name}{hint})"
            )
    if problems:
        cols = ", ".join(repr(c) for c in source_columns)
        raise FileRefused(
            "the file cannot be imported into "
            + spec.name
            + ":\n  - "
            + "\n  - ".join(problems)
            + f"\nThe file's columns are: {cols}"
        )
    ignored = tuple(c for c in source_columns if c not in used)
    currency = next(p for p in plans if p.column.name == "currency")
    return Plan(
        spec=spec,
        columns=tuple(p for p in plans if p.column.name != "currency"),
        currency=currency if currency.present else None,
        ignored=ignored,
        dedupe=mapping.dedupe,
    )


def _given(p: ColumnPlan) -> str:
    """The column's text as given: a constant, or the first filled source (trimmed)."""
    if p.constant is not None:
        return lit(p.constant)
    filled = [f"nullif(trim({ident(s)}), '')" for s in p.sources]
    if not filled:
        return "CAST(NULL AS VARCHAR)"
    return filled[0] if len(filled) == 1 else "coalesce(" + ", ".join(filled) + ")"


def _text(p: ColumnPlan) -> str:
    """The column's text after the value map (case-insensitive; "*" catches other values)."""
    given = _given(p)
    if not p.values or not p.present:
        return given
    whens = " ".join(f"WHEN {lit(k)} THEN {lit(val)}" for k, val in p.values.items() if k != "*")
    default = p.values.get("*")
    otherwise = lit(default) if default is not None else given
    return f"CASE WHEN {given} IS NULL THEN NULL ELSE CASE lower({given}) {whens} ELSE {otherwise} END END"


def _number(x: str, decimal: str) -> str:
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


def _local_ts(x: str, fmt: str) -> str:
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


def _quoted(value_sql: str, after: str) -> str:
    """A message: the value in quotes, then `after`."""
    return f"{lit(chr(39))} || {value_sql} || {lit(chr(39) + after)}"


@dataclass(frozen=True)
class Check:
    """One rule applied to one column: a condition that marks a row bad, and its message."""

    column: str
    rule: str
    condition: str
    value: str
    message: str


def stage_sql(
    plan: Plan,
    relation: str,
    *,
    line_column: str | None,
    decimal: str,
    timezone: str,
    currency: str,
    activity_types: tuple[str, ...],
    metric_names: tuple[str, ...],
    known: Mapping[str, str],
    name: str,
) -> str:
    """The statement that creates the temporary table `name` of mapped, parsed, checked rows.

    `known` maps a reference such as "reps.rep_id" to a relation of the ids already known.
    """
    spec = plan.spec
    texts: list[str] = []
    parsed: list[str] = []
    final: list[str] = []
    checks: list[Check] = []

    def m(c: str) -> str:
        return ident(f"m_{c}")

    def v(c: str) -> str:
        return ident(f"v_{c}")

    def loc(c: str) -> str:
        return ident(f"l_{c}")

    def raw(c: str) -> str:
        return ident(f"r_{c}")

    for p in (*plan.columns, *([plan.currency] if plan.currency else [])):
        c = p.column.name
        text = _text(p)
        vocab = p.column.vocabulary
        words: tuple[str, ...] = ()
        if vocab is not None or (spec.name == "activities" and c == "type"):
            words = activity_types if (spec.name == "activities" and c == "type") else vocab.words()  # type: ignore[union-attr]
            texts.append(f"{text} AS {ident('g_' + c)}")  # as given, for messages
            text = f"lower(regexp_replace({text}, '[\\s-]+', '_', 'g'))"
        texts.append(f"{text} AS {m(c)}")
        kind = p.column.kind
        if kind is Kind.TEXT:
            final.append(f"{m(c)} AS {v(c)}")
        elif kind is Kind.NUMBER:
            parsed.append(f"{_number(m(c), decimal)} AS {raw(c)}")
            final.append(f"CASE WHEN isfinite({raw(c)}) THEN {raw(c)} END AS {v(c)}")
        elif kind is Kind.INTEGER:
            parsed.append(f"{_number(m(c), decimal)} AS {raw(c)}")
            final.append(
                f"CASE WHEN isfinite({raw(c)}) AND {raw(c)} = trunc({raw(c)}) "
                f"THEN CAST({raw(c)} AS BIGINT) END AS {v(c)}"
            )
        else:
            local = _local_ts(m(c), p.date_format)
            if p.date_format == "ISO" and kind is Kind.TIMESTAMP:
                # an explicit offset wins over the organisation's zone; plain values (19 chars
                # or fewer) skip the pattern test
                aware = (
                    f"CASE WHEN length({m(c)}) > 19 AND regexp_matches({m(c)}, {lit(_OFFSET_RE)}) "
                    f"THEN timezone({lit(timezone)}, try_cast({m(c)} AS TIMESTAMPTZ)) END"
                )
                local = f"coalesce({aware}, {local})"
            parsed.append(f"{local} AS {loc(c)}")
            if kind is Kind.DATE:
                final.append(f"CAST({loc(c)} AS DATE) AS {v(c)}")
            elif timezone == "UTC":
                final.append(f"{loc(c)} AS {v(c)}")
            else:
                final.append(f"timezone('UTC', timezone({lit(timezone)}, {loc(c)})) AS {v(c)}")
        shown = f"{m(c)}"
        if p.column.required:
            checks.append(
                Check(
                    c,
                    "required",
                    f"{m(c)} IS NULL",
                    "NULL",
                    lit(f"{c} is empty, and every {spec.entity} needs one"),
                )
            )
        if kind in (Kind.NUMBER, Kind.INTEGER, Kind.DATE, Kind.TIMESTAMP):
            rule = {Kind.NUMBER: "not_a_number", Kind.INTEGER: "not_a_whole_number"}.get(
                kind, "not_a_date"
            )
            what = {
                Kind.NUMBER: "a number",
                Kind.INTEGER: "a whole number",
            }.get(kind, f"a date ({_FORMAT_HINT.get(p.date_format, p.date_format)})")
            checks.append(
                Check(
                    c,
                    rule,
                    f"{m(c)} IS NOT NULL AND {v(c)} IS NULL",
                    shown,
                    _quoted(m(c), f" is not {what}"),
                )
            )
        if words:
            checks.append(
                Check(
                    c,
                    "unknown_word",
                    f"{m(c)} NOT IN ({', '.join(lit(w) for w in words)})",
                    ident("g_" + c),
                    _quoted(
                        ident("g_" + c), f" is not a known {c}; use one of: {', '.join(words)}"
                    ),
                )
            )
        if p.column.non_negative:
            checks.append(
                Check(
                    c,
                    "negative",
                    f"{v(c)} < 0",
                    shown,
                    lit(f"{c} is ") + f" || {m(c)} || " + lit("; it cannot be negative"),
                )
            )
        if p.column.references:
            ref = known[p.column.references]
            what = p.column.references.split(".")[0].rstrip("s")
            checks.append(
                Check(
                    c,
                    "unknown_reference",
                    f"{v(c)} IS NOT NULL AND {v(c)} NOT IN (SELECT id FROM {ref})",
                    shown,
                    lit(f"{what} '")
                    + f" || {m(c)} || "
                    + lit(
                        f"' is not known; import it into {p.column.references.split('.')[0]} first, or add it to this file"
                    ),
                )
            )
    if plan.currency is not None:
        checks.append(
            Check(
                "currency",
                "other_currency",
                f"upper({m('currency')}) <> {lit(currency)}",
                m("currency"),
                lit("the amount is in ")
                + f" || {m('currency')} || "
                + lit(
                    f", but the organisation's currency is {currency}; convert it first (one currency per organisation)"
                ),
            )
        )
    checks.extend(_table_rules(spec, plan, known, metric_names, activity_types, m, v, loc))
    bad = " OR ".join(f"coalesce({k.condition}, false)" for k in checks) or "false"
    problems = ", ".join(
        f"CASE WHEN coalesce({k.condition}, false) THEN {{'column': {lit(k.column)}, 'rule': {lit(k.rule)}, "
        f"'value': CAST({k.value} AS VARCHAR), 'message': {k.message}}} END"
        for k in checks
    )
    line = f"{ident(line_column)} AS _line, " if line_column else ""
    keep = ", ".join(f"{v(p.column.name)} AS {ident(p.column.name)}" for p in plan.columns)
    mapped = f"SELECT {line}{', '.join(texts)} FROM {relation}"
    if plan.dedupe:
        # identical rows after mapping collapse into one, kept at its first line
        first = "min(_line) AS _line, * EXCLUDE (_line)" if line_column else "DISTINCT *"
        mapped = f"SELECT {first} FROM ({mapped})" + (" GROUP BY ALL" if line_column else "")
    return (
        f"CREATE OR REPLACE TEMP TABLE {ident(name)} AS "
        f"WITH m AS ({mapped}), "
        f"p AS (SELECT *{''.join(', ' + x for x in parsed)} FROM m), "
        f"q AS (SELECT *, {', '.join(final)} FROM p), "
        f"c AS (SELECT *, ({bad}) AS _bad FROM q) "
        f"SELECT {'_line, ' if line_column else ''}{keep}, _bad, "
        f"CASE WHEN _bad THEN list_filter([{problems}], x -> x IS NOT NULL) END AS _problems "
        f"FROM c"
    )


def _table_rules(
    spec: Table,
    plan: Plan,
    known: Mapping[str, str],
    metric_names: tuple[str, ...],
    activity_types: tuple[str, ...],
    m,
    v,
    loc,
) -> list[Check]:  # type: ignore[no-untyped-def]
    out: list[Check] = []
    if spec.name == "deals":
        closed = ", ".join(lit(s.value) for s in DealStatus if s.closed)
        out.append(
            Check(
                "closed_at",
                "closed_without_date",
                f"{v('status')} IN ({closed}) AND {m('closed_at')} IS NULL",
                v("status"),
                lit("the deal is ")
                + f" || {v('status')} || "
                + lit(" but has no close date (closed_at)"),
            )
        )
        out.append(
            Check(
                "closed_at",
                "closed_before_created",
                f"CAST({loc('closed_at')} AS DATE) < CAST({loc('created_at')} AS DATE)",
                m("closed_at"),
                lit("it closed on ")
                + f" || strftime({loc('closed_at')}, '%Y-%m-%d') || "
                + lit(", before it was created on ")
                + f" || strftime({loc('created_at')}, '%Y-%m-%d')",
            )
        )
    if spec.name == "reps":
        out.append(
            Check(
                "end_date",
                "end_before_start",
                f"{v('end_date')} < {v('start_date')}",
                m("end_date"),
                lit("the end date ")
                + f" || {m('end_date')} || "
                + lit(" lies before the start date ")
                + f" || {m('start_date')}",
            )
        )
    if spec.name == "targets":
        out.append(
            Check(
                "period_end",
                "end_before_start",
                f"{v('period_end')} < {v('period_start')}",
                m("period_end"),
                lit("the period ends on ")
                + f" || {m('period_end')} || "
                + lit(", before it starts on ")
                + f" || {m('period_start')}",
            )
        )
        out.append(
            Check(
                "scope_id",
                "unknown_reference",
                f"({v('scope')} = 'rep' AND {v('scope_id')} NOT IN (SELECT id FROM {known['reps.rep_id']})) OR "
                f"({v('scope')} IN ('team', 'org') AND {v('scope_id')} NOT IN (SELECT id FROM {known['teams.team_id']}))",
                m("scope_id"),
                f"{v('scope')} || ' ''' || {m('scope_id')} || ''' is not known; import it first'",
            )
        )
        names = ", ".join(lit(n) for n in metric_names)
        filters = ", ".join(lit(w) for w in (*activity_types, *LeadSource.words()))
        out.append(
            Check(
                "metric",
                "unknown_metric",
                f"split_part({v('metric')}, ':', 1) NOT IN ({names}) OR "
                f"(contains({v('metric')}, ':') AND split_part({v('metric')}, ':', 2) NOT IN ({filters}))",
                m("metric"),
                f"'''' || {m('metric')} || ''' is not a metric; use a metric name such as revenue_won, "
                f"optionally with a type as in activities:demo'",
            )
        )
    if spec.name == "surveys":
        cases = " ".join(
            f"WHEN {lit(s.value)} THEN {v('score')} NOT BETWEEN {s.bounds[0]} AND {s.bounds[1]}"
            for s in SurveyScale
        )
        out.append(
            Check(
                "score",
                "score_out_of_scale",
                f"CASE {v('scale')} {cases} ELSE false END",
                m("score"),
                f"'score ' || {m('score')} || ' is outside the ' || {v('scale')} || ' scale ('"
                f" || CASE {v('scale')} WHEN 'csat5' THEN '1-5' ELSE '0-10' END || ')'",
            )
        )
    return out
