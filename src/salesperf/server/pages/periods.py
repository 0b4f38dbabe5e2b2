"""The period box and its picker on the pages: what the box shows back, the quick choices,
a custom range of two days, and a period that cannot be read shown next to the box.

The picker is plain GET forms (it works without JavaScript; static/period.js improves it):
the box sends `period` as typed; each quick choice sends its words (`this quarter`, counted
from the reference day when the page is asked for) or, for the period before and the same
period last year, that period's label; the custom range sends `period_from` and `period_to`,
which the page reads as the range `from..to` (`picked`).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi import Request

from salesperf.errors import InputError
from salesperf.i18n import format as fmt
from salesperf.i18n.messages import t
from salesperf.metrics.periods import FIRST_YEAR, Period
from salesperf.metrics.relative import previous_period, relative_period, year_before
from salesperf.server.limits import PERIOD_LENGTH
from salesperf.text import Lang, Text

#: The quick choices: the words each sends (read in either language), and its catalogue key.
QUICK = (
    ("this week", "periods.this_week"),
    ("this month", "periods.this_month"),
    ("this quarter", "periods.this_quarter"),
    ("this year", "periods.this_year"),
    ("quarter to date", "periods.quarter_to_date"),
    ("year to date", "periods.year_to_date"),
)
#: The custom range's two days.
FROM, TO = "period_from", "period_to"


class BadPeriod(InputError):
    """A period that cannot be read or is refused: the JSON twin answers a 422 saying why; the
    page shows why next to its period box (`refused_on_page`)."""

    def __init__(self, refused: InputError) -> None:
        super().__init__(str(refused), text=refused.text)


def picked(request: Request, params: dict[str, Any]) -> dict[str, Any]:
    """The page's parameters with the custom range's two days (when both are given) as its
    period, `from..to`."""
    first, last = (request.query_params.get(k, "").strip() for k in (FROM, TO))
    if "period" not in params or not first or not last:
        return params
    text = f"{first}..{last}"
    if len(text) > PERIOD_LENGTH:  # as the period parameter itself is limited
        refused = Text(*(t("periods.range_too_long", lang, most=PERIOD_LENGTH) for lang in Lang))
        raise BadPeriod(InputError(text=refused))
    return params | {"period": text}


def _json_period(p: Any) -> Period | None:
    """A period as the pages' JSON gives it (label, first and last day), or None."""
    if not isinstance(p, dict) or not all(isinstance(p.get(k), str) for k in ("start", "end")):
        return None  # no period of that shape: the page has no box
    start, last = date.fromisoformat(p["start"]), date.fromisoformat(p["end"])
    return Period(start, last + timedelta(days=1), str(p.get("label", "")))


def picker(
    request: Request, today: date, lang: Lang, shown: Any,
    refused: BadPeriod | None = None,
) -> dict[str, Any] | None:  # fmt: skip
    """What the period box and its picker show: the period as the page writes it in the
    viewer's language (or, when it was refused, what was typed and why), the quick choices
    (the one shown marked), the period before and the same period last year, the range's days
    and the page's other parameters, which every choice keeps."""
    p = _json_period(shown)
    if p is None:
        return None
    named = fmt.period(p, lang)
    days = fmt.span(p.start, p.end - timedelta(days=1), lang)
    quick = []
    for words, key in QUICK:
        found = relative_period(words, today)
        current = found is not None and (found.start, found.end) == (p.start, p.end)
        quick.append({"value": words, "text": t(key, lang), "current": current})
    around = []
    for key, move in (("periods.previous", previous_period), ("periods.last_year", year_before)):
        other = move(p)
        if other.start >= date(FIRST_YEAR, 1, 1):
            around.append({"value": other.label, "text": t(key, lang),
                           "period": fmt.period(other, lang)})  # fmt: skip
    said = None
    if refused is not None:
        said = refused.text.get(lang) if refused.text is not None else str(refused)
    skip = {"period", FROM, TO}
    return {
        "text": _typed(request) if refused is not None else named,
        "shown": named if named == days else t("periods.shown", lang, period=named, days=days),
        "error": said,
        "refused": t("periods.refused", lang, period=named) if refused is not None else None,
        "quick": quick,
        "around": around,
        "from": p.start.isoformat(),
        "to": (p.end - timedelta(days=1)).isoformat(),
        "keep": [(k, v) for k, v in request.query_params.multi_items() if k not in skip],
    }


def _typed(request: Request) -> str:
    """The period as it was asked for: the box's text, or the range's two days."""
    first, last = (request.query_params.get(k, "").strip() for k in (FROM, TO))
    if first and last:
        return f"{first}..{last}"[:PERIOD_LENGTH]
    return request.query_params.get("period", "")[:PERIOD_LENGTH]


def on_page(
    request: Request, today: date, lang: Lang, data: Any, params: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A page's data for its parameters (the custom range read as its period), and what its
    template is given besides: the picker, and a 422 status when the period was refused: the
    page then shows its default period, with why next to the box."""
    try:
        params = picked(request, params)
        payload, refused = data(**params), None
    except BadPeriod as error:
        if "period" not in params:
            raise
        payload, refused = data(**(params | {"period": None})), error
    extra: dict[str, Any] = {"picker": picker(request, today, lang, payload.get("period"), refused)}
    if refused is not None:
        extra["status"] = 422
    return payload, extra
