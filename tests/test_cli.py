"""The command line as a user drives it: arguments, outputs and the numbers in them."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from salesperf.cli.app import app
from salesperf.scorecard import scorecard
from salesperf.store import Store
from salesperf.text import Lang

runner = CliRunner()


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.mark.slow
def test_scorecard_json_is_stable_and_holds_the_library_numbers(org: Store) -> None:
    path = str(org.path)
    code, text = _run("scorecard", "--store", path, "--period", "2025-03", "--format", "json")
    assert code == 0, text
    data = json.loads(text)
    assert data["version"] == 1
    assert (data["by"], data["grain"]) == ("rep", "all")
    assert data["period"] == {"label": "2025-03", "start": "2025-03-01", "end": "2025-03-31"}
    r1 = next(r for r in data["rows"] if r["key"] == "R1")
    assert r1["name"] == "Ann"
    assert r1["values"]["win_rate"]["value"] == pytest.approx(0.5)
    assert r1["values"]["revenue_won"] == {
        "value": 1000.0, "previous": 0.0, "change": 1000.0, "target": 2000.0, "attainment": 0.5,
        "null_reason": None, "target_basis": None,  # March's own target
    }  # fmt: skip
    assert r1["values"]["quota_attainment"]["value"] == pytest.approx(0.5)
    r4 = next(r for r in data["rows"] if r["key"] == "R4")
    assert r4["values"]["win_rate"]["value"] is None  # undefined, never 0
    lib = scorecard(org, period="2025-03")
    assert [r.key for r in lib.rows] == [r["key"] for r in data["rows"]]


@pytest.mark.slow
def test_scorecard_table_shows_the_three_groups(org: Store) -> None:
    code, text = _run("scorecard", "--store", str(org.path), "--period", "2025-03", "--by", "team")
    assert code == 0, text
    for title in ("Activity (input)", "Performance (output)", "Effectiveness (output per input)"):
        assert title in text
    assert "North" in text and "66.7%" in text  # the organisation's win rate, 2 of 3


@pytest.mark.slow
def test_scorecard_table_in_dutch(org: Store) -> None:
    """--lang nl: the titles, headings, labels, numbers and the share of target in Dutch."""
    path = str(org.path)
    code, text = _run("scorecard", "--store", path, "--period", "2025-03", "--by", "team",
                      "--lang", "nl")  # fmt: skip
    assert code == 0, text
    for title in ("Activiteit (input)", "Prestaties (output)", "Effectiviteit (output per input)"):
        assert f"{title}, maart 2025" in text, text
    assert "Bedragen in" in text and "Amounts in" not in text
    assert "66,7%" in text and "66.7%" not in text  # the organisation's win rate, 2 of 3
    wide = runner.invoke(app, ["scorecard", "--store", path, "--period", "2025-03", "--lang",
                               "nl", "--metrics", "revenue_won"], env={"COLUMNS": "250"})  # fmt: skip
    reps = wide.output
    assert wide.exit_code == 0, reps
    assert "Verkoper" in reps and "50% van doel" in reps  # Ann: 1,000 of a 2,000 target
    assert "of target" not in reps


@pytest.mark.slow
def test_scorecard_csv_and_xlsx(org: Store, tmp_path: Path) -> None:
    code, text = _run("scorecard", "--store", str(org.path), "--period", "2025-03", "--by", "org",
                      "--format", "csv", "--metrics", "activities,win_rate")  # fmt: skip
    assert code == 0, text
    header, row = text.strip().splitlines()
    assert header.startswith("key,name,period_start,activities,activities_previous")
    assert row.startswith("org,Organisation,2025-03-01,6,")
    out = tmp_path / "card.xlsx"
    code, text = _run("scorecard", "--store", str(org.path), "--period", "2025-03",
                      "--format", "xlsx", "--output", str(out))  # fmt: skip
    assert code == 0, text
    from openpyxl import load_workbook

    ws = load_workbook(out).active
    assert ws is not None
    rows = list(ws.iter_rows(values_only=True))
    col = rows[0].index("revenue_won")
    assert {r[0]: r[col] for r in rows[1:]}["R3"] == 2000


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["scorecard", "--period", "last summer"], "is not a period"),
        (["scorecard", "--metrics", "happiness"], "unknown or non-scorecard metric"),
        (["scorecard", "--format", "xlsx"], "--format xlsx writes a file"),
        (["scorecard", "--by", "planet"], "Invalid value for '--by'"),
        (["scorecard", "--filter", "colour=red"], "is not DIMENSION=VALUE"),
        (["metrics", "explain", "happiness"], "there is no metric 'happiness'"),
        (["import", "deals", "nope.csv"], "nope.csv does not exist"),
        (["import", "dealz", "x.csv"], "there is no table 'dealz'"),
        (["import", "deals", "x.csv", "--preset", "sap"], "unknown preset 'sap'"),
        (["import", "deals", "x.csv", "--map", "nonsense"], "not of the form SOURCE=CANONICAL"),
        (["settings", "set", "timezone", "Mars/Base"], "not a time zone"),
    ],
)
def test_bad_arguments_get_a_clear_message_and_exit_2(
    org: Store, args: list[str], words: str
) -> None:
    code, text = _run(*args, "--store", str(org.path))
    assert code == 2
    assert words in text
    assert "Traceback" not in text


@pytest.mark.slow
def test_import_prints_the_summary_and_json(store: Store, write: Callable[..., Path]) -> None:
    path = write(
        "d.csv", "deal_id,rep_id,created_at,status\nD1,R1,2025-01-01,open\nD2,R9,2025-01-01,open\n"
    )
    code, text = _run("import", "deals", str(path), "--store", str(store.path), "--json")
    assert code == 0, text
    data = json.loads(text[text.index("{") :])
    assert (data["inserted"], data["rejected"]) == (1, 1)
    assert data["problems"][0]["line"] == 3
    assert Path(data["rejects_path"]).exists()


@pytest.mark.slow
def test_import_speaks_dutch_on_the_screen_and_in_its_rejects_file(
    store: Store, write: Callable[..., Path], tmp_path: Path
) -> None:
    path = write(
        "d.csv", "deal_id,rep_id,created_at,status\nD1,R1,2025-01-01,open\nD2,R9,2025-01-01,open\n"
    )
    rejects = tmp_path / "afgewezen.csv"
    code, text = _run("import", "deals", str(path), "--store", str(store.path), "--lang", "nl",
                      "--rejects", str(rejects))  # fmt: skip
    assert code == 0, text
    # an owner that is no known rep is listed once, with its rows and the way to add it
    assert "Gelezen rijen" in text and "Eigenaren die geen bekende verkoper zijn: 1" in text
    assert "'R9': 1" in text and 'salesperf alias add "R9" REP_ID' in text
    assert f"Alle afgewezen rijen, met hun problemen: {rejects}" in " ".join(text.split())
    lines = rejects.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "regel,problemen,deal_id,rep_id,created_at,status"
    assert lines[1].startswith("3,\"rep_id: verkoper 'R9' is onbekend") and lines[1].endswith(
        ",D2,R9,2025-01-01,open"
    )
    # the store keeps both languages whatever the import's language
    kept = store._exec("SELECT message, message_nl FROM salesperf_rejects")
    assert len(kept) == 1 and kept[0][0].startswith("rep 'R9'") and "onbekend" in kept[0][1]


def test_work_beyond_the_memory_budget_is_explained(
    org: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The embedded engine's budget, too small for a query: a clear line and exit code 2."""
    path = str(org.path)
    org.close()
    monkeypatch.setenv("SALESPERF_MEMORY_LIMIT", "2MB")
    code, text = _run("scorecard", "--store", path, "--by", "team", "--period", "2025-03")
    assert code == 2, text
    assert "needed more memory than the engine's budget (2MB)" in text
    assert "SALESPERF_MEMORY_LIMIT=4GB" in text and "Traceback" not in text


def test_metrics_list_and_explain(org: Store) -> None:
    code, text = _run("metrics", "list")
    assert code == 0
    assert "Winratio" in text and "speed_to_lead_h" in text
    code, text = _run("metrics", "explain", "win_rate", "--store", str(org.path))
    assert code == 0, text
    assert "NULLIF" in text and "deals_won" in text
    code, text = _run("metrics", "explain", "type_to_win_rate", "--store", str(org.path))
    assert code == 0, text
    assert "by rep and type" in text and "typed_deals_won" in text
    code, text = _run("metrics", "explain", "stage_conversion", "--store", str(org.path))
    assert code == 0, text
    assert "pair of stages" in text


def test_scorecard_filter(org: Store) -> None:
    code, text = _run("scorecard", "--store", str(org.path), "--period", "2025-03", "--format",
                      "json", "--metrics", "activities", "--filter", "type=call")  # fmt: skip
    assert code == 0, text
    rows = {r["key"]: r["values"]["activities"]["value"] for r in json.loads(text)["rows"]}
    assert rows == {"R1": 2, "R2": 0, "R3": 1, "R4": 0}


@pytest.mark.slow
def test_demo_builds_the_organisation_and_prints_its_and_each_teams_scorecard(
    tmp_path: Path,
) -> None:
    from salesperf.i18n import format as fmt
    from salesperf.metrics.periods import parse_period
    from salesperf.metrics.query import By
    from salesperf.metrics.registry import metric

    path = tmp_path / "demo.duckdb"
    code, text = _run("demo", "--reps", "8", "--years", "1", "--store", str(path))
    assert code == 0, text
    shown_quarter = re.search(r"The organisation, Q(\d) (\d{4})", text)
    assert shown_quarter, text
    with Store.open(path) as s:
        end = s.table("activities").occurred_at.max().to_pyarrow().as_py().date()
        quarter = parse_period(f"{shown_quarter.group(2)}-Q{shown_quarter.group(1)}")
        assert quarter.end <= end + timedelta(days=1) < quarter.end + timedelta(days=92)
        org = scorecard(s, by=By.ORG, period=quarter)
        teams = scorecard(s, by=By.TEAM, period=quarter)
        currency = s.settings.currency
    assert "What to look at next" in text
    unit = metric("revenue_won").unit
    for row in (*org.rows, *teams.rows):  # each figure as the library computes it
        shown = fmt.metric(row.cells["revenue_won"].value, unit, Lang.EN, currency)
        assert shown in text, (row.key, shown)
    assert all(r.name in text for r in teams.rows)
    assert len(teams.rows) >= 2


def test_an_error_naming_markup_like_text_is_printed_as_it_is(
    store: Store, write: Callable[..., Path]
) -> None:
    """A column called "[/]" in a message is text, not terminal markup (which would crash)."""
    path = write("deals.csv", "deal_id,rep_id,created_at,status\nD1,R1,2025-01-06,open\n")
    code, output = _run(
        "import", "deals", str(path), "--store", str(store.path), "--map", "[/b]=deal_id"
    )
    assert code == 2, output
    assert "the mapping names the column '[/b]'" in output
