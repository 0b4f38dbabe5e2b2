"""Files as people have them: encodings, delimiters, Excel, Parquet, re-imports, time zones."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from salesperf.ingest.importer import import_file
from salesperf.ingest.mapping import MappingError
from salesperf.ingest.source import FileRefused
from salesperf.metrics.periods import date_only
from salesperf.store import Store

#: Each test that asks for a store runs on DuckDB and on PostgreSQL (tests/conftest.py).
STORE_ENGINES = ("duckdb", "postgres")

Writer = Callable[..., Path]


def _deals(store: Store) -> dict[str, dict[str, object]]:
    df = store.table("deals").execute()
    return {r["deal_id"]: r for r in df.to_dict("records")}


# -- files refused whole ------------------------------------------------------------------------
REFUSED = [
    ("binary.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text file"),
    ("empty.csv", b"", "is empty"),
    ("noheader.csv", b"\n\n", "no header line"),
    ("missing.csv", b"deal_id,created_at,status\nD1,2025-01-01,open\n", "no column gives rep_id"),
    ("dupcol.csv", b"deal_id,deal_id\n1,2\n", "more than once"),
    (
        "latin.csv",
        b"deal_id,rep_id,created_at,status\nD1,R1,2025-01-01,op\x81en\n",
        "neither UTF-8",
    ),
    ("broken.xlsx", b"PK\x03\x04 this is no workbook", "not a readable Excel workbook"),
    ("broken.parquet", b"PAR1 nope", "not a readable Parquet file"),
    ("old.xls", b"\xd0\xcf\x11\xe0", "old .xls files are not supported"),
]


@pytest.mark.parametrize(("name", "content", "words"), REFUSED, ids=[r[0] for r in REFUSED])
def test_unreadable_files_are_refused_whole(
    store: Store, tmp_path: Path, name: str, content: bytes, words: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    imports_before = store.count("salesperf_imports")
    with pytest.raises(FileRefused, match=words):
        import_file(store, "deals", path)
    assert store.count("deals") == 0
    assert store.count("salesperf_imports") == imports_before
    assert not list(tmp_path.glob("*.rejects.csv"))


def test_missing_file_and_folder_are_refused(store: Store, tmp_path: Path) -> None:
    with pytest.raises(FileRefused, match="does not exist"):
        import_file(store, "deals", tmp_path / "nope.csv")
    with pytest.raises(FileRefused, match="is a folder"):
        import_file(store, "deals", tmp_path)


def test_refusal_names_the_columns_and_suggests_a_mapping(store: Store, write: Writer) -> None:
    path = write("d.csv", "Deal,Owner,Created,Status\nD1,R1,2025-01-01,open\n")
    with pytest.raises(FileRefused) as err:
        import_file(store, "deals", path)
    text = str(err.value)
    assert "no column gives deal_id" in text
    assert "The file's columns are: 'Deal', 'Owner', 'Created', 'Status'" in text
    result = import_file(
        store, "deals", path, maps=["Deal=deal_id", "Owner=rep_id", "Created=created_at"]
    )
    assert result.inserted == 1


def test_a_bad_mapping_is_refused_with_every_problem(store: Store, write: Writer) -> None:
    mapping = write(
        "m.toml",
        'table = "deals"\nbogus = 1\n[columns]\n"X" = "not_a_column"\n[formats]\nclosed_at = "YYYY"\n',
    )
    with pytest.raises(MappingError) as err:
        import_file(store, None, write("d.csv", "x\n1\n"), mapping_file=mapping)
    text = str(err.value)
    assert "unknown section or key 'bogus'" in text
    assert "'not_a_column' is not a column of deals" in text
    assert "date format 'YYYY'" in text
    with pytest.raises(MappingError, match="not of the form SOURCE=CANONICAL"):
        import_file(store, "deals", write("d2.csv", "x\n1\n"), maps=["nonsense"])


# -- encodings and delimiters -------------------------------------------------------------------
HEAD = "deal_id,rep_id,created_at,status,amount,closed_at,lost_reason\n"


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("cp1252", b"")],
    ids=["utf-8", "utf-8-bom", "windows-1252"],
)
@pytest.mark.slow
def test_encodings_are_detected(store: Store, tmp_path: Path, encoding: str, prefix: bytes) -> None:
    text = HEAD + "D1,R1,2025-01-06,lost,1200,2025-02-03,Prijs te hoog: €1.500 café\n"
    path = tmp_path / "d.csv"
    path.write_bytes(prefix + text.encode(encoding))
    result = import_file(store, "deals", path)
    assert result.inserted == 1
    assert _deals(store)["D1"]["lost_reason"] == "Prijs te hoog: €1.500 café"


def test_dutch_excel_csv_with_semicolons_and_decimal_commas(store: Store, write: Writer) -> None:
    text = (
        "deal_id;rep_id;created_at;status;amount;closed_at\n"
        "D1;R1;06-01-2025;won;1.234,56;03-02-2025\n"
        "D2;R2;07-01-2025;won;99,5;04-02-2025\n"
        "D3;R2;07-01-2025;open;12000;\n"
    )
    mapping = write("nl.toml", 'table = "deals"\n[options]\ndate_format = "DD-MM-YYYY"\n')
    result = import_file(store, "deals", write("nl.csv", text, "cp1252"), mapping_file=mapping)
    assert result.inserted == 3, result.problems
    deals = _deals(store)
    assert deals["D1"]["amount"] == pytest.approx(1234.56)
    assert deals["D2"]["amount"] == pytest.approx(99.5)
    assert deals["D3"]["amount"] == pytest.approx(12000)
    assert deals["D1"]["created_at"] == date_only(dt.date(2025, 1, 6))  # a calendar day
    assert deals["D2"]["closed_at"] == date_only(dt.date(2025, 2, 4))


@pytest.mark.parametrize("delimiter", ["\t", "|", ";", ","])
def test_delimiters_are_detected(store: Store, write: Writer, delimiter: str) -> None:
    rows = [
        ["deal_id", "rep_id", "created_at", "status", "amount"],
        ["D1", "R1", "2025-01-06", "open", "1500"],
    ]
    text = "\n".join(delimiter.join(r) for r in rows) + "\n"
    result = import_file(store, "deals", write("d.csv", text))
    assert result.inserted == 1
    assert _deals(store)["D1"]["amount"] == 1500


@pytest.mark.slow
def test_thousands_separators_in_point_decimal_files(store: Store, write: Writer) -> None:
    text = 'deal_id,rep_id,created_at,status,amount\nD1,R1,2025-01-06,open,"1,234.50"\n'
    text += 'D2,R1,2025-01-06,open,"12,5"\n'
    result = import_file(store, "deals", write("d.csv", text))
    assert _deals(store)["D1"]["amount"] == pytest.approx(1234.5)
    # a decimal comma in a comma-decimal-point file is ambiguous: rejected, never read as 125
    assert [(p.line, p.rule) for p in result.problems] == [(3, "not_a_number")]


def test_quoted_fields_with_delimiters_and_newlines(store: Store, write: Writer) -> None:
    text = HEAD + 'D1,R1,2025-01-06,lost,10,2025-01-09,"Budget, timing\nand ""politics"""\n'
    text += "D2,R1,2025-01-06,open,11,,\nD3,R9,2025-01-06,open,12,,\n"
    result = import_file(store, "deals", write("d.csv", text))
    assert _deals(store)["D1"]["lost_reason"] == 'Budget, timing\nand "politics"'
    assert result.inserted == 2
    # lines are counted as records when a field spans lines
    assert [p.rule for p in result.problems] == ["unknown_reference"]


# -- Excel and Parquet --------------------------------------------------------------------------
def test_excel_with_typed_cells(store: Store, tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Deals"
    ws.append(["Deal ID", "Rep ID", "Created At", "Status", "Amount", "Closed At"])
    ws.append(["D1", "R1", dt.datetime(2025, 1, 6, 9, 30), "Won", 1234.5, dt.date(2025, 2, 3)])
    ws.append(["D2", "R2", dt.datetime(2025, 1, 7), "open", 800, None])
    ws.append([None, None, None, None, None, None])
    ws.append(["D3", "R1", "not a date", "open", -1, None])
    wb.create_sheet("Other")
    path = tmp_path / "deals.xlsx"
    wb.save(path)

    result = import_file(store, "deals", path)
    assert (result.inserted, result.rejected) == (2, 1)
    assert {(p.line, p.column, p.rule) for p in result.problems} == {
        (5, "created_at", "not_a_date"),
        (5, "amount", "negative"),
    }
    deals = _deals(store)
    assert deals["D1"]["created_at"] == dt.datetime(2025, 1, 6, 9, 30)
    assert deals["D1"]["closed_at"] == date_only(dt.date(2025, 2, 3))  # a date cell: a day
    assert deals["D1"]["status"] == "won"
    assert deals["D2"]["amount"] == 800

    mapping = _toml(tmp_path, 'table = "deals"\n[options]\nsheet = "Nope"\n')
    with pytest.raises(FileRefused, match="no sheet 'Nope'; its sheets are: Deals, Other"):
        import_file(store, "deals", path, mapping_file=mapping)


def _toml(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "m.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_parquet_with_typed_columns(store: Store, tmp_path: Path) -> None:
    table = pa.table(
        {
            "activity_id": ["A1", "A2", "A3"],
            "rep_id": ["R1", "R2", "R1"],
            "type": ["call", "Follow-up", "demo"],
            "occurred_at": pa.array(
                [dt.datetime(2025, 3, 3, 9), dt.datetime(2025, 3, 3, 10), None], pa.timestamp("us")
            ),
            "duration_min": pa.array([5.5, 12.0, 30.0]),
        }
    )
    path = tmp_path / "acts.parquet"
    pq.write_table(table, path)
    result = import_file(store, "activities", path)
    assert (result.inserted, result.rejected) == (2, 1)
    # Parquet has no header line: rows count from 1
    assert [(p.line, p.column, p.rule) for p in result.problems] == [(3, "occurred_at", "required")]
    acts = store.table("activities").execute().set_index("activity_id")
    assert acts.loc["A2", "type"] == "follow_up"
    assert acts.loc["A1", "duration_min"] == 5.5
    assert acts.loc["A1", "occurred_at"] == dt.datetime(2025, 3, 3, 9)


# -- re-imports ---------------------------------------------------------------------------------
@pytest.mark.slow
def test_importing_the_same_file_twice_changes_nothing(store: Store, write: Writer) -> None:
    text = HEAD + "D1,R1,2025-01-06,won,100,2025-02-01,\nD2,R2,2025-01-07,open,200,,\n"
    path = write("d.csv", text)
    first = import_file(store, "deals", path)
    snapshot = store.table("deals").execute().sort_values("deal_id").reset_index(drop=True)
    second = import_file(store, "deals", path)
    again = store.table("deals").execute().sort_values("deal_id").reset_index(drop=True)
    assert (first.inserted, first.updated, first.unchanged) == (2, 0, 0)
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 2)
    assert again.equals(snapshot)


@pytest.mark.slow
def test_a_corrected_export_replaces_the_rows_it_corrects(store: Store, write: Writer) -> None:
    import_file(
        store,
        "deals",
        write("d.csv", HEAD + "D1,R1,2025-01-06,open,100,,\nD2,R2,2025-01-07,open,200,,\n"),
    )
    fixed = HEAD + "D1,R1,2025-01-06,won,150,2025-02-01,\nD3,R2,2025-01-09,open,50,,\n"
    result = import_file(store, "deals", write("d2.csv", fixed))
    assert (result.inserted, result.updated, result.unchanged) == (1, 1, 0)
    deals = _deals(store)
    assert set(deals) == {"D1", "D2", "D3"}
    assert (deals["D1"]["status"], deals["D1"]["amount"]) == ("won", 150)


# -- time zones and date formats ----------------------------------------------------------------
@pytest.mark.slow
def test_timestamps_without_zone_are_read_in_the_organisation_time_zone(
    store: Store, write: Writer
) -> None:
    store.set_setting("timezone", "Europe/Amsterdam")
    text = (
        "activity_id,rep_id,type,occurred_at\n"
        "A1,R1,call,2025-07-01 10:00\n"  # summer time: UTC+2
        "A2,R1,call,2025-01-15T10:00:00\n"  # winter time: UTC+1
        "A3,R1,call,2025-07-01T10:00:00Z\n"  # an explicit zone wins
        "A4,R1,call,2025-07-01 10:00:00+05:30\n"
        "A5,R1,call,2025-07-01\n"
    )
    result = import_file(store, "activities", write("a.csv", text))
    assert result.inserted == 5, result.problems
    acts = store.table("activities").execute().set_index("activity_id")["occurred_at"]
    assert acts["A1"] == dt.datetime(2025, 7, 1, 8, 0)
    assert acts["A2"] == dt.datetime(2025, 1, 15, 9, 0)
    assert acts["A3"] == dt.datetime(2025, 7, 1, 10, 0)
    assert acts["A4"] == dt.datetime(2025, 7, 1, 4, 30)
    assert acts["A5"] == date_only(dt.date(2025, 7, 1))  # a date alone: a day in every zone


@pytest.mark.parametrize(
    ("fmt", "value", "expected"),
    [
        ("DD-MM-YYYY", "31-12-2025", date_only(dt.date(2025, 12, 31))),
        ("DD-MM-YYYY", "31/12/2025 14:05", dt.datetime(2025, 12, 31, 14, 5)),
        ("MM/DD/YYYY", "12/31/2025", date_only(dt.date(2025, 12, 31))),
        ("MM/DD/YYYY", "12/31/2025 2:05 PM", dt.datetime(2025, 12, 31, 14, 5)),
        ("%d.%m.%Y", "31.12.2025", date_only(dt.date(2025, 12, 31))),
    ],
)
@pytest.mark.slow
def test_date_formats_by_explicit_option(
    store: Store, write: Writer, tmp_path: Path, fmt: str, value: str, expected: dt.datetime
) -> None:
    mapping = _toml(tmp_path, f'table = "activities"\n[formats]\noccurred_at = "{fmt}"\n')
    text = f"activity_id,rep_id,type,occurred_at\nA1,R1,call,{value}\nA2,R1,call,2025-12-31\n"
    result = import_file(store, None, write("a.csv", text), mapping_file=mapping)
    acts = store.table("activities").execute().set_index("activity_id")["occurred_at"]
    assert acts["A1"] == expected
    # an ISO date in a file declared DD-MM-YYYY is not guessed at
    assert [(p.line, p.rule) for p in result.problems] == [(3, "not_a_date")]


def test_value_maps_constants_and_several_sources(
    store: Store, write: Writer, tmp_path: Path
) -> None:
    mapping = _toml(
        tmp_path,
        'table = "deals"\n'
        "[columns]\n"
        '"Deal" = "deal_id"\n"Owner" = "rep_id"\n"Created" = "created_at"\n'
        '"Stage" = ["status", "stage"]\n"Won time" = "closed_at"\n"Lost time" = "closed_at"\n'
        '[values.status]\n"Closed Won" = "won"\n"Closed Lost" = "lost"\n"*" = "open"\n'
        '[constants]\nkind = "new_business"\n',
    )
    text = (
        "Deal,Owner,Created,Stage,Won time,Lost time\n"
        "D1,R1,2025-01-06,Closed Won,2025-02-01,\n"
        "D2,R1,2025-01-06,closed lost,,2025-02-02\n"
        "D3,R2,2025-01-06,Demo scheduled,,\n"
    )
    result = import_file(store, None, write("d.csv", text), mapping_file=mapping)
    assert result.inserted == 3, result.problems
    deals = _deals(store)
    assert [deals[d]["status"] for d in ("D1", "D2", "D3")] == ["won", "lost", "open"]
    assert deals["D3"]["stage"] == "Demo scheduled"
    assert deals["D2"]["closed_at"] == date_only(dt.date(2025, 2, 2))
    assert {d["kind"] for d in deals.values()} == {"new_business"}


def test_when_rejects_cannot_be_kept_nothing_is_imported(
    store: Store, write: Writer, tmp_path: Path
) -> None:
    text = "deal_id,rep_id,created_at,status\nD1,R1,2025-01-01,open\nD2,R9,2025-01-01,open\n"
    imports = store.count("salesperf_imports")
    with pytest.raises(FileRefused, match="cannot write the rejected rows"):
        import_file(
            store, "deals", write("d.csv", text), rejects_path=tmp_path / "d.csv" / "rejects.csv"
        )
    assert store.count("deals") == 0
    assert store.count("salesperf_imports") == imports
