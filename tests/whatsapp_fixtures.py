"""The server with WhatsApp on, against the fake Graph API, for end-to-end tests.

    async with whatsapp_server(tmp_path) as wa:
        response = await wa.post(webhook(text_message(WA_ID, "Hej")))
        assert wa.fake.texts(WA_ID)[0].startswith("Hej!")

Time is fake, as in the Telegram tests: the pacer's clock moves only when it sleeps, and
every sleep is recorded.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer

from bot.channels.pacing import Pacer
from bot.channels.whatsapp import WEBHOOK_PATH
from bot.flows.model import Content
from bot.server import create_app
from bot.settings import Settings
from tests.engine_fixtures import CONTENT
from tests.fake_graph_api import (
    ACCESS_TOKEN,
    APP_SECRET,
    PHONE_NUMBER_ID,
    VERIFY_TOKEN,
    FakeGraphApi,
    encoded,
    signed,
)
from tests.storage_fixtures import SECRET, Clock
from tests.telegram_fixtures import FakeTime

WA_ID = "46701234567"  # a person's WhatsApp id: their phone number, digits only


def environment(base_url: str) -> dict[str, str]:
    return {
        "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
        "WHATSAPP_ACCESS_TOKEN": ACCESS_TOKEN,
        "WHATSAPP_APP_SECRET": APP_SECRET,
        "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
        "WHATSAPP_API_BASE_URL": base_url,
    }


@dataclass
class Harness:
    fake: FakeGraphApi
    client: TestClient[Any, Any]
    time: FakeTime
    content: list[Content]  # content[0] is live: replace it to change the content
    database: Path

    async def post(
        self, payload: dict[str, Any], *, secret: str | None = APP_SECRET
    ) -> ClientResponse:
        body = encoded(payload)
        headers = signed(body, secret) if secret is not None else {}
        response = await self.client.post(WEBHOOK_PATH, data=body, headers=headers)
        await response.read()
        return response


def settings(tmp_path: Path, base_url: str) -> Settings:
    return Settings(
        host="127.0.0.1",
        port=0,
        content=tmp_path / "unused",
        database=str(tmp_path / "lotsen.sqlite3"),
        secret=SECRET,
        session_ttl=timedelta(days=1),
        min_language_coverage=0.0,
        environment=environment(base_url),
    )


@asynccontextmanager
async def whatsapp_server(
    tmp_path: Path, *, content: Content = CONTENT, attempts: int = 5
) -> AsyncIterator[Harness]:
    fake = FakeGraphApi()
    base_url = await fake.start()
    time = FakeTime()
    live = [content]
    try:
        app = await create_app(
            settings(tmp_path, base_url),
            lambda: live[0],
            clock=Clock(),
            pacer=Pacer(clock=time.clock, sleep=time.sleep),
            attempts=attempts,
        )
        server = TestServer(app, host="127.0.0.1")
        try:
            await server.start_server(access_log=None)
        except BaseException:
            await app.cleanup()
            raise
        async with TestClient(server) as client:
            yield Harness(fake, client, time, live, tmp_path / "lotsen.sqlite3")
    finally:
        await fake.close()
