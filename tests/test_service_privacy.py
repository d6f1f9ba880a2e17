"""Privacy rules 1, 2 and 6, end to end: a conversation through the real engine and the real
store leaves neither what the person typed nor their platform id in the database files or
the logs, even with every logger at DEBUG."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot import storage
from bot.engine import Choice, Command, Event, Start, Text, Unsupported
from bot.service import Conversations
from tests.engine_fixtures import CONTENT, option
from tests.postgres_fixtures import drop, dump, fresh_database
from tests.storage_fixtures import SECRET, Clock, open_store, raw_bytes, run

TYPED = "Zebrafink-Quokka-4711"
PLATFORM_ID = "987654321987"

SCRIPT: tuple[Event, ...] = (
    Start(payload=TYPED, locale_hint="sv"),
    Text(TYPED),
    Choice(option("home.welcome", 0)),
    Choice(option("home.menu", 2)),  # "Vem?": a question that takes typed text
    Text(f"{TYPED} och min son"),  # matched as "child"; only that is kept
    Command("language", arg=TYPED),
    Command(TYPED.lower()),
    Unsupported("photo"),
    Text(f"meny {TYPED}"),
    Choice(option("home.menu", 1)),  # "Hur gammal?"
    Text(f"{TYPED} 4711"),
)


def _logged(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(
        f"{record.name} {record.getMessage()} {record.args!r} {record.exc_text or ''}"
        for record in caplog.records
    )


def test_nothing_typed_and_no_platform_id_reaches_the_disk_or_the_logs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "lotsen.sqlite3"
    caplog.set_level(logging.DEBUG)
    clock = Clock()

    async def main() -> tuple[bytes, str]:
        async with await open_store(path, clock) as store:
            service = Conversations(store, lambda: CONTENT, SECRET, clock)
            for number, event in enumerate(SCRIPT):
                clock.advance(seconds=5)
                await service.handle("telegram", PLATFORM_ID, event, update_id=str(number))
            async with store.conversation(service.key("telegram", PLATFORM_ID), "x") as conv:
                assert conv.session is not None
                assert conv.session.variables.get("relation") == "child"
                assert conv.session.step == "home.age_done"
            return raw_bytes(path), service.key("telegram", PLATFORM_ID)

    while_open, key = run(main())
    after_close = raw_bytes(path)
    logged = _logged(caplog)

    # The search looks in the right place: the person's key and steps are there.
    assert key.encode() in while_open and b"home.age_done" in while_open
    assert caplog.records  # and the logs were captured at all

    for needle in (TYPED, TYPED.lower(), PLATFORM_ID):
        assert needle.encode() not in while_open, needle
        assert needle.encode() not in after_close, needle
        assert needle.encode("utf-16-le") not in while_open, needle
        assert needle not in logged, needle
    assert key not in logged  # no ids in the logs, not even pseudonymous ones


def test_nothing_typed_and_no_platform_id_reaches_postgresql_or_the_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The same conversation on PostgreSQL: every row of every table, dumped as text."""
    url = fresh_database()
    caplog.set_level(logging.DEBUG)
    clock = Clock()

    async def main() -> str:
        # A password in the URL (trust authentication ignores it) must never be logged.
        store = await storage.open_store(
            url.replace("postgres@", "postgres:secretpw@"), clock=clock
        )
        try:
            service = Conversations(store, lambda: CONTENT, SECRET, clock)
            for number, event in enumerate(SCRIPT):
                clock.advance(seconds=5)
                await service.handle("telegram", PLATFORM_ID, event, update_id=str(number))
            return service.key("telegram", PLATFORM_ID)
        finally:
            await store.close()

    try:
        key = run(main())
        dumped = dump(url)
    finally:
        drop(url)
    logged = _logged(caplog)
    assert key.encode() in dumped and b"home.age_done" in dumped  # the right place
    for needle in (TYPED, TYPED.lower(), PLATFORM_ID):
        assert needle.encode() not in dumped, needle
        assert needle not in logged, needle
    assert key not in logged
    assert "secretpw" not in logged and "search_path" not in logged  # no connection string
