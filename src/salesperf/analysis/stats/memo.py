"""Statistics remembered by their inputs.

After a write most reps' counts are what they were, yet every page computed from them is
computed again: the shrunk rates of every team, the bootstrap interval of every rep's revenue.
These are pure functions of their inputs (a random generator's draws included: its state is
part of the input, and the state it is left in part of the result), so the answer for inputs
seen before is the answer computed then. Only those of the few groups a write changed are
computed again.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from typing import Any, Generic, TypeVar

import numpy as np
import pandas as pd

T = TypeVar("T")

#: Results kept per remembered function (the least recently used go first).
SIZE = 20_000


def key_of(value: Any) -> Hashable:
    """A hashable key equal for equal inputs: an array (or a list of numbers) by its type,
    shape and bytes; a random generator by its state; a dataclass by its type and the keys of
    its fields; a mapping by the keys of its items, a data frame by those of its columns;
    anything else as it is."""
    if isinstance(value, np.random.Generator):
        return ("rng", repr(value.bit_generator.state))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.fields(value)
        return (type(value).__qualname__, *(key_of(getattr(value, f.name)) for f in fields))
    if isinstance(value, pd.DataFrame):
        return ("frame", key_of(list(value.columns)), key_of(value.index.to_numpy()),
                *(key_of(value[c].to_numpy()) for c in value.columns))  # fmt: skip
    if isinstance(value, Mapping):
        return ("map", tuple((key_of(k), key_of(v)) for k, v in value.items()))
    if isinstance(value, np.ndarray) and value.dtype != object:
        return ("array", value.dtype.str, value.shape, value.tobytes())
    if isinstance(value, (np.ndarray, list, tuple)):
        if len(value) and all(isinstance(v, (int, float, np.number)) for v in value):
            a = np.asarray(value)  # a list of numbers is the array of them
            return ("array", a.dtype.str, a.shape, a.tobytes())
        if all(isinstance(v, str) for v in value):  # names: keys of their own
            return ("seq", type(value).__name__, tuple(value))
        return ("seq", type(value).__name__, tuple(key_of(v) for v in value))
    hashable: Hashable = value
    return hashable


class Memo(Generic[T]):
    """The results of one function by the key of its arguments; safe from any thread."""

    def __init__(self, size: int = SIZE) -> None:
        self.size = size
        self._data: OrderedDict[Hashable, T] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The result for `key`, computed on first use."""
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                self.hits += 1
                return self._data[key]
            self.misses += 1
        value = compute()
        with self._lock:
            self._data[key] = value
            while len(self._data) > self.size:
                self._data.popitem(last=False)
        return value

    def clear(self) -> None:
        """Forget every result."""
        with self._lock:
            self._data.clear()
            self.hits = self.misses = 0
