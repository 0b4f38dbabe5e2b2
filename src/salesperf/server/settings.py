"""The server's settings: which store it serves, its secret, cookies, sign-in throttling and the
proxies whose `X-Forwarded-For` it believes."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from salesperf.auth.users import utcnow
from salesperf.server.report.schedule import Schedule, schedule_from_env
from salesperf.server.throttle import ThrottleRules
from salesperf.sync.schedule import SyncSchedule
from salesperf.sync.schedule import schedule_from_env as sync_schedule_from_env
from salesperf.sync.secrets import key_from_env

SECRET_ENV = "SALESPERF_SECRET_KEY"
PROXIES_ENV = "SALESPERF_TRUSTED_PROXIES"


def _secret() -> str:
    return os.environ.get(SECRET_ENV) or secrets.token_urlsafe(32)


def _proxies() -> tuple[str, ...]:
    return tuple(p.strip() for p in os.environ.get(PROXIES_ENV, "").split(",") if p.strip())


@dataclass(frozen=True)
class AppSettings:
    """Everything `create_app` needs; each test builds its own."""

    store: str  # the store URL or path, as for `--store`
    # signs the per-session CSRF tokens; a fresh one (the default when $SALESPERF_SECRET_KEY is
    # unset) only means that forms open before a restart must be reloaded
    secret_key: str = field(default_factory=_secret, repr=False)
    # Secure cookies: True/False, or None to set them exactly when the request came over https
    secure_cookies: bool | None = None
    session_lifetime: timedelta = timedelta(hours=12)
    # how failed sign-ins slow down further attempts, per address and per (user, address)
    throttle: ThrottleRules = field(default_factory=ThrottleRules)
    # the reverse proxies (addresses or CIDR networks) whose X-Forwarded-For names the client;
    # empty (the default, unless $SALESPERF_TRUSTED_PROXIES lists them, comma-separated): the
    # socket's peer is the client, whatever the header says
    trusted_proxies: tuple[str, ...] = field(default_factory=_proxies)
    # the day the default periods are counted from (None: today); the demo pins its last day
    today: date | None = None
    # where uploads wait between preview and import, and rejected rows are kept (None: a
    # temporary folder)
    work_dir: Path | None = None
    cheap_hashing: bool = False  # cheaper Argon2 parameters: for tests only
    clock: Callable[[], datetime] = utcnow  # now, as naive UTC (tests move it)
    # how many requests may use the store at once, each on a connection of its own (Spark: one)
    store_connections: int = 8
    # when the server mails each manager the weekly report (a weekday and a time of the
    # organisation's zone, from $SALESPERF_REPORT_SCHEDULE such as "mon 07:00"); None: never
    report_schedule: Schedule | None = field(default_factory=schedule_from_env)
    # the Fernet key the CRM connections' credentials are encrypted with ($SALESPERF_SECRET_KEY;
    # None: connections cannot be stored)
    sync_key: str | None = field(default_factory=key_from_env, repr=False)
    # whether and how often the server syncs the connected CRMs ($SALESPERF_SYNC_SCHEDULE)
    sync_schedule: SyncSchedule = field(default_factory=sync_schedule_from_env)

    def reference_day(self) -> date:
        """The day default periods are counted from."""
        return self.today or date.today()
