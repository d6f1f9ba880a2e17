"""A fresh PostgreSQL schema per test, on the server the machines run (127.0.0.1:5432).

    url = fresh_database()     # postgresql://postgres@127.0.0.1:5432/test?options=...
    ...
    drop(url)

Each URL names its own schema through libpq's ``options`` (``-c search_path=...``), so tests
never see each other's tables, and dropping the schema drops everything. Where no server
answers, :func:`require_server` skips the test and says so.
"""

from __future__ import annotations

import itertools
import os
import uuid
from urllib.parse import parse_qs, quote, urlsplit

import psycopg
import pytest

SERVER = os.environ.get("LOTSEN_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
_counter = itertools.count()
_reachable: list[bool] = []


def server_answers() -> bool:
    if not _reachable:
        try:
            with psycopg.connect(SERVER, connect_timeout=3):
                _reachable.append(True)
        except psycopg.Error:
            _reachable.append(False)
    return _reachable[0]


def require_server() -> None:
    if not server_answers():
        pytest.skip(f"no PostgreSQL server answers at {SERVER} (CI and the machines run one)")


def fresh_database(**options: str | int) -> str:
    """A URL of a new, empty schema; ``options`` are Lotsen's URL options (``pool_size``)."""
    require_server()
    schema = f"lotsen_t{next(_counter)}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(SERVER, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"'.encode())
    query = "&".join(f"{name}={value}" for name, value in options.items())
    search = quote(f"-c search_path={schema}")
    return f"{SERVER}?options={search}" + (f"&{query}" if query else "")


def schema_of(url: str) -> str:
    options = parse_qs(urlsplit(url).query)["options"][0]
    return options.split("=", 1)[1]


def drop(url: str) -> None:
    with psycopg.connect(SERVER, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema_of(url)}" CASCADE'.encode())


def dump(url: str) -> bytes:
    """Every row of every table of the schema, as text: what a privacy grep reads."""
    schema = schema_of(url)
    out: list[str] = []
    with psycopg.connect(SERVER, autocommit=True) as conn:
        tables = conn.execute(
            b"SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (schema,),
        ).fetchall()
        for (table,) in tables:
            for row in conn.execute(f'SELECT * FROM "{schema}"."{table}"'.encode()).fetchall():
                out.append(repr(row))
    return "\n".join(out).encode()
