"""The quadrant's default window, chosen on the evidence and said on every interface, and the
rates that are null rather than 0 or a guess: on the demo organisation and on the hand-built one
of tests/test_quadrant.py."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from salesperf.analysis.quadrant.breaks import compare_rates
from salesperf.analysis.quadrant.model import DiagnoseQuery, Label, diagnose
from salesperf.metrics.compiler import run
from salesperf.metrics.query import Query
from salesperf.store import Store
from test_quadrant import DEMO_TODAY, Q1, _app, _handbuilt


@pytest.fixture(scope="module")
def hand_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-built organisation of tests/test_quadrant.py in a DuckDB file, closed."""
    path = tmp_path_factory.mktemp("hand") / "hand.duckdb"
    with Store.open(path) as s:
        _handbuilt(s)
    return path


# -- the default window ------------------------------------------------------------------------
@pytest.mark.slow
def test_demo_default_window_is_chosen_on_the_evidence_and_finds_the_planted_reps(
    demo_store: Store, demo_planted: Any
) -> None:
    """Without a window: one quarter (2026-Q3) leaves 9 of the 19 active reps with 20 won deals
    (counted independently from the deals table), two quarters 15 of 19: the window is
    2026-Q2..Q3, and in it the planted busy-but-not-effective and efficient reps are labelled."""
    d = diagnose(demo_store, DiagnoseQuery(today=DEMO_TODAY))
    c = d.window_choice
    assert c is not None and c.chosen
    assert (d.window.start, d.window.end, d.window.label) == (
        date(2026, 4, 1), date(2026, 10, 1), "2026-Q2..2026-Q3")  # fmt: skip
    deals = demo_store.table("deals").to_pandas()
    won = deals[(deals.status == "won") & (deals.closed_at >= datetime(2026, 7, 1))
                & (deals.closed_at < datetime(2026, 10, 1))].groupby("rep_id").size()  # fmt: skip
    active = {r.rep_id for r in diagnose(demo_store, DiagnoseQuery(window="2026-Q3",
                                                                   today=DEMO_TODAY)).reps}  # fmt: skip
    q3_ready = sum(won.get(r, 0) >= 20 for r in active)
    assert [(t.quarters, t.ready, t.active) for t in c.tried] == [(1, q3_ready, len(active)),
                                                                  (2, 15, 19)]  # fmt: skip
    assert (q3_ready, len(active)) == (9, 19)
    assert "Q2 2026 – Q3 2026" in c.text.en and "chosen because" in c.text.en
    assert "15 of 19" in c.text.en and "only 9 of 19" in c.text.en
    assert "K2 2026 – K3 2026" in c.text.nl and "gekozen omdat" in c.text.nl
    assert set(demo_planted.busy_not_effective) <= set(d.labelled(Label.BUSY))
    assert set(d.labelled(Label.EFFICIENT)) == set(demo_planted.efficient)
    assert d.to_json()["window_choice"]["text"]["en"] == c.text.en


@pytest.mark.slow
def test_demo_default_window_gives_no_unplanted_rep_a_planted_label(
    demo_store: Store, demo_planted: Any
) -> None:
    """Busy-not-effective and efficient are the quadrant's planted labels; outside the team
    planted to miss its targets (whose busiest reps are rightly busy but not effective), no
    unplanted rep gets one."""
    d = diagnose(demo_store, DiagnoseQuery(today=DEMO_TODAY))
    planted = {*demo_planted.busy_not_effective, *demo_planted.efficient}
    strong = {
        r.rep_id
        for r in d.reps
        if r.rep_id not in planted
        and r.team_id != demo_planted.under_target_team
        and r.label in (Label.BUSY, Label.EFFICIENT)
    }
    assert strong == set()


@pytest.mark.slow
def test_cli_says_how_the_window_was_chosen(hand_path: Path) -> None:
    """The hand-built data hold one quarter: without --window the default looks back no
    further, and says that even so few reps have enough deals (3 of 11 in T1: F, H, Y)."""
    result = CliRunner().invoke(_app(), ["--store", str(hand_path), "--team", "T1"],
                                env={"COLUMNS": "160"})  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Window: Q1 2025 (2025-01-01 – 2025-03-31), all the data" in result.output
    assert "only 3 of 11 active reps" in result.output
    result = CliRunner().invoke(_app(), ["--store", str(hand_path), "--team", "T1", "--format",
                                         "json"])  # fmt: skip
    data = json.loads(result.output)
    assert data["window"]["label"] == "2025-Q1"
    assert data["window_choice"]["chosen"] is True
    assert data["window_choice"]["tried"] == [{"quarters": 1, "ready": 3, "active": 11}]
    result = CliRunner().invoke(_app(), ["--store", str(hand_path), "--window", "2025-Q1",
                                         "--lang", "nl"], env={"COLUMNS": "160"})  # fmt: skip
    assert "Periode: K1 2025 (01-01-2025 – 31-03-2025), zoals gevraagd." in result.output


# -- null where nothing is recorded ------------------------------------------------------------
@pytest.mark.slow
def test_lead_conversion_is_unknown_where_no_lead_is_linked_to_a_deal(
    hand_path: Path, tmp_path: Path
) -> None:
    """The same organisation with every lead's deal link removed: lead conversion is not 0%
    for anyone but null, with the metric layer's reason, in both languages."""
    import duckdb

    path = tmp_path / "unlinked.duckdb"
    path.write_bytes(hand_path.read_bytes())
    con = duckdb.connect(str(path))
    con.execute("update leads set deal_id = null")
    con.close()
    with Store.open(path) as s:
        d = diagnose(s, DiagnoseQuery(window="2025-Q1"))
        q = Query(("lead_conversion_rate",), Q1.start, Q1.end, grain="all", reps=frozenset("PQ"))
        m = run(s.con, q, s.settings.timezone, reasons=True)
    assert m.lead_conversion_rate.isna().all()
    assert set(m.lead_conversion_rate_null_reason) == {"no_lead_deal_links"}
    assert d.nulls["lead_conversion_rate"]["code"] == "no_lead_deal_links"
    for r in d.reps:
        assert r.rate("lead_conversion_rate") is None
        assert r.lead_mix is None
    p = d.rep("P")
    assert "Lead conversion: unknown (no lead is linked to a deal)." in p.explanation.en
    assert "Leadconversie: onbekend (geen enkele lead is aan een deal gekoppeld)." in (
        p.explanation.nl
    )
    assert d.to_json()["nulls"]["lead_conversion_rate"]["en"] == "no lead is linked to a deal"


def test_a_rep_with_no_trials_has_no_shrunk_rate() -> None:
    """0 of 0 is no rate: the rep without trials gets no comparison, not the group's guess."""
    counts = pd.DataFrame({"rep_id": ["A", "B"], "metric": ["win_rate"] * 2,
                           "successes": [6, 3], "trials": [10, 10]})  # fmt: skip
    rates = compare_rates(counts, {"A": "T", "B": "T", "C": "T"})
    assert rates["C"] == ()
    assert [c.rate.trials for c in rates["A"]] == [10]
    assert rates["A"][0].team_rate == pytest.approx(9 / 20)
    assert rates["A"][0].ranked == 2
