"""Helpers for the web chat's tests: an app with a real SQLite store, in-process or on a
real port in a thread of its own (for the browser), and the way to a flow by its buttons."""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.channels.channel import Services
from bot.channels.web import WebChannel
from bot.channels.web_limits import WebLimits
from bot.channels.web_settings import WebSettings
from bot.channels.web_tokens import SessionTokens
from bot.flows.model import Content
from bot.service import Conversations
from tests.storage_fixtures import SECRET, open_store, tables

T = TypeVar("T")

NEUTRAL_PATH = "/neutral"
NEUTRAL_TEXT = "A neutral page"


def make_app(
    conversations: Conversations,
    content: Content,
    settings: WebSettings,
    limits: WebLimits | None = None,
) -> web.Application:
    app = web.Application()
    channel = WebChannel(settings, SessionTokens(SECRET), limits)
    channel.mount(app, Services(conversations, lambda: content))

    # Where the quick exit goes in tests: there is no network to reach a real neutral site.
    async def neutral(request: web.Request) -> web.Response:
        page = (
            '<!doctype html><title>x</title><link rel="icon" href="/static/icon.svg">'
            f"<p>{NEUTRAL_TEXT}</p>"
        )
        return web.Response(text=page, content_type="text/html")

    app.router.add_get(NEUTRAL_PATH, neutral)
    return app


async def with_client(
    database: Path,
    content: Content,
    test: Callable[[TestClient[web.Request, web.Application]], Awaitable[T]],
    *,
    settings: WebSettings | None = None,
    limits: WebLimits | None = None,
    clock: Callable[[], datetime],
) -> T:
    """Run ``test`` against the web chat on 127.0.0.1 with a store at ``database``."""
    async with await open_store(database) as store:
        conversations = Conversations(store, lambda: content, SECRET, clock)
        app = make_app(conversations, content, settings or WebSettings(), limits)
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            return await test(client)


class LiveServer:
    """The web chat on a free port of 127.0.0.1, served from a thread with its own event
    loop, so a synchronous browser driver can talk to it from the test's thread."""

    def __init__(
        self,
        database: Path,
        content: Content,
        *,
        clock: Callable[[], datetime],
        settings: WebSettings | None = None,
    ) -> None:
        self.database = database
        self._content = content
        self._clock = clock
        self._settings = settings or WebSettings(exit_url=NEUTRAL_PATH)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None
        self.conversations: Conversations | None = None
        self.url = ""

    def __enter__(self) -> LiveServer:
        self._thread.start()
        self.call(self._start())
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.call(self._stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    def call(self, coroutine: Coroutine[Any, Any, T], timeout: float = 10.0) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    async def _start(self) -> None:
        self._store = await open_store(self.database)
        self.conversations = Conversations(self._store, lambda: self._content, SECRET, self._clock)
        app = make_app(self.conversations, self._content, self._settings)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"

    async def _stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        await self._store.close()

    def session_keys(self) -> set[str]:
        """The keys of every session stored now (read from the file, not through the app)."""
        return {str(row[0]) for row in tables(self.database)["sessions"]}

    def key(self, token: str) -> str:
        assert self.conversations is not None
        return self.conversations.key("web", token)


def path_to(content: Content, target: str) -> list[str]:
    """The labels (msgids) of the options to press, from the start, to reach ``target``.

    A breadth-first walk over unconditional options, following ``next`` at once as the
    engine does; so a test names where to go, not the buttons of today's content.
    """

    def rest(ref: str) -> str:
        seen = set()
        while content.steps[ref].next is not None and ref not in seen:
            seen.add(ref)
            following = content.steps[ref].next
            assert following is not None
            ref = following
        return ref

    def chain(ref: str) -> set[str]:
        refs = {ref}
        while content.steps[ref].next is not None and content.steps[ref].next not in refs:
            following = content.steps[ref].next
            assert following is not None
            ref = following
            refs.add(ref)
        return refs

    start = content.start
    queue: deque[tuple[str, list[str]]] = deque([(start, [])])
    seen = {start}
    while queue:
        ref, labels = queue.popleft()
        if target in chain(ref):
            return labels
        for option in content.steps[rest(ref)].options:
            if option.when or option.goto in seen:
                continue
            seen.add(option.goto)
            queue.append((option.goto, [*labels, option.label]))
    raise AssertionError(f"no way from {start} to {target} by unconditional options")
