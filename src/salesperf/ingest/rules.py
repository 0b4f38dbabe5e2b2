"""The rules of the data model: their names, a check's shape, and the rules across columns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from salesperf.ingest.sql import ident, lit
from salesperf.schema import DealStatus, LeadSource, SurveyScale, Table

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


@dataclass(frozen=True)
class Check:
    """One rule applied to one column: a condition that marks a row bad, and its message."""

    column: str
    rule: str
    condition: str
    value: str
    message: str


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
