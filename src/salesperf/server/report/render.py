"""The weekly report as documents: self-contained HTML (the `report.html` template: inline CSS,
no script), plain text, and a PDF made from that same HTML with WeasyPrint."""

from __future__ import annotations

from datetime import date
from typing import Any

from salesperf.analysis.report.model import Report
from salesperf.analysis.report.text import Words, plain_text, words
from salesperf.analysis.windows import plain
from salesperf.errors import InputError
from salesperf.server.jinja import environment
from salesperf.text import Lang

TEMPLATE = "report.html"


class PdfUnavailable(InputError):
    """WeasyPrint, or the Pango library it draws text with, is not installed."""


def words_json(report: Report, lang: Lang | str, made: date | None = None) -> dict[str, Any]:
    """The report's words as plain data, as the template reads them."""
    data: dict[str, Any] = plain(words(report, lang, made))
    return data


def html(w: Words | dict[str, Any]) -> str:
    """The report as one self-contained HTML document."""
    data = w if isinstance(w, dict) else plain(w)
    return environment().get_template(TEMPLATE).render(words=data)


def text(w: Words) -> str:
    """The report as plain text."""
    return plain_text(w)


def pdf(document: str) -> bytes:
    """A PDF of the report's HTML (WeasyPrint, imported only here: it needs Pango)."""
    try:
        import weasyprint  # heavy, and needs the system's Pango
    except (ImportError, OSError) as exc:
        raise PdfUnavailable(
            "a PDF needs WeasyPrint and the Pango library it draws text with; install them "
            "(pip install weasyprint; apt-get install libpango-1.0-0 libpangoft2-1.0-0) or "
            f"choose --format html or text ({type(exc).__name__}: {exc})"
        ) from None
    out: bytes = weasyprint.HTML(string=document).write_pdf()
    return out


def documents(report: Report, lang: Lang | str, made: date | None = None) -> tuple[str, str]:
    """The report's HTML and plain text in `lang`."""
    w = words(report, lang, made)
    return html(w), plain_text(w)
