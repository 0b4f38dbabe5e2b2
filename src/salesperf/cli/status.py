"""`salesperf status`: the store, its schema version, row counts and settings."""

from __future__ import annotations

from rich.table import Table as RichTable

from salesperf.cli.common import (
    StoreOpt,
    errors,
    open_store,
    out,
)


def status_cmd(store: StoreOpt = None) -> None:
    """Show the store: where it is, its schema version, row counts and the last imports."""
    with errors(), open_store(store) as s:
        out.print(f"Store {s.path or s.url}, schema version {s.schema_version}", highlight=False)
        st = s.settings
        out.print(f"Time zone {st.timezone}, currency {st.currency}", highlight=False)
        t = RichTable()
        t.add_column("table")
        t.add_column("rows", justify="right")
        for name, n in s.counts().items():
            t.add_row(name, f"{n:,}")
        out.print(t)
