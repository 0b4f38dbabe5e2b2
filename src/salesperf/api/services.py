"""What one app holds: its settings, its store (opened on first use), templates and assets."""

from __future__ import annotations

import tempfile
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, TypeVar

from argon2 import PasswordHasher
from jinja2 import Environment

from salesperf.api.settings import AppSettings
from salesperf.store import Store
from salesperf.users import password_hasher

T = TypeVar("T")


class ResultCache:
    """Recent results (scorecards) by their arguments, dropped whenever the app writes.

    While the server runs it is the store's only writer (the embedded engine locks the file),
    so every change goes through `clear`, and a cached figure is never stale.
    """

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._data: OrderedDict[Hashable, Any] = OrderedDict()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The cached result for `key`, computed on first use."""
        if key in self._data:
            self._data.move_to_end(key)
            value: T = self._data[key]
            return value
        result = compute()
        self._data[key] = result
        if len(self._data) > self.size:
            self._data.popitem(last=False)
        return result

    def clear(self) -> None:
        """Forget everything (after a write)."""
        self._data.clear()


class Services:
    """The app's store, settings, password hasher, templates and cached chart library."""

    def __init__(self, settings: AppSettings) -> None:
        from salesperf.web.render import environment

        self.settings = settings
        self.hasher: PasswordHasher = password_hasher(settings.cheap_hashing)
        self.templates: Environment = environment()
        self._store: Store | None = None
        self._bundle: bytes | None = None
        self._work_dir = settings.work_dir
        self.cache = ResultCache()

    @property
    def store(self) -> Store:
        """The store, opened (and brought up to date) on first use."""
        if self._store is None:
            self._store = Store.open(self.settings.store)
        return self._store

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
        """Close the store."""
        if self._store is not None:
            self._store.close()
            self._store = None
