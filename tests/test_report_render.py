"""The weekly report in words, English and Dutch, as plain text, self-contained HTML and PDF,
on the small organisation of `reporttools`."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pypdf
import pytest
from typer.testing import CliRunner

from reporttools import WEEK, report_csvs
from salesperf.analysis.report.model import Report, ReportQuery, weekly_report
from salesperf.analysis.report.text import plain_text, words
from salesperf.cli.app import app
from salesperf.metrics.periods import Grain
from salesperf.server.report.render import html, pdf
from webtools import imported_store

MADE = date(2025, 5, 19)
runner = CliRunner()
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def north(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Report]:
    """North's report for week 20 of 2025."""
    store = imported_store(tmp_path_factory.mktemp("render"), report_csvs())
    q = ReportQuery(team="T1", week=WEEK, quadrant_weeks=4, health_grain=Grain.MONTH)
    yield weekly_report(store, q)
    store.close()


def test_english_text(north: Report) -> None:
    text = plain_text(words(north, "en", MADE))
    assert text.startswith("Weekly report: North, Week 20 2025\n")
    assert "North and its sub-teams in Week 20 2025 (2025-05-12 – 2025-05-18)" in text
    revenue = next(line for line in text.splitlines() if "Revenue won" in line)
    # 7,000 won this week against 3,000 the week before: +133%
    assert re.search(r"North\s+Revenue won\s+€7,000\s+€3,000\s+\+133%", revenue), revenue
    assert re.search(r"1\s+Bob\s+€5,000\s+\S+\s+0", text)
    assert re.search(r"D3\s+Bob\s+—\s+€9,000\s+2025-03-01\s+79", text)
    assert re.search(r"D1\s+Ann\s+Proposal\s+€7,000\s+2025-04-10\s+39", text)
    assert re.search(r"Dirk\s+not judged\s+Inconclusive", text)
    assert (
        re.search(r"Bob\s+4 of 4", text)
        and "Under target in at least 3 of the last 4 months" in text
    )
    assert "Made by salesperf on 2025-05-19. Figures in EUR." in text
    assert "Alerts" not in text


def test_dutch_text(north: Report) -> None:
    text = plain_text(words(north, "nl", MADE))
    assert text.startswith("Weekrapport: North, week 20 2025\n")
    assert "(12-05-2025 – 18-05-2025), tegen het doel en tegen week 19 2025." in text
    assert re.search(r"North\s+Gewonnen omzet\s+€\xa07\.000\s+€\xa03\.000\s+\+133%", text)
    assert re.search(r"D1\s+Ann\s+Offerte\s+€\xa07\.000\s+10-04-2025\s+39", text)
    assert re.search(r"Dirk\s+niet beoordeeld\s+Geen oordeel", text)
    assert re.search(r"Bob\s+4 van 4\s+\w+", text)
    assert "Vastgelopen deals" in text and "Datakwaliteit" in text
    assert "Gemaakt door salesperf op 19-05-2025." in text
    for english in ("Stuck deals", "Leaderboard", "not judged", "Last week"):
        assert english not in text


def test_html_is_self_contained(north: Report) -> None:
    doc = html(words(north, "en", MADE))
    assert "<script" not in doc.lower() and "<link" not in doc.lower()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", doc)
    assert "<style>" in doc and '<html lang="en">' in doc
    assert "<h2>Stuck deals</h2>" in doc
    assert '<td class="num">€7,000</td>' in doc  # revenue, and D1's amount


def test_html_escapes(north: Report) -> None:
    from dataclasses import replace

    doc = html(words(replace(north, team_name="<b>North</b>"), "en", MADE))
    assert "<b>North</b>" not in doc and "&lt;b&gt;North&lt;/b&gt;" in doc


def test_alerts_are_shown_when_plugged_in(north: Report) -> None:
    from dataclasses import dataclass, replace

    from salesperf.text import Text

    @dataclass(frozen=True)
    class Alert:
        text: Text

    w = words(replace(north, alerts=(Alert(Text("Bob went quiet", "Bob werd stil")),)), "nl")
    assert w.sections[0].title == "Signalen" and w.sections[0].notes == ("Bob werd stil",)


def test_pdf_holds_the_figures(north: Report) -> None:
    data = pdf(html(words(north, "en", MADE)))
    assert data.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = " ".join(p.extract_text() for p in reader.pages)
    assert "Weekly report: North, Week 20 2025" in text
    assert "€7,000" in text and "D3" in text and "Stuck deals" in text


# -- the command line ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def small_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small organisation in a DuckDB file the command opens by its path."""
    folder = tmp_path_factory.mktemp("cli")
    imported_store(folder, report_csvs()).close()
    return folder / "store.duckdb"


def test_cli_text_in_dutch(small_path: Path) -> None:
    args = ["report", "--store", str(small_path), "--team", "T1", "--week", "week 20 2025"]
    result = runner.invoke(app, [*args, "--lang", "nl"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Weekrapport: North, week 20 2025")
    assert re.search(r"D3\s+Bob\s+—\s+€\xa09\.000\s+01-03-2025\s+79", result.stdout)


def test_cli_html_and_pdf_files(small_path: Path, tmp_path: Path) -> None:
    base = ["report", "--store", str(small_path), "--team", "T1", "--week", WEEK]
    result = runner.invoke(app, [*base, "--format", "html", "--output", str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.output
    assert "<h2>Leaderboard</h2>" in (tmp_path / "r.html").read_text(encoding="utf-8")
    result = runner.invoke(app, [*base, "--format", "pdf", "--output", str(tmp_path / "r.pdf")])
    assert result.exit_code == 0, result.output
    text = pypdf.PdfReader(tmp_path / "r.pdf").pages[0].extract_text()
    assert "North" in text and "€7,000" in text


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--team", "T9", "--week", WEEK], "no team 'T9'"),
        (["--team", "T1", "--week", "2025-Q2"], "not an ISO week"),
        (["--team", "T1", "--week", "2025-W99"], "2025-W99"),
        (["--week", WEEK], "--team TEAM_ID"),
    ],
)
def test_cli_bad_input(small_path: Path, args: list[str], said: str) -> None:
    result = runner.invoke(app, ["report", "--store", str(small_path), *args])
    assert result.exit_code == 2, result.output
    assert said in result.output
