"""`salesperf settings`: show or change the organisation's settings."""

from __future__ import annotations

from typing import Annotated

import typer

from salesperf.cli.common import (
    StoreOpt,
    errors,
    open_store,
    out,
)
from salesperf.settings import SETTING_KEYS

settings_app = typer.Typer(help="Show or change the organisation's settings.", no_args_is_help=True)


@settings_app.command("show")
def settings_show(store: StoreOpt = None) -> None:
    """Show the organisation's settings."""
    with errors(), open_store(store) as s:
        st = s.settings
        out.print(f"timezone = {st.timezone}")
        out.print(f"currency = {st.currency}")
        out.print(f"activity_types = {','.join(st.activity_types)}")


@settings_app.command("set")
def settings_set(
    key: Annotated[str, typer.Argument(help=f"One of: {', '.join(SETTING_KEYS)}.")],
    value: Annotated[str, typer.Argument(help="The new value.")],
    store: StoreOpt = None,
) -> None:
    """Change one setting (checked before it is stored)."""
    # a new organisation may set its time zone before its first import (see the README)
    with errors(), open_store(store, create=True) as s:
        stored = s.set_setting(key, value)
        out.print(f"{key} = {stored}")
