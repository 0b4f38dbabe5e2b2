"""Periods as people write them, in English and Dutch, turned into the labels `parse_period`
reads: what a page shows can be typed back into its period box.

- quarters: `Q3 2026`, `K3 2026`, `q3-2026`, `2026 Q3`;
- months: `July 2026`, `juli 2026`, `Jul 2026`, `mrt. 2026`, `sept 2026`, `07-2026`, `7/2026`;
- weeks: `Week 40 2026`, `week 40 2026`, `wk 40 2026`, `2026 week 40`;
- days: `14-07-2026`, `14/07/2026` (day first, as Dutch pages show them), `14 July 2026`,
  `14 juli 2026`;
- ranges of any of these (and of the ISO forms): joined by `..`, a dash with spaces around it
  (`–`, `—`, `-`), `to`, `until`, `tot`, `tot en met` or `t/m`.
"""

from __future__ import annotations

import re
from functools import cache

from babel.dates import get_month_names

_YEAR = r"(\d{4})"
_QUARTER = re.compile(rf"(?:[qk]([1-4])[\s\-/]*{_YEAR}|{_YEAR}[\s\-/]*[qk]([1-4]))")
_WEEK = re.compile(
    rf"(?:(?:week|wk|w)\.?\s*(\d{{1,2}})[\s\-/,]*{_YEAR}|{_YEAR}[\s\-/]*(?:week|wk|w)\.?\s*(\d{{1,2}}))"
)
_MONTH = re.compile(rf"([a-z]+)\.?[\s\-/]*{_YEAR}")
_MONTH_FIRST = re.compile(rf"(\d{{1,2}})[\-/]{_YEAR}")
_DAY_FIRST = re.compile(rf"(\d{{1,2}})[\-/.](\d{{1,2}})[\-/.]{_YEAR}")
_DAY_MONTH = re.compile(rf"(\d{{1,2}})\s+([a-z]+)\.?\s+{_YEAR}")
#: What joins the two ends of a range (`..` is the labels' own).
_RANGE = re.compile(
    r"\s*\.\.\s*|\s+[–—-]\s+|\s*[–—]\s*|\s+(?:to|until|tot en met|tot|t/m)\s+", re.IGNORECASE
)


@cache
def _months() -> dict[str, int]:
    """Month names and their usual short forms, English and Dutch, lower case, to numbers."""
    out: dict[str, int] = {}
    for locale in ("en", "nl"):
        for width in ("wide", "abbreviated"):
            for number, name in get_month_names(width, locale=locale).items():
                out[name.lower().rstrip(".")] = int(number)
    out |= {"sept": 9, "mrt": 3, "maa": 3}
    return out


def _one(text: str) -> str | None:
    """One written period as a label (`2026-Q3`, `2026-07`, `2026-W40`, `2026-07-14`), or None
    when it is none of the written forms."""
    t = " ".join(text.lower().split())
    if m := _QUARTER.fullmatch(t):
        q, y = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        return f"{y}-Q{q}"
    if m := _WEEK.fullmatch(t):
        w, y = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        return f"{y}-W{int(w):02d}"
    if (m := _MONTH.fullmatch(t)) and m.group(1) in _months():
        return f"{m.group(2)}-{_months()[m.group(1)]:02d}"
    if m := _MONTH_FIRST.fullmatch(t):
        return f"{m.group(2)}-{int(m.group(1)):02d}"
    if m := _DAY_FIRST.fullmatch(t):
        return f"{m.group(3)}-{int(m.group(2)):02d}-{int(m.group(1)):02d}"
    if (m := _DAY_MONTH.fullmatch(t)) and m.group(2) in _months():
        return f"{m.group(3)}-{_months()[m.group(2)]:02d}-{int(m.group(1)):02d}"
    return None


def written_period(text: str) -> str | None:
    """The label `parse_period` reads for a period written as a page shows it (see the module),
    or None when `text` holds no written form (it may still be a label itself)."""
    t = text.strip()
    parts = _RANGE.split(t, maxsplit=1)
    labels = [_one(p) or (p.strip().upper() if _label(p) else None) for p in parts]
    if any(label is None for label in labels) or (len(parts) == 1 and _label(t)):
        return None  # not written, or one label as it is
    return "..".join(label for label in labels if label is not None)


def _label(text: str) -> bool:
    """Whether `text` has the form of a label (2026, 2026-Q3, 2026-07, 2026-W40, 2026-07-14)."""
    return bool(re.fullmatch(r"\d{4}(-[qQ][1-4]|-[wW]\d{1,2}|-\d{2}(-\d{2})?)?", text.strip()))
