"""Vocabulary values no rule maps: found before anything is written, listed with suggestions.

A status, a type, an outcome or a source that no mapping rule recognises is never mapped to a
default in silence (data-model.md): the import stops before writing and lists each such value
with its count, a suggested word and the mapping lines that would accept it; with
`accept_suggested` the suggestions are taken and said in the import's result.

Which columns are looked at: `deals.status` always (a wrong status makes every figure wrong),
and any other vocabulary column whose mapping has a value table without a `"*"` default (a
mapping that says what to do with the rest has said it; a column without a value table keeps
its row-by-row `unknown_word` rejects).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from salesperf.ingest.parse import ColumnPlan, given_sql, text_sql, word_sql
from salesperf.ingest.source import FileRefused
from salesperf.ingest.sql import lit

#: Words (regular expressions on the lower-cased value) that suggest a canonical word, per
#: column, in English and Dutch, tried in order; the column's fallback (None: none) last.
_HINTS: Mapping[str, tuple[tuple[str, str], ...]] = {
    "status": (
        (r"\b(won|win|gewonnen|closed[\s:_-]*won|signed|getekend|booked)\b", "won"),
        (
            r"\b(lost|verloren|abandoned|dead|disqualified|rejected|afgewezen|cancel+ed|"
            r"geannuleerd|closed[\s:_-]*lost|no[\s_-]*decision|churned)\b",
            "lost",
        ),
    ),
    "type": (
        (r"call|phone|bel|telefo", "call"),
        (r"mail", "email"),
        (r"demo", "demo"),
        (r"meeting|afspraak|vergader|appointment|visit|bezoek|lunch", "meeting"),
        (r"proposal|offerte|quote|voorstel", "proposal"),
        (r"negotiat|onderhandel", "negotiation"),
        (r"follow|opvolg", "follow_up"),
        (r"event|conferen|beurs|network|seminar|webinar", "event"),
        (r"linkedin|social|twitter|facebook|instagram|x\.com", "social"),
    ),
    "outcome": (
        (r"no[\s_-]*answer|busy|geen[\s_-]*gehoor|bezet|not[\s_-]*reached", "no_answer"),
        (r"voicemail|voice[\s_-]*mail|left[\s_-]*message", "voicemail"),
        (r"connect|answered|reached|bereikt|verbonden", "connected"),
        (r"no[\s_-]*show|niet[\s_-]*verschenen", "no_show"),
        (r"cancel|geannuleerd|afgezegd", "cancelled"),
        (r"reschedul|scheduled|gepland|planned", "scheduled"),
        (r"held|gehouden|took[\s_-]*place", "held"),
        (r"complet|done|afgerond|voltooid|gedaan", "completed"),
        (r"repl|beantwoord", "replied"),
        (r"bounce", "bounced"),
        (r"sent|verzonden|verstuurd|delivered", "sent"),
    ),
    "source": (
        (r"referr|verwijz|aanbevel|word[\s_-]*of[\s_-]*mouth", "referral"),
        (r"outbound|cold|prospect|koud", "outbound"),
        (r"inbound|website|web|organic|seo|form|search|zoek", "inbound"),
        (r"event|beurs|conferen|trade[\s_-]*show|webinar", "event"),
        (r"linkedin|social|twitter|facebook|instagram", "social"),
        (r"partner|reseller|wederverkop", "partner"),
    ),
    "role": ((r"manager|lead|head|hoofd|director|directeur", "manager"), (r".", "rep")),
}
#: What a value matching no hint becomes (a status matching none is an open stage).
_FALLBACK: Mapping[str, str | None] = {
    "status": "open",
    "type": "other",
    "outcome": "other",
    "source": "other",
}
#: At most this many values are listed in the message (all are in the result's data).
SHOWN = 40


def suggest(column: str, value: str) -> str | None:
    """The canonical word a value most likely means in `column`, or None when nothing fits."""
    low = value.strip().lower()
    for pattern, word in _HINTS.get(column, ()):
        if re.search(pattern, low):
            return word
    return _FALLBACK.get(column)


@dataclass(frozen=True)
class Unmapped:
    """One value of one column that no rule maps, with how often it occurs."""

    column: str  # the canonical column
    source: str  # the file's column it comes from
    value: str
    rows: int
    suggestion: str | None


class UnmappedValues(FileRefused):
    """Values no rule maps: the import stopped before writing anything."""

    def __init__(self, file: str, found: Sequence[Unmapped], table: str) -> None:
        self.found = tuple(found)
        self.table = table
        super().__init__(unmapped_message(file, self.found))


def toml_lines(found: Sequence[Unmapped]) -> list[str]:
    """The mapping-file lines that map each value to its suggestion (values without one get a
    placeholder to fill in)."""
    lines: list[str] = []
    for column in dict.fromkeys(u.column for u in found):
        lines.append(f"[values.{column}]")
        for u in found:
            if u.column == column:
                word = u.suggestion or "?"
                lines.append(f"{_toml_str(u.value)} = {_toml_str(word)}")
    return lines


def _toml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def unmapped_message(file: str, found: Sequence[Unmapped]) -> str:
    """What was found, in words, with the two ways to go on."""
    parts: list[str] = []
    for column in dict.fromkeys(u.column for u in found):
        mine = [u for u in found if u.column == column]
        source = mine[0].source
        parts.append(
            f"the column {source!r} has {len(mine)} value{'s' if len(mine) != 1 else ''} "
            f"that no rule maps to a {column}:"
        )
        for u in mine[:SHOWN]:
            hint = f"suggested: {u.suggestion}" if u.suggestion else "no suggestion"
            parts.append(f"  {u.value!r}: {u.rows:,} row{'s' if u.rows != 1 else ''} ({hint})")
        if len(mine) > SHOWN:
            parts.append(f"  … and {len(mine) - SHOWN} more")
    every = all(u.suggestion for u in found)
    how = (
        "Take the suggestions with --accept-suggested, or put these lines in a mapping file "
        "(--mapping FILE), changing what is wrong:"
        if every
        else "Put these lines in a mapping file (--mapping FILE), filling in each '?' "
        "(--accept-suggested takes only values that have a suggestion):"
    )
    return (
        f"{file} was not imported: "
        + "\n".join(parts)
        + f"\n{how}\n"
        + "\n".join("  " + line for line in toml_lines(found[: SHOWN * 3]))
    )


def watched(plan_columns: Sequence[ColumnPlan], table: str) -> list[ColumnPlan]:
    """The planned columns whose values must all be mapped (see the module docstring)."""
    out = []
    for p in plan_columns:
        vocab = p.column.vocabulary
        if vocab is None or not p.sources:
            continue
        if (table == "deals" and p.column.name == "status") or (
            p.values is not None and "*" not in p.values
        ):
            out.append(p)
    return out


def find_unmapped(
    con: Any,
    relation: str,
    plans: Sequence[ColumnPlan],
    table: str,
    words: Mapping[str, Sequence[str]],
) -> list[Unmapped]:
    """Every value of a watched column that maps to no word of its vocabulary, with counts."""
    found: list[Unmapped] = []
    for p in watched(plans, table):
        c = p.column.name
        allowed = words.get(c) or p.column.vocabulary.words()  # type: ignore[union-attr]
        given = given_sql(replace(p, constant=None))  # the text as the file gives it
        mapped = word_sql(text_sql(p), allowed)
        rows = con.execute(
            f"SELECT g, count(*) AS n FROM (SELECT {given} AS g, {mapped} AS w FROM {relation}) "
            f"WHERE g IS NOT NULL AND (w IS NULL OR w NOT IN ({', '.join(lit(x) for x in allowed)})) "
            "GROUP BY g ORDER BY n DESC, g"
        ).fetchall()
        source = " / ".join(p.sources)
        # a value the mapping names was recognised: mapped to a word outside the vocabulary
        # (a preset's "Deleted" = "deleted"), its rows are rejected one by one (unknown_word)
        named = set(p.values or ())
        found.extend(
            Unmapped(c, source, str(g), int(n), suggest(c, str(g)))
            for g, n in rows
            if str(g).strip().casefold() not in named
        )
    return found


def with_suggestions(
    values: Mapping[str, Mapping[str, str]], found: Sequence[Unmapped]
) -> dict[str, dict[str, str]]:
    """The mapping's value tables with every suggested value added (keys as the mapping keeps
    them: trimmed and case-folded)."""
    out = {k: dict(v) for k, v in values.items()}
    for u in found:
        if u.suggestion:
            out.setdefault(u.column, {})[u.value.strip().casefold()] = u.suggestion
    return out
