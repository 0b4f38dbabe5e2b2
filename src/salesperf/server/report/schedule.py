"""The server's own schedule for the weekly report: once a week, on a weekday at a time of the
organisation's time zone, it mails each manager their report (`salesperf.server.report.mail`)
of the last full week, as `salesperf report send` does from cron.

`next_run` is a pure function of a moment and the schedule; `ReportScheduler` is the small
background thread that waits for it. Only one server process should have the schedule set (or
each would send), and the mail settings are read from the environment at each run.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from salesperf.errors import InputError, log_bug

SCHEDULE_ENV = "SALESPERF_REPORT_SCHEDULE"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPEC = re.compile(r"^([a-z]{3})[a-z]*\s+(\d{1,2}):(\d{2})$")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Schedule:
    """A weekday (0 is Monday) and a wall-clock time."""

    weekday: int
    at: time

    @classmethod
    def parse(cls, text: str) -> Schedule:
        """`mon 07:00`, `monday 7:30`, ...; an InputError saying what is expected."""
        m = _SPEC.match(text.strip().lower())
        if not m or m.group(1) not in DAYS or int(m.group(2)) > 23 or int(m.group(3)) > 59:
            raise InputError(
                f"{text!r} is not a weekly schedule; write a weekday and a time, e.g. mon 07:00"
            )
        return cls(DAYS.index(m.group(1)), time(int(m.group(2)), int(m.group(3))))

    def __str__(self) -> str:
        return f"{DAYS[self.weekday]} {self.at:%H:%M}"


def schedule_from_env() -> Schedule | None:
    """The schedule in $SALESPERF_REPORT_SCHEDULE (unset or blank: none)."""
    text = os.environ.get(SCHEDULE_ENV, "").strip()
    return Schedule.parse(text) if text else None


def next_run(after: datetime, schedule: Schedule, timezone: str) -> datetime:
    """The first moment strictly after `after` (an aware datetime) at which the schedule falls
    in `timezone`, as an aware UTC datetime. A time that a clock change skips is taken as the
    zone reads it (02:30 on the night the clocks go forward is 03:30 summer time)."""
    zone = ZoneInfo(timezone)
    local = after.astimezone(zone)
    day = local.date() + timedelta(days=(schedule.weekday - local.weekday()) % 7)
    for _ in range(3):
        wall = datetime.combine(day, schedule.at, tzinfo=zone)
        # through UTC and back: a wall time the clocks skip becomes the one they show then
        moment = wall.astimezone(UTC)
        if moment > after.astimezone(UTC):
            return moment
        day += timedelta(weeks=1)
    raise AssertionError("a weekly schedule falls within three weeks")  # pragma: no cover


class ReportScheduler:
    """A daemon thread that runs `job` at each `next_run` of the schedule until stopped.

    `timezone` gives the zone at each wait (the organisation's may change); `clock` is now, as
    an aware datetime. A failing job is logged and the schedule goes on."""

    def __init__(
        self,
        schedule: Schedule,
        job: Callable[[], object],
        timezone: Callable[[], str],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.schedule, self.job, self.timezone, self.clock = schedule, job, timezone, clock
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="salesperf-report", daemon=True)

    def start(self) -> None:
        """Start waiting for the first run."""
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop waiting (a run under way finishes first)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            due = next_run(self.clock(), self.schedule, self.timezone())
            if self._stop.wait(max(0.0, (due - self.clock()).total_seconds())):
                return
            try:
                self.job()
            except Exception as exc:  # a bad run is logged with an id; next week's still comes
                log_bug(exc, "the weekly report's scheduled sending")
