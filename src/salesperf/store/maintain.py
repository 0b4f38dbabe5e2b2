"""Keeping the roll-ups (`salesperf.store.rollups`) equal to the raw tables: built from scratch,
and checked against them (`salesperf rollups rebuild`, `salesperf rollups check`). Every write
keeps them current on its own (`salesperf.store.upkeep`); a rebuild is for roll-ups of another
definition, and for rows written into the store by other means than salesperf."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from salesperf.store import upkeep
from salesperf.store.rollups import ROLLUPS
from salesperf.store.upkeep import data_days

if TYPE_CHECKING:
    from salesperf.store import Store
    from salesperf.store.engines.base import Engine

__all__ = ["Maintenance", "check", "data_days", "rebuild"]


class Maintenance:
    """The store's roll-up maintenance (a part of `salesperf.store.Store`)."""

    _engine: Engine

    def rebuild_rollups(
        self, timezone: str | None = None, only: tuple[str, ...] | None = None
    ) -> dict[str, int]:
        """Build every roll-up from the raw tables, in the organisation's time zone (or
        `timezone`), each in a transaction of its own: one roll-up, its state included, is all
        or nothing and readers see it as it was until its rebuild commits, while the engine
        holds one roll-up's new rows at a time (the four at once went past the embedded
        engine's default memory budget on a 50M-activity store); `only`: those named. The rows
        of each (a store without roll-ups: none)."""
        store = cast("Store", self)
        tz = timezone or store.settings.timezone
        for name in upkeep.REBUILD_ORDER:
            if only is not None and name not in only:
                continue
            with store.transaction():
                upkeep.rebuild_all(self._engine, tz, (name,))
        return {n: store.count(n) for n in ROLLUPS if store.has_table(n)}

    def check_rollups(self) -> dict[str, int | None]:
        """For each roll-up, how many of its rows differ from a fresh build from the raw tables
        (None: not kept current, so never read)."""
        zones = upkeep.current(self._engine)
        return {
            name: upkeep.differences(self._engine, r, zones[name]) if name in zones else None
            for name, r in ROLLUPS.items()
        }


def rebuild(store: Store, timezone: str | None = None) -> dict[str, int]:
    """Build every roll-up from the raw tables (see `Maintenance.rebuild_rollups`)."""
    return store.rebuild_rollups(timezone)


def check(store: Store) -> dict[str, int | None]:
    """How many rows of each roll-up differ from a fresh build (see `Maintenance.check_rollups`)."""
    return store.check_rollups()
