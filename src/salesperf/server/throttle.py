"""Slowing down password guessing without locking anyone out.

Failed sign-ins are counted per client address and per (user, address) pair. The first few
failures of each cost nothing; after that, each further attempt must wait a delay that doubles
with every failure, up to a ceiling, and is answered with 429 and `Retry-After` meanwhile (no
server thread sleeps). An account itself is never locked: an address that has not failed signs
in at once with the right password, however hard the user is being attacked from elsewhere.
A key's failures are forgotten a while after its last one.

The counts live in memory, in the app: a sign-in then writes nothing to the store (an attacker
cannot turn guesses into store writes, and sign-ins never wait on the store's writer), the
server is the one process serving its store, and a restart forgetting the counts costs an
attacker's slowdown, not anyone's access. Each table is capped (the least recently failing keys
go first) and expired keys are dropped as the clock moves, so the memory stays bounded
whatever an attacker sends. One lock guards both tables: checking and counting an attempt is
one step, so parallel guesses cannot all slip through before the first one fails.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from salesperf.errors import Denied


@dataclass(frozen=True)
class ThrottleRules:
    """How failed sign-ins slow down further attempts (`AppSettings.throttle`)."""

    free_per_pair: int = 5  # failures of one user from one address before delays begin
    free_per_address: int = 20  # failures from one address (any users) before delays begin
    first_delay: timedelta = timedelta(seconds=1)  # then 2, 4, 8 ... seconds
    max_delay: timedelta = timedelta(minutes=5)
    forget_after: timedelta = timedelta(minutes=15)  # after a key's last failure
    max_keys: int = 10_000  # per table (pairs, addresses)

    def __post_init__(self) -> None:
        if self.free_per_pair < 1 or self.free_per_address < 1 or self.max_keys < 1:
            raise ValueError("the throttle's free failures and its size must be at least 1")
        if not timedelta(0) < self.first_delay <= self.max_delay <= self.forget_after:
            raise ValueError(
                "the throttle needs 0 < first_delay <= max_delay <= forget_after, or a key "
                "would be forgotten before its delay ends"
            )

    def delay(self, failures: int, free: int) -> timedelta:
        """The wait after `failures` failures of a key that has `free` free ones."""
        if failures < free:
            return timedelta(0)
        doublings = min(failures - free, 62)  # beyond that the ceiling has long been reached
        return min(self.first_delay * (1 << doublings), self.max_delay)


class Throttled(Denied):
    """Too many failed sign-ins from this address (or for this user from it) just now."""

    def __init__(self, seconds: int) -> None:
        super().__init__(f"too many failed sign-ins; try again in {seconds} seconds")
        self.seconds = seconds


@dataclass
class _Failures:
    count: int
    last: datetime


@dataclass(frozen=True)
class Attempt:
    """A sign-in attempt let through, counted as a failure until it `succeeded`."""

    pair: tuple[str, str]
    address: str


class _Table:
    """Failures by key, least recently failing first; capped and expiring (not thread-safe:
    the throttle's lock guards it)."""

    def __init__(self, free: int, rules: ThrottleRules) -> None:
        self.free = free
        self.rules = rules
        self.keys: OrderedDict[object, _Failures] = OrderedDict()

    def expire(self, now: datetime) -> None:
        while self.keys:
            first = next(iter(self.keys.values()))
            if now - first.last < self.rules.forget_after:
                break
            self.keys.popitem(last=False)

    def wait(self, key: object, now: datetime) -> timedelta:
        found = self.keys.get(key)
        if found is None:
            return timedelta(0)
        return max(found.last + self.rules.delay(found.count, self.free) - now, timedelta(0))

    def fail(self, key: object, now: datetime) -> None:
        found = self.keys.get(key)
        if found is None:
            self.keys[key] = _Failures(1, now)
        else:
            found.count += 1
            found.last = max(found.last, now)
            self.keys.move_to_end(key)
        while len(self.keys) > self.rules.max_keys:
            self.keys.popitem(last=False)


class SignInThrottle:
    """The app's count of failed sign-ins, per address and per (user, address); thread-safe."""

    def __init__(self, rules: ThrottleRules, clock: Callable[[], datetime]) -> None:
        self.rules = rules
        self.clock = clock
        self._pairs = _Table(rules.free_per_pair, rules)
        self._addresses = _Table(rules.free_per_address, rules)
        self._lock = threading.Lock()

    def attempt(self, username: str, address: str) -> Attempt:
        """Let an attempt through, counting it as failed until `succeeded` says otherwise;
        Throttled (with the seconds to wait) while the address or the pair must wait."""
        now = self.clock()
        pair = (username.strip().lower(), address)
        with self._lock:
            self._pairs.expire(now)
            self._addresses.expire(now)
            wait = max(self._pairs.wait(pair, now), self._addresses.wait(address, now))
            if wait > timedelta(0):
                raise Throttled(max(1, math.ceil(wait.total_seconds())))
            self._pairs.fail(pair, now)
            self._addresses.fail(address, now)
        return Attempt(pair, address)

    def succeeded(self, attempt: Attempt) -> None:
        """The password was right: the pair starts afresh and the address's count is as it
        was before the attempt (a known account cannot wipe its address's other failures)."""
        with self._lock:
            self._pairs.keys.pop(attempt.pair, None)
            found = self._addresses.keys.get(attempt.address)
            if found is not None:
                found.count -= 1
                if found.count <= 0:
                    del self._addresses.keys[attempt.address]

    def failures(self, username: str | None, address: str) -> int:
        """The failures counted now for the pair (or, without a username, the address)."""
        now = self.clock()
        table, key = (
            (self._addresses, address)
            if username is None
            else (self._pairs, (username.strip().lower(), address))
        )
        with self._lock:
            table.expire(now)
            found = table.keys.get(key)
            return found.count if found is not None else 0

    def size(self) -> tuple[int, int]:
        """How many pairs and addresses are remembered."""
        with self._lock:
            return len(self._pairs.keys), len(self._addresses.keys)
