"""The Jinja environment of the web pages' templates (autoescaped), shared by the app's services
and its pages."""

from __future__ import annotations

from importlib import resources

from jinja2 import Environment, FileSystemLoader, select_autoescape


def environment() -> Environment:
    """The templates of the web pages (autoescaped)."""
    folder = resources.files("salesperf.server") / "templates"
    return Environment(
        loader=FileSystemLoader(str(folder)),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
