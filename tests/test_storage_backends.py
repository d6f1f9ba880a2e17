"""The database URL picks the store: the registry, the SQLite URL forms, the setting and
the commands that read it, and a URL shown without its password."""

from __future__ import annotations

import argparse
import importlib
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError
from bot.storage import StorageError, open_store
from bot.storage import config as storage_config
from bot.storage.backends import BACKENDS, opener, redacted, scheme
from bot.storage.commands import cmd_purge, cmd_stats
from bot.storage.sqlite import sqlite_path
from tests.storage_fixtures import run, session, tables

KEY = "a" * 64


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("sqlite:///var/lotsen.sqlite3", "var/lotsen.sqlite3"),  # three slashes: relative
        ("sqlite:////srv/lotsen/lotsen.sqlite3", "/srv/lotsen/lotsen.sqlite3"),  # four: absolute
        ("SQLite:///db.sqlite3", "db.sqlite3"),  # a scheme is case-insensitive
        ("sqlite:///:memory:", ":memory:"),
        (":memory:", ":memory:"),
        ("var/lotsen.sqlite3", "var/lotsen.sqlite3"),  # no scheme: a path, as always
        ("/srv/lotsen.sqlite3", "/srv/lotsen.sqlite3"),
        ("sqlite:///my%20db", "my%20db"),  # taken as written
    ],
)
def test_a_sqlite_url_names_the_file_as_sqlalchemy_reads_it(url: str, path: str) -> None:
    assert sqlite_path(url) == path


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("sqlite://var/lotsen.sqlite3", "it names a host"),
        ("sqlite://", "it names no file"),
        ("sqlite:///", "it names no file"),
        ("sqlite:///db.sqlite3?key=Secret-77", "it has options after ? or #"),
    ],
)
def test_a_sqlite_url_that_names_no_file_is_refused_without_repeating_it(
    url: str, why: str
) -> None:
    with pytest.raises(StorageError, match=re.escape(why)) as refused:
        sqlite_path(url)
    assert refused.value.reason == "bad_url"
    assert "Secret-77" not in str(refused.value)
    assert "sqlite:////absolute/path" in str(refused.value)


@pytest.mark.parametrize(
    ("url", "found"),
    [
        ("sqlite:///x", "sqlite"),
        ("var/x.sqlite3", "sqlite"),
        (":memory:", "sqlite"),
        ("PostgreSQL://db/lotsen", "postgresql"),
        ("mysql://db/lotsen", "mysql"),
        ("postgresql+psycopg://db/lotsen", "postgresql+psycopg"),
    ],
)
def test_the_scheme_of_a_url_or_a_bare_path(url: str, found: str) -> None:
    assert scheme(url) == found


def test_every_registered_backend_names_an_opener_that_exists() -> None:
    for name, reference in BACKENDS.items():
        if reference is None:
            continue
        module, _, function = reference.partition(":")
        assert callable(getattr(importlib.import_module(module), function)), name


def test_an_unknown_scheme_is_refused_naming_it_and_the_choices() -> None:
    with pytest.raises(StorageError) as refused:
        opener("mysql://lotsen:Secret-77@db/lotsen")
    message = str(refused.value)
    assert refused.value.reason == "unknown_scheme"
    assert "scheme 'mysql'" in message and "sqlite://" in message
    assert "postgresql://" in message
    assert "Not available yet" not in message  # every scheme Lotsen knows has its store
    assert "Secret-77" not in message


def test_postgresql_opens_the_postgresql_store_and_postgres_is_the_same() -> None:
    """Heroku-style hosts set DATABASE_URL with the short scheme ``postgres://``."""
    assert BACKENDS["postgresql"] == BACKENDS["postgres"] == "bot.storage.postgres:open_url"
    assert opener("postgres://db/lotsen") is opener("postgresql://db/lotsen")


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://lotsen:Secret-77@db:5432/lotsen", "postgresql://lotsen@db:5432/lotsen"),
        ("postgresql://db/lotsen?password=Secret-77", "postgresql://db/lotsen"),
        ("postgresql://a:b@c@db/lotsen", "postgresql://a@db/lotsen"),
        ("sqlite:////srv/lotsen.sqlite3", "sqlite:////srv/lotsen.sqlite3"),
        ("./var/lotsen.sqlite3", "var/lotsen.sqlite3"),
    ],
)
def test_a_url_is_shown_without_its_password_or_options(url: str, shown: str) -> None:
    assert redacted(url) == shown


def test_every_url_form_opens_the_same_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "var" / "lotsen.sqlite3"
    forms: list[str | Path] = [
        "sqlite:///var/lotsen.sqlite3",
        f"sqlite:///{path}",  # an absolute path after the three slashes: four in all
        "var/lotsen.sqlite3",
        path,
    ]

    async def main() -> list[int]:
        seen = []
        for form in forms:
            store = await open_store(form)
            try:
                async with store.conversation(KEY, "web") as conv:
                    n = int(conv.session.variables["n"]) if conv.session else 0
                    seen.append(n)
                    await conv.save(session(n=str(n + 1)))
            finally:
                await store.close()
        return seen

    assert run(main()) == [0, 1, 2, 3]  # each opening saw the one before
    assert [p.name for p in tmp_path.rglob("*.sqlite3")] == ["lotsen.sqlite3"]


def test_memory_opens_a_store_and_writes_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    async def main() -> None:
        store = await open_store(":memory:")
        try:
            async with store.conversation(KEY, "web") as conv:
                await conv.save(session())
            await store.check()
        finally:
            await store.close()

    run(main())
    assert list(tmp_path.iterdir()) == []


def test_without_create_a_missing_database_is_reported_and_not_made(tmp_path: Path) -> None:
    with pytest.raises(StorageError) as refused:
        run(open_store(f"sqlite:///{tmp_path / 'none.sqlite3'}", create=False))
    assert refused.value.reason == "missing"
    assert list(tmp_path.iterdir()) == []


# --- the setting ------------------------------------------------------------------------------


def test_the_default_database_is_the_same_sqlite_file_as_before() -> None:
    assert storage_config.database_url({}) == "var/lotsen.sqlite3"
    url = "sqlite:////srv/lotsen.sqlite3"
    assert storage_config.database_url({storage_config.DATABASE: url}) == url


def test_a_database_setting_with_an_unknown_scheme_stops_the_server_naming_it() -> None:
    env = {"LOTSEN_SECRET_KEY": "k" * 40, "LOTSEN_DATABASE": "mysql://u:Secret-77@db/x"}
    with pytest.raises(SettingsError, match="LOTSEN_DATABASE has scheme 'mysql'") as refused:
        Settings.from_env(env)
    assert "Secret-77" not in str(refused.value)


def test_the_settings_keep_the_database_as_written(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db'}"
    settings = Settings.from_env({"LOTSEN_SECRET_KEY": "k" * 40, "LOTSEN_DATABASE": url})
    assert settings.database == url


# --- the commands -----------------------------------------------------------------------------


def test_lotsen_stats_and_purge_take_a_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'db'}"
    assert cmd_stats(argparse.Namespace(database=url, since=None)) == 1
    assert cmd_purge(argparse.Namespace(database=url)) == 0
    assert capsys.readouterr().err.splitlines() == [
        f"{url}: no database yet, so nothing is counted",
        f"{url}: no database yet, so nothing to purge",
    ]
    assert list(tmp_path.iterdir()) == []

    async def fill() -> None:
        store = await open_store(url)
        try:
            async with store.conversation(KEY, "web") as conv:
                await conv.save(session())
        finally:
            await store.close()

    run(fill())
    assert cmd_purge(argparse.Namespace(database=url)) == 0
    assert capsys.readouterr().out.startswith("purged 1 session(s)")  # T0 is long past
    assert tables(tmp_path / "db")["sessions"] == []


@pytest.mark.parametrize("command", [cmd_stats, cmd_purge])
def test_lotsen_stats_and_purge_refuse_an_unknown_scheme_as_a_usage_error(
    command: Callable[[argparse.Namespace], int], capsys: pytest.CaptureFixture[str]
) -> None:
    args = argparse.Namespace(database="mysql://u:Secret-77@db/x", since=None)
    assert command(args) == 2
    err = capsys.readouterr().err
    assert "--database has scheme 'mysql'" in err and "Secret-77" not in err
