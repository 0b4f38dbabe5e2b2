"""Checks: every rule of the data model, as one set-based pass over a staged file.

`stage_sql` builds the single statement that maps, parses and checks every
row: typed canonical columns, a `_bad` flag and, for bad rows only, the list of problems, each
with its column, rule, value and a message a sales-operations person understands, in English
(`message`) and in Dutch (`message_nl`). Where each canonical column comes from is decided
before, by `salesperf.ingest.columns.plan_columns`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date

from salesperf.ingest.columns import Plan, column_label, free_text
from salesperf.ingest.owners import resolved_sql
from salesperf.ingest.parse import (
    FORMAT_HINT,
    FORMAT_HINT_NL,
    OFFSET_RE,
    UNIT_HINT,
    among_sql,
    date_only_sql,
    local_timestamp,
    number_sql,
    text_sql,
    word_sql,
)
from salesperf.ingest.rejects_file import given_sql
from salesperf.ingest.rules import Check, check, entity_nl, table_rules
from salesperf.ingest.rules import local_col as loc
from salesperf.ingest.rules import mapped_col as m
from salesperf.ingest.rules import value_col as v
from salesperf.ingest.sql import ident, lit
from salesperf.metrics.periods import DATE_ONLY_TIME
from salesperf.schema import Kind
from salesperf.text import Text

#: Control characters that have no place in a value (tab, line feed and carriage return do).
CONTROL = "[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F]"
#: How a control character is shown in a message.
REPLACEMENT = "\N{REPLACEMENT CHARACTER}"


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
    dates: tuple[date, date] = (date(1990, 1, 1), date(2100, 1, 1)),
    rates_from: Mapping[str, date | None] | None = None,
    given: Sequence[str] = (),
    control_free: bool = False,
) -> str:
    """The statement that creates the temporary table `name` of mapped, parsed, checked rows.

    `known` maps a reference such as "reps.rep_id" to a relation of the ids already known;
    `dates` is the first and the last day a date may fall on (`Settings.date_range`);
    `rates_from` gives, per currency of the file, the first day with an exchange rate (None:
    none at all; `salesperf.fx.ensure_rates`): a deal in another currency than the
    organisation's needs a rate on or before the day it was created. The source's columns
    named in `given` are kept, for the rejected rows only, as the rejects file and the store's
    rejects table give them (`_given_csv`, `_given_json`; see `salesperf.ingest.rejects_file`):
    the rejected rows as given, without reading the file again. `control_free`: the file holds
    no control character (`Source.control_free`).
    """
    spec = plan.spec
    texts: list[str] = []
    parsed: list[str] = []
    final: list[str] = []
    checks: list[Check] = []

    def raw(c: str) -> str:
        return ident(f"r_{c}")

    for p in plan.columns:
        c = p.column.name
        label = column_label(p)
        text = text_sql(p)
        vocab = p.column.vocabulary
        words: tuple[str, ...] = ()
        if vocab is not None or (spec.name == "activities" and c == "type"):
            words = activity_types if (spec.name == "activities" and c == "type") else vocab.words()  # type: ignore[union-attr]
            texts.append(f"{text} AS {ident('g_' + c)}")  # as given, for messages
            text = word_sql(text, words)
        if spec.name == "deals" and c == "currency" and p.present:
            firsts = {k.upper(): d for k, d in (rates_from or {}).items() if d is not None}
            first = (
                "CASE "
                + " ".join(
                    f"WHEN {lit(k)} THEN DATE {lit(d.isoformat())}" for k, d in firsts.items()
                )
                + " END"
                if firsts
                else "CAST(NULL AS DATE)"
            )
            first_at = f"CASE {m(c)} {first[5:]}" if firsts else first
            checks.append(
                check(
                    c,
                    "no_rate",
                    f"{m(c)} <> {lit(currency)} AND regexp_full_match({m(c)}, '[A-Z]{{3}}') AND "
                    f"({first_at} IS NULL OR CAST({loc('created_at')} AS DATE) < {first_at})",
                    m(c),
                    Text(
                        "there is no exchange rate from {value} to {org} on or before "
                        "{day}; import rates into fx_rates (salesperf import fx_rates FILE)",
                        "er is geen wisselkoers van {value} naar {org} op of vóór {day}; "
                        "importeer koersen in fx_rates (salesperf import fx_rates BESTAND)",
                    ),
                    value=m(c),
                    org=lit(currency),
                    day=f"strftime({loc('created_at')}, '%Y-%m-%d')",
                )
            )
        if spec.name == "deals" and c == "currency":
            # ISO 4217 codes in capitals; a deal without one is in the organisation's currency
            text = f"coalesce(upper({text}), {lit(currency)})"
            checks.append(
                check(
                    c,
                    "unknown_currency",
                    f"NOT regexp_full_match({m(c)}, '[A-Z]{{3}}')",
                    m(c),
                    Text(
                        "'{value}' is not a currency code; use the three letters of ISO 4217, "
                        "such as EUR or USD",
                        "'{value}' is geen valutacode; gebruik de drie letters van ISO 4217, "
                        "zoals EUR of USD",
                    ),
                    value=m(c),
                )
            )
        texts.append(f"{text} AS {m(c)}")
        kind = p.column.kind
        owner = c == "rep_id" and "owners" in known and spec.name not in ("reps", "rep_aliases")
        if owner:  # an owner as the export names them, resolved to a rep (ingest.owners)
            final.append(f"{resolved_sql(m(c), known['reps.rep_id'], known['owners'])} AS {v(c)}")
        elif kind is Kind.TEXT:
            final.append(f"{m(c)} AS {v(c)}")
        elif kind is Kind.NUMBER:
            parsed.append(f"{number_sql(m(c), decimal, p.unit)} AS {raw(c)}")
            final.append(f"CASE WHEN isfinite({raw(c)}) THEN {raw(c)} END AS {v(c)}")
        elif kind is Kind.INTEGER:
            parsed.append(f"{number_sql(m(c), decimal)} AS {raw(c)}")
            final.append(
                f"CASE WHEN isfinite({raw(c)}) AND {raw(c)} = trunc({raw(c)}) "
                f"THEN CAST({raw(c)} AS BIGINT) END AS {v(c)}"
            )
        else:
            local = local_timestamp(m(c), p.date_format)
            if p.date_format == "ISO" and kind is Kind.TIMESTAMP:
                # an explicit offset wins over the organisation's zone; only a value with a
                # sign or a Z (the pattern takes a capital only) after its minutes (from the 17th
                # character) takes the pattern test, and one without seconds ("10:00+02:00")
                # gets ":00" to be read
                tail = f"substr({m(c)}, 17)"
                seconds = (
                    f"regexp_replace({m(c)}, '^(\\d{{4}}-\\d{{2}}-\\d{{2}}[T ]\\d{{2}}:\\d{{2}})"
                    f"(\\s*[Zz+-])', '\\1:00\\2')"
                )
                aware = (
                    f"CASE WHEN length({m(c)}) > 16 AND (contains({tail}, '+') OR "
                    f"contains({tail}, '-') OR contains({tail}, 'Z')) AND "
                    f"regexp_matches({m(c)}, {lit(OFFSET_RE)}) "
                    f"THEN timezone({lit(timezone)}, try_cast({seconds} AS TIMESTAMPTZ)) END"
                )
                local = f"coalesce({aware}, {local})"
            parsed.append(f"{local} AS {loc(c)}")
            if kind is Kind.DATE:
                final.append(f"CAST({loc(c)} AS DATE) AS {v(c)}")
            else:
                utc = loc(c)
                if timezone != "UTC":
                    utc = f"timezone('UTC', timezone({lit(timezone)}, {loc(c)}))"
                # a date without a time of day is a calendar day, in no zone: it is stored at
                # the mark that keeps it on its day (`periods.DATE_ONLY_TIME`)
                mark = lit(DATE_ONLY_TIME.isoformat())
                final.append(
                    f"CASE WHEN {date_only_sql(m(c), loc(c), p.date_format)} "
                    f"THEN CAST({loc(c)} AS DATE) + TIME {mark} ELSE {utc} END AS {v(c)}"
                )
        shown = f"{m(c)}"
        limit = p.column.max_chars
        if limit is not None:
            checks.append(
                check(
                    c,
                    "too_long",
                    f"length({m(c)}) > {limit}",
                    f"left({m(c)}, 40) || '…'",
                    Text(
                        "{column} is {n} characters long; at most {limit} are taken",
                        "{column} is {n} tekens lang; er worden er ten hoogste {limit} aangenomen",
                    ),
                    column=lit(label),
                    n=f"CAST(length({m(c)}) AS VARCHAR)",
                    limit=lit(f"{limit:,}"),
                )
            )
        # a file without control characters (`Source.control_free`) gives a value one only
        # through the mapping's own text: else neither the removal nor the check can apply
        if control_free and not re.search(CONTROL, text):
            pass
        elif free_text(p.column):
            # invisible control characters (a NUL byte from a rich-text field) are dropped from
            # free text; in an id, a number, a date or a vocabulary word they reject the row
            texts[-1] = f"regexp_replace({text}, {lit(CONTROL)}, '', 'g') AS {m(c)}"
        else:
            checks.append(
                check(
                    c,
                    "control_character",
                    f"regexp_matches({m(c)}, {lit(CONTROL)})",
                    f"regexp_replace({m(c)}, {lit(CONTROL)}, {lit(REPLACEMENT)}, 'g')",
                    Text(
                        "{column} holds an invisible control character (such as a NUL byte) "
                        "at character {at}; correct the value in the source and import again",
                        "{column} bevat een onzichtbaar stuurteken (zoals een NUL-byte) op "
                        "positie {at}; verbeter de waarde in de bron en importeer opnieuw",
                    ),
                    column=lit(label),
                    at=f"CAST(length(regexp_extract({m(c)}, {lit('^[^' + CONTROL[1:] + '*')})) + 1 AS VARCHAR)",
                )
            )
        if kind in (Kind.DATE, Kind.TIMESTAMP):
            first, last = (lit(d.isoformat()) for d in dates)
            checks.append(
                check(
                    c,
                    "date_out_of_range",
                    f"CAST({loc(c)} AS DATE) NOT BETWEEN DATE {first} AND DATE {last}",
                    shown,
                    Text(
                        "{column} {value} lies outside the accepted dates, {first} to {last} "
                        "(the settings earliest_date and days_ahead set them)",
                        "{column} {value} valt buiten de toegestane datums, {first} tot en met "
                        "{last} (in te stellen met earliest_date en days_ahead)",
                    ),
                    column=lit(label),
                    value=m(c),
                    first=first,
                    last=last,
                )
            )
        if p.column.required:
            checks.append(
                check(
                    c,
                    "required",
                    f"{m(c)} IS NULL",
                    "NULL",
                    Text(
                        "{column} is empty, and every {entity} needs one",
                        "{column} is leeg, maar is verplicht voor een {entity}",
                    ),
                    column=lit(label),
                    entity=Text(lit(spec.entity), lit(entity_nl(spec.entity))),
                )
            )
        if kind in (Kind.NUMBER, Kind.INTEGER, Kind.DATE, Kind.TIMESTAMP):
            rule = {Kind.NUMBER: "not_a_number", Kind.INTEGER: "not_a_whole_number"}.get(
                kind, "not_a_date"
            )
            fmt = p.date_format
            what = {
                Kind.NUMBER: Text(*UNIT_HINT[p.unit]),
                Kind.INTEGER: Text("a whole number", "geen geheel getal"),
            }.get(
                kind,
                Text(
                    f"a date ({FORMAT_HINT.get(fmt, fmt)})",
                    f"geen datum ({FORMAT_HINT_NL.get(fmt, fmt)})",
                ),
            )
            checks.append(
                check(
                    c,
                    rule,
                    f"{m(c)} IS NOT NULL AND {v(c)} IS NULL",
                    shown,
                    Text("'{value}' is not {what}", "'{value}' is {what}"),
                    value=m(c),
                    what=Text(lit(what.en), lit(what.nl)),
                )
            )
        if words:
            checks.append(
                check(
                    c,
                    "unknown_word",
                    f"NOT {among_sql(m(c), words)}",
                    ident("g_" + c),
                    Text(
                        "'{value}' is not a known {column}; use one of: {words}",
                        "de waarde '{value}' staat niet in de woordenlijst van {column}; "
                        "gebruik een van: {words}",
                    ),
                    value=ident("g_" + c),
                    column=lit(label),
                    words=lit(", ".join(words)),
                )
            )
        if p.column.non_negative:
            checks.append(
                check(
                    c,
                    "negative",
                    f"{v(c)} < 0",
                    shown,
                    Text(
                        "{column} is {value}; it cannot be negative",
                        "{column} is {value}; een negatieve waarde is niet toegestaan",
                    ),
                    column=lit(label),
                    value=m(c),
                )
            )
        if p.column.references:
            ref = known[p.column.references]
            ref_table = p.column.references.split(".")[0]
            noun = ref_table.rstrip("s")
            checks.append(
                check(
                    c,
                    "unknown_reference",
                    f"{m(c)} IS NOT NULL AND {v(c)} IS NULL"
                    if owner
                    else f"{v(c)} IS NOT NULL AND {v(c)} NOT IN (SELECT id FROM {ref})",
                    shown,
                    Text(
                        "{what} '{value}' is not known; import it into {table} first, "
                        "or add it to this file",
                        "{what} '{value}' is onbekend; importeer die eerst in de tabel {table}, "
                        "of neem die op in dit bestand",
                    ),
                    what=Text(lit(noun), lit(entity_nl(noun))),
                    value=m(c),
                    table=lit(ref_table),
                )
            )
    checks.extend(table_rules(spec, known, metric_names, activity_types))
    checks.sort(key=lambda k: k.column)  # a row's problems by column, as the rejects file has them
    structs = [
        f"{{'column': {lit(k.column)}, 'rule': {lit(k.rule)}, 'value': CAST({k.value} AS VARCHAR), "
        f"'message': {k.message}, 'message_nl': {k.message_nl}}}"
        for k in checks
    ]
    # one problem (most rejected rows): its check's; several: a one-problem list per failed
    # check, concatenated (NULLs drop out), much faster than filtering a list of every check
    one = "CASE " + " ".join(f"WHEN _k{i} THEN {x}" for i, x in enumerate(structs)) + " END"
    several = ", ".join(f"CASE WHEN _k{i} THEN [{x}] END" for i, x in enumerate(structs))
    problems = (
        f"CASE WHEN _n = 1 THEN [{one}] ELSE list_concat({several}) END" if checks else "NULL"
    )
    # each check is judged once, its answer kept for the row's problems
    judged = "".join(f", coalesce({k.condition}, false) AS _k{i}" for i, k in enumerate(checks))
    failed = " + ".join(f"CAST(_k{i} AS INTEGER)" for i in range(len(checks))) or "0"
    line = f"{ident(line_column)} AS _line, " if line_column else ""
    keep = ", ".join(f"{v(p.column.name)} AS {ident(p.column.name)}" for p in plan.columns)
    carried = "".join(f", {ident(c)} AS _raw_{i}" for i, c in enumerate(given))
    # the rejected rows as given, as the rejects file's fields and as JSON: two columns however
    # many the file has (a staged table of thousands would not fit the import's memory)
    kept = ""
    if given:
        as_csv, as_json = given_sql(given, [f"_raw_{i}" for i in range(len(given))])
        kept = (
            f", CASE WHEN _n > 0 THEN {as_csv} END AS _given_csv, "
            f"CASE WHEN _n > 0 THEN {as_json} END AS _given_json"
        )
    mapped = f"SELECT {line}{', '.join(texts)}{carried} FROM {relation}"
    if plan.dedupe:
        # identical rows after mapping collapse into one, kept at its first line
        first = "min(_line) AS _line, * EXCLUDE (_line)" if line_column else "DISTINCT *"
        mapped = f"SELECT {first} FROM ({mapped})" + (" GROUP BY ALL" if line_column else "")
    return (
        f"CREATE OR REPLACE TEMP TABLE {ident(name)} AS "
        f"WITH m AS ({mapped}), "
        f"p AS (SELECT *{''.join(', ' + x for x in parsed)} FROM m), "
        f"q AS (SELECT *, {', '.join(final)} FROM p), "
        f"j AS (SELECT *{judged} FROM q), "
        f"c AS (SELECT *, ({failed}) AS _n FROM j) "
        f"SELECT {'_line, ' if line_column else ''}{keep}, _n > 0 AS _bad, "
        f"CASE WHEN _n > 0 THEN {problems} END AS _problems" + kept + " FROM c"
    )
