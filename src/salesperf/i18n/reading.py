"""Numbers as people type them into a form, read back in the viewer's language.

A Dutch viewer writes a decimal comma and may group thousands with dots (12,5; 1.234,5), an
English viewer the other way round (12.5; 1,234.5). A number is read in the viewer's own
convention first; a number that only the other convention can read (12.5 typed on the Dutch
form, 12,5 on the English one) is read in that one. A lone thousands mark followed by three
digits (1.500 on the Dutch form, 1,500 on the English one) could be either, 1500 or 1.5, and is
not guessed at: `NumberUnread` says so, with both readings, so that the form can ask.
"""

from __future__ import annotations

import re

from salesperf.errors import InputError
from salesperf.text import Lang

#: The decimal mark and the thousands mark of each language.
MARKS = {Lang.EN: (".", ","), Lang.NL: (",", ".")}
_NUMBER = re.compile(r"([+\-\u2212]?)([0-9.,]+)")


class NumberUnread(InputError):
    """A typed value that is not one number: `reason` is "not_a_number", or "ambiguous" with the
    two numbers it could be in `readings` (the viewer's own convention's first)."""

    def __init__(self, text: str, reason: str, readings: tuple[float, ...] = ()) -> None:
        said = " or ".join(repr(r) for r in readings)
        super().__init__(f"{text!r} could be {said}" if readings else f"{text!r} is not a number")
        self.text_typed = text
        self.reason = reason
        self.readings = readings


def _read(body: str, decimal: str, thousands: str) -> float | None:
    """The digits and marks read with one convention, or None when they do not fit it."""
    if body.count(decimal) > 1:
        return None
    whole, _, fraction = body.partition(decimal)
    if thousands in fraction or not (whole.replace(thousands, "") or fraction):
        return None
    if thousands in whole and not re.fullmatch(
        rf"[1-9][0-9]{{0,2}}(?:{re.escape(thousands)}[0-9]{{3}})+", whole
    ):
        return None
    return float(f"{whole.replace(thousands, '') or '0'}.{fraction or '0'}")


def read_number(text: str, lang: Lang | str) -> float:
    """The number typed as `text` by a viewer of `lang`; NumberUnread when it is none, or when
    it could be two (see the module's note)."""
    m = _NUMBER.fullmatch(text.strip())
    if not m:
        raise NumberUnread(text, "not_a_number")
    sign, body = -1.0 if m.group(1) in ("-", "\u2212") else 1.0, m.group(2)
    decimal, thousands = MARKS[Lang(lang)]
    own, other = _read(body, decimal, thousands), _read(body, thousands, decimal)
    value = own if own is not None else other
    if value is None:
        raise NumberUnread(text, "not_a_number")
    if own is not None and other is not None and own != other and decimal not in body:
        raise NumberUnread(text, "ambiguous", (sign * own, sign * other))
    return sign * value + 0.0  # no negative zero
