"""Statistics remembered by their inputs give what a fresh computation gives, and a generator
is left in the state its draws leave it in."""

from __future__ import annotations

import numpy as np

from salesperf.analysis.quadrant import evidence
from salesperf.analysis.stats import shrinkage
from salesperf.analysis.stats.memo import Memo, key_of


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
    amounts = np.array([50.0, 1200.0, 9800.0])  # in order of size, as it is drawn from
    plain = np.random.default_rng([7, 42])
    want = evidence.bootstrapped_sum(amounts, plain)
    after = plain.random()
    for _ in range(2):  # computed, then remembered
        rng = np.random.default_rng([7, 42])
        assert evidence.bootstrap_sum(amounts, rng) == want
        assert rng.random() == after
    assert evidence.bootstrap_sum(amounts, np.random.default_rng([7, 43])) != want


def test_a_bootstrap_does_not_depend_on_the_order_of_the_deals() -> None:
    """The store hands a rep's deals over in any order; the interval is the same."""
    amounts = np.array([1200.0, 50.0, 9800.0, 430.0])
    got = {
        evidence.bootstrap_sum(amounts[list(order)], np.random.default_rng([7, 42]))
        for order in ((0, 1, 2, 3), (3, 2, 1, 0), (1, 3, 0, 2))
    }
    assert len(got) == 1
    # and unlike the plain draws, which pair the weights with the amounts in the order given
    plain = {
        evidence.bootstrapped_sum(amounts[list(order)], np.random.default_rng([7, 42]))
        for order in ((0, 1, 2, 3), (3, 2, 1, 0))
    }
    assert len(plain) == 2


def test_keys() -> None:
    assert key_of([1, 2]) == key_of(np.array([1, 2]))
    assert key_of(np.array([1.0, 2.0])) != key_of(np.array([1, 2]))  # another type
    assert key_of(np.array([1, 2])) != key_of(np.array([[1, 2]]))  # another shape
    m: Memo[int] = Memo(size=2)
    assert [m.get(i, lambda i=i: i * 10) for i in (1, 2, 1, 3)] == [10, 20, 10, 30]
    assert (m.hits, m.misses) == (1, 3)
    assert m.get(2, lambda: -1) == -1  # the least recently used went first
