"""The exports' words: the headers of a scorecard's columns and the choices of the exports page
(which CSV, which headers, an Excel export's progress)."""

from __future__ import annotations

from salesperf.text import Text

_t = Text

#: The exports' strings, by key.
MESSAGES: dict[str, Text] = {
    # a scorecard's columns after a metric's own: "Win rate – previous period"
    "exports.column.previous": _t("previous period", "vorige periode"),
    "exports.column.change": _t("change", "verandering"),
    "exports.column.target": _t("target", "doel"),
    "exports.column.attainment": _t("attainment", "behaald"),
    "exports.column.target_basis": _t("target basis", "basis van het doel"),
    # the exports page
    "exports.csv": _t("CSV for", "CSV voor"),
    "exports.csv.comma": _t(
        "Excel in English (comma, decimal point)", "Excel in het Engels (komma, decimale punt)"
    ),
    "exports.csv.semicolon": _t(
        "Excel in Dutch (semicolon, decimal comma)",
        "Excel in het Nederlands (puntkomma, decimale komma)",
    ),
    "exports.headers": _t("Column names", "Kolomnamen"),
    "exports.headers.readable": _t(
        "as you read them, times in {zone}", "zoals u ze leest, tijden in {zone}"
    ),
    "exports.headers.canonical": _t(
        "canonical, for programs (times in UTC)", "canoniek, voor programma's (tijden in UTC)"
    ),
    "exports.progress": _t(
        "{written} of {total} rows written", "{written} van {total} rijen geschreven"
    ),
    "exports.download": _t("Download {file}", "{file} downloaden"),
    "exports.failed": _t("The export failed: {error}", "Het exporteren is mislukt: {error}"),
    "exports.starting": _t("Writing the Excel file…", "Het Excel-bestand wordt geschreven…"),
}
