"""Statistics remembered by their inputs give what a fresh computation gives, and a generator
is left in the state its draws leave it in."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from salesperf.analysis.quadrant import evidence
from salesperf.analysis.quadrant.model import _won_amounts
from salesperf.analysis.stats import shrinkage
from salesperf.analysis.stats.memo import Memo, key_of
from salesperf.ingest.importer import import_file
from salesperf.metrics.periods import parse_period
from salesperf.store import Store


def test_a_group_seen_before_is_not_computed_again_and_gives_the_same() -> None:
    k, n = [3, 0, 12, 5], [10, 4, 30, 5]
    fresh = shrinkage.shrunk_group(k, n)
    before = shrinkage._SHRUNK.misses
    first = shrinkage.shrink_group(k, n)
    again = shrinkage.shrink_group(np.array(k), np.array(n))  # the same counts, as an array
    assert first == again == fresh
    assert shrinkage._SHRUNK.misses - before <= 1  # at most the first was computed
    other = shrinkage.shrink_group([3, 0, 12, 6], [10, 4, 30, 6])  # one rep's counts moved
    assert other != first and other == shrinkage.shrunk_group([3, 0, 12, 6], [10, 4, 30, 6])


def test_a_bootstrap_seen_before_leaves_the_generator_as_drawing_would() -> None:
    amounts = np.array([1200.0, 50.0, 9800.0])
    plain = np.random.default_rng([7, 42])
    want = evidence.bootstrapped_sum(amounts, plain)
    after = plain.random()
    for _ in range(2):  # computed, then remembered
        rng = np.random.default_rng([7, 42])
        assert evidence.bootstrap_sum(amounts, rng) == want
        assert rng.random() == after
    assert evidence.bootstrap_sum(amounts, np.random.default_rng([7, 43])) != want


def test_keys() -> None:
    assert key_of([1, 2]) == key_of(np.array([1, 2]))
    assert key_of(np.array([1.0, 2.0])) != key_of(np.array([1, 2]))  # another type
    assert key_of(np.array([1, 2])) != key_of(np.array([[1, 2]]))  # another shape
    m: Memo[int] = Memo(size=2)
    assert [m.get(i, lambda i=i: i * 10) for i in (1, 2, 1, 3)] == [10, 20, 10, 30]
    assert (m.hits, m.misses) == (1, 3)
    assert m.get(2, lambda: -1) == -1  # the least recently used went first


def test_the_quadrant_draws_from_the_deals_in_the_order_of_their_ids(
    store: Store, write: Callable[..., Path]
) -> None:
    """The bootstrap draws by position: the same deals give the same interval only when they
    come in the same order, whatever order the store keeps them in."""
    deals = (
        "deal_id,rep_id,created_at,status,amount,closed_at\n"
        "D3,R1,2025-03-01,won,300,2025-03-20\n"
        "D1,R1,2025-03-01,won,100,2025-03-10\n"
        "D2,R1,2025-03-01,won,200,2025-03-15\n"
    )
    assert import_file(store, "deals", write("deals.csv", deals)).rejected == 0
    got = _won_amounts(store, parse_period("2025-03"), frozenset({"R1"}))
    assert list(got.amount) == [100.0, 200.0, 300.0]
