"""What a sync is made of: connectors, their objects, pages, cursors and reports."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from salesperf.errors import InputError
from salesperf.text import Text

#: The CRMs salesperf syncs with, in the order the commands list them.
CRMS = ("hubspot", "pipedrive", "salesforce")

#: One value of a record as the preset reads it (text, as an export file would hold it).
Row = Mapping[str, str | None]


class SyncRefused(InputError):
    """The CRM refused the sync in a way the user fixes: a bad or expired token, a missing
    scope (the message names the scope to grant), a wrong domain or instance."""


def refused(en: str, nl: str) -> SyncRefused:
    """A refusal said in English and Dutch."""
    return SyncRefused(text=Text(en, nl))


@dataclass(frozen=True, order=True)
class Cursor:
    """Where an object's sync stands: the last modification time (ISO 8601, UTC) of the rows
    committed, and the largest id among the rows with that time."""

    modified: str
    id: str = ""

    def text(self) -> str:
        return f"{self.modified}/{self.id}"

    @classmethod
    def parse(cls, text: str) -> Cursor:
        modified, _, ident = text.partition("/")
        return cls(modified, ident)


@dataclass(frozen=True)
class SyncObject:
    """One kind of record a connector reads, and the preset that maps it to a canonical table.

    `table` is the canonical table; `preset` the name of the preset (None for objects the
    connector handles itself, such as owners or pipelines, which `Connector.prepare` reads)."""

    name: str
    table: str
    preset: str | None


@dataclass(frozen=True)
class Page:
    """One page of records: the rows (keyed by the preset's column names), the cursor that
    holds once they are committed (None: unchanged), and the ids the CRM deleted, archived or
    merged away (their stored rows are removed)."""

    rows: Sequence[Row]
    cursor: Cursor | None = None
    deleted: Sequence[str] = ()


@dataclass(frozen=True)
class Owner:
    """A CRM user who owns records: their id, e-mail, name and whether they are still active."""

    id: str
    email: str | None = None
    name: str | None = None
    active: bool = True


class Connector(Protocol):
    """A CRM's side of a sync."""

    #: "hubspot", "pipedrive" or "salesforce": the rows' source system and the aliases' source.
    name: str

    def objects(self) -> Sequence[SyncObject]:
        """The objects synced, in order (those that others refer to first)."""
        ...

    def owners(self) -> Sequence[Owner]:
        """Every user who may own a record, deactivated ones included."""
        ...

    def prepare(self) -> None:
        """Read what pages need first (pipelines and their stages' meaning, for instance)."""
        ...

    def pages(self, obj: SyncObject, since: Cursor | None) -> Iterator[Page]:
        """The object's records changed after `since` (every record when None), page by page,
        oldest change first, each page with the cursor after it."""
        ...


@dataclass
class ObjectReport:
    """What a sync did to one object."""

    crm: str
    object: str
    table: str
    rows_in: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    deleted: int = 0
    pages: int = 0
    cursor: Cursor | None = None
    rejects_files: list[str] = field(default_factory=list)
    unknown_owners: dict[str, int] = field(default_factory=dict)


@dataclass
class SyncReport:
    """What a sync did: one report per object, the owners it linked and those it could not."""

    crm: str
    full: bool
    dry_run: bool
    objects: list[ObjectReport] = field(default_factory=list)
    owners_linked: int = 0
    owners_unmatched: tuple[Owner, ...] = ()

    def by_object(self) -> Mapping[str, ObjectReport]:
        return {o.object: o for o in self.objects}
