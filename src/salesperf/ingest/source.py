"""What a reader gives back: a `Source`, the file made readable in the staging engine, or
`FileRefused` when the file cannot be imported at all; and the header rule every reader keeps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from salesperf.errors import InputError
from salesperf.text import Text


class FileRefused(InputError):
    """The file cannot be imported at all; nothing was written. The message says why (and
    `text` in both languages, where the refusal is said in Dutch too: `refused`)."""


def refused(en: str, nl: str) -> FileRefused:
    """A refusal said in English and in Dutch (the page shows the viewer's language)."""
    return FileRefused(text=Text(en, nl))


@dataclass
class Source:
    """A file made readable in the staging engine.

    `relation` is a SQL table expression yielding the file's columns as text. `line_sql` is an
    expression for a row's line in the file, given the staged row's position `rowid`; readers
    that know the line exactly provide it as a column instead (`line_column`).
    """

    path: Path
    format: str
    columns: tuple[str, ...]
    relation: str
    delimiter: str | None = None
    decimal: str = "."
    encoding: str = "utf-8"
    line_column: str | None = None
    # CSV lines refused by the parser
    structural: list[dict[str, Any]] = field(default_factory=list)
    #: The file holds no control character (tab, line feed and carriage return aside), so no
    #: value read from it holds one: found by one pass over its bytes (CSV files only).
    control_free: bool = False
    cleanup: list[Path] = field(default_factory=list)

    def close(self) -> None:
        """Remove temporary files made while reading."""
        for p in self.cleanup:
            p.unlink(missing_ok=True)


def check_header(path: Path, columns: tuple[str, ...]) -> tuple[str, ...]:
    """The header's names, with unnamed columns (a trailing delimiter) named by position and a
    repeated name kept apart as `Name (2)`, `Name (3)` (a mapping that uses it is refused)."""
    if not any(columns):
        raise refused(
            f"{path.name} has an empty header line; it must name the columns",
            f"{path.name} heeft een lege kopregel; die moet de kolommen noemen",
        )
    seen: dict[str, int] = {}
    kept: list[str] = []
    for c in columns:
        seen[c] = seen.get(c, 0) + 1
        kept.append(f"{c} ({seen[c]})" if c and seen[c] > 1 else c)
    named = tuple(c or f"column{i}" for i, c in enumerate(kept, start=1))
    clash = sorted({c for c in named if named.count(c) > 1})
    if clash:
        raise refused(
            f"{path.name} has the column {clash[0]!r} more than once",
            f"{path.name} heeft de kolom {clash[0]!r} meer dan eens",
        )
    return named
