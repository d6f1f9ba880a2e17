"""A fresh PostgreSQL schema for each benchmark round of Lotsen on PostgreSQL.

    why = unavailable(SERVER)          # None when the server answers, else why not
    with fresh_schema(SERVER) as url:  # postgresql://...?options=-c%20search_path%3D...
        ...                            # LOTSEN_DATABASE=url; the schema is dropped after

The server is ``LOTSEN_BENCH_POSTGRES`` (default ``postgresql://postgres@127.0.0.1:5432/test``,
the one the machines run). Each round's URL names its own new schema through libpq's
``options`` (``-c search_path=...``), so Lotsen migrates into it and rounds never share rows;
the schema is dropped when the round ends, also when it fails.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

SERVER = os.environ.get("LOTSEN_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
CONNECT_TIMEOUT = 3  # seconds


def shown(server: str) -> str:
    """The server's URL without its password, to print and to keep in the results."""
    parts = urlsplit(server)
    if parts.password is None:
        return server
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def unavailable(server: str) -> str | None:
    """None when PostgreSQL answers at ``server``; else why not, in one line."""
    try:
        import psycopg
    except ImportError as exc:
        return f"psycopg is not installed ({exc})"
    try:
        with psycopg.connect(server, connect_timeout=CONNECT_TIMEOUT, autocommit=True) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        return f"no PostgreSQL answers at {shown(server)}: {reason}"
    return None


def url_for(server: str, schema: str) -> str:
    """``server``'s URL with libpq's ``options`` setting the search path to ``schema``."""
    parts = urlsplit(server)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "options"]
    query.append(("options", f"-c search_path={schema}"))
    return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote)))


@contextmanager
def fresh_schema(server: str) -> Iterator[str]:
    """Create a new schema, yield Lotsen's database URL for it, drop it afterwards (even
    when the round fails; a failed drop is reported, not raised over the round's error)."""
    import psycopg
    from psycopg import sql

    schema = f"lotsen_bench_{uuid.uuid4().hex[:12]}"
    name = sql.Identifier(schema)
    with psycopg.connect(server, connect_timeout=CONNECT_TIMEOUT, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(name))
    try:
        yield url_for(server, schema)
    finally:
        try:
            with psycopg.connect(server, connect_timeout=CONNECT_TIMEOUT, autocommit=True) as conn:
                conn.execute("SET lock_timeout = '15s'")
                conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(name))
        except psycopg.Error as exc:
            print(f"  could not drop schema {schema}: {exc}", file=sys.stderr)
