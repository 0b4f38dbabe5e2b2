"""Context presets: the headline KPIs and words a startup, consultancy or agency sees."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from salesperf.cli.app import app
from salesperf.contexts import CONTEXTS, get_context
from salesperf.metrics.registry import METRICS
from salesperf.scorecard import DEFAULT_METRICS, scorecard
from salesperf.store import Store, StoreError

runner = CliRunner()


def test_each_preset_names_real_metrics_and_labels_them_in_both_languages() -> None:
    names = set(METRICS)
    for ctx in CONTEXTS.values():
        assert set(ctx.headline) <= names, ctx.name
        assert set(ctx.labels) <= names, ctx.name
        for m in ctx.headline:
            assert ctx.label(m, "en") and ctx.label(m, "nl")
    assert CONTEXTS["startup"].headline == ("customers_acquired", "revenue_won", "csat")
    assert CONTEXTS["consultancy"].label("deals_won") == "Projects secured"
    assert CONTEXTS["consultancy"].label("deals_won", "nl") == "Binnengehaalde projecten"
    assert CONTEXTS["agency"].headline == ("customers_acquired", "revenue_won", "retention_rate")
    assert CONTEXTS["agency"].label("customers_acquired") == "New clients"
    assert CONTEXTS["agency"].label("revenue_won", "nl") == "Campagne-omzet"
    # a metric a preset does not rename keeps the registry's label
    assert CONTEXTS["agency"].label("win_rate", "nl") == "Winratio"
    with pytest.raises(ValueError, match="unknown context 'bakery'"):
        get_context("bakery")


@pytest.mark.slow
def test_the_context_setting_is_checked_and_drives_the_scorecard(org: Store) -> None:
    assert org.settings.context == "general"
    with pytest.raises(StoreError, match="not a context"):
        org.set_setting("context", "bakery")
    org.set_setting("context", "Agency")
    assert org.settings.context == "agency"
    card = scorecard(org, period="2025-03", by="org")
    assert card.context.name == "agency"
    assert card.headline == ("customers_acquired", "revenue_won", "retention_rate")
    # the default metrics plus the headline KPIs that are not among them
    assert card.metrics == (*DEFAULT_METRICS, "customers_acquired", "retention_rate")
    data = card.to_json()
    assert data["context"] == "agency" and data["headline"] == list(card.headline)
    labels = {m["name"]: (m["label_en"], m["label_nl"]) for m in data["metrics"]}
    assert labels["revenue_won"] == ("Campaign revenue", "Campagne-omzet")
    # the same numbers as without the preset: a preset changes what leads, not what is counted
    plain = scorecard(org, period="2025-03", by="org", context="general", metrics=card.metrics)
    assert [r.cells for r in plain.rows] == [r.cells for r in card.rows]


@pytest.mark.slow
def test_the_cli_shows_the_headline_first_and_refuses_an_unknown_context(org: Store) -> None:
    path = str(org.path)
    result = runner.invoke(app, ["scorecard", "--store", path, "--period", "2025-03",
                                 "--by", "org", "--context", "consultancy"])  # fmt: skip
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.index("Headline (Consultancy)") < text.index("Activity (input)")
    assert "Projects secured" in text
    result = runner.invoke(app, ["scorecard", "--store", path, "--period", "2025-03",
                                 "--context", "consultancy", "--format", "json"])  # fmt: skip
    data = json.loads(result.output)
    assert data["headline"] == ["deals_won", "revenue_won", "csat"]
    result = runner.invoke(app, ["scorecard", "--store", path, "--context", "bakery"])
    assert result.exit_code == 2
    assert "unknown context 'bakery'" in result.output


def test_the_demo_sets_its_context(demo_store: Store) -> None:
    assert demo_store.settings.context == "startup"


@pytest.mark.slow
def test_the_diagnosis_speaks_in_the_context_s_words(demo_store: Store, tmp_path: Path) -> None:
    from salesperf.analysis.quadrant.model import DiagnoseQuery, diagnose
    from salesperf.store import copy_store

    query = DiagnoseQuery(window="2026-Q3", today=date(2026, 10, 1))
    general = diagnose(demo_store, query)  # the demo is a startup: the general words
    assert general.context == "startup"
    assert "revenue won against" in general.explanation.en
    with Store.open(tmp_path / "consultancy.duckdb") as s:
        copy_store(demo_store, s)
        s.set_setting("context", "consultancy")
        d = diagnose(s, query)
    assert d.context == "consultancy" and d.to_json()["context"] == "consultancy"
    assert "10 closed projects" in d.explanation.en
    assert "10 gesloten projecten" in d.explanation.nl
    # the same labels: a preset changes the words, not the judgement
    assert [(r.rep_id, r.label) for r in d.reps] == [(r.rep_id, r.label) for r in general.reps]
