"""The sync runner on a connector that reads from memory: pages imported through a preset with
their cursor committed in the same transaction, a run stopped between pages resumed without a row
twice or lost, deletions, full and dry runs, owners linked as aliases, on every engine."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from salesperf.ingest.importer import import_file
from salesperf.ingest.vocab import UnmappedValues
from salesperf.store import Store
from salesperf.store.system_tables import IMPORTS, SYNC_RUNS
from salesperf.sync.model import Cursor, Owner, Page, Row, SyncObject
from salesperf.sync.owners import match_owners
from salesperf.sync.run import sync
from salesperf.sync.state import last_cursor, status

DEALS = SyncObject("deals", "deals", "pipedrive-deals")


def deal(i: int, owner: str = "7", status: str = "Won", value: str = "100") -> Row:
    """A deal as the Pipedrive export preset reads it, owned by CRM user `owner`."""
    return {
        "Deal - ID": str(i), "Deal - Owner": f"pipedrive:{owner}", "Deal - Value": value,
        "Deal - Currency of Value": "EUR", "Deal - Status": status,
        "Deal - Deal created": "2026-01-05 10:00:00",
        "Deal - Won time": "2026-02-01 10:00:00" if status == "Won" else "",
        "Deal - Stage": "Negotiation",
    }  # fmt: skip


@dataclass
class Memory:
    """A CRM in memory: its pages, and the cursor each sync started from."""

    book: list[Page]
    users: Sequence[Owner] = (Owner("7", "ANN@acme.test", "Ann", True),)
    name: str = "pipedrive"
    asked: list[Cursor | None] = field(default_factory=list)

    def objects(self) -> Sequence[SyncObject]:
        return [DEALS]

    def owners(self) -> Sequence[Owner]:
        return self.users

    def prepare(self) -> None:
        pass

    def pages_after(self, since: Cursor | None) -> Iterator[Page]:
        for page in self.book:
            if since is None or page.cursor is None or page.cursor > since:
                yield page

    def pages(self, obj: SyncObject, since: Cursor | None) -> Iterator[Page]:
        self.asked.append(since)
        return self.pages_after(since)


def at(day: int, ident: str) -> Cursor:
    return Cursor(f"2026-03-{day:02d}T09:00:00Z", ident)


THREE_PAGES = [
    Page([deal(1), deal(2)], at(1, "2")),
    Page([deal(3), deal(4, value="250")], at(2, "4")),
    Page([deal(5, status="Open")], at(3, "5")),
]


@pytest.fixture
def acme(store: Store) -> Store:
    """The small tree, Ann with an e-mail address."""
    store.merge_rows("reps", [{"rep_id": "R1", "name": "Ann", "email": "ann@acme.test",
                               "team_id": "T1", "role": "rep"}])  # fmt: skip
    return store


def deals_of(store: Store) -> dict[str, tuple[str, str, float]]:
    rows = store.table("deals").select("deal_id", "rep_id", "status", "amount").to_pyarrow()
    return {r["deal_id"]: (r["rep_id"], r["status"], r["amount"]) for r in rows.to_pylist()}


def test_pages_are_imported_with_their_cursor_and_the_next_sync_starts_after_it(
    acme: Store,
) -> None:
    crm = Memory(list(THREE_PAGES))
    report = sync(acme, crm)
    done = report.by_object()["deals"]
    assert (done.rows_in, done.inserted, done.rejected, done.pages) == (5, 5, 0, 3)
    assert deals_of(acme) == {
        "1": ("R1", "won", 100.0), "2": ("R1", "won", 100.0), "3": ("R1", "won", 100.0),
        "4": ("R1", "won", 250.0), "5": ("R1", "open", 100.0),
    }  # fmt: skip
    assert last_cursor(acme, "pipedrive", "deals") == at(3, "5")
    # one import per page, each with its own cursor, under the sync's label
    log = acme.select_rows(IMPORTS, ["source", "cursor", "inserted"], order_by=["import_id"])
    assert [r for r in log if r[0] == "sync:pipedrive:deals"] == [
        ("sync:pipedrive:deals", "2026-03-01T09:00:00Z/2", 2),
        ("sync:pipedrive:deals", "2026-03-02T09:00:00Z/4", 2),
        ("sync:pipedrive:deals", "2026-03-03T09:00:00Z/5", 1),
    ]
    crm.book.append(Page([deal(6)], at(4, "6")))
    again = sync(acme, crm)
    assert crm.asked == [None, at(3, "5")]
    assert again.by_object()["deals"].rows_in == 1
    assert set(deals_of(acme)) == {"1", "2", "3", "4", "5", "6"}


def test_a_sync_stopped_between_pages_resumes_after_the_last_committed_page(acme: Store) -> None:
    crm = Memory(list(THREE_PAGES))
    seen: list[int] = []

    def stop_after_first(obj: str, rows: int) -> None:
        seen.append(rows)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sync(acme, crm, on_progress=stop_after_first)
    assert seen == [2]
    assert set(deals_of(acme)) == {"1", "2"}
    runs = acme.select_rows(SYNC_RUNS, ["status", "cursor", "rows_in"], {"crm": "pipedrive"})
    assert runs == [("failed", "2026-03-01T09:00:00Z/2", 2)]
    resumed = sync(acme, crm)
    assert crm.asked == [None, at(1, "2")]
    assert resumed.by_object()["deals"].rows_in == 3  # pages 2 and 3, page 1 not again
    assert set(deals_of(acme)) == {"1", "2", "3", "4", "5"}
    assert acme.count("deals") == 5


def test_a_page_refused_whole_moves_no_cursor_and_writes_nothing(acme: Store) -> None:
    crm = Memory([Page([deal(1)], at(1, "1")), Page([deal(2, status="Parked")], at(2, "2"))])
    with pytest.raises(UnmappedValues):
        sync(acme, crm)
    assert set(deals_of(acme)) == {"1"}
    assert last_cursor(acme, "pipedrive", "deals") == at(1, "1")
    (st,) = status(acme, "pipedrive")
    assert st.last_run is not None and st.last_run["status"] == "failed"
    assert "Parked" in st.last_run["error"]


def test_records_deleted_in_the_crm_are_removed_but_not_rows_another_source_wrote(
    acme: Store, write: Callable[..., Path]
) -> None:
    sync(acme, Memory([Page([deal(1), deal(2)], at(1, "2"))]))
    stages = write("stages.csv", "deal_id,stage,entered_at\n1,Won,2026-02-01\n2,Lead,2026-01-05\n"
                   "2,Won,2026-02-01\n")  # fmt: skip
    import_file(acme, "deal_stages", stages, system="pipedrive")
    # deal 9 came from a file, not from this CRM: a deletion in the CRM does not touch it
    acme.merge_rows("deals", [{"deal_id": "9", "rep_id": "R1", "created_at": "2026-01-02",
                               "status": "open"}])  # fmt: skip
    crm = Memory([Page([], at(2, "2"), deleted=["2", "9", "404"])])
    report = sync(acme, crm)
    assert report.by_object()["deals"].deleted == 1
    assert set(deals_of(acme)) == {"1", "9"}
    assert last_cursor(acme, "pipedrive", "deals") == at(2, "2")
    # the deleted deal's stage history went with it
    left = acme.table("deal_stages").select("deal_id", "stage").to_pyarrow().to_pylist()
    assert left == [{"deal_id": "1", "stage": "Won"}]


def test_a_full_sync_removes_what_the_crm_no_longer_has(acme: Store) -> None:
    sync(acme, Memory(list(THREE_PAGES)))
    acme.merge_rows("deals", [{"deal_id": "F1", "rep_id": "R1", "created_at": "2026-01-02",
                               "status": "open"}])  # fmt: skip
    now = Memory([Page([deal(1), deal(3, value="300")], at(9, "3"))])
    report = sync(acme, now, full=True)
    done = report.by_object()["deals"]
    assert (done.deleted, done.updated, done.unchanged) == (3, 1, 1)
    assert deals_of(acme) == {"1": ("R1", "won", 100.0), "3": ("R1", "won", 300.0),
                              "F1": ("R1", "open", None)}  # fmt: skip
    assert now.asked == [None]  # a full sync reads everything, whatever the cursor


def test_a_dry_run_reads_and_checks_everything_and_writes_nothing(acme: Store) -> None:
    before = acme.select_rows(IMPORTS, ["import_id"])
    crm = Memory([Page([deal(1), deal(2, owner="99")], at(1, "2"))])
    report = sync(acme, crm, dry_run=True)
    done = report.by_object()["deals"]
    assert (done.rows_in, done.rejected, done.inserted) == (2, 1, 0)
    assert acme.count("deals") == 0
    assert acme.count("rep_aliases") == 0
    assert acme.select_rows(IMPORTS, ["import_id"]) == before
    assert acme.select_rows(SYNC_RUNS, ["run_id"]) == []


def test_owners_are_linked_by_email_or_name_and_ambiguous_names_by_neither(acme: Store) -> None:
    acme.merge_rows("reps", [{"rep_id": "R4", "name": "Bob", "team_id": "T2", "role": "rep"}])
    acme.merge_rows("rep_aliases", [{"alias": "pipedrive:8", "rep_id": "R3", "source": "admin"}])
    users = [
        Owner("7", " Ann@ACME.test ", "Someone Else", True),  # the e-mail decides
        Owner("8", "bob@elsewhere.test", "Bob", True),  # an alias set by hand is kept
        Owner("11", None, "Bob", True),  # two reps are named Bob: neither
        Owner("12", "gone@acme.test", "Cas (Deactivated User)", False),  # suffix ignored
        Owner("13", "new@acme.test", "Nobody", True),
    ]
    assert match_owners(acme, "pipedrive", users) == {
        "pipedrive:7": "R1", "pipedrive:8": "R3", "pipedrive:11": None,
        "pipedrive:12": "R3", "pipedrive:13": None,
    }  # fmt: skip
    crm = Memory([Page([deal(1, owner="12"), deal(2, owner="13")], at(1, "2"))], users=users)
    report = sync(acme, crm)
    assert report.owners_linked == 3
    assert [o.id for o in report.owners_unmatched] == ["11", "13"]
    done = report.by_object()["deals"]
    assert (done.inserted, done.rejected) == (1, 1)
    assert done.unknown_owners == {"pipedrive:13": 1}
    assert deals_of(acme) == {"1": ("R3", "won", 100.0)}  # the deactivated user's deal kept


@pytest.mark.slow
def test_the_same_sync_gives_the_same_rows_on_every_engine(
    engine_store: Callable[..., Store],
) -> None:
    s = engine_store()
    s.merge_rows("teams", [{"team_id": "T1", "name": "North"}])
    s.merge_rows("reps", [{"rep_id": "R1", "name": "Ann", "email": "ann@acme.test",
                           "team_id": "T1", "role": "rep"}])  # fmt: skip
    crm = Memory(list(THREE_PAGES))
    with pytest.raises(KeyboardInterrupt):
        sync(s, crm, on_progress=lambda o, n: (_ for _ in ()).throw(KeyboardInterrupt()))
    sync(s, crm)
    sync(s, Memory([Page([], at(5, "5"), deleted=["4"])]))
    assert deals_of(s) == {
        "1": ("R1", "won", 100.0), "2": ("R1", "won", 100.0), "3": ("R1", "won", 100.0),
        "5": ("R1", "open", 100.0),
    }  # fmt: skip
    assert last_cursor(s, "pipedrive", "deals") == at(5, "5")
    assert crm.asked == [None, at(1, "2")]


CALLS = SyncObject("calls", "activities", "pipedrive-activities")
MEETINGS = SyncObject("meetings", "activities", "pipedrive-activities")


def activity(i: int, kind: str) -> Row:
    """An activity as the Pipedrive export preset reads it."""
    return {
        "Activity - ID": f" {i}\u200b", "Activity - Assigned to user": "pipedrive:7",
        "Activity - Type": kind, "Activity - Due date": "2026-03-02", "Activity - Done": "Done",
    }  # fmt: skip


@dataclass
class TwoKinds(Memory):
    """A CRM whose calls and meetings both land in activities."""

    kinds: dict[str, list[Row]] = field(default_factory=dict)

    def objects(self) -> Sequence[SyncObject]:
        return [CALLS, MEETINGS]

    def pages(self, obj: SyncObject, since: Cursor | None) -> Iterator[Page]:
        rows = self.kinds.get(obj.name, [])
        return iter([Page(rows, at(9, "x"))] if rows else [])


def test_a_full_sync_of_objects_sharing_a_table_removes_only_what_none_of_them_read(
    acme: Store,
) -> None:
    calls = [activity(1, "Call"), activity(2, "Call")]
    meetings = [activity(3, "Meeting"), activity(4, "Meeting")]
    sync(acme, TwoKinds([], kinds={"calls": calls, "meetings": meetings}))
    ids = lambda: sorted(acme.table("activities").to_pyarrow()["activity_id"].to_pylist())  # noqa: E731
    assert ids() == ["1", "2", "3", "4"]
    # the meetings' snapshot does not remove the calls (nor the calls' the meetings)
    report = sync(acme, TwoKinds([], kinds={"calls": calls, "meetings": meetings[:1]}), full=True)
    assert ids() == ["1", "2", "3"]
    assert [o.deleted for o in report.objects] == [0, 1]
    # an object that read nothing (the CRM down for it?) removes nothing
    sync(acme, TwoKinds([], kinds={"calls": calls[:1]}), full=True)
    assert ids() == ["1", "2", "3"]
