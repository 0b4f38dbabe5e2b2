"""The engines a store can live on, chosen by its URL (see `salesperf.store`).

- a path, or `duckdb:///path/store.duckdb`: an embedded DuckDB file (the default);
- `postgresql://user:password@host:port/database`: a PostgreSQL database;
- `local[2]`, `local[*]` or `spark://host:7077`, with `?warehouse=/folder`: Spark over Parquet.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qsl

from salesperf.store.engines.base import Engine, StoreError
from salesperf.store.engines.urls import is_spark, shown

__all__ = ["connect", "is_spark", "shown"]

WAREHOUSE_ENV = "SALESPERF_WAREHOUSE"
DEFAULT_WAREHOUSE = "salesperf-warehouse"

SUPPORTED = (
    "supported stores are a DuckDB file path (or duckdb:///path.duckdb), "
    "postgresql://user@host:port/database, and Spark as local[N] or spark://host:port "
    "(with ?warehouse=/folder)"
)


def connect(url: str) -> Engine:
    """The engine for a store URL (which is resolved already: never empty)."""
    scheme, sep, rest = url.partition("://")
    if is_spark(url):
        return _spark(url)
    if not sep:
        from salesperf.store.engines.local import DuckDBEngine

        return DuckDBEngine(url)
    if scheme == "duckdb":
        from salesperf.store.engines.local import DuckDBEngine

        return DuckDBEngine(rest)
    if scheme == "postgresql":
        from salesperf.store.engines.postgres import PostgresEngine

        return PostgresEngine(url, shown(url))
    hint = " (write postgresql://)" if scheme == "postgres" else ""
    raise StoreError(f"cannot open {shown(url)!r}: {SUPPORTED}{hint}")


def _spark(url: str) -> Engine:
    from salesperf.store.engines.spark import SparkEngine
    from salesperf.store.engines.spark_sources import parse_sources

    master, _, query = url.partition("?")
    params = dict(parse_qsl(query))
    warehouse = params.pop("warehouse", None) or os.environ.get(WAREHOUSE_ENV) or DEFAULT_WAREHOUSE
    sources = parse_sources(params)
    unknown = [k for k in params if not k.startswith("spark.")]
    if unknown:
        raise StoreError(
            f"unknown Spark store option {unknown[0]!r}: give warehouse=/folder, Spark "
            "settings (spark.driver.memory=4g, ...) and tables read from a lake "
            "(table.activities=parquet:/lake/activities)"
        )
    return SparkEngine(master, params, Path(warehouse), sources)
