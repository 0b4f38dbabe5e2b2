"""The period picker's words and the KPI cards' comparisons and data-quality markers
(`periods.`)."""

from __future__ import annotations

from salesperf.text import Text

_t = Text

#: The picker's and the KPI cards' strings, by key.
MESSAGES: dict[str, Text] = {
    # the period box and its picker
    "periods.box": _t("Period", "Periode"),
    "periods.box_help": _t(
        "For example Q3 2026, July 2026, week 40 2026, 2026-07-01..2026-09-30 or quarter to date",
        "Bijvoorbeeld K3 2026, juli 2026, week 40 2026, 01-07-2026 – 30-09-2026 of kwartaal tot nu",
    ),
    "periods.quick": _t("Quick choices", "Snelle keuzes"),
    "periods.this_week": _t("This week", "Deze week"),
    "periods.this_month": _t("This month", "Deze maand"),
    "periods.this_quarter": _t("This quarter", "Dit kwartaal"),
    "periods.this_year": _t("This year", "Dit jaar"),
    "periods.quarter_to_date": _t("Quarter to date", "Kwartaal tot nu"),
    "periods.year_to_date": _t("Year to date", "Jaar tot nu"),
    "periods.previous": _t("Previous period", "Vorige periode"),
    "periods.last_year": _t("Same period last year", "Zelfde periode vorig jaar"),
    "periods.range": _t("Custom range", "Eigen periode"),
    "periods.from": _t("From", "Van"),
    "periods.to": _t("To", "Tot en met"),
    "periods.apply": _t("Show range", "Periode tonen"),
    "periods.range_too_long": _t(
        "The range's two days are longer than a period may be ({most} characters); choose "
        "them with the two date boxes.",
        "De twee dagen van de periode zijn langer dan een periode mag zijn ({most} tekens); "
        "kies ze met de twee datumvakken.",
    ),
    "periods.shown": _t("Shown: {period} ({days})", "Getoond: {period} ({days})"),
    "periods.refused": _t(
        "This period cannot be shown; the page shows {period} instead.",
        "Deze periode kan niet worden getoond; de pagina toont {period}.",
    ),
    # the comparisons on a KPI card
    "periods.vs_previous": _t("vs {period}", "t.o.v. {period}"),
    "periods.vs_last_year": _t("vs {period} (last year)", "t.o.v. {period} (vorig jaar)"),
    "periods.no_compare": _t("no comparison", "geen vergelijking"),
    "periods.better": _t("better", "beter"),
    "periods.worse": _t("worse", "slechter"),
    "periods.same": _t("unchanged", "gelijk"),
    # the data-quality marker on a KPI card
    "periods.dq.marker": _t("Check the data", "Controleer de data"),
    "periods.dq.icon": _t("Data-quality warning", "Waarschuwing over de datakwaliteit"),
    "periods.dq.count": _t("{count} of {total}", "{count} van {total}"),
    "periods.dq.few": _t("{count}, fewer than {least}", "{count}, minder dan {least}"),
    "periods.dq.reps": _t("{reps} reps", "{reps} verkopers"),
}
