"""The server's schedule for the weekly report: reading it, the next run (a pure function, across
clock changes), and the thread that waits for it."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from salesperf.errors import InputError
from salesperf.server.app import _report_scheduler
from salesperf.server.report.schedule import ReportScheduler, Schedule, next_run
from salesperf.server.settings import AppSettings

AMS = "Europe/Amsterdam"
MONDAY_7 = Schedule(0, time(7, 0))


@pytest.mark.parametrize(
    ("text", "weekday", "at"),
    [
        ("mon 07:00", 0, time(7, 0)),
        ("Friday 17:30", 4, time(17, 30)),
        (" sun 0:05 ", 6, time(0, 5)),
    ],
)
def test_a_schedule_is_read(text: str, weekday: int, at: time) -> None:
    assert Schedule.parse(text) == Schedule(weekday, at)


@pytest.mark.parametrize("text", ["mon", "07:00", "xyz 07:00", "mon 24:00", "mon 7:60", "mon 7"])
def test_a_bad_schedule_is_refused(text: str) -> None:
    with pytest.raises(InputError, match=r"e\.g\. mon 07:00"):
        Schedule.parse(text)


def test_the_schedule_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALESPERF_REPORT_SCHEDULE", "tue 06:15")
    assert AppSettings(store="x").report_schedule == Schedule(1, time(6, 15))
    monkeypatch.delenv("SALESPERF_REPORT_SCHEDULE")
    assert AppSettings(store="x").report_schedule is None


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        # a Wednesday in summer time: next Monday 07:00 CEST is 05:00 UTC
        (datetime(2026, 10, 7, 12, 0, tzinfo=UTC), datetime(2026, 10, 12, 5, 0, tzinfo=UTC)),
        # the clocks go back on 25 October: 07:00 CET is 06:00 UTC
        (datetime(2026, 10, 20, 12, 0, tzinfo=UTC), datetime(2026, 10, 26, 6, 0, tzinfo=UTC)),
        # on the Monday, a minute before: the same morning
        (datetime(2026, 10, 12, 4, 59, tzinfo=UTC), datetime(2026, 10, 12, 5, 0, tzinfo=UTC)),
        # at the moment itself: a week later
        (datetime(2026, 10, 12, 5, 0, tzinfo=UTC), datetime(2026, 10, 19, 5, 0, tzinfo=UTC)),
        # Sunday evening UTC is already Monday 01:00 in Amsterdam: that Monday's 07:00
        (datetime(2026, 10, 11, 23, 0, tzinfo=UTC), datetime(2026, 10, 12, 5, 0, tzinfo=UTC)),
    ],
)
def test_next_run(after: datetime, expected: datetime) -> None:
    assert next_run(after, MONDAY_7, AMS) == expected


def test_next_run_in_other_zones() -> None:
    after = datetime(2026, 10, 7, 12, 0, tzinfo=UTC)
    assert next_run(after, MONDAY_7, "UTC") == datetime(2026, 10, 12, 7, 0, tzinfo=UTC)
    # New York, still on summer time (EDT, UTC-4) on 12 October
    assert next_run(after, MONDAY_7, "America/New_York") == datetime(
        2026, 10, 12, 11, 0, tzinfo=UTC
    )


def test_a_time_the_clocks_skip() -> None:
    # 29 March 2026, 02:00 becomes 03:00 in Amsterdam: 02:30 is read as 03:30 summer time
    after = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
    got = next_run(after, Schedule(6, time(2, 30)), AMS)
    assert got == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


class _Clock:
    """Now, then a week later at every further call: each wait is over at once."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        now = self.now
        self.now += timedelta(weeks=1)
        return now


def test_the_scheduler_runs_the_job_and_survives_a_failing_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    runs: list[int] = []
    second = threading.Event()

    def job() -> None:
        runs.append(len(runs))
        if len(runs) == 1:
            raise RuntimeError("the mail server is down")
        second.set()

    scheduler = ReportScheduler(
        MONDAY_7, job, lambda: AMS, _Clock(datetime(2026, 10, 7, tzinfo=UTC))
    )
    with caplog.at_level(logging.ERROR):
        scheduler.start()
        assert second.wait(120)  # a deadline for a hung run; it comes at once
        scheduler.stop()
    assert runs[:2] == [0, 1]
    assert "the weekly report's scheduled sending" in caplog.text
    assert not scheduler._thread.is_alive()


def test_a_stopped_scheduler_runs_nothing() -> None:
    runs: list[int] = []
    far = datetime(2026, 10, 7, tzinfo=UTC)
    scheduler = ReportScheduler(MONDAY_7, lambda: runs.append(1), lambda: AMS, lambda: far)
    scheduler.start()
    scheduler.stop()
    assert runs == [] and not scheduler._thread.is_alive()


def test_the_app_has_a_scheduler_only_with_a_schedule(tmp_path: Path) -> None:
    assert (
        _report_scheduler(AppSettings(store=str(tmp_path / "s.duckdb"), report_schedule=None))
        is None
    )
    made = _report_scheduler(
        AppSettings(store=str(tmp_path / "s.duckdb"), report_schedule=MONDAY_7)
    )
    assert made is not None and made.schedule == MONDAY_7
