"""Statistics remembered by their inputs give what a fresh computation gives, and a generator
is left in the state its draws leave it in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from salesperf.analysis.forecast import sim
from salesperf.analysis.forecast.drift import NO_DRIFT
from salesperf.analysis.forecast.model import PipelineModel, Timing
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


def test_keys_of_models_mappings_and_frames() -> None:
    """Equal inputs give equal keys, and any changed value another key: dataclasses field by
    field, mappings item by item, data frames column by column, mixed sequences by element."""
    t = Timing(np.array([3, 10]), np.array([2, 1]))
    a = PipelineModel(("demo", "proposal"), np.array([0.2, 0.5]), np.array([100.0, 80.0]),
                      {"demo": t, "proposal": t}, {"demo": 0.2, "proposal": 0.5}, 12)  # fmt: skip
    same = PipelineModel(("demo", "proposal"), np.array([0.2, 0.5]), np.array([100.0, 80.0]),
                         {"demo": t, "proposal": t}, {"demo": 0.2, "proposal": 0.5}, 12)  # fmt: skip
    assert key_of(a) == key_of(same) and hash(key_of(a)) == hash(key_of(same))
    assert key_of(a) != key_of(replace(a, amount=np.array([100.0, 81.0])))
    assert key_of(a) != key_of(replace(a, timing={"demo": t, "proposal": Timing(t.days, t.n + 1)}))
    frame = pd.DataFrame({"rep": ["R1", "R2"], "o": [1.0, 2.0]})
    assert key_of(frame) == key_of(frame.copy())
    assert key_of(frame) != key_of(frame.assign(o=[1.0, 2.5]))
    assert key_of(frame) != key_of(frame.rename(columns={"o": "e"}))
    assert key_of(replace(NO_DRIFT, by_rep=frame)) != key_of(NO_DRIFT)
    assert key_of((1, "a")) != key_of(("1", "a"))  # text is not a number
    ragged = (np.array([1, 2]), np.array([3]))  # arrays of other lengths in one tuple
    assert key_of(ragged) == key_of(tuple(np.copy(x) for x in ragged))
    assert key_of(ragged) != key_of((np.array([1, 2]), np.array([4])))


def test_a_simulation_seen_before_is_remembered_and_read_only() -> None:
    """The forecast's Monte Carlo is a pure function of its inputs: the same inputs give the
    very same (read-only) outcomes without drawing again; one deal's amount changed gives a
    new simulation equal to one drawn afresh."""
    t = Timing(np.array([3, 10]), np.array([2, 1]))
    pipe = PipelineModel(("demo", "proposal"), np.array([0.2, 0.5]), np.array([100.0, 80.0]),
                         {"demo": t, "proposal": t}, {"demo": 0.2, "proposal": 0.5}, 12)  # fmt: skip
    args = ((), NO_DRIFT, [0, 7, 30], 2000, 5, (0.0, 0.0))
    misses = sim._SIMULATED.misses
    first = sim.simulate(pipe, *args)
    again = sim.simulate(replace(pipe, p=np.array([0.2, 0.5])), *args)  # equal, not the same
    assert again is first and sim._SIMULATED.misses == misses + 1
    assert np.array_equal(first, sim._simulate(pipe, *args))
    assert not first.flags.writeable
    moved = replace(pipe, amount=np.array([100.0, 90.0]))
    other = sim.simulate(moved, *args)
    assert other is not first and np.array_equal(other, sim._simulate(moved, *args))
    assert other[:, -1].mean() > first[:, -1].mean()
