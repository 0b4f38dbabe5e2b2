"""Context presets: which headline KPIs a kind of company looks at first, and its words.

A startup counts customers acquired, revenue and satisfaction; a consultancy counts projects
secured, revenue and satisfaction; a digital-marketing agency counts new clients, campaign
revenue and retention. The metrics are the same (metrics.md); a preset chooses which lead and
what they are called. The organisation's preset is the `context` setting; the scorecard, the
diagnosis and the dashboard use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from salesperf.errors import InputError
from salesperf.i18n.words import WORDS
from salesperf.metrics.registry import Metric, metric
from salesperf.text import Lang, Text

DEFAULT_CONTEXT = "general"
_DEAL = Text("deal", "deal")
_DEALS = Text("deals", "deals")


@dataclass(frozen=True)
class Context:
    """A context preset: its name, headline metrics and the words it uses for them."""

    name: str
    title: Text
    headline: tuple[str, ...]
    labels: dict[str, Text] = field(default_factory=dict)  # metric name -> its label here
    deal: Text = _DEAL  # what one won deal is called
    deals: Text = _DEALS

    def label(self, name: str, lang: Lang | str = Lang.EN) -> str:
        """The metric's label in this context (the registry's label unless renamed here)."""
        if name in self.labels:
            return self.labels[name].get(lang)
        m: Metric = metric(name)
        return m.label_nl if Lang(lang) is Lang.NL else m.label_en


CONTEXTS: dict[str, Context] = {
    c.name: c
    for c in (
        Context(
            name="general",
            title=WORDS["general"],
            headline=("revenue_won", "deals_won", "win_rate", "quota_attainment"),
        ),
        Context(
            name="startup",
            title=WORDS["startup"],
            headline=("customers_acquired", "revenue_won", "csat"),
        ),
        Context(
            name="consultancy",
            title=WORDS["consultancy"],
            headline=("deals_won", "revenue_won", "csat"),
            labels={
                "deals_won": Text("Projects secured", "Binnengehaalde projecten"),
                "deals_lost": Text("Projects lost", "Verloren projecten"),
                "avg_deal_size": Text("Average project size", "Gemiddelde projectgrootte"),
                "touches_per_won_deal": Text(
                    "Touches per secured project", "Contactmomenten per binnengehaald project"
                ),
            },
            deal=Text("project", "project"),
            deals=Text("projects", "projecten"),
        ),
        Context(
            name="agency",
            title=WORDS["agency"],
            headline=("customers_acquired", "revenue_won", "retention_rate"),
            labels={
                "customers_acquired": Text("New clients", "Nieuwe klanten"),
                "revenue_won": Text("Campaign revenue", "Campagne-omzet"),
                "revenue_per_activity": Text(
                    "Campaign revenue per activity", "Campagne-omzet per activiteit"
                ),
            },
            deal=Text("campaign", "campagne"),
            deals=Text("campaigns", "campagnes"),
        ),
    )
}


def get_context(name: str | None) -> Context:
    """The preset called `name` (the general one for None), or an InputError naming the choices."""
    key = (name or DEFAULT_CONTEXT).strip().lower()
    if key not in CONTEXTS:
        raise InputError(f"unknown context {name!r}; choose one of {', '.join(CONTEXTS)}")
    return CONTEXTS[key]
