"""The server: one aiohttp application for every channel, health and metrics.

    app = await create_app(settings, ContentHolder.load(settings.content))  # or lambda: content
    web.run_app(app, host=settings.host, port=settings.port)

Routes: ``GET /healthz`` (liveness: the process answers); ``GET /readyz`` (readiness: the
store can commit now, else 503 with the reason); ``GET /metrics`` (Prometheus text format);
``POST /telegram/webhook`` when a bot token is set; ``POST /admin/reload`` when an admin token
is set (see ``bot.reload`` for live reload). Unexpected errors are answered as JSON and
logged as one line (``bot.http_errors``). ``create_app`` opens the store, so a channel
mounted on the app (the web chat) gets ``app[CONVERSATIONS]`` at once; Telegram starts when
the server starts (webhook registered, or long polling), and everything is closed in order
when it stops: Telegram first, so no turn runs against a closed store.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import NamedTuple

from aiohttp import web

from bot import metrics as outcomes
from bot.channels.pacing import Pacer
from bot.channels.web import add_web_routes
from bot.channels.web_tokens import SessionTokens
from bot.flows.model import Content
from bot.http_errors import RETRY_SECONDS, answer_errors, plain_request_errors
from bot.metrics import Metrics
from bot.reload import ContentError, ContentHolder, Watcher
from bot.service import Conversations
from bot.settings import Settings, SettingsError, TelegramSettings
from bot.storage import StorageError, Store, open_store, run_purge_periodically

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

Clock = Callable[[], datetime]
ContentProvider = Callable[[], Content]

CONVERSATIONS = web.AppKey("conversations", Conversations)
STORE = web.AppKey("store", Store)
METRICS = web.AppKey("metrics", Metrics)
CONTENT: web.AppKey[ContentProvider] = web.AppKey("content")
ADMIN_RELOAD_PATH = "/admin/reload"


def load_content(settings: Settings) -> Content:
    """The pack at ``settings.content``, with the languages translated enough to offer."""
    return load_holder(settings).current()


def load_holder(settings: Settings) -> ContentHolder:
    """A holder of the pack at ``settings.content``; raises ContentError when it has errors."""
    return ContentHolder.load(settings.content, min_coverage=settings.min_language_coverage)


def _utc_now() -> datetime:
    return datetime.now(UTC)


async def create_app(
    settings: Settings,
    source: ContentProvider | ContentHolder,
    *,
    clock: Clock = _utc_now,
    pacer: Pacer | None = None,
    poll_timeout: float | None = None,
    attempts: int | None = None,
) -> web.Application:
    """The application, its store open. The content is asked on every turn, so a reloaded
    pack applies at once. Given a :class:`ContentHolder` as ``source``, the server reloads
    it: on changed files and SIGHUP when ``settings.reload`` is on, and on ``POST
    /admin/reload`` when ``settings.admin_token`` is set. ``pacer``, ``poll_timeout`` and
    ``attempts`` (of one Bot API call) tune Telegram's sending and long polling; tests pass a
    pacer on a fake clock."""
    content = source.current if isinstance(source, ContentHolder) else source
    store = await open_store(settings.database, session_ttl=settings.session_ttl)
    try:
        await store.check()  # a server that cannot commit must not say it is serving
    except BaseException:
        await store.close()
        raise
    metrics = Metrics()
    app = web.Application(middlewares=[answer_errors(metrics)])
    app[STORE] = store
    app[METRICS] = metrics
    app[CONTENT] = content
    app[CONVERSATIONS] = Conversations(store, content, settings.secret, clock)
    app.router.add_get("/healthz", _healthz)
    app.router.add_get("/readyz", _readyz)
    app.router.add_get("/metrics", _metrics)
    add_web_routes(
        app,
        conversations=app[CONVERSATIONS],
        content_provider=content,
        settings=settings.web,
        tokens=SessionTokens(settings.secret),
    )
    # Cleanup contexts end in reverse order, also when a later one fails to start: the
    # store, entered first, is closed last, after everything that uses it has stopped.
    app.cleanup_ctx.append(_closing_store)
    app.cleanup_ctx.append(_purging(clock))
    if isinstance(source, ContentHolder):
        _mount_reload(app, source, settings)
    if settings.telegram is None:
        logger.info("Telegram is off: TELEGRAM_BOT_TOKEN is not set")
    else:
        _mount_telegram(app, settings.telegram, _Tuning(pacer, poll_timeout, attempts))
    return app


async def _healthz(request: web.Request) -> web.Response:
    """Liveness: cheap, touches nothing. A load balancer restarts a process that fails it."""
    return web.json_response({"status": "ok"})


async def _readyz(request: web.Request) -> web.Response:
    """Readiness: the store commits a tiny write now (bounded in time). 503 with the reason's
    code (``locked``, ``full``, ``readonly``, ``timeout``, ...) takes the instance out of a
    load balancer's rotation until the store recovers."""
    try:
        await request.app[STORE].check()
    except StorageError as exc:
        request.app[METRICS].store_failures.labels(exc.reason).inc()
        logger.warning("not ready: the store cannot commit (%s)", exc.reason)
        return web.json_response(
            {"status": "unavailable", "reason": exc.reason},
            status=503,
            headers={"Retry-After": str(RETRY_SECONDS)},
        )
    return web.json_response({"status": "ready"})


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


# --- live reload ---------------------------------------------------------------------------


def _mount_reload(app: web.Application, holder: ContentHolder, settings: Settings) -> None:
    if settings.admin_token:
        app.router.add_post(ADMIN_RELOAD_PATH, _admin_reload(holder, settings.admin_token))
    if not settings.reload:
        logger.info("live reload is off: LOTSEN_RELOAD is off")
        return

    async def reloading(app: web.Application) -> AsyncIterator[None]:
        tasks: set[asyncio.Task[object]] = set()
        watcher = asyncio.create_task(Watcher(holder, interval=settings.reload_interval).run())
        tasks.add(watcher)
        loop = asyncio.get_running_loop()
        hangup = _on_hangup(loop, holder, tasks)
        logger.info("live reload is on: watching %s and %s", holder.directory, holder.locales)
        yield
        if hangup:
            loop.remove_signal_handler(signal.SIGHUP)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    app.cleanup_ctx.append(reloading)


def _on_hangup(
    loop: asyncio.AbstractEventLoop, holder: ContentHolder, tasks: set[asyncio.Task[object]]
) -> bool:
    """Reload on SIGHUP; False where signals cannot be handled (not the main thread)."""

    def hangup() -> None:
        logger.info("SIGHUP: reloading the content")
        task: asyncio.Task[object] = asyncio.ensure_future(holder.reload_async())
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    try:
        loop.add_signal_handler(signal.SIGHUP, hangup)
    except (NotImplementedError, RuntimeError, ValueError, AttributeError):
        return False
    return True


def _admin_reload(
    holder: ContentHolder, token: str
) -> Callable[[web.Request], Awaitable[web.Response]]:
    expected = f"Bearer {token}".encode()

    async def admin_reload(request: web.Request) -> web.Response:
        given = request.headers.get("Authorization", "").encode()
        if not hmac.compare_digest(given, expected):
            return web.json_response(
                {"error": "unauthorized"},
                status=401,
                headers={"WWW-Authenticate": 'Bearer realm="lotsen-admin"'},
            )
        result = await holder.reload_async()
        return web.json_response(result.to_json(), status=200 if result.accepted else 422)

    return admin_reload


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
        except (ValueError, RecursionError):  # not JSON, or nested too deep to read
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
    plain_request_errors()
    try:
        settings = Settings.from_env(env)
        holder = load_holder(settings)
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    except ContentError as exc:
        for problem in exc.problems:
            print(problem.format(), file=sys.stderr)
        print(exc, file=sys.stderr)
        return 1
    try:
        web.run_app(
            create_app(settings, holder),
            host=settings.host,
            port=settings.port,
            access_log=None,  # an access log is a list of addresses: ids, by privacy rule 6
            print=lambda _: logger.info("serving on http://%s:%d", settings.host, settings.port),
        )
    except SettingsError as exc:  # found on starting: a token or address Telegram refuses
        print(exc, file=sys.stderr)
        return 2
    except StorageError as exc:
        print(f"LOTSEN_DATABASE {settings.database}: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # the address is taken, or not ours to bind
        print(f"cannot serve on {settings.host}:{settings.port}: {exc.strerror}", file=sys.stderr)
        return 1
    return 0
