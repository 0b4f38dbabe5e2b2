"""Scope decisions on writes see ids as they are stored: no batch, whatever white space or
Unicode form its ids are written in, lands outside the writer's view or takes over a row of a
rep outside it (deals and activities, reps and managers)."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesperf.auth.tokens import create_token
from salesperf.store import Store
from webtools import ADMIN, MANAGER, MANAGER_REP, REP, REP_ID, app_for, build_web_store

#: Every kind of white space, control and invisible character an id may arrive wrapped in.
SPACES = [
    " ", "\t", "\u00a0", "\u2002", "\u2003", "\u2009", "\u202f", "\u3000", "\u200b",
    "\ufeff", "\u200e", "\u2060", "\x0b", "\x0c", "\u0085", "\u1680", "\u205f",
]  # fmt: skip
FORMS = ("NFC", "NFD", "NFKC", "NFKD")
#: Ids of deals of a rep outside the writers' views whose forms differ under normalisation:
#: an accent, a full-width letter, a ligature, an inner space, and a plain one.
FOREIGN_IDS = ["Dé-1", "Ｄ-2", "ﬁ-3", "A B-4", "D000144X"]
FOREIGN_REP = "R004"  # a plain rep of Benelux: in neither the rep's nor the manager's view


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The 12-rep demo with deals and activities of another rep under awkward ids, and a write
    client for the administrator, a manager and a rep."""
    path = build_web_store(tmp_path_factory.mktemp("scope") / "store.duckdb")
    app = app_for(path)
    store = Store.open(path)
    clients = {}
    for user in (ADMIN, MANAGER, REP):
        _, token = create_token(store, user, "write")
        clients[user] = TestClient(app, headers={"authorization": f"Bearer {token}"})
    deals = [
        {"deal_id": i, "rep_id": FOREIGN_REP, "created_at": "2026-08-01", "status": "open",
         "amount": 100}
        for i in FOREIGN_IDS
    ]  # fmt: skip
    acts = [
        {"activity_id": i, "rep_id": FOREIGN_REP, "type": "call",
         "occurred_at": "2026-08-01T10:00:00"}
        for i in FOREIGN_IDS
    ]  # fmt: skip
    for table, rows in (("deals", deals), ("activities", acts)):
        r = clients[ADMIN].post(f"/api/{table}", json=rows)
        assert r.status_code == 200, r.text
    yield {"app": app, "store": store, "clients": clients}
    store.close()


def _owned(store: Store, table: str, outside: set[str]) -> list[tuple[Any, ...]]:
    """Every stored row of the reps in `outside`, as (id, rep, and the fields a takeover
    would change)."""
    key = "deal_id" if table == "deals" else "activity_id"
    cols = "status, amount" if table == "deals" else "type, occurred_at"
    reps = ", ".join(f"'{r}'" for r in sorted(outside))
    return sorted(
        store._exec(f"SELECT {key}, rep_id, {cols} FROM {table} WHERE rep_id IN ({reps})")
    )


def _reps(store: Store) -> set[str]:
    return {r[0] for r in store._exec("SELECT rep_id FROM reps")}


def _outside(store: Store, user: str) -> set[str]:
    if user == REP:
        return _reps(store) - {REP_ID}
    # the manager sees DACH (T02 > T04) and its reps; everyone in Benelux is outside
    dach = store._exec("SELECT rep_id FROM reps WHERE team_id IN ('T02', 'T04')")
    assert MANAGER_REP in {r[0] for r in dach}
    return _reps(store) - {r[0] for r in dach}


def _own_rep(user: str) -> str:
    return REP_ID if user == REP else MANAGER_REP


def _row(table: str, key: str, rep: str) -> dict[str, Any]:
    if table == "deals":
        return {"deal_id": key, "rep_id": rep, "created_at": "2026-08-01", "status": "won",
                "closed_at": "2026-09-01", "amount": "250000"}  # fmt: skip
    return {"activity_id": key, "rep_id": rep, "type": "demo",
            "occurred_at": "2026-09-02T10:00:00"}  # fmt: skip


@pytest.mark.parametrize("table", ["deals", "activities"])
@pytest.mark.parametrize("user", [REP, MANAGER])
@pytest.mark.parametrize("space", SPACES, ids=[f"U+{ord(c):04X}" for c in SPACES])
@pytest.mark.slow
def test_an_id_wrapped_in_white_space_cannot_take_over_another_reps_row(
    web: dict[str, Any], table: str, user: str, space: str
) -> None:
    store = web["store"]
    outside = _outside(store, user)
    before = _owned(store, table, outside)
    for key in (f"{space}D000144X", f"D000144X{space}", f"{space}{space}D000144X{space}"):
        r = web["clients"][user].post(f"/api/{table}", json=[_row(table, key, _own_rep(user))])
        if space in "\x0b\x0c":  # control characters are refused before any decision
            assert r.status_code == 422 and "control character" in r.json()["error"], r.text
        else:
            assert r.status_code == 403, (key, r.text)
            assert "outside your view" in r.json()["error"]
    assert _owned(store, table, outside) == before


@pytest.mark.parametrize("table", ["deals", "activities"])
@pytest.mark.parametrize("form", FORMS)
def test_an_id_in_another_unicode_form_cannot_take_over_another_reps_row(
    web: dict[str, Any], table: str, form: str
) -> None:
    store = web["store"]
    outside = _outside(store, REP)
    before = _owned(store, table, outside)
    for stored in ("Dé-1", "A B-4"):
        key = unicodedata.normalize(form, stored)
        r = web["clients"][REP].post(f"/api/{table}", json=[_row(table, key, REP_ID)])
        assert r.status_code == 403, (form, key, r.text)
    assert _owned(store, table, outside) == before


@pytest.mark.slow
def test_ids_are_stored_trimmed_and_in_one_unicode_form(web: dict[str, Any]) -> None:
    """The normalisation that decides scope is the one that writes: an id sent with spaces
    around it or with a decomposed accent is the same id as the plain one."""
    api = web["clients"][REP]
    first = _row("activities", "\u00a0Zé-9\u200b", REP_ID)
    assert api.post("/api/activities", json=[first]).status_code == 200
    again = _row("activities", unicodedata.normalize("NFD", " Zé-9\t"), REP_ID)
    r = api.post("/api/activities", json=[again])
    assert r.status_code == 200 and (r.json()["inserted"], r.json()["unchanged"]) == (0, 1)
    assert web["store"]._exec(
        "SELECT activity_id, rep_id FROM activities WHERE activity_id LIKE 'Z%-9'"
    ) == [("Zé-9", REP_ID)]


def test_a_rep_named_with_white_space_is_the_rep_itself(web: dict[str, Any]) -> None:
    """A rep id sent as " R010" names R010: outside a rep's view, refused."""
    store = web["store"]
    before = _owned(store, "activities", {FOREIGN_REP})
    r = web["clients"][REP].post(
        "/api/activities", json=[_row("activities", "NEW-1", f"\u00a0{FOREIGN_REP}\u3000")]
    )
    assert r.status_code == 403 and FOREIGN_REP in r.json()["error"]
    assert _owned(store, "activities", {FOREIGN_REP}) == before


@pytest.mark.parametrize("bad", ["\x00", "\x07", "\ud800"])
def test_control_characters_in_a_batch_are_422_naming_the_field(
    web: dict[str, Any], bad: str
) -> None:
    row = _row("activities", f"C{bad}1", REP_ID)
    body = json.dumps([row])  # escaped, as a JSON client sends a lone surrogate
    r = web["clients"][REP].post(
        "/api/activities", content=body, headers={"content-type": "application/json"}
    )
    assert r.status_code == 422, r.text
    assert r.json()["problems"][0]["column"] == "activity_id"
    assert f"U+{ord(bad):04X}" in r.json()["error"]


# -- a property: random spellings of another rep's id --------------------------------------
def _spellings() -> st.SearchStrategy[str]:
    space = st.sampled_from(SPACES)
    pad = st.lists(space, max_size=3).map("".join)

    @st.composite
    def spelling(draw: st.DrawFn) -> str:
        base = draw(st.sampled_from(FOREIGN_IDS))
        form = draw(st.sampled_from(FORMS))
        text = unicodedata.normalize(form, base)
        if draw(st.booleans()):
            text = draw(st.sampled_from([text.upper(), text.lower(), text.swapcase()]))
        if draw(st.booleans()):  # white space inside, too
            at = draw(st.integers(0, len(text)))
            text = text[:at] + draw(space) + text[at:]
        return draw(pad) + text + draw(pad)

    return spelling()


@settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    key=_spellings(),
    table=st.sampled_from(["deals", "activities"]),
    user=st.sampled_from([REP, MANAGER]),
)
@pytest.mark.slow
def test_no_write_lands_outside_the_writers_scope(
    web: dict[str, Any], key: str, table: str, user: str
) -> None:
    store = web["store"]
    outside = _outside(store, user)
    before = _owned(store, table, outside)
    r = web["clients"][user].post(f"/api/{table}", json=[_row(table, key, _own_rep(user))])
    assert r.status_code in (200, 403, 422), r.text
    # nothing of a rep outside the view changed, and nothing new was written in their name
    assert _owned(store, table, outside) == before
    if r.status_code == 200:
        # what was written is a row of the writer's own, under an id no outside row has
        stored_ids = {row[0] for row in before}
        k = "deal_id" if table == "deals" else "activity_id"
        mine = store._exec(f"SELECT {k} FROM {table} WHERE rep_id = '{_own_rep(user)}'")
        assert not {m[0] for m in mine} & stored_ids
