"""The simulated records, each kind as parallel numpy arrays: activities, leads, deals and the
accounts they concern."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields

import numpy as np

from salesperf.demo.codes import Bools, Floats, Ints


@dataclass
class Acts:
    """Activities as parallel arrays; deal, lead, account and preset outcome are -1 when none."""

    rep: Ints
    t: Ints
    type: Ints
    outcome: Ints
    deal: Ints
    lead: Ints
    account: Ints
    duration: Floats | None = None

    @classmethod
    def of(cls, rep: Ints, t: Ints, type_: Ints, **links: Ints) -> Acts:
        """Activities with the given links; the others none.

        Stored narrow (int32, codes as int8): at ten million rows every sort and gather moves
        half the memory it would in int64.
        """
        none = np.full(len(rep), -1, dtype=np.int32)
        return cls(
            rep=rep.astype(np.int32),
            t=t.astype(np.int32),
            type=type_.astype(np.int8),
            outcome=links.get("outcome", none).astype(np.int8),
            deal=links.get("deal", none).astype(np.int32),
            lead=links.get("lead", none).astype(np.int32),
            account=links.get("account", none).astype(np.int32),
        )

    @classmethod
    def concat(cls, parts: Sequence[Acts]) -> Acts:
        """All parts as one."""
        return cls(**{f: np.concatenate([getattr(p, f) for p in parts]) for f in _ACT_FIELDS})

    def select(self, index: Ints | Bools) -> Acts:
        """The activities at `index`."""
        out = Acts(**{f: getattr(self, f)[index] for f in _ACT_FIELDS})
        out.duration = None if self.duration is None else self.duration[index]
        return out


_ACT_FIELDS = ("rep", "t", "type", "outcome", "deal", "lead", "account")


@dataclass
class Leads:
    """Leads as parallel arrays; account, qualified and deal are -1 when none."""

    rep: Ints
    created: Ints
    source: Ints
    account: Ints
    qualified: Ints
    deal: Ints


@dataclass
class Deals:
    """Deals as parallel arrays; the pipeline (`run_pipeline`) fills in stage times and outcome."""

    owner: Ints  # who opened it
    created: Ints
    account: Ints
    amount: Floats
    source: Ints  # -1 for follow-on deals
    first: Ints  # first stage (renewals start at the proposal)
    bonus: Floats  # logit shift of a follow-on deal
    kind: Ints
    lead: Ints
    times: Ints = field(default_factory=lambda: np.zeros((0, 6), np.int64))  # stage entries
    stop: Ints = field(default_factory=lambda: np.zeros(0, np.int64))  # last stage entered
    won: Bools = field(default_factory=lambda: np.zeros(0, bool))  # its outcome, when closed
    close: Ints = field(default_factory=lambda: np.zeros(0, np.int64))  # may be after the end
    closed: Bools = field(default_factory=lambda: np.zeros(0, bool))  # decided in the history
    closer: Ints = field(default_factory=lambda: np.zeros(0, np.int64))  # owner at close or end

    @classmethod
    def concat(cls, parts: Sequence[Deals]) -> Deals:
        """All parts as one."""
        return cls(
            **{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)}
        )

    def select(self, index: Ints) -> Deals:
        """The deals at `index`, in that order."""
        return Deals(**{f.name: getattr(self, f.name)[index] for f in fields(self)})


@dataclass(frozen=True)
class Accounts:
    """The accounts, numbered pool by pool: each rep works a pool of their own."""

    pool: Ints  # accounts in each rep's pool
    first: Ints  # number of the first account in each rep's pool
    segment: Ints
    n: int

    def pick(self, rep: Ints, rng: np.random.Generator) -> Ints:
        """A random account from each rep's pool."""
        pick = (rng.random(len(rep)) * self.pool[rep]).astype(np.int64)
        out: Ints = self.first[rep] + pick
        return out
