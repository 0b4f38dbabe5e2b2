"""CRM syncs run by the server: started from the settings page ("sync now"), by a webhook or by
the schedule, each in a thread of its own so that the request that starts one returns at once.

One sync per CRM runs at a time: asking again while one runs is refused (`SyncBusy`), except
for a webhook, whose change may have come after the running sync read that object: it asks for
one more run when the current one ends (`again`), so the change always lands. A sync writes
through the server's write lock, like an import, and clears the remembered results when done.
`SyncScheduler` asks `salesperf.sync.schedule.due` once a minute which CRMs are due.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from salesperf.auth.users import utcnow
from salesperf.errors import InputError, SalesperfError, log_bug
from salesperf.i18n.messages import t
from salesperf.sync import vendors
from salesperf.sync.http import Retries
from salesperf.sync.schedule import due, last_started
from salesperf.sync.secrets import connections, load_connection, redact
from salesperf.text import Text

if TYPE_CHECKING:
    from salesperf.server.services import Services

log = logging.getLogger(__name__)


class SyncBusy(InputError):
    """A sync of the CRM is running already."""


@dataclass
class SyncJob:
    """One sync of a CRM, running or finished (and the runs a webhook asked for after it)."""

    crm: str
    by: str  # the user who started it, "schedule" or "webhook"
    started: datetime
    state: str = "running"  # running, done or failed
    error: str = ""
    error_nl: str = ""
    rows_in: int = 0
    runs: int = 0
    again: bool = False  # run once more when this run ends
    done: threading.Event = field(default_factory=threading.Event)


#: What a job runs: one sync of the CRM, telling the job the rows read.
Work = Callable[[str, SyncJob], None]


class SyncJobs:
    """The server's syncs, one per CRM at a time."""

    def __init__(self, work: Work, clock: Callable[[], datetime] = utcnow) -> None:
        self._work = work
        self._clock = clock
        self._jobs: dict[str, SyncJob] = {}
        self._lock = threading.Lock()

    def start(self, crm: str, by: str, *, again_if_busy: bool = False) -> SyncJob:
        """Start a sync of `crm`; while one runs, `SyncBusy`, or (`again_if_busy`) one more run
        after it."""
        with self._lock:
            current = self._jobs.get(crm)
            if current is not None and not current.done.is_set():
                if again_if_busy:
                    current.again = True
                    return current
                raise SyncBusy(
                    text=Text(
                        f"a sync of {crm} is running already (started by {current.by}); "
                        "wait for it to finish",
                        f"er loopt al een synchronisatie van {crm} (gestart door {current.by}); "
                        "wacht tot die klaar is",
                    )
                )
            job = SyncJob(crm, by, self._clock())
            self._jobs[crm] = job
        threading.Thread(target=self._run, args=(job,), name=f"salesperf-sync-{crm}",
                         daemon=True).start()  # fmt: skip
        return job

    def _run(self, job: SyncJob) -> None:
        while True:
            job.runs += 1
            job.state, job.error, job.error_nl = "running", "", ""
            try:
                self._work(job.crm, job)
                job.state = "done"
            except SalesperfError as exc:
                text = exc.text or Text(str(exc), str(exc))
                job.state, job.error, job.error_nl = "failed", text.en, text.nl
            except Exception as exc:  # a bug: logged with an id the user can quote
                error_id = log_bug(exc, f"sync of {job.crm}")
                job.state = "failed"
                job.error = t("error.internal", "en", id=error_id)
                job.error_nl = t("error.internal", "nl", id=error_id)
            with self._lock:
                if not job.again:
                    job.done.set()
                    return
                job.again = False

    def last(self, crm: str) -> SyncJob | None:
        """The CRM's running or last sync since the server started."""
        with self._lock:
            return self._jobs.get(crm)

    def wait(self, crm: str, timeout: float | None = None) -> bool:
        """Wait for the CRM's sync to end; whether it has (or none ran)."""
        job = self.last(crm)
        return job is None or job.done.wait(timeout)

    def close(self, timeout: float = 30.0) -> None:
        """Wait for the running syncs (each stops after its page at the latest when killed)."""
        with self._lock:
            jobs = list(self._jobs.values())
        for job in jobs:
            job.done.wait(timeout)


def run_sync(svc: Services, crm: str, job: SyncJob) -> None:
    """One incremental sync of `crm` with its connection's credentials (or the environment's),
    through the server's write lock; its rejected rows kept in the store and the work folder."""
    from salesperf.sync.run import sync

    store = svc.stores.take()
    values: dict[str, str] = {}
    try:
        conn = load_connection(store, crm, svc.settings.sync_key)
        values = dict(conn.values) if conn is not None else {}
        v = vendors.vendor(crm)
        connector = v.connect(vendors.credentials(v, given=values), None, Retries())

        def progress(_obj: str, rows: int) -> None:
            job.rows_in = rows

        with svc.writes:
            try:
                sync(store, connector, rejects_dir=svc.work_dir / "sync-rejects",
                     on_progress=progress)  # fmt: skip
            finally:
                svc.cache.clear()
    except SalesperfError as exc:  # never a credential in what the page shows
        text = exc.text or Text(str(exc), str(exc))
        clean = Text(redact(text.en, values), redact(text.nl, values))
        raise SalesperfError(text=clean) from None
    finally:
        svc.stores.give(store)


def scheduled(svc: Services, at: datetime) -> list[str]:
    """Start the syncs due at `at` (naive UTC) that are not running; the CRMs started."""
    store = svc.stores.take()
    try:
        plans = {c.crm: c.every_minutes for c in connections(store).values()}
        runs: dict[str, datetime | None] = dict(last_started(store))
    finally:
        svc.stores.give(store)
    for crm in plans:  # a sync that failed before writing its runs still counts as tried
        job, before = svc.sync_jobs.last(crm), runs.get(crm)
        if job is not None and (before is None or job.started > before):
            runs[crm] = job.started
    started = []
    for crm in due(at, plans, runs, svc.settings.sync_schedule):
        try:
            svc.sync_jobs.start(crm, "schedule")
            started.append(crm)
        except SyncBusy:
            continue
    return started


class SyncScheduler:
    """A daemon thread that asks once every `every` seconds which syncs are due, and starts
    them. A failing check is logged and the schedule goes on."""

    def __init__(
        self, tick: Callable[[datetime], object], clock: Callable[[], datetime] = utcnow,
        every: float = 60.0,
    ) -> None:  # fmt: skip
        self.tick, self.clock, self.every = tick, clock, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="salesperf-sync", daemon=True)

    def start(self) -> None:
        """Start checking."""
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop checking (syncs under way go on to their end)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                self.tick(self.clock())
            except Exception as exc:
                log_bug(exc, "the scheduled CRM syncs")
