"""The rules of the data model: their names, a check's shape, and the rules across columns.

Every check says what is wrong in English and in Dutch: each message is written once as a
`Text` whose `{name}` places the check fills with the row's values, in both languages alike.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass

from salesperf.ingest.sql import ident, lit
from salesperf.schema import DealStatus, LeadSource, SurveyScale, Table
from salesperf.text import Text

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
    "unknown_currency": "the currency is not a three-letter ISO 4217 code",
    "control_character": "a value holds an invisible control character such as a NUL byte",
    "no_rate": "there is no exchange rate for the deal's currency on or before its date",
    "duplicate_id": "the same id appears more than once in the file",
    "malformed_line": "the line cannot be split into the header's columns",
    "too_long": "the text is longer than the column takes",
    "date_out_of_range": "the date lies outside the accepted range (earliest_date, days_ahead)",
}

#: The same explanations in Dutch.
RULES_NL: Mapping[str, str] = {
    "required": "een verplichte waarde ontbreekt",
    "not_a_number": "de waarde is geen getal",
    "not_a_whole_number": "de waarde is geen geheel getal",
    "not_a_date": "de waarde is geen datum in het verwachte formaat",
    "unknown_word": "de waarde staat niet in de woordenlijst van de kolom",
    "negative": "het bedrag is kleiner dan nul",
    "unknown_reference": "de verkoper, het team of de deal waarnaar verwezen wordt is onbekend",
    "closed_without_date": "een gewonnen of verloren deal heeft geen sluitdatum",
    "closed_before_created": "een deal wordt gesloten voordat hij is aangemaakt",
    "end_before_start": "een einddatum ligt vóór de begindatum",
    "score_out_of_scale": "een enquêtescore valt buiten de schaal",
    "unknown_metric": "een doel noemt een metriek die niet bestaat",
    "unknown_currency": "de valuta is geen code van drie letters volgens ISO 4217",
    "control_character": "een waarde bevat een onzichtbaar stuurteken zoals een NUL-byte",
    "no_rate": "er is geen wisselkoers voor de valuta van de deal op of vóór de datum",
    "duplicate_id": "dezelfde id komt meer dan eens voor in het bestand",
    "malformed_line": "de regel valt niet uiteen in de kolommen van de kopregel",
    "too_long": "de tekst is langer dan de kolom aanneemt",
    "date_out_of_range": "de datum valt buiten het toegestane bereik (earliest_date, days_ahead)",
}

#: What one row of a table is (`Table.entity`, or a referenced table's word), in Dutch.
ENTITY_NL: Mapping[str, str] = {
    "team": "team",
    "rep": "verkoper",
    "org": "organisatie",
    "account": "account",
    "lead": "lead",
    "deal": "deal",
    "stage change": "fasewijziging",
    "activity": "activiteit",
    "target": "doel",
    "survey response": "enquêteantwoord",
    "absence": "afwezigheid",
}


def rule_text(rule: str) -> Text:
    """A rule's short explanation in both languages."""
    return Text(RULES[rule], RULES_NL[rule])


def entity_nl(entity: str) -> str:
    """The Dutch word for a row of a table (the word itself when there is none)."""
    return ENTITY_NL.get(entity, entity)


@dataclass(frozen=True)
class Check:
    """One rule applied to one column: a condition that marks a row bad, and its message as
    SQL text expressions in English and in Dutch."""

    column: str
    rule: str
    condition: str
    value: str
    message: str
    message_nl: str


Part = str | Text  # a SQL expression, or one per language


def sql_text(template: str, parts: Mapping[str, str]) -> str:
    """A message as one SQL text expression: the template's words as literals, each `{name}`
    place filled by the SQL expression `parts[name]` (joined with ||, so NULL stays NULL)."""
    pieces: list[str] = []
    for words, name, _spec, _conv in string.Formatter().parse(template):
        if words:
            pieces.append(lit(words))
        if name is not None:
            pieces.append(parts[name])
    return " || ".join(pieces) or "''"


def check(
    column: str, rule: str, condition: str, value: str, message: Text, /, **parts: Part
) -> Check:
    """A check whose message, in both languages, fills `message`'s places with `parts`."""

    def fill(lang: str) -> str:
        given = {k: (p.get(lang) if isinstance(p, Text) else p) for k, p in parts.items()}
        return sql_text(message.get(lang), given)

    return Check(column, rule, condition, value, fill("en"), fill("nl"))


def mapped_col(c: str) -> str:
    """The staged column holding canonical column `c`'s text after mapping."""
    return ident(f"m_{c}")


def value_col(c: str) -> str:
    """The staged column holding `c`'s parsed value."""
    return ident(f"v_{c}")


def local_col(c: str) -> str:
    """The staged column holding `c`'s timestamp in the organisation's local time."""
    return ident(f"l_{c}")


def table_rules(
    spec: Table,
    known: Mapping[str, str],
    metric_names: tuple[str, ...],
    activity_types: tuple[str, ...],
) -> list[Check]:
    """The checks that span columns (close dates, periods, scales, targets' metrics)."""
    m, v, loc = mapped_col, value_col, local_col
    out: list[Check] = []
    if spec.name == "deals":
        closed = ", ".join(lit(s.value) for s in DealStatus if s.closed)
        out.append(
            check(
                "closed_at",
                "closed_without_date",
                f"{v('status')} IN ({closed}) AND {m('closed_at')} IS NULL",
                v("status"),
                Text(
                    "the deal is {status} but has no close date (closed_at)",
                    "de deal heeft de status {status}, maar geen sluitdatum (closed_at)",
                ),
                status=v("status"),
            )
        )
        out.append(
            check(
                "closed_at",
                "closed_before_created",
                # an open deal's closed_at is its expected close date: any date will do
                f"{v('status')} IN ({closed}) AND "
                f"CAST({loc('closed_at')} AS DATE) < CAST({loc('created_at')} AS DATE)",
                m("closed_at"),
                Text(
                    "the deal is {status}, closed on {closed}, before it was created on "
                    "{created}; a won or lost deal closes on or after its creation (an open "
                    "deal's expected close date may be any date)",
                    "de deal is {status_nl}, gesloten op {closed}, vóór de aanmaakdatum "
                    "{created}; een gewonnen of verloren deal sluit op of na de aanmaakdatum "
                    "(de verwachte sluitdatum van een open deal mag elke datum zijn)",
                ),
                status=v("status"),
                status_nl=f"CASE {v('status')} WHEN 'won' THEN 'gewonnen' ELSE 'verloren' END",
                closed=f"strftime({loc('closed_at')}, '%Y-%m-%d')",
                created=f"strftime({loc('created_at')}, '%Y-%m-%d')",
            )
        )
    if spec.name == "reps":
        out.append(
            check(
                "end_date",
                "end_before_start",
                f"{v('end_date')} < {v('start_date')}",
                m("end_date"),
                Text(
                    "the end date {end} lies before the start date {start}",
                    "de einddatum {end} ligt vóór de begindatum {start}",
                ),
                end=m("end_date"),
                start=m("start_date"),
            )
        )
    if spec.name == "targets":
        out.append(
            check(
                "period_end",
                "end_before_start",
                f"{v('period_end')} < {v('period_start')}",
                m("period_end"),
                Text(
                    "the period ends on {end}, before it starts on {start}",
                    "de periode eindigt op {end}, vóór het begin op {start}",
                ),
                end=m("period_end"),
                start=m("period_start"),
            )
        )
        scope_nl = " ".join(
            f"WHEN {lit(w)} THEN {lit(entity_nl(w))}" for w in ("rep", "team", "org")
        )
        out.append(
            check(
                "scope_id",
                "unknown_reference",
                f"({v('scope')} = 'rep' AND {v('scope_id')} NOT IN (SELECT id FROM {known['reps.rep_id']})) OR "
                f"({v('scope')} IN ('team', 'org') AND {v('scope_id')} NOT IN (SELECT id FROM {known['teams.team_id']}))",
                m("scope_id"),
                Text(
                    "{scope} '{id}' is not known; import it first",
                    "{scope} '{id}' is onbekend; importeer die eerst",
                ),
                scope=Text(v("scope"), f"CASE {v('scope')} {scope_nl} ELSE {v('scope')} END"),
                id=m("scope_id"),
            )
        )
        names = ", ".join(lit(n) for n in metric_names)
        filters = ", ".join(lit(w) for w in (*activity_types, *LeadSource.words()))
        out.append(
            check(
                "metric",
                "unknown_metric",
                f"split_part({v('metric')}, ':', 1) NOT IN ({names}) OR "
                f"(contains({v('metric')}, ':') AND split_part({v('metric')}, ':', 2) NOT IN ({filters}))",
                m("metric"),
                Text(
                    "'{metric}' is not a metric; use a metric name such as revenue_won, "
                    "optionally with a type as in activities:demo",
                    "'{metric}' is geen metriek; gebruik de naam van een metriek zoals "
                    "revenue_won, eventueel met een type zoals in activities:demo",
                ),
                metric=m("metric"),
            )
        )
    if spec.name == "surveys":
        cases = " ".join(
            f"WHEN {lit(s.value)} THEN {v('score')} NOT BETWEEN {s.bounds[0]} AND {s.bounds[1]}"
            for s in SurveyScale
        )
        out.append(
            check(
                "score",
                "score_out_of_scale",
                f"CASE {v('scale')} {cases} ELSE false END",
                m("score"),
                Text(
                    "score {score} is outside the {scale} scale ({bounds})",
                    "score {score} valt buiten de schaal {scale} ({bounds})",
                ),
                score=m("score"),
                scale=v("scale"),
                bounds=f"CASE {v('scale')} WHEN 'csat5' THEN '1-5' ELSE '0-10' END",
            )
        )
    return out
