"""Owners as exports name them (names, e-mails, CRM owner ids, deactivated users) resolve to
reps through `rep_aliases` and the reps' own names and e-mails; unknown owners are reported once
each with their row count and the command that adds them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from salesperf.cli.app import app
from salesperf.ingest.importer import import_file
from salesperf.store import Store

Writer = Callable[..., Path]

REPS = (
    "rep_id,name,email,team_id\n"
    "R1,Lenny Smith,lenny@acme.com,T1\n"
    "R2,Ann de Vries,ann@acme.com,T1\n"
    "R3,Jan Jansen,jan1@acme.com,T2\n"
    "R4,Jan Jansen,jan2@acme.com,T2\n"
)
DEALS = (
    "deal_id,owner,created_at,status,amount,closed_at\n"
    "D1,lenny@acme.com (Deactivated User),2025-01-06,won,100,2025-02-01\n"  # e-mail, left
    "D2,Lenny  SMITH,2025-01-06,won,200,2025-02-01\n"  # name, other case and spacing
    "D3,0055e000001AbCd,2025-01-06,lost,,2025-02-01\n"  # a CRM owner id (alias below)
    "D4,R2,2025-01-06,open,50,\n"  # the rep id itself
    "D5,Ann de Vries,2025-01-06,won,75,2025-02-02\n"
    "D6,Jan Jansen,2025-01-06,won,10,2025-02-02\n"  # two reps have that name: unknown
    "D7,Ghost Owner,2025-01-06,won,10,2025-02-02\n"
    "D8,Ghost Owner,2025-01-06,lost,,2025-02-02\n"
    "D9,r2,2025-01-06,open,5,\n"  # a rep id in another case
)


@pytest.fixture
def people(empty_store: Store, write: Writer) -> Store:
    import_file(empty_store, "teams", write("t.csv", "team_id,name\nT1,A\nT2,B\n"))
    assert import_file(empty_store, "reps", write("r.csv", REPS)).inserted == 4
    aliases = write("a.csv", "alias,rep_id,source\n0055e000001AbCd,R1,salesforce\n")
    assert import_file(empty_store, "rep_aliases", aliases).inserted == 1
    return empty_store


@pytest.mark.slow
def test_owners_resolve_to_reps_and_unknown_ones_are_counted_once(
    people: Store, write: Writer
) -> None:
    result = import_file(people, "deals", write("d.csv", DEALS), maps=["owner=rep_id"])
    owners = people.table("deals").execute().set_index("deal_id")["rep_id"].to_dict()
    assert owners == {"D1": "R1", "D2": "R1", "D3": "R1", "D4": "R2", "D5": "R2", "D9": "R2"}
    assert result.unknown_owners == (("Ghost Owner", 2), ("Jan Jansen", 1))
    assert result.rejected == 3  # kept in the rejects file, nothing lost
    assert {(p.line, p.column, p.rule) for p in result.problems} == {
        (7, "rep_id", "unknown_reference"),
        (8, "rep_id", "unknown_reference"),
        (9, "rep_id", "unknown_reference"),
    }


@pytest.mark.slow
def test_an_alias_added_later_takes_the_rows_in(people: Store, write: Writer) -> None:
    path = write("d.csv", DEALS)
    import_file(people, "deals", path, maps=["owner=rep_id"])
    people.merge_rows("rep_aliases", [{"alias": "Ghost Owner", "rep_id": "R3"}])
    people.merge_rows("rep_aliases", [{"alias": "jan jansen", "rep_id": "R4"}])
    result = import_file(people, "deals", path, maps=["owner=rep_id"])
    assert result.unknown_owners == () and result.rejected == 0
    owners = people.table("deals").execute().set_index("deal_id")["rep_id"].to_dict()
    assert (owners["D6"], owners["D7"], owners["D8"]) == ("R4", "R3", "R3")


@pytest.mark.slow
def test_the_command_line_lists_each_unknown_owner_once_and_adds_aliases(
    people: Store, write: Writer
) -> None:
    path = write("d.csv", DEALS)
    db = str(people.path)
    people.close()
    runner = CliRunner()
    args = ["import", "deals", str(path), "--map", "owner=rep_id", "--store", db]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    assert "Owners that are no known rep: 2 (their 3 rows were rejected" in r.output
    assert "'Ghost Owner': 2" in r.output and "'Jan Jansen': 1" in r.output
    assert 'salesperf alias add "Ghost Owner" REP_ID' in r.output
    assert "line 7" not in r.output  # not one line per row
    added = runner.invoke(app, ["alias", "add", "Ghost Owner", "R3", "--store", db])
    assert added.exit_code == 0, added.output
    bad = runner.invoke(app, ["alias", "add", "Ghost Owner", "R99", "--store", db])
    assert bad.exit_code == 2 and "there is no rep 'R99'" in bad.output
    r = runner.invoke(app, args)
    assert "'Ghost Owner'" not in r.output and "Owners that are no known rep: 1 " in r.output
    listed = runner.invoke(app, ["alias", "list", "--store", db])
    assert listed.output.splitlines()[1].split() == ["Ghost", "Owner", "R3"]


@pytest.mark.slow
def test_a_rep_cannot_write_under_another_reps_name_or_e_mail(people: Store, write: Writer) -> None:
    """Scope is decided on the owner as resolved: another rep's e-mail is that rep."""
    from salesperf.auth.access import AccessDenied, Scope, ScopeKind, write_guard

    ann = Scope(ScopeKind.REP, reps=frozenset({"R2"}), teams=frozenset(), rep_id="R2")
    guard = write_guard(people, ann, "deals")
    mine = write("mine.csv", "deal_id,owner,created_at,status\nX1,ANN@acme.com,2025-01-06,open\n")
    result = import_file(people, "deals", mine, maps=["owner=rep_id"], guard=guard)
    assert result.inserted == 1
    theirs = write(
        "theirs.csv",
        "deal_id,owner,created_at,status\nX2,lenny@acme.com (Deactivated User),2025-01-06,open\n",
    )
    with pytest.raises(AccessDenied, match="R1"):
        import_file(people, "deals", theirs, maps=["owner=rep_id"], guard=guard)
    assert set(people.table("deals").execute().deal_id) == {"X1"}
