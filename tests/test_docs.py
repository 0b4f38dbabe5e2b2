"""Docs that stay true: generated documents are fresh, and every rule and command is documented."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from salesperf.ingest.rules import RULES
from salesperf.schema import TABLES

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_cli_reference_is_generated_from_the_commands(tmp_path: Path) -> None:
    out = tmp_path / "cli.md"
    subprocess.run(
        [sys.executable, "-m", "typer", "salesperf.cli.app", "utils", "docs", "--name", "salesperf",
         "--output", str(out)],
        check=True, capture_output=True,
    )  # fmt: skip
    assert (ROOT / "docs" / "cli.md").read_text() == out.read_text(), "run `make docs`"


def test_every_validation_rule_is_documented() -> None:
    text = (ROOT / "docs" / "import.md").read_text()
    missing = [rule for rule in RULES if f"`{rule}`" not in text]
    assert not missing, f"rules missing from docs/import.md: {missing}"


def test_the_readme_shows_the_two_commands_and_every_table_is_named_in_the_import_docs() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "make demo" in readme and "make test" in readme
    text = (ROOT / "docs" / "import.md").read_text()
    assert all(f"`{name}`" in text for name in TABLES)


def test_metrics_reference_is_generated_from_the_registry() -> None:
    from salesperf.metrics.docs import render

    assert (ROOT / "docs" / "metrics.md").read_text() == render(), "run `make docs`"


def test_every_metric_has_labels_and_descriptions_in_both_languages() -> None:
    from salesperf.metrics.registry import METRICS

    spec = ROOT.parent / "shared" / "spec" / "metrics.md"
    for m in METRICS.values():
        for field in ("label_en", "label_nl", "description_en", "description_nl"):
            assert getattr(m, field).strip(), f"{m.name} lacks {field}"
    if spec.exists():  # the registry holds every metric the specification names
        text = spec.read_text()
        import re

        rows = re.findall(
            r"^\| ([a-z_0-9]+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$", text, flags=re.M
        )
        named = {r[0] for r in rows if r[0] not in ("name", "activity", "high", "low")}
        assert named == set(METRICS), named ^ set(METRICS)


@pytest.mark.slow
def test_the_scorecard_json_format_is_documented_field_by_field(org: object) -> None:
    """Every field the JSON output has is named in docs/scorecard.md, and nothing else is."""
    import re

    from salesperf.scorecard import scorecard

    data = scorecard(org, period="2025-03").to_json()  # type: ignore[arg-type]
    fields = set(data) | set(data["period"]) | set(data["metrics"][0]) | set(data["rows"][0])
    fields |= set(next(iter(data["rows"][0]["values"].values())))
    text = (ROOT / "docs" / "scorecard.md").read_text()
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", text, flags=re.M))
    in_example = set(re.findall(r'"([a-z_]+)":', text))
    missing = {f for f in fields if f not in documented and f not in in_example}
    assert not missing, f"undocumented JSON fields: {missing}"
    assert documented <= fields | {"previous", "change", "target", "attainment"}
