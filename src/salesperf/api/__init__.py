"""The web server: the FastAPI app factory, its routes and the sign-in dependencies."""

from __future__ import annotations

from salesperf.api.app import create_app
from salesperf.api.settings import AppSettings

__all__ = ["AppSettings", "create_app"]
