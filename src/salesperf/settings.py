"""The organisation's settings: time zone, currency and extra activity types.

They are kept in the store, so every user of a store sees the same ones; values are checked
before they are stored.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, timedelta

from salesperf.errors import InputError
from salesperf.schema import ActivityType


class SettingError(InputError):
    """A setting's name or value is not acceptable; the message says why."""


#: The default first accepted date: before it, CRMs and spreadsheets hold typing errors.
EARLIEST_DATE = date(1990, 1, 1)
#: The default number of days after today a date may lie: a year and a month, so that next
#: year's targets and expected close dates fit when they are set in December.
DAYS_AHEAD = 400


@dataclass(frozen=True)
class Settings:
    """Organisation settings kept in the store, so every user of it sees the same ones."""

    timezone: str = "UTC"
    currency: str = "EUR"
    extra_activity_types: tuple[str, ...] = ()
    context: str = "general"  # the context preset: general, startup, consultancy or agency
    earliest_date: date = EARLIEST_DATE  # no date before this is accepted
    days_ahead: int = DAYS_AHEAD  # no date more than this many days after today is accepted

    @classmethod
    def from_meta(cls, rows: dict[str, str]) -> Settings:
        """The settings as kept in the store's meta table (absent keys take their defaults)."""
        return cls(
            timezone=rows.get("timezone", "UTC"),
            currency=rows.get("currency", "EUR"),
            extra_activity_types=tuple(w for w in rows.get("activity_types", "").split(",") if w),
            context=rows.get("context", "general"),
            earliest_date=date.fromisoformat(rows.get("earliest_date", EARLIEST_DATE.isoformat())),
            days_ahead=int(rows.get("days_ahead", DAYS_AHEAD)),
        )

    def date_range(self, today: date | None = None) -> tuple[date, date]:
        """The first and the last day a date in an import may fall on: a date outside is
        rejected with its reason (a typing error such as 0001-01-01 or 2206 would otherwise
        stretch every analysis over centuries)."""
        return self.earliest_date, (today or date.today()) + timedelta(days=self.days_ahead)

    @property
    def activity_types(self) -> tuple[str, ...]:
        """The activity vocabulary: the fixed words plus the configured extensions."""
        return ActivityType.words() + tuple(
            t for t in self.extra_activity_types if t not in ActivityType.words()
        )


SETTING_KEYS = ("timezone", "currency", "activity_types", "context", "earliest_date", "days_ahead")


def check_setting(key: str, value: str) -> str:
    """The value as it is to be stored, or a SettingError saying what is wrong."""
    if key == "timezone":
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise SettingError(
                f"{value!r} is not a time zone; use a name such as Europe/Amsterdam or UTC"
            ) from None
        return value
    if key == "currency":
        if len(value) != 3 or not value.isalpha():
            raise SettingError(f"{value!r} is not a currency code; use three letters such as EUR")
        return value.upper()
    if key == "activity_types":
        words = [w.strip().lower() for w in value.split(",") if w.strip()]
        bad = [w for w in words if not w.replace("_", "").isalnum()]
        if bad:
            raise SettingError(f"activity types are single words; not {', '.join(bad)}")
        return ",".join(words)
    if key == "context":
        from salesperf.contexts import CONTEXTS  # contexts know metrics; settings stay light

        word = value.strip().lower()
        if word not in CONTEXTS:
            raise SettingError(f"{value!r} is not a context; choose one of {', '.join(CONTEXTS)}")
        return word
    if key == "earliest_date":
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            raise SettingError(
                f"{value!r} is not a date; use YYYY-MM-DD such as 1990-01-01"
            ) from None
        if day.year < 1900:
            raise SettingError(f"{value!r} is too early; the earliest is 1900-01-01")
        return day.isoformat()
    if key == "days_ahead":
        try:
            days = int(value.strip())
        except ValueError:
            raise SettingError(f"{value!r} is not a whole number of days") from None
        if not 0 <= days <= 36_500:
            raise SettingError(f"days_ahead is between 0 and 36500; not {days}")
        return str(days)
    raise SettingError(f"there is no setting {key!r}; the settings are: {', '.join(SETTING_KEYS)}")
