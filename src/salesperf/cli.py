"""The salesperf command line (placeholder replaced below)."""

from __future__ import annotations

import typer

app = typer.Typer()


def main() -> None:
    app()
