"""Links from the analysis pages' charts and tables that keep the page's query: the period, the
team, the day judged as of and anything else asked for."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlencode

#: A page's query parameters, as (name, value) pairs (Starlette's `multi_items()`).
Keep = Iterable[tuple[str, str]]


def link(path: str, keep: Keep, **changes: str | None) -> str:
    """`path` with the query `keep`, with each of `changes` set in place of any value it had
    (where it had one, else at the end; None: left out)."""
    pairs: list[tuple[str, str]] = []
    for k, v in keep:
        if k not in changes:
            pairs.append((k, v))
        elif changes[k] is not None and all(k != seen for seen, _ in pairs):
            pairs.append((k, str(changes[k])))  # in its place in the query
    pairs += [(k, v) for k, v in changes.items() if v is not None and k not in dict(pairs)]
    return path + (f"?{urlencode(pairs)}" if pairs else "")
