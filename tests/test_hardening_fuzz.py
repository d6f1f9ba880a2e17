"""Arbitrary JSON at the web API and the Telegram webhook (deep, wide, odd types, odd Unicode):
never a 5xx, never a traceback or an address in the log, never the typed marker on disk.

The server runs on 127.0.0.1 in a thread of its own, as `lotsen serve` runs it; hypothesis
posts from the test's thread.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.server import create_app
from tests.engine_fixtures import CONTENT
from tests.fake_bot_api import FakeBotApi
from tests.storage_fixtures import Clock
from tests.telegram_fixtures import WEBHOOK_SECRET
from tests.telegram_fixtures import settings as telegram_settings

MARKER = "Zebulon-7f3a"  # typed by no one else: if it reaches the disk, something kept it
EXAMPLES = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.just(MARKER),
)
anything = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=40,
)
event_types = st.sampled_from(["start", "choice", "text", "command", "", "x"]) | anything
web_bodies = st.one_of(
    anything,
    st.fixed_dictionaries(
        {"type": event_types, "text": st.one_of(st.just(f"min son {MARKER}"), anything)},
        optional={
            "token": anything,
            "name": anything,
            "arg": anything,
            "payload": anything,
            "locale_hint": anything,
        },
    ),
)
deep = st.integers(min_value=50, max_value=3000).map(lambda n: "[" * n + "]" * n)
odd_text = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=200).map(
    lambda text: text + MARKER
)


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class ThreadedServer:
    """The whole server (create_app) on a free port, its loop in a thread."""

    def __init__(self, tmp_path: Path, *, telegram: bool) -> None:
        self.tmp_path = tmp_path
        self.telegram = telegram
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.url = ""

    def call(self, coroutine: Any) -> Any:
        future: Future[Any] = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        return future.result(30)

    def __enter__(self) -> ThreadedServer:
        self.thread.start()
        self.call(self._start())
        return self

    def __exit__(self, *exc: object) -> None:
        self.call(self._stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()

    async def _start(self) -> None:
        self.fake = FakeBotApi()
        base_url = await self.fake.start()
        settings_ = telegram_settings(self.tmp_path, base_url)
        if not self.telegram:
            from dataclasses import replace

            settings_ = replace(settings_, environment={})
        app: web.Application = await create_app(settings_, lambda: CONTENT, clock=Clock())
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server(access_log=None)
        self.url = str(self.server.make_url("")).rstrip("/")

    async def _stop(self) -> None:
        await self.server.close()
        await self.fake.close()

    def post(self, path: str, body: bytes, headers: dict[str, str] | None = None) -> int:
        request = urllib.request.Request(
            self.url + path,
            data=body,
            headers={"Content-Type": "application/json", **(headers or {})},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)


@pytest.fixture
def records() -> Iterator[Records]:
    handler = Records()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(old_level)


def assert_clean(records: Records, tmp_path: Path) -> None:
    for record in records.records:
        assert record.exc_info is None, record.getMessage()
        assert "127.0.0.1" not in record.getMessage()
        assert MARKER not in record.getMessage()
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert MARKER.encode() not in path.read_bytes(), path


def session(server: ThreadedServer) -> str:
    request = urllib.request.Request(
        server.url + "/api/session", data=b"{}", headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=20) as response:
        return str(json.loads(response.read())["session"])


def test_the_web_api_answers_any_json_without_5xx_or_leaks(
    tmp_path: Path, records: Records
) -> None:
    with ThreadedServer(tmp_path, telegram=False) as server:
        token = session(server)
        statuses: list[int] = []

        @EXAMPLES
        @given(
            body=web_bodies, with_session=st.booleans(), path=st.sampled_from(["event", "forget"])
        )
        def post(body: Any, with_session: bool, path: str) -> None:
            if with_session and isinstance(body, dict) and path == "event":
                body = {**body, "session": token}
            raw = json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass")
            status = server.post(f"/api/{path}", raw)
            statuses.append(status)
            assert status < 500, (status, body)

        @EXAMPLES
        @given(raw=deep | odd_text)
        def post_raw(raw: str) -> None:
            status = server.post("/api/event", raw.encode("utf-8", "surrogatepass"))
            assert status < 500

        post()
        post_raw()
    assert 200 in statuses or 400 in statuses
    assert_clean(records, tmp_path)


def test_the_webhook_answers_any_json_without_5xx_or_leaks(
    tmp_path: Path, records: Records
) -> None:
    secret = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
    with ThreadedServer(tmp_path, telegram=True) as server:

        @EXAMPLES
        @given(
            body=anything
            | st.fixed_dictionaries(
                {"update_id": anything, "message": anything},
                optional={"callback_query": anything, "edited_message": anything},
            )
            | st.builds(
                lambda chat, text: server.fake.text_update(chat, text),
                st.integers(min_value=1, max_value=10**12),
                odd_text,
            )
        )
        def post(body: Any) -> None:
            raw = json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass")
            assert server.post("/telegram/webhook", raw, secret) < 500, body

        @EXAMPLES
        @given(raw=deep)
        def post_raw(raw: str) -> None:
            assert server.post("/telegram/webhook", raw.encode(), secret) < 500

        post()
        post_raw()
    assert_clean(records, tmp_path)
