"""The product's two languages and a sentence in both: below everything that writes words or
numbers for people."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Lang(StrEnum):
    """The product's two languages."""

    EN = "en"
    NL = "nl"


@dataclass(frozen=True)
class Text:
    """A sentence in English and in Dutch."""

    en: str
    nl: str

    def get(self, lang: Lang | str = Lang.EN) -> str:
        """The sentence in `lang`."""
        return self.nl if Lang(lang) is Lang.NL else self.en

    def to_json(self) -> dict[str, str]:
        """Both languages, for the API."""
        return {"en": self.en, "nl": self.nl}
