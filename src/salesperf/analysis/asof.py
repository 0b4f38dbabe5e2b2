"""The day the analyses judge "now" as of, one rule for the command line, the API and the pages.

An analysis that looks at "the current quarter", "the last full quarter" or "the last four
weeks" counts them from a day. That day is today; or, when the data end before today (a store
not imported into lately, a demo), the day after the last recorded activity or deal change (a
deal created, won or lost), so that the current quarter is one with data and the current pace
is not that of weeks nobody recorded. A day the user chooses (`--as-of`, `?as_of=`) wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from salesperf.analysis.windows import data_end, day_text
from salesperf.errors import InputError
from salesperf.i18n.messages import both
from salesperf.metrics.periods import FIRST_YEAR, LAST_YEAR
from salesperf.text import Text

if TYPE_CHECKING:
    from salesperf.store import Store

#: The days one may judge as of: room for a few years of history before, a period after.
EARLIEST = date(FIRST_YEAR + 10, 1, 1)
LATEST = date(LAST_YEAR - 10, 12, 31)


#: The words of the choice a page offers next to its note (see `AsOf.note`).
CHOOSE = both("asof.choose")
LATEST_FIGURES = both("asof.latest")


class AsOfError(InputError):
    """A day to judge as of that cannot be used; `text` says why in English and Dutch."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.en)
        self.text = text


def parse_as_of(value: str | date | None, name: str = "as_of") -> date | None:
    """The day asked for (None when not asked: blank or absent), or an AsOfError naming the
    parameter (`name`) and the value."""
    if value is None or isinstance(value, date):
        day = value
    elif not value.strip():
        return None
    else:
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            raise AsOfError(
                both("asof.not_a_date", lambda lang: {"name": name, "value": repr(value)})
            ) from None
    if day is not None and not EARLIEST <= day <= LATEST:
        raise AsOfError(both("asof.out_of_range", lambda lang: {
            "name": name, "day": day_text(day, lang), "earliest": day_text(EARLIEST, lang),
            "latest": day_text(LATEST, lang),
        }))  # fmt: skip
    return day


def last_data_day(store: Store) -> date | None:
    """The last day with a recorded activity or deal change (see `data_end`), or None."""
    end = data_end(store)
    return None if end is None else end - timedelta(days=1)


@dataclass(frozen=True)
class AsOf:
    """The day judged as of, and why: `today` (the real one, or the one a server is given),
    the last day with data, and whether the day was chosen by the user."""

    day: date
    today: date
    data_last: date | None
    chosen: bool = False

    @property
    def moved(self) -> bool:
        """Whether the day was moved back from today because the data end earlier."""
        return not self.chosen and self.day < self.today

    def note(self) -> Text | None:
        """What a page or the command line says about the day: that the data end before
        today (moved), or that the figures are as of a chosen day; None when judged today."""
        last = self.data_last
        if self.moved and last is not None:
            return both("asof.moved", lambda lang: {"end": day_text(last, lang),
                                                    "day": day_text(self.day, lang)})  # fmt: skip
        if self.chosen:
            return both("asof.chosen", lambda lang: {"day": day_text(self.day, lang)})
        return None

    def to_json(self) -> dict[str, Any]:
        """The day used, for the API: `day`, `today`, `data_end` (the last day with data),
        `moved` and `chosen`."""
        return {
            "day": self.day.isoformat(),
            "today": self.today.isoformat(),
            "data_end": self.data_last.isoformat() if self.data_last else None,
            "moved": self.moved,
            "chosen": self.chosen,
        }


def as_of(data_last: date | None, today: date, asked: date | None = None) -> AsOf:
    """The rule: the day `asked` for when given; else `today`, or the day after `data_last`
    when the data end before today."""
    if asked is not None:
        return AsOf(asked, today, data_last, chosen=True)
    if data_last is not None and data_last + timedelta(days=1) < today:
        return AsOf(data_last + timedelta(days=1), today, data_last)
    return AsOf(today, today, data_last)


def current_day() -> date:
    """Today, as the command line knows it: the one source of "today" (tests replace it)."""
    return date.today()


def judge_as_of(store: Store, asked: date | None = None, today: date | None = None) -> AsOf:
    """The rule on a store's data (`today`: default `current_day()`)."""
    return as_of(last_data_day(store), today or current_day(), asked)
