"""The server: one aiohttp application for every channel, health and metrics.

    app = await create_app(settings, lambda: content)
    web.run_app(app, host=settings.host, port=settings.port)

Routes: ``GET /healthz``; ``GET /metrics`` (Prometheus text format); ``POST
/telegram/webhook`` when a bot token is set. ``create_app`` opens the store, so a channel
mounted on the app (the web chat) gets ``app[CONVERSATIONS]`` at once; Telegram starts when
the server starts (webhook registered, or long polling), and everything is closed in order
when it stops: Telegram first, so no turn runs against a closed store.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import sys
from collections.abc import AsyncIterator, Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

from aiohttp import web

from bot import metrics as outcomes
from bot.channels.pacing import Pacer
from bot.channels.web import add_web_routes
from bot.flows.loader import load_pack
from bot.flows.model import Content
from bot.flows.problems import Problem
from bot.metrics import Metrics
from bot.service import Conversations
from bot.settings import Settings, SettingsError, TelegramSettings
from bot.storage import Store, open_store, run_purge_periodically

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

Clock = Callable[[], datetime]
ContentProvider = Callable[[], Content]

CONVERSATIONS = web.AppKey("conversations", Conversations)
STORE = web.AppKey("store", Store)
METRICS = web.AppKey("metrics", Metrics)
CONTENT: web.AppKey[ContentProvider] = web.AppKey("content")


class ContentError(Exception):
    """The content pack has errors; the server does not start with them."""

    def __init__(self, directory: Path, problems: tuple[Problem, ...]) -> None:
        super().__init__(f"{directory}: the pack has errors; run `lotsen validate {directory}`")
        self.problems = problems


def load_content(settings: Settings) -> Content:
    """The pack at ``settings.content``, with the languages translated enough to offer."""
    result = load_pack(settings.content, min_coverage=settings.min_language_coverage)
    if result.content is None:
        raise ContentError(settings.content, tuple(p for p in result.problems if p.is_error))
    return result.content


def _utc_now() -> datetime:
    return datetime.now(UTC)


async def create_app(
    settings: Settings,
    content: ContentProvider,
    *,
    clock: Clock = _utc_now,
    pacer: Pacer | None = None,
    poll_timeout: float | None = None,
    attempts: int | None = None,
) -> web.Application:
    """The application, its store open. ``content`` is asked on every turn, so a reloaded
    pack applies at once. ``pacer``, ``poll_timeout`` and ``attempts`` (of one Bot API call)
    tune Telegram's sending and long polling; tests pass a pacer on a fake clock."""
    store = await open_store(settings.database, session_ttl=settings.session_ttl)
    app = web.Application()
    app[STORE] = store
    app[METRICS] = Metrics()
    app[CONTENT] = content
    app[CONVERSATIONS] = Conversations(store, content, settings.secret, clock)
    app.router.add_get("/healthz", _healthz)
    app.router.add_get("/metrics", _metrics)
    add_web_routes(
        app,
        conversations=app[CONVERSATIONS],
        content_provider=content,
        settings=settings.web,
    )
    # Cleanup contexts end in reverse order, also when a later one fails to start: the
    # store, entered first, is closed last, after everything that uses it has stopped.
    app.cleanup_ctx.append(_closing_store)
    app.cleanup_ctx.append(_purging(clock))
    if settings.telegram is None:
        logger.info("Telegram is off: TELEGRAM_BOT_TOKEN is not set")
    else:
        _mount_telegram(app, settings.telegram, _Tuning(pacer, poll_timeout, attempts))
    return app


async def _healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def _metrics(request: web.Request) -> web.Response:
    body = request.app[METRICS].render()
    return web.Response(body=body, headers={"Content-Type": outcomes.CONTENT_TYPE})


def _purging(clock: Clock) -> Callable[[web.Application], AsyncIterator[None]]:
    async def purging(app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(run_purge_periodically(app[STORE], clock))
        yield
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    return purging


async def _closing_store(app: web.Application) -> AsyncIterator[None]:
    yield
    await app[STORE].close()


# --- Telegram ------------------------------------------------------------------------------


class _Tuning(NamedTuple):
    pacer: Pacer | None
    poll_timeout: float | None
    attempts: int | None


def _mount_telegram(
    app: web.Application,
    settings: TelegramSettings,
    tuning: _Tuning,
) -> None:
    # Imported here: a server without a token never loads python-telegram-bot.
    from bot.channels.telegram import ATTEMPTS, POLL_TIMEOUT, TelegramChannel, make_bot

    channel = TelegramChannel(
        make_bot(settings.token, settings.api_base_url),
        app[CONVERSATIONS],
        app[CONTENT],
        seen_update=app[STORE].seen_update,
        metrics=app[METRICS],
        protect_content=settings.protect_content,
        pacer=tuning.pacer,
        poll_timeout=POLL_TIMEOUT if tuning.poll_timeout is None else tuning.poll_timeout,
        attempts=ATTEMPTS if tuning.attempts is None else tuning.attempts,
    )

    async def running(app: web.Application) -> AsyncIterator[None]:
        await channel.start(settings.webhook_url, settings.webhook_secret)
        mode = "webhook" if settings.webhook_url else "long polling"
        logger.info("Telegram is on (%s)", mode)
        yield
        await channel.stop()

    async def webhook(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER)
        if given is None or not hmac.compare_digest(
            given.encode(), settings.webhook_secret.encode()
        ):
            app[METRICS].updates.labels("telegram", outcomes.REJECTED).inc()
            return web.Response(status=401 if given is None else 403)
        try:
            data = await request.json()
        except ValueError:
            data = None  # answered 200 below: delivering it again would not mend it
        done = await channel.process_json(data)
        # 500 asks Telegram to deliver the update again, later.
        return web.Response(status=200 if done else 500)

    app.cleanup_ctx.append(running)
    app.router.add_post(WEBHOOK_PATH, webhook)


# --- `lotsen serve` --------------------------------------------------------------------------


def serve(env: Mapping[str, str]) -> int:
    """Read the settings and the content, then serve until stopped; returns the exit code.
    Mistakes in either are printed, all of them, and the server does not start."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        settings = Settings.from_env(env)
        content = load_content(settings)
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    except ContentError as exc:
        for problem in exc.problems:
            print(problem.format(), file=sys.stderr)
        print(exc, file=sys.stderr)
        return 1
    logger.info("serving on http://%s:%d", settings.host, settings.port)
    try:
        web.run_app(
            create_app(settings, lambda: content),
            host=settings.host,
            port=settings.port,
            access_log=None,  # an access log is a list of addresses: ids, by privacy rule 6
            print=None,
        )
    except SettingsError as exc:  # found on starting: a token or address Telegram refuses
        print(exc, file=sys.stderr)
        return 2
    return 0
