"""When each API token was last used, noted in memory and written to the store now and then.

A request signed in with a token must not wait for anyone's write, least of all an import's.
Its use is noted in memory; at most once a minute per token (`every`) the request that notes
it also writes it to the store, and only if the accounts' write lock is free at that moment:
otherwise a later use writes it. What the store has not yet been told is merged into token
listings (`latest`) and written when the app closes (`pending`). Only valid tokens are noted, so
the table holds no more entries than the store has tokens.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta

#: Writes a token's last use to the store.
Write = Callable[[str, datetime], None]


class TokenUse:
    """The latest use of each token used since the app started, and what the store was last
    told of it. Thread-safe."""

    def __init__(self, every: timedelta = timedelta(minutes=1)) -> None:
        self.every = every
        self._latest: dict[str, datetime] = {}
        self._told: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def note(self, token_id: str, when: datetime, write: Write, writes: threading.Lock) -> bool:
        """Note a use; also write it, holding `writes`, when the store was last told at least
        `every` before and `writes` is free at once (never waits). Whether it was written."""
        with self._lock:
            latest = self._latest.get(token_id)
            self._latest[token_id] = when if latest is None else max(latest, when)
            told = self._told.get(token_id)
            if told is not None and when - told < self.every:
                return False
            self._told[token_id] = when  # claimed: this token's other requests go on
        if not writes.acquire(blocking=False):
            self._unclaim(token_id, told)
            return False
        try:
            write(token_id, when)
        except BaseException:
            self._unclaim(token_id, told)
            raise
        finally:
            writes.release()
        return True

    def _unclaim(self, token_id: str, told: datetime | None) -> None:
        with self._lock:
            if told is None:
                self._told.pop(token_id, None)
            else:
                self._told[token_id] = told

    def latest(self, token_id: str) -> datetime | None:
        """The latest use noted since the app started, or None."""
        with self._lock:
            return self._latest.get(token_id)

    def pending(self) -> dict[str, datetime]:
        """The uses the store has not been told of, by token."""
        with self._lock:
            return {
                t: when
                for t, when in self._latest.items()
                if (told := self._told.get(t)) is None or told < when
            }

    def told(self, uses: dict[str, datetime]) -> None:
        """Mark `uses` (from `pending`) as written to the store."""
        with self._lock:
            for token_id, when in uses.items():
                self._told[token_id] = max(self._told.get(token_id, when), when)
