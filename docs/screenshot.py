"""Renders docs/images/demo.svg: the demo organisation's team scorecard, as the terminal shows it.

Run with `make screenshot` (it builds the demo in a temporary store).
"""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

from rich.console import Console

from salesperf.demo import DemoConfig, build_demo
from salesperf.metrics.query import By
from salesperf.scorecard import last_full_quarter, scorecard
from salesperf.store import Store
from salesperf.cli.terminal import render_scorecard

OUT = Path(__file__).parent / "images" / "demo.svg"


def main() -> None:
    """Build the demo and save the scorecard of its teams as an SVG image."""
    config = DemoConfig()
    with tempfile.TemporaryDirectory() as folder, Store.open(Path(folder) / "demo.duckdb") as s:
        build_demo(s, config)
        quarter = last_full_quarter(config.end + timedelta(days=1))
        card = scorecard(s, by=By.TEAM, period=quarter)
        console = Console(record=True, width=118, force_terminal=True)
        console.print(f"[bold]$ salesperf scorecard --by team --period {quarter.label}[/]")
        render_scorecard(card, s.settings.currency, console)
        OUT.parent.mkdir(parents=True, exist_ok=True)
        console.save_svg(str(OUT), title="salesperf")


if __name__ == "__main__":
    main()
