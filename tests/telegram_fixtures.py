"""The server with Telegram on, against the fake Bot API, for end-to-end tests.

    async with telegram_server(tmp_path) as bot:
        response = await bot.post(bot.fake.text_update(CHAT, "/start"))
        assert bot.fake.texts(CHAT)[0] == "Hej! Jag är Lotsen."

Time is fake: the pacer's clock moves only when it sleeps, and every sleep is recorded, so a
429 with ``retry_after`` costs the test nothing and can still be checked.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer

from bot.channels.pacing import Pacer
from bot.channels.telegram import SECRET_HEADER, WEBHOOK_PATH
from bot.flows.model import Content
from bot.server import CONVERSATIONS, create_app
from bot.service import Conversations
from bot.settings import Settings
from tests.engine_fixtures import CONTENT
from tests.fake_bot_api import FakeBotApi
from tests.storage_fixtures import SECRET, Clock

TOKEN = "123456:TEST-token_for-the-fake"
WEBHOOK_SECRET = "the-webhook-secret_42"
CHAT = 555000111


@dataclass
class FakeTime:
    """A monotonic clock that moves only when something sleeps on it."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


@dataclass
class Harness:
    fake: FakeBotApi
    client: TestClient[Any, Any]
    time: FakeTime
    content: list[Content]  # content[0] is live: replace it to change the content
    database: Path

    @property
    def conversations(self) -> Conversations:
        assert isinstance(self.client.server, TestServer)
        return self.client.server.app[CONVERSATIONS]

    async def post(
        self, update: dict[str, Any], *, secret: str | None = WEBHOOK_SECRET
    ) -> ClientResponse:
        headers = {} if secret is None else {SECRET_HEADER: secret}
        response = await self.client.post(WEBHOOK_PATH, json=update, headers=headers)
        await response.read()
        return response

    async def wait_for(self, condition: Callable[[], bool], timeout: float = 3.0) -> None:
        """Until ``condition()`` holds (the poller runs in the background)."""
        async with asyncio.timeout(timeout):
            while not condition():
                await asyncio.sleep(0.01)


def settings(tmp_path: Path, base_url: str, *, webhook: bool = True) -> Settings:
    """Telegram on, against the fake at ``base_url``; ``environment={}`` turns it off."""
    telegram = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "TELEGRAM_API_BASE_URL": base_url,
    }
    if webhook:
        telegram["TELEGRAM_WEBHOOK_URL"] = "https://bot.example.se/telegram/webhook"
    return Settings(
        host="127.0.0.1",
        port=0,
        content=tmp_path / "unused",
        database=str(tmp_path / "lotsen.sqlite3"),
        secret=SECRET,
        session_ttl=timedelta(days=1),
        min_language_coverage=0.0,
        environment=telegram,
    )


@asynccontextmanager
async def telegram_server(
    tmp_path: Path,
    *,
    webhook: bool = True,
    content: Content = CONTENT,
    attempts: int = 5,
    fake: FakeBotApi | None = None,
) -> AsyncIterator[Harness]:
    fake = fake or FakeBotApi()
    base_url = await fake.start()
    time = FakeTime()
    live = [content]
    try:
        app = await create_app(
            settings(tmp_path, base_url, webhook=webhook),
            lambda: live[0],
            clock=Clock(),
            pacer=Pacer(clock=time.clock, sleep=time.sleep),
            poll_timeout=1.0,
            attempts=attempts,
        )
        server = TestServer(app, host="127.0.0.1")
        try:
            await server.start_server(access_log=None)  # as `lotsen serve` runs it
        except BaseException:
            await app.cleanup()  # as run_app does when the start fails
            raise
        async with TestClient(server) as client:
            yield Harness(fake, client, time, live, tmp_path / "lotsen.sqlite3")
    finally:
        await fake.close()
