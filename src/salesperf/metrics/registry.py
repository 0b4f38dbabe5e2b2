"""The metric registry: every metric of the specification, declared once, and its lookup.

Each metric is declared with its name, English and Dutch labels, a description in both
languages, a unit, a direction, a type and its formula (`declare.Metric`), in
`activity_metrics`, `performance_metrics` and `effectiveness_metrics`. Docs, the CLI, the API,
the compiler and target checks read these declarations through this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from salesperf.i18n.words import word
from salesperf.metrics.activity_metrics import ACTIVITY_METRICS
from salesperf.metrics.declare import (
    Formula,
    Group,
    Measures,
    Metric,
    MetricType,
    NullCase,
    Parameter,
    Target,
    Unit,
)
from salesperf.metrics.effectiveness_metrics import EFFECTIVENESS_METRICS
from salesperf.metrics.performance_metrics import PERFORMANCE_METRICS, QUOTA_METRIC
from salesperf.text import Lang

__all__ = [
    "METRICS",
    "QUOTA_METRIC",
    "TYPED_FACT",
    "Formula",
    "Group",
    "Measures",
    "Metric",
    "MetricType",
    "NullCase",
    "Parameter",
    "Target",
    "Unit",
    "computable",
    "formula",
    "get",
    "metric",
    "metric_names",
    "null_cases",
    "null_reason",
    "param_ok",
    "reason_json",
    "split_name",
    "typed_ok",
]


def _index(*groups: tuple[Metric, ...]) -> dict[str, Metric]:
    """The metrics by name, in the specification's order; a name declared twice is an error."""
    out: dict[str, Metric] = {}
    for m in (m for g in groups for m in g):
        if m.name in out:
            raise TypeError(f"the metric {m.name!r} is declared twice")
        out[m.name] = m
    return out


METRICS: Mapping[str, Metric] = _index(ACTIVITY_METRICS, PERFORMANCE_METRICS, EFFECTIVENESS_METRICS)


def metric_names() -> tuple[str, ...]:
    """Every metric name, in the specification's order."""
    return tuple(METRICS)


def get(name: str) -> Metric:
    """The metric called `name`, or a clear error listing the ones that exist."""
    try:
        return METRICS[name]
    except KeyError:
        raise KeyError(
            f"there is no metric {name!r}; the metrics are: {', '.join(METRICS)}"
        ) from None


def formula(name: str) -> Formula | None:
    """The formula of the metric `name` (a typed name too); None for a TARGET metric or a name
    that is no metric."""
    m = METRICS.get(split_name(name)[0])
    return m.formula if m is not None else None


def null_cases(name: str) -> tuple[NullCase, ...]:
    """Every reason the metric `name` (a typed name too) can be null, in the order checked."""
    m = METRICS.get(split_name(name)[0])
    return m.nulls if m is not None else ()


def null_reason(name: str, code: str) -> NullCase:
    """The null case `code` of the metric `name`."""
    for case in null_cases(name):
        if case.code == code:
            return case
    raise KeyError(f"{name} has no null case {code!r}")


def reason_json(name: str, code: object) -> dict[str, str] | None:
    """Why the metric `name` is null, for the API: its code and sentence in both languages
    (None when `code` is missing: the value is not null)."""
    if not isinstance(code, str):
        return None
    case = null_reason(name, code)
    return {"code": case.code, "en": case.en, "nl": case.nl}


def computable() -> tuple[str, ...]:
    """The metrics a `Query` computes (the parametrised ones are left to the analyses)."""
    return tuple(n for n, m in METRICS.items() if m.parameter is None)


# -- metrics of one activity type ------------------------------------------------------------
#: The fact whose rows a type filter (`activities:demo`) narrows.
TYPED_FACT = "activity"


def split_name(name: str) -> tuple[str, str | None]:
    """`activities:demo` -> ("activities", "demo"); `win_rate` -> ("win_rate", None)."""
    base, sep, kind = name.partition(":")
    return (base, kind) if sep else (name, None)


def param_ok(base: str, param: str) -> bool:
    """Whether `param` is the kind of parameter the parametrised metric `base` takes."""
    m = METRICS.get(base)
    return m is not None and m.parameter is not None and m.parameter.accepts(param)


def typed_ok(base: str, facts: Mapping[str, str]) -> bool:
    """Whether a metric can be narrowed to one activity type: all its measures are activities'
    (or working days). `facts` maps each measure to its fact."""
    f = formula(base)
    return f is not None and all(facts.get(n, TYPED_FACT) == TYPED_FACT for n in f.needs)


def metric(name: str) -> Metric:
    """The declaration of `name`, a typed name (`activities:demo`) included, with its label."""
    base, kind = split_name(name)
    m = get(base)
    if kind is None:
        return m
    return replace(
        m,
        name=name,
        label_en=f"{m.label_en} ({word(kind, Lang.EN)})",
        label_nl=f"{m.label_nl} ({word(kind, Lang.NL)})",
    )
