"""Hostile requests and a failing store get a clear JSON answer, and nothing leaks into the
log: no traceback, no client address. Sessions are the server's to issue; readiness proves
the store can commit."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, closing
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.channels.web_tokens import TOKEN_CHARS, SessionTokens
from bot.server import STORE, create_app
from bot.settings import Settings
from tests.engine_fixtures import CONTENT
from tests.storage_fixtures import SECRET, Clock, run, tables
from tests.telegram_fixtures import WEBHOOK_SECRET
from tests.telegram_fixtures import settings as telegram_settings

Client = TestClient[web.Request, web.Application]
T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent
DEEP = "[" * 1000


def web_settings(tmp_path: Path) -> Settings:
    return replace(telegram_settings(tmp_path, "http://127.0.0.1:9/bot"), environment={})


@asynccontextmanager
async def served(settings: Settings, app: web.Application | None = None) -> AsyncIterator[Client]:
    app = app or await create_app(settings, lambda: CONTENT, clock=Clock())
    server = TestServer(app, host="127.0.0.1")
    await server.start_server(access_log=None)  # as `lotsen serve` runs it: no address log
    async with TestClient(server) as client:
        yield client


def on_server(tmp_path: Path, test: Callable[[Client], Awaitable[T]]) -> T:
    async def main() -> T:
        async with served(web_settings(tmp_path)) as client:
            return await test(client)

    return run(main(), timeout=20)


def assert_clean_log(caplog: pytest.LogCaptureFixture) -> None:
    """No traceback and no address in anything logged."""
    for record in caplog.records:
        assert record.exc_info is None, record.getMessage()
        assert "127.0.0.1" not in record.getMessage()
        assert "Traceback" not in record.getMessage()


async def new_session(client: Client) -> str:
    response = await client.post("/api/session", json={})
    assert response.status == 201
    return str((await response.json())["session"])


async def event(client: Client, session: str, **body: Any) -> tuple[int, Any]:
    response = await client.post("/api/event", json={"session": session, **body})
    return response.status, await response.json() if response.status != 204 else None


# --- 2. errors: JSON answers, one log line --------------------------------------------------


@pytest.mark.parametrize("path", ["/api/event", "/api/session", "/api/forget"])
def test_a_body_nested_too_deep_is_bad_json_and_logs_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, path: str
) -> None:
    async def test(client: Client) -> tuple[int, Any]:
        response = await client.post(path, data=DEEP, headers={"Content-Type": "application/json"})
        return response.status, await response.json()

    caplog.set_level(logging.DEBUG)
    # the bodies must fit the 4 KiB limit to reach the parser
    assert on_server(tmp_path, test) == (400, {"error": "bad_json"})
    assert_clean_log(caplog)


def test_the_client_limit_applies_before_the_body_is_read(tmp_path: Path) -> None:
    async def test(client: Client) -> list[int]:
        statuses = []
        for _ in range(400):
            response = await client.post(
                "/api/event", data=DEEP, headers={"Content-Type": "application/json"}
            )
            statuses.append(response.status)
        return statuses

    statuses = on_server(tmp_path, test)
    assert statuses[0] == 400 and statuses[-1] == 429  # refused unread once over the limit


def test_a_store_that_cannot_commit_answers_503_with_retry_after_and_one_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async def test(client: Client) -> tuple[int, dict[str, str], Any, str]:
        session = await new_session(client)
        store = client.app[STORE]
        # A real SQLITE_FULL: the database may not grow by one more page.
        db = store._db  # type: ignore[attr-defined]
        pages = await db.execute_fetchall("PRAGMA page_count")
        await db.execute(f"PRAGMA max_page_count = {pages[0][0]}")
        for _ in range(30):  # new sessions until one needs a page the file may not get
            response = await client.post("/api/session", json={})
            if response.status != 201:
                break
        # Readiness remembers the failed turn: rewriting its one row may still fit on disk.
        ready = await client.get("/readyz")
        assert (ready.status, (await ready.json())["reason"]) == (503, "full")
        metrics = await (await client.get("/metrics")).text()
        status, body = response.status, await response.json()
        del session
        return status, {k.lower(): v for k, v in response.headers.items()}, body, metrics

    caplog.set_level(logging.INFO)
    status, headers, body, metrics = on_server(tmp_path, test)
    assert status == 503
    assert body["error"] == "store_unavailable"
    assert headers["retry-after"] == "5" and headers["x-request-id"] == body["request"]
    assert 'lotsen_store_failures_total{reason="full"}' in metrics
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.http_errors"]
    assert lines == [f"request {body['request']}: the store is unavailable (full)"]
    assert_clean_log(caplog)


def test_an_unexpected_error_is_500_json_with_a_request_id_and_no_traceback(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async def boom(request: web.Request) -> web.Response:
        raise RecursionError("a secret the person typed")

    async def main() -> tuple[int, Any, str]:
        app = await create_app(web_settings(tmp_path), lambda: CONTENT, clock=Clock())
        app.router.add_get("/boom", boom)
        async with served(web_settings(tmp_path), app) as client:
            response = await client.get("/boom")
            return response.status, await response.json(), response.headers["X-Request-Id"]

    caplog.set_level(logging.DEBUG)
    status, body, request_id = run(main())
    assert (status, body["error"], body["request"]) == (500, "internal", request_id)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == [
        f"request {request_id} failed: RecursionError"
    ]
    assert "a secret" not in caplog.text
    assert_clean_log(caplog)


def test_the_webhook_acknowledges_a_body_nested_too_deep(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.telegram_fixtures import telegram_server

    async def main() -> int:
        async with telegram_server(tmp_path) as bot:
            response = await bot.client.post(
                "/telegram/webhook",
                data=DEEP,
                headers={
                    "Content-Type": "application/json",
                    "X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET,
                },
            )
            return response.status

    caplog.set_level(logging.DEBUG, logger="bot")
    assert run(main()) == 200  # delivering it again would not mend it
    assert_clean_log(caplog)


# --- 3. sessions the server issued ----------------------------------------------------------


def test_a_made_up_token_is_refused_and_makes_no_session(tmp_path: Path) -> None:
    async def test(client: Client) -> list[tuple[int, Any]]:
        return [await event(client, "A" * TOKEN_CHARS, type="start") for _ in range(3)]

    answers = on_server(tmp_path, test)
    assert answers == [(401, {"error": "bad_session"})] * 3
    assert tables(tmp_path / "lotsen.sqlite3")["sessions"] == []


def test_an_issued_token_works_and_is_refused_after_forget(tmp_path: Path) -> None:
    async def test(client: Client) -> tuple[int, int, int, int]:
        session = await new_session(client)
        started, _ = await event(client, session, type="start")
        typed, _ = await event(client, session, type="text", text="meny")
        forget = await client.post("/api/forget", json={"session": session})
        again, _ = await event(client, session, type="start")
        return started, typed, forget.status, again

    assert on_server(tmp_path, test) == (200, 200, 204, 401)
    assert tables(tmp_path / "lotsen.sqlite3")["sessions"] == []


def test_a_new_session_exists_at_once_but_counts_no_visit_until_it_is_used(
    tmp_path: Path,
) -> None:
    async def test(client: Client) -> None:
        await new_session(client)

    on_server(tmp_path, test)
    rows = tables(tmp_path / "lotsen.sqlite3")
    assert len(rows["sessions"]) == 1 and rows["usage"] == []


def test_a_token_from_another_server_or_too_old_is_refused() -> None:
    now = [1_800_000_000.0]
    tokens = SessionTokens(SECRET, clock=lambda: now[0], random=lambda n: b"\x01" * n)
    token = tokens.issue()
    assert len(token) == TOKEN_CHARS and tokens.valid(token)
    assert not SessionTokens(b"another secret", clock=lambda: now[0]).valid(token)
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    assert not tokens.valid(flipped)
    now[0] += 30 * 24 * 3600 + 1
    assert not tokens.valid(token)
    assert not tokens.valid("not a token") and not tokens.valid("é" * TOKEN_CHARS)


# --- 4. readiness ----------------------------------------------------------------------------


def test_readyz_commits_and_healthz_stays_cheap(tmp_path: Path) -> None:
    async def test(client: Client) -> tuple[int, Any, int]:
        ready = await client.get("/readyz")
        health = await client.get("/healthz")
        return ready.status, await ready.json(), health.status

    assert on_server(tmp_path, test) == (200, {"status": "ready"}, 200)


def test_readyz_is_503_with_the_reason_while_another_process_holds_the_database(
    tmp_path: Path,
) -> None:
    async def test(client: Client) -> tuple[int, Any, str, int, str]:
        database = tmp_path / "lotsen.sqlite3"
        with closing(
            sqlite3.connect(database, isolation_level=None, check_same_thread=False)
        ) as other:
            # Another process writing, and not letting go. In a thread: the server's own
            # startup purge may hold the lock for a moment and needs the event loop to end.
            await asyncio.to_thread(other.execute, "BEGIN IMMEDIATE")
            ready = await client.get("/readyz")
            body, retry = await ready.json(), ready.headers.get("Retry-After", "")
            health = (await client.get("/healthz")).status
            other.execute("ROLLBACK")
        metrics = await (await client.get("/metrics")).text()
        return ready.status, body, retry, health, metrics

    status, body, retry, health, metrics = on_server(tmp_path, test)
    assert (status, body, retry, health) == (
        503,
        {"status": "unavailable", "reason": "locked"},
        "5",
        200,
    )
    assert 'lotsen_store_failures_total{reason="locked"}' in metrics


# --- 5. serve checks its database before it says it is serving --------------------------------


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda p: (p / "file").write_text("x") and p / "file" / "lotsen.sqlite3", "cannot be"),
        (
            lambda p: (p / "notes.txt").write_text("not a database " * 100) and p / "notes.txt",
            "file is not a database",
        ),
    ],
    ids=["a file where its folder should be", "a file that is not a database"],
)
def test_serve_with_an_unusable_database_says_so_in_one_line(
    tmp_path: Path, make: Callable[[Path], Path], fragment: str
) -> None:
    database = make(tmp_path)
    env = {
        "PATH": "/usr/bin:/bin",
        "LOTSEN_DATABASE": str(database),
        "LOTSEN_SECRET_KEY": "k" * 40,
        "LOTSEN_CONTENT": str(ROOT / "content"),
        "LOTSEN_RELOAD": "off",
        "PORT": "18999",  # never bound: the database is checked first
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot", "serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "serving on" not in done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith(f"LOTSEN_DATABASE {database}:") and fragment in last


def test_aiohttps_own_request_errors_keep_only_the_errors_class() -> None:
    from bot.http_errors import PlainRequestErrors

    try:
        raise ValueError("a secret the person typed")
    except ValueError:
        info = sys.exc_info()
    record = logging.LogRecord(
        "aiohttp.server",
        logging.ERROR,
        __file__,
        1,
        "Error handling request from %s",
        ("10.0.0.7",),
        info,
    )
    assert PlainRequestErrors().filter(record)
    assert record.getMessage() == "request failed in aiohttp: ValueError"
    assert record.exc_info is None
    chatter = logging.LogRecord(
        "aiohttp.access", logging.INFO, __file__, 1, '10.0.0.7 "GET /"', (), None
    )
    assert not PlainRequestErrors().filter(chatter)
