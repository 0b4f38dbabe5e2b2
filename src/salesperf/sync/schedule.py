"""When the server syncs each connected CRM by itself.

A connection synced every N minutes (set on the settings page) is due when its last run began
N minutes ago or more, or when it never ran. $SALESPERF_SYNC_SCHEDULE gives the others a
schedule too: `on` (every hour) or a number of minutes; `off` stops this server from syncing
by itself at all (when several servers share a store, let one of them do it). `due` decides,
from a moment and the runs so far; the server's scheduler only asks it once a minute.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from salesperf.errors import InputError
from salesperf.store import Store
from salesperf.store.system_tables import SYNC_RUNS
from salesperf.sync.secrets import MAX_MINUTES

SCHEDULE_ENV = "SALESPERF_SYNC_SCHEDULE"
#: Minutes between syncs for `on`.
HOURLY = 60


@dataclass(frozen=True)
class SyncSchedule:
    """Whether this server syncs by itself, and how often the connections without a schedule
    of their own are synced (None: they are not)."""

    enabled: bool = True
    default_minutes: int | None = None

    @classmethod
    def parse(cls, text: str | None) -> SyncSchedule:
        """`on`, `off`, a number of minutes, or nothing (the connections' own schedules)."""
        value = (text or "").strip().lower()
        if value in ("", "auto"):
            return cls()
        if value in ("on", "yes", "true", "1"):
            return cls(True, HOURLY)
        if value in ("off", "no", "false", "0"):
            return cls(False)
        if value.isdigit() and 5 <= int(value) <= MAX_MINUTES:
            return cls(True, int(value))
        raise InputError(
            f"{SCHEDULE_ENV}={text!r}: write on (every hour), off, or a number of minutes "
            f"from 5 to {MAX_MINUTES}"
        )


def schedule_from_env(environ: Mapping[str, str] | None = None) -> SyncSchedule:
    """The schedule in $SALESPERF_SYNC_SCHEDULE."""
    return SyncSchedule.parse((os.environ if environ is None else environ).get(SCHEDULE_ENV))


def minutes_of(every_minutes: int | None, schedule: SyncSchedule) -> int | None:
    """How often a connection is synced (None: never by itself)."""
    if not schedule.enabled:
        return None
    return every_minutes or schedule.default_minutes


def due(
    at: datetime,
    plans: Mapping[str, int | None],
    last_started: Mapping[str, datetime | None],
    schedule: SyncSchedule,
) -> list[str]:
    """The CRMs due at `at`: of the connections (`plans`, each CRM's own minutes or None),
    those whose last run began at least their minutes before `at` or never ran."""
    found = []
    for crm in sorted(plans):
        minutes = minutes_of(plans[crm], schedule)
        if minutes is None:
            continue
        last = last_started.get(crm)
        if last is None or at - last >= timedelta(minutes=minutes):
            found.append(crm)
    return found


def last_started(store: Store) -> dict[str, datetime]:
    """When each CRM's last sync began (naive UTC, as the runs are kept)."""
    found: dict[str, datetime] = {}
    for crm, started in store.select_rows(SYNC_RUNS, ["crm", "started_at"]):
        if started is not None and (crm not in found or started > found[crm]):
            found[str(crm)] = started
    return found
