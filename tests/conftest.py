"""Shared fixtures: a fresh store per test, small files, and the public data sets."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from salesperf.ingest.importer import import_file
from salesperf.store import Store

warnings.filterwarnings("ignore", message=".*Pandas4Warning.*")

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

TEAMS_CSV = "team_id,name,parent_team_id\nORG,Acme,\nT1,North,ORG\nT2,South,ORG\n"
REPS_CSV = "rep_id,name,team_id,role\nR1,Ann,T1,rep\nR2,Bob,T1,rep\nR3,Cas,T2,manager\n"


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs in its own folder, so default outputs (rejects files) stay there."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SALESPERF_STORE", raising=False)


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """Write a text file in the test's folder and return its path."""

    def _write(name: str, text: str, encoding: str = "utf-8") -> Path:
        p = tmp_path / name
        p.write_bytes(text.encode(encoding))
        return p

    return _write


@pytest.fixture
def empty_store(tmp_path: Path) -> Iterator[Store]:
    """A new, empty store in a real DuckDB file."""
    s = Store.open(tmp_path / "store.duckdb")
    yield s
    s.close()


@pytest.fixture
def store(empty_store: Store, write: Callable[..., Path]) -> Store:
    """A store with a small team tree (ORG > T1, T2) and three reps (R1, R2 in T1; R3 in T2)."""
    r1 = import_file(empty_store, "teams", write("teams.csv", TEAMS_CSV))
    r2 = import_file(empty_store, "reps", write("reps.csv", REPS_CSV))
    assert (r1.inserted, r2.inserted) == (3, 3)
    return empty_store


@pytest.fixture
def shared_data() -> Path:
    """The public data sets folder, or a skip saying why it is missing."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"the public data sets are not at {SHARED_DATA}")
    return SHARED_DATA
