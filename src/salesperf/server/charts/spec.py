"""What every chart shares: the number formats by unit and the specification a page embeds
(no external schema URL: the page refers to nothing outside the server)."""

from __future__ import annotations

from typing import Any

import altair as alt

#: d3 number formats by metric unit (thousands separators follow the locale).
FORMATS = {"money": "$,.0f", "ratio": ".0%", "count": ",.0f"}


def spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """A chart's Vega-Lite specification, without the external schema URL."""
    out: dict[str, Any] = chart.to_dict()
    out.pop("$schema", None)  # no external URL in a page
    return out
