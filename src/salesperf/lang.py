"""The product's two languages, below everything that writes words or numbers for people."""

from __future__ import annotations

from enum import StrEnum


class Lang(StrEnum):
    """The product's two languages."""

    EN = "en"
    NL = "nl"
