"""Where each canonical column of an import comes from: `plan_columns` matches a file's columns
to one canonical table's (by the mapping, else by name), and refuses, saying what is missing
and what might be meant, a file that lacks a required column or a column the mapping names;
how a message names a column (`column_label`), and which columns hold words for people.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from salesperf.ingest.mapping import CHECK_ONLY, ImportMapping, normalise_name
from salesperf.ingest.parse import ColumnPlan
from salesperf.ingest.source import FileRefused
from salesperf.schema import Column, Kind, Table


@dataclass(frozen=True)
class Plan:
    """How a file's columns become one canonical table's columns."""

    spec: Table
    columns: tuple[ColumnPlan, ...]
    ignored: tuple[str, ...]
    dedupe: bool = False

    def get(self, name: str) -> ColumnPlan:
        """The plan of one canonical column."""
        return next(p for p in self.columns if p.column.name == name)


def plan_columns(spec: Table, source_columns: tuple[str, ...], mapping: ImportMapping) -> Plan:
    """Match source columns to canonical ones; refuse the file if a required one is missing."""
    mapping, problems = mapping.for_columns(source_columns)
    missing_sources = [
        s for s in mapping.rename if s not in source_columns and s not in mapping.optional
    ]
    for s in missing_sources:
        close = difflib.get_close_matches(s, source_columns, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        problems.append(f"the mapping names the column {s!r}, which the file does not have{hint}")
    plans, used = _plans(spec, source_columns, mapping)
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
    return Plan(
        spec=spec,
        columns=tuple(plans),
        ignored=ignored,
        dedupe=mapping.dedupe,
    )


def _plans(
    spec: Table, source_columns: tuple[str, ...], mapping: ImportMapping
) -> tuple[list[ColumnPlan], set[str]]:
    """Each canonical column's plan (by the mapping, else by name), and the sources used."""
    by_norm: dict[str, str] = {normalise_name(c): c for c in source_columns}
    used: set[str] = set(mapping.status.sources() if mapping.status else ())
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
                unit=mapping.units.get(col.name),
                status=mapping.status if col.name == "status" else None,
            )
        )
    return plans, used


def proposed_sources(
    spec: Table, source_columns: tuple[str, ...], mapping: ImportMapping
) -> dict[str, tuple[str, ...]]:
    """The source columns each canonical column would be read from (`plan_columns`' choice),
    without refusing a file that lacks some: what a form proposes before the person chooses."""
    concrete, _problems = mapping.for_columns(source_columns)
    plans, _used = _plans(spec, source_columns, concrete)
    return {p.column.name: p.sources for p in plans}


def free_text(column: Column) -> bool:
    """A column of words for people (a name, a stage, a lost reason), not an id, a number, a
    date or a vocabulary word."""
    return (
        column.kind is Kind.TEXT
        and not column.is_id
        and column.vocabulary is None
        and (column.name not in ("currency", "type", "outcome", "metric", "scope"))
    )


def column_label(p: ColumnPlan) -> str:
    """How a message names a column: as the file names it ("Amount"), with the canonical name
    beside it when that is another word ("Close Date (closed_at)")."""
    if len(p.sources) != 1:
        return p.column.name
    source = p.sources[0]
    return source if normalise_name(source) == p.column.name else f"{source} ({p.column.name})"
