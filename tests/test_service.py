from __future__ import annotations

import asyncio
import subprocess
import sys
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.engine import Command, Event, Phrase, Reply, Session, Start, Turn
from bot.flows.model import Content
from bot.service import Conversations, HandleResult
from bot.storage import Usage, UsageCount
from bot.storage.keys import session_key
from bot.storage.sqlite import SqliteStore
from tests.engine_fixtures import CONTENT
from tests.storage_fixtures import (
    SECRET,
    T0,
    Clock,
    counting_step,
    open_store,
    rows_mentioning,
    run,
    session,
)

USER = "555000111"
ROOT = Path(__file__).resolve().parent.parent


class Recorder:
    """A stand-in engine that counts its calls, and forgets on /forget."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, content: Content, old: Session | None, event: Event, now: datetime) -> Turn:
        self.calls += 1
        if isinstance(event, Command) and event.name == "forget":
            return Turn(None, (Reply(Phrase("forgotten")),))
        return counting_step(content, old, event, now)


def _service(store: SqliteStore, clock: Clock, step: Recorder | None = None) -> Conversations:
    return Conversations(store, lambda: CONTENT, SECRET, clock, step=step or Recorder())


def _n(result: HandleResult) -> str | None:
    text = result.replies[-1].text if result.replies else None
    return text.msgid if text else None


def test_fifty_concurrent_presses_on_one_chat_are_applied_one_after_the_other(
    tmp_path: Path,
) -> None:
    async def main() -> list[HandleResult]:
        async with await open_store(tmp_path / "db") as store:
            service = _service(store, Clock())
            return await asyncio.gather(
                *(service.handle("telegram", USER, Start()) for _ in range(50))
            )

    results = run(main())
    # Every turn saw the one before it: the values 1..50, each exactly once.
    assert sorted(int(_n(result) or 0) for result in results) == list(range(1, 51))


def test_different_people_do_not_wait_for_or_touch_each_other(tmp_path: Path) -> None:
    async def main() -> dict[str, str | None]:
        async with await open_store(tmp_path / "db") as store:
            service = _service(store, Clock())
            people = [str(n) for n in range(10)]
            await asyncio.gather(*(service.handle("web", p, Start()) for p in people * 3))
            return {p: _n(await service.handle("web", p, Start())) for p in people}

    assert set(run(main()).values()) == {"4"}


def test_a_redelivered_update_is_answered_once(tmp_path: Path) -> None:
    step = Recorder()

    async def main() -> list[HandleResult]:
        async with await open_store(tmp_path / "db") as store:
            service = _service(store, Clock(), step)
            return [
                await service.handle("telegram", USER, Start(), update_id="7"),
                await service.handle("telegram", USER, Start(), update_id="7"),
                await service.handle("telegram", USER, Start(), update_id="8"),
            ]

    first, again, next_one = run(main())
    assert _n(first) == "1" and not first.duplicate
    assert again == HandleResult(duplicate=True)
    assert _n(next_one) == "2"
    assert step.calls == 2


def test_a_failing_turn_is_not_marked_processed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(content: Content, old: Session | None, event: Event, now: datetime) -> Turn:
        raise KeyError("what the person typed")

    async def main() -> HandleResult:
        async with await open_store(tmp_path / "db") as store:
            clock = Clock()
            with pytest.raises(KeyError):
                await Conversations(store, lambda: CONTENT, SECRET, clock, step=broken).handle(
                    "telegram", USER, Start(), update_id="9"
                )
            return await _service(store, clock).handle("telegram", USER, Start(), update_id="9")

    retried = run(main())
    assert not retried.duplicate and _n(retried) == "1"
    assert "turn failed: KeyError" in caplog.text
    assert "what the person typed" not in caplog.text


def test_each_turn_counts_the_step_reached_by_day_locale_and_channel(tmp_path: Path) -> None:
    clock = Clock()

    async def main() -> tuple[UsageCount, ...]:
        async with await open_store(tmp_path / "db", clock) as store:
            service = _service(store, clock)
            await service.handle("telegram", USER, Start())
            await service.handle("telegram", USER, Start())
            clock.advance(days=1)
            await service.handle("web", USER, Start())
            return await store.counts(T0.date())

    tomorrow = T0.date() + timedelta(days=1)
    assert run(main()) == (
        UsageCount(Usage(T0.date(), "home", "menu", "sv", "telegram"), False, 2),
        UsageCount(Usage(tomorrow, "home", "menu", "sv", "web"), False, 1),
    )


def test_the_result_carries_the_sessions_locale(tmp_path: Path) -> None:
    def arabic(content: Content, old: Session | None, event: Event, now: datetime) -> Turn:
        return Turn(session(at=now, locale="ar"), ())

    async def main() -> HandleResult:
        async with await open_store(tmp_path / "db") as store:
            service = Conversations(store, lambda: CONTENT, SECRET, Clock(), step=arabic)
            return await service.handle("web", USER, Start())

    assert run(main()).locale == "ar"


def test_forget_deletes_the_person_and_returns_their_messages_to_delete(tmp_path: Path) -> None:
    path = tmp_path / "db"
    key = session_key(SECRET, "telegram", USER)

    async def main() -> HandleResult:
        async with await open_store(path) as store:
            service = _service(store, Clock())
            await service.handle("telegram", USER, Start(), update_id="1")
            await service.remember_messages("telegram", USER, "chat-1", ["100", "101"])
            await service.handle("telegram", "someone else", Start())
            return await service.handle("telegram", USER, Command("forget"), update_id="2")

    result = run(main())
    assert result.forgotten and _n(result) == "forgotten" and result.locale == "sv"
    assert [(m.chat_ref, m.message_id) for m in result.messages] == [
        ("chat-1", "100"),
        ("chat-1", "101"),
    ]
    assert rows_mentioning(path, key) == []


def test_an_idle_session_expires_and_the_person_starts_afresh(tmp_path: Path) -> None:
    clock = Clock()

    async def main() -> list[str | None]:
        async with await open_store(tmp_path / "db", clock) as store:
            service = _service(store, clock)
            seen = [_n(await service.handle("telegram", USER, Start()))]
            clock.advance(hours=23)
            await store.purge(clock())
            seen.append(_n(await service.handle("telegram", USER, Start())))
            clock.advance(hours=24, seconds=1)
            await store.purge(clock())
            seen.append(_n(await service.handle("telegram", USER, Start())))
            return seen

    assert run(main()) == ["1", "2", "1"]


def test_the_turn_reads_the_clock_and_the_content_when_it_runs(tmp_path: Path) -> None:
    clock = Clock()
    versions = iter(["v1", "v2"])

    def content() -> Content:
        return replace(CONTENT, version=next(versions))

    def stamp(content: Content, old: Session | None, event: Event, now: datetime) -> Turn:
        return Turn(replace(session(at=now), version=content.version), ())

    async def main() -> Session | None:
        async with await open_store(tmp_path / "db", clock) as store:
            service = Conversations(store, content, SECRET, clock, step=stamp)
            await service.handle("web", USER, Start())
            clock.advance(minutes=5)
            await service.handle("web", USER, Start())
            async with store.conversation(service.key("web", USER), "web") as conv:
                return conv.session

    stored = run(main())
    assert stored is not None
    assert (stored.version, stored.updated) == ("v2", T0 + timedelta(minutes=5))


def test_the_service_imports_no_platform_or_database_driver() -> None:
    probe = (
        "import sys, bot.service, bot.storage;"
        "print(sorted({'telegram', 'aiohttp', 'aiosqlite', 'sqlite3'} & set(sys.modules)))"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=4
    )
    assert found.stdout.strip() == "[]", found.stderr


def test_what_a_turn_owes_survives_until_settled_and_a_redelivery_gets_it(
    tmp_path: Path,
) -> None:
    async def main() -> tuple[HandleResult, HandleResult, HandleResult, int]:
        async with await open_store(tmp_path / "db") as store:
            service = _service(store, Clock(T0))
            owed = {"n": 0}

            def owe(result: HandleResult) -> str:
                owed["n"] += 1
                return f"rendered {_n(result)}"

            first = await service.handle("telegram", USER, Start(), update_id="7", owe=owe)
            again = await service.handle("telegram", USER, Start(), update_id="7", owe=owe)
            await service.remember_messages("telegram", USER, "", ["1"], settled="7")
            settled = await service.handle("telegram", USER, Start(), update_id="7", owe=owe)
            return first, again, settled, owed["n"]

    first, again, settled, rendered = run(main())
    assert not first.duplicate and first.owed is None
    assert again.duplicate and again.owed == f"rendered {_n(first)}"
    assert settled.duplicate and settled.owed is None
    assert rendered == 1  # rendered once, in the turn that committed
