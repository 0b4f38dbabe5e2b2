"""What one app holds: its settings, its stores (opened on first use), templates and assets.

The server answers requests in worker threads, several at once. Each request borrows a store
of its own from the app's `StorePool` for as long as it runs (an engine connection serves one
thread at a time; on the embedded engine every pooled connection shares one database), and
results are remembered in the app's `ResultCache` until a write changes a table they were
computed from, so a write never leaves a stale figure behind and a batch of activities does not
throw away what rests on the deals alone.
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

import anyio
from argon2 import PasswordHasher
from jinja2 import Environment

from salesperf.auth.tokens import record_token_use
from salesperf.auth.users import password_hasher
from salesperf.server.addresses import Network, proxy_networks
from salesperf.server.exporting.jobs import ExportJobs
from salesperf.server.jinja import environment
from salesperf.server.settings import AppSettings
from salesperf.server.syncing import SyncJobs, run_sync
from salesperf.server.throttle import SignInThrottle
from salesperf.server.token_use import TokenUse
from salesperf.store import Store
from salesperf.store.reads import Footprint, Read, note, recording, unaffected

T = TypeVar("T")

#: Engines whose store other processes may write while the server runs: their cached results
#: also expire after this many seconds (an embedded DuckDB file has this server as its only
#: writer, so its results live until the server writes).
SHARED_ENGINE_MAX_AGE = 60.0


@dataclass(frozen=True)
class _Entry:
    at: float  # time.monotonic() when computed
    value: Any
    reads: Read  # what it was computed from (`salesperf.store.reads`)


@dataclass(frozen=True)
class _Write:
    version: int
    tables: frozenset[str] | None  # None: a write that may have changed anything
    footprint: Footprint | None  # what a write of activities touched (None: not known)

    def changes(self, read: Read) -> bool:
        """May this write have changed a result computed from `read`?"""
        if self.tables is None:
            return True
        return any(not unaffected(read, t, self.footprint) for t in self.tables)


class ResultCache:
    """Recent results (scorecards, analyses, scopes) by their key, each kept until a write
    changes what it was computed from.

    The data version starts at 0 and moves on with every write the server makes (`clear`); a
    write names the tables it wrote, or none for a write that may have changed anything, and
    for activities what it touched (`salesperf.store.reads.Footprint`). A result records what
    its computation read (`salesperf.store.reads`: every query names its tables; plain SQL the
    store cannot name counts as every table; an analysis that reads the activities only through
    windows ending before a day says so) and is dropped by the first write that may have changed
    it: a batch of activities leaves the forecast, which reads deals, remembered, and a batch of
    today's activities the quadrant of the last full quarters. A result whose computation
    overlaps such a write is returned to its caller but not kept. A result served from memory is
    noted as read by any computation in progress that uses it. Concurrent requests for the same
    missing key wait for one computation instead of each running their own. Safe to use from
    any number of threads.
    """

    def __init__(self, size: int = 512, max_age: float | None = None) -> None:
        self.size = size
        self.max_age = max_age  # seconds; None: until a write to what it read
        self._data: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._running: dict[Hashable, Future[tuple[Any, Read]]] = {}
        self._began: dict[Hashable, int] = {}  # the version each running computation began at
        self._log: list[_Write] = []  # the writes since the oldest running computation began
        self._lock = threading.Lock()
        self._version = 0

    @property
    def version(self) -> int:
        """The data version: how many writes this server has made."""
        return self._version

    def _fresh(self, e: _Entry) -> bool:
        return self.max_age is None or time.monotonic() - e.at < self.max_age

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The result for `key`, computed on first use and after a write to what it read."""
        with self._lock:
            found = self._data.get(key)
            if found is not None and self._fresh(found):
                self._data.move_to_end(key)
                note(found.reads)  # a computation using it reads what it was made from
                value: T = found.value
                return value
            running_key = (self._version, key)
            running = self._running.get(running_key)
            if running is None:
                mine: Future[tuple[Any, Read]] = Future()
                self._running[running_key] = mine
                self._began[running_key] = self._version
        if running is not None:  # someone is computing it: wait for their answer
            waited, read = running.result()
            note(read)
            return cast(T, waited)
        return self._compute(key, running_key, compute, mine)

    def _done(self, running_key: Hashable) -> int:
        """Forget a finished computation (under the lock); the version it began at."""
        del self._running[running_key]
        began = self._began.pop(running_key)
        oldest = min(self._began.values(), default=self._version)
        self._log = [w for w in self._log if w.version > oldest]
        return began

    def _compute(
        self,
        key: Hashable,
        running_key: Hashable,
        compute: Callable[[], T],
        mine: Future[tuple[Any, Read]],
    ) -> T:
        try:
            with recording() as seen:
                result = compute()
        except BaseException as exc:
            with self._lock:
                self._done(running_key)
            mine.set_exception(exc)
            raise
        read = seen.frozen()
        with self._lock:
            began = self._log_since(running_key)
            if not any(w.changes(read) for w in began):  # nothing it read changed meanwhile
                self._data[key] = _Entry(time.monotonic(), result, read)
                self._data.move_to_end(key)
                while len(self._data) > self.size:
                    self._data.popitem(last=False)
        mine.set_result((result, read))
        return result

    def _log_since(self, running_key: Hashable) -> list[_Write]:
        """The writes made while a computation ran (under the lock; it is then forgotten)."""
        began = self._began[running_key]
        writes = [w for w in self._log if w.version > began]
        self._done(running_key)
        return writes

    def clear(
        self, tables: Iterable[str] | None = None, footprint: Footprint | None = None
    ) -> None:
        """Move to the next data version after a write: of these tables (and forget what it may
        have changed; `footprint`: what a write of activities touched), or of anything (and
        forget everything)."""
        with self._lock:
            self._version += 1
            w = _Write(self._version, None if tables is None else frozenset(tables), footprint)
            if w.tables is None:
                self._data.clear()
            else:
                for k in [k for k, e in self._data.items() if w.changes(e.reads)]:
                    del self._data[k]
            if self._began:  # a computation in progress checks it when it ends
                self._log.append(w)


class StorePool:
    """Stores for requests: each is lent to one request at a time.

    Stores are opened on first need, up to `size` (one only on Spark, whose table views belong
    to the store's own session). On the embedded engine every store of the pool is a connection
    to the same open database, so a write by one is seen by all.
    """

    def __init__(self, url: str, size: int) -> None:
        self.url = url
        self.size = max(1, size)
        self._idle: list[Store] = []
        self._all: list[Store] = []
        self._opening = 0
        self._ready = threading.Condition()

    @property
    def opened(self) -> int:
        """How many stores the pool has open."""
        with self._ready:
            return len(self._all)

    def _limit(self) -> int:
        if self._all and self._all[0].engine == "spark":
            return 1
        return self.size

    def take_idle(self) -> Store | None:
        """A store no one else is using, if one is open and free now (never waits)."""
        with self._ready:
            return self._idle.pop() if self._idle else None

    def take(self) -> Store:
        """A store no one else is using (opened if need be); waits while all are lent out."""
        with self._ready:
            while True:
                if self._idle:
                    return self._idle.pop()
                # the first store decides the engine: open it alone
                if (self._all or not self._opening) and (
                    len(self._all) + self._opening < self._limit()
                ):
                    self._opening += 1
                    break
                self._ready.wait()
        try:
            store = Store.open(self.url)
        except BaseException:
            with self._ready:
                self._opening -= 1
                self._ready.notify_all()
            raise
        with self._ready:
            self._opening -= 1
            self._all.append(store)
            self._ready.notify_all()
        return store

    def give(self, store: Store) -> None:
        """Return a store taken with `take`."""
        with self._ready:
            self._idle.append(store)
            self._ready.notify()

    def close(self) -> None:
        """Close every store (they must all have been returned)."""
        with self._ready:
            stores, self._all, self._idle = self._all, [], []
        for s in stores:
            s.close()


class Services:
    """The app's stores, settings, password hasher, templates and cached chart library; its
    write locks, sign-in throttle and tokens' last uses."""

    def __init__(self, settings: AppSettings) -> None:
        self.settings = settings
        self.hasher: PasswordHasher = password_hasher(settings.cheap_hashing)
        self.templates: Environment = environment()
        self.stores = StorePool(settings.store, settings.store_connections)
        self._bundle: bytes | None = None
        self._work_dir = settings.work_dir
        self.cache = ResultCache()
        # the server's writes of organisation data (imports, batches) take turns: two
        # transactions changing the same rows at once would make one of them fail
        self.writes = threading.RLock()
        # writes of the accounts' tables (sessions, tokens, a user's language or renewed hash)
        # take turns with each other only: no import touches those tables, so signing in or
        # revoking a token never waits for an import; each holds it for one short statement
        self.accounts = threading.Lock()
        # one Argon2 check at a time: each takes 64 MiB and every core, and many at once could
        # exhaust the server's memory
        self.password_checks = threading.Lock()
        self.throttle = SignInThrottle(settings.throttle, settings.clock)
        self.token_use = TokenUse()
        self.trusted_proxies: tuple[Network, ...] = proxy_networks(settings.trusted_proxies)
        self._engine_checked = False
        # Excel exports written in the background (`salesperf.server.exporting.jobs`)
        self.export_jobs = ExportJobs(lambda: self.work_dir)
        # the CRM connections' writes take turns (not with imports or syncs: their own table)
        self.connections = threading.Lock()
        # CRM syncs, one per CRM at a time (`salesperf.server.syncing`)
        self.sync_jobs = SyncJobs(lambda crm, job: run_sync(self, crm, job), settings.clock)

    def _check_engine(self, store: Store) -> None:
        if not self._engine_checked:
            if store.engine != "duckdb":  # other processes may write the store
                self.cache.max_age = SHARED_ENGINE_MAX_AGE
            self._engine_checked = True

    async def borrow_store(self) -> Store:
        """A store for one request, to be given back with `stores.give` when it ends.

        When every store is lent out, the wait (or the opening of another store) happens in a
        thread of its own, outside the worker threads that run the requests, so that waiting
        requests never hold the threads the requests holding the stores need to finish.
        """
        store = self.stores.take_idle()
        if store is None:
            store = await anyio.to_thread.run_sync(
                self.stores.take, limiter=anyio.CapacityLimiter(1)
            )
        self._check_engine(store)
        return store

    @property
    def work_dir(self) -> Path:
        """Where uploads wait for their import and rejected rows are kept."""
        if self._work_dir is None:
            self._work_dir = Path(tempfile.mkdtemp(prefix="salesperf-web-"))
        self._work_dir.mkdir(parents=True, exist_ok=True)
        return self._work_dir

    def vega_bundle(self) -> bytes:
        """Vega, Vega-Lite and vega-embed as one local script (built once, about a second)."""
        if self._bundle is None:
            import vl_convert

            self._bundle = vl_convert.javascript_bundle().encode()  # type: ignore[call-arg]
        return self._bundle

    def close(self) -> None:
        """Write the tokens' last uses the store has not been told of, and close the stores
        (after the export jobs and syncs still running)."""
        self.export_jobs.close()
        self.sync_jobs.close()
        pending = self.token_use.pending()
        if pending:
            store = self.stores.take()
            try:
                with self.accounts:
                    for token_id, when in pending.items():
                        record_token_use(store, token_id, when)
                self.token_use.told(pending)
            finally:
                self.stores.give(store)
        self.stores.close()
