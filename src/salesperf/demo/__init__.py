"""The seeded demo organisation, shared by tests, docs and `salesperf demo`.

`generate(DemoConfig(...))` builds a whole sales organisation from one seed: the team tree, reps
who join, ramp up and leave, accounts, leads, deals with their stage history, a year or more of
activities, targets, surveys and absences. Patterns are planted in it on purpose (see `Planted`)
so that the analysis can be checked to find them.

The config and the three company contexts are in `config`; the simulation is in `world`, which
draws on `org`, `worktime`, `leads`, `pipeline`, `activities`, `customers` and `targets`; and
`assemble` turns what it drew into the ten canonical Arrow tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from salesperf.demo import assemble
from salesperf.demo.calendar import TIMEZONE
from salesperf.demo.config import CONTEXTS, CURRENCY, PROFILES, DemoConfig
from salesperf.demo.planted import Planted
from salesperf.demo.world import World
from salesperf.store import Store

__all__ = [
    "CONTEXTS",
    "CURRENCY",
    "PROFILES",
    "TIMEZONE",
    "DemoConfig",
    "DemoData",
    "Planted",
    "build_demo",
    "generate",
]


@dataclass(frozen=True)
class DemoData:
    """A generated organisation: the ten canonical tables and the patterns planted in them."""

    config: DemoConfig
    tables: dict[str, pa.Table]
    planted: Planted


def generate(config: DemoConfig) -> DemoData:
    """Generate the demo organisation for `config`; the same config gives identical tables."""
    world = World(PROFILES[config.context], config.reps, config.years, config.seed, config.end)
    tables = assemble.tables(world)
    return DemoData(config=config, tables=tables, planted=assemble.planted(world))


def build_demo(store: Store, config: DemoConfig) -> DemoData:
    """Generate the demo organisation and replace the store's content with it; the time zone
    and currency settings become the demo's (Europe/Amsterdam, EUR), the context setting its
    context."""
    data = generate(config)
    # the zone first: a change of zone rebuilds the roll-ups of what the store holds, so set
    # after the tables it would build the demo's roll-ups twice
    store.set_setting("timezone", TIMEZONE)
    store.replace_all(data.tables)
    store.set_setting("currency", CURRENCY, replacing=True)  # every amount is the demo's
    store.set_setting("context", config.context)
    return data
