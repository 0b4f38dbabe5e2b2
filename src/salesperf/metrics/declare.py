"""How a metric is declared: its kinds, its formula over measures, when it is null, and the
declaration itself. The metrics are declared in `activity_metrics`, `performance_metrics` and
`effectiveness_metrics`; `registry` gathers and looks them up."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

import ibis
import ibis.expr.types as ir


class MetricType(StrEnum):
    """How a metric is computed from measures."""

    SIMPLE = "simple"  # one aggregate of one table
    RATIO = "ratio"  # one measure over another; null when the denominator is 0
    DERIVED = "derived"  # an expression of other metrics
    COHORT = "cohort"  # follows a group of rows (leads, deals) over time
    TARGET = "target"  # another metric's figure set against its target


class Group(StrEnum):
    """Which side of the story a metric tells."""

    ACTIVITY = "activity"
    PERFORMANCE = "performance"
    EFFECTIVENESS = "effectiveness"


class Unit(StrEnum):
    """How a value is shown."""

    COUNT = "count"
    MONEY = "money"
    RATIO = "ratio"  # shown as a percentage
    HOURS = "hours"
    DAYS = "days"
    SCORE = "score"


Measures = Mapping[str, ir.NumericValue]


@dataclass(frozen=True)
class NullCase:
    """One reason a metric's value is null (shown as "—"): a condition on its measures, and the
    reason in English and Dutch. A zero denominator is one; an input not recorded at all (no
    call with an outcome, no lead linked to a deal) is another."""

    code: str
    when: Callable[[Measures], ir.BooleanValue]
    en: str
    nl: str
    # an unrecorded input: the formula alone would give a number (0), so the value is made null;
    # otherwise the formula is null there by itself (a zero denominator, a median of nothing)
    force: bool = False


@dataclass(frozen=True)
class Formula:
    """How a metric is computed from measures: the measures it needs and the expression, and
    when (and why) its value is null."""

    needs: tuple[str, ...]
    compute: Callable[[Measures], ir.NumericValue]
    split: str | None = None  # the split the metric only makes sense within (one row each)
    nulls: tuple[NullCase, ...] = ()

    def value(self, m: Measures) -> ir.NumericValue:
        """The metric over the measures: null in each of its null cases."""
        v = self.compute(m)
        forced = [case.when(m) for case in self.nulls if case.force]
        if not forced:
            return v
        undefined = forced[0]
        for when in forced[1:]:
            undefined = undefined | when
        return ibis.ifelse(undefined.fill_null(False), ibis.null(v.type()), v)

    def reason(self, m: Measures) -> ir.StringValue:
        """The code of the first null case that holds where the value is null, else null."""
        v = self.value(m)
        branches = [(case.when(m).fill_null(False), case.code) for case in self.nulls]
        if not branches:
            return ibis.null("string")
        why = ibis.cases(*branches, else_=ibis.null("string"))
        return ibis.ifelse(v.isnull(), why, ibis.null("string"))


@dataclass(frozen=True)
class Target:
    """A TARGET metric: another metric's figure set against its target. `column` is the
    comparison's column suffix (`<of>_attainment`, `<of>_gap`); `nulls` read `target` and
    `actual`."""

    of: str
    column: str
    nulls: tuple[NullCase, ...] = ()


@dataclass(frozen=True)
class Parameter:
    """A parameter a metric takes in its name (`stage_conversion:demo>proposal`): what it is,
    an example, and which parameters are well formed."""

    what: str
    example: str
    accepts: Callable[[str], bool]


@dataclass(frozen=True, kw_only=True)
class Metric:
    """One metric's declaration: its words, its kind and how it is computed (a `formula` over
    measures, or for a TARGET metric the `target` comparison it reads)."""

    name: str
    label_en: str
    label_nl: str
    group: Group
    type: MetricType
    unit: Unit
    higher_is_better: bool
    description_en: str
    description_nl: str
    formula: Formula | None = None
    target: Target | None = None
    parameter: Parameter | None = None

    def __post_init__(self) -> None:
        if (self.type is MetricType.TARGET) != (self.target is not None):
            raise TypeError(f"{self.name}: a TARGET metric, and only one, declares its target")
        if (self.formula is None) == (self.target is None):
            raise TypeError(f"{self.name}: declare a formula or a target, not both or neither")

    @property
    def nulls(self) -> tuple[NullCase, ...]:
        """Every reason the metric can be null, in the order checked."""
        if self.target is not None:
            return self.target.nulls
        return self.formula.nulls if self.formula is not None else ()


# -- building blocks of formulas -----------------------------------------------------------------
def null_case(
    code: str, when: Callable[[Measures], ir.BooleanValue], en: str, nl: str, force: bool = False
) -> NullCase:
    """A null case (see `NullCase`)."""
    return NullCase(code, when, en, nl, force)


def zero(name: str) -> Callable[[Measures], ir.BooleanValue]:
    """The condition that the measure `name` is 0."""
    return lambda m: m[name] == 0


def ratio(
    num: str, den: str, *nulls: NullCase, scale: float = 1.0, split: str | None = None,
    also: tuple[str, ...] = (),
) -> Formula:  # fmt: skip
    """num / den; null (never 0 or infinity) when the denominator is 0 and in `nulls`. `also`:
    further measures the null cases read."""
    return Formula(
        (num, den, *also),
        lambda m: scale * m[num].cast("float64") / m[den].cast("float64").nullif(0),
        split,
        nulls,
    )


def same(name: str, *nulls: NullCase, also: tuple[str, ...] = ()) -> Formula:
    """The measure `name` as it is."""
    return Formula((name, *also), lambda m: m[name], nulls=nulls)
