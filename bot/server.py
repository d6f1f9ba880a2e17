"""The server: one aiohttp application for every channel, health and metrics.

    app = await create_app(settings, ContentHolder.load(settings.content))  # or lambda: content
    web.run_app(app, host=settings.host, port=settings.port)

Routes: ``GET /healthz`` (liveness: the process answers); ``GET /readyz`` (readiness: the
store can commit now, else 503 with the reason); ``GET /metrics`` (Prometheus text format);
``POST /admin/reload`` when an admin token is set (see ``bot.reload`` for live reload); and
each channel's own, for every channel of ``bot.channels.registry`` that its settings turn on
(the web chat at ``/`` and ``/api/``, ``POST /telegram/webhook`` when a bot token is set).
Unexpected errors are answered as JSON and logged as one line (``bot.http_errors``).
``create_app`` opens the store before mounting the channels, so they get the conversations at
once; the channels start when the server starts (Telegram registers its webhook or starts
long polling), and everything is closed in order when it stops: the channels first, so no turn
runs against a closed store.
"""

from __future__ import annotations

import asyncio
import gc
import hmac
import logging
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from datetime import UTC, date, datetime

from aiohttp import web

from bot import metrics as outcomes
from bot.channels import registry
from bot.channels.channel import ATTEMPTS, POLL_TIMEOUT, Channel, Services, Tuning
from bot.channels.pacing import Pacer
from bot.directory import hours
from bot.flows.model import Content
from bot.http_errors import RETRY_SECONDS, answer_errors, plain_request_errors
from bot.i18n import renderer
from bot.metrics import Metrics
from bot.reload import ContentError, ContentHolder, Watcher
from bot.service import Conversations
from bot.settings import Settings, SettingsError
from bot.storage import StorageError, Store, open_store, redacted, run_purge_periodically

logger = logging.getLogger(__name__)

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
    """A holder of the pack at ``settings.content``; raises ContentError when it has errors.
    Files not loaded before are read in a child process (``bot.pack.apart``), so the
    server does not keep what reading them costs."""
    return ContentHolder.load(
        settings.content,
        min_coverage=settings.min_language_coverage,
        cache=settings.content_cache,
        apart=True,
    )


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _holidays_of(content: Content) -> Mapping[int, frozenset[date]]:
    """The public holidays the pack's directory was loaded with (none without one)."""
    return content.directory.public_holidays if content.directory is not None else {}


async def create_app(
    settings: Settings,
    source: ContentProvider | ContentHolder,
    *,
    clock: Clock = _utc_now,
    pacer: Pacer | None = None,
    poll_timeout: float | None = None,
    attempts: int | None = None,
    channels: Sequence[Channel] | None = None,
    tune_collector: bool = False,
) -> web.Application:
    """The application, its store open. The content is asked on every turn, so a reloaded
    pack applies at once. Given a :class:`ContentHolder` as ``source``, the server reloads
    it: on changed files and SIGHUP when ``settings.reload`` is on, and on ``POST
    /admin/reload`` when ``settings.admin_token`` is set. ``channels`` are those the
    settings turn on unless given (``lotsen serve`` configures them before it loads the
    content). ``pacer``, ``poll_timeout`` and ``attempts`` (of one platform call) tune the
    channels' sending and long polling; tests pass a pacer on a fake clock.
    ``tune_collector`` (``lotsen serve``, a process of its own): the garbage collector set
    for a long-running server once it has started (:func:`_tune_collector`)."""
    if channels is None:
        channels = registry.configure(settings.environment, settings.secret)
    content = source.current if isinstance(source, ContentHolder) else source
    store = await open_store(settings.database, session_ttl=settings.session_ttl)
    try:
        await store.check()  # a server that cannot commit must not say it is serving
    except BaseException:
        await store.close()
        raise
    hours.prepare(clock(), _holidays_of(content()))
    renderer.prepare(content())
    metrics = Metrics()
    app = web.Application(middlewares=[answer_errors(metrics)])
    app[STORE] = store
    app[METRICS] = metrics
    app[CONTENT] = content
    app[CONVERSATIONS] = Conversations(store, content, settings.secret, clock)
    app.router.add_get("/healthz", _healthz)
    app.router.add_get("/readyz", _readyz)
    app.router.add_get("/metrics", _metrics)
    tuning = Tuning(
        pacer,
        ATTEMPTS if attempts is None else attempts,
        POLL_TIMEOUT if poll_timeout is None else poll_timeout,
        share=1.0 / settings.instances,
    )
    services = Services(app[CONVERSATIONS], content, metrics, tuning)
    for channel in channels:
        channel.mount(app, services)
    # Cleanup contexts end in reverse order, also when a later one fails to start: the
    # store, entered first, is closed last, after everything that uses it has stopped.
    app.cleanup_ctx.append(_closing_store)
    app.cleanup_ctx.append(_purging(clock))
    if isinstance(source, ContentHolder):
        _mount_reload(app, source, settings)
    for channel in channels:
        app.cleanup_ctx.append(_running(channel))
    if tune_collector:  # after the channels' start: on_startup runs the cleanup contexts first
        app.on_startup.append(_tune_collector)
    return app


YOUNG_OBJECTS = 10_000  # the youngest generation's threshold; Python's default is 700


async def _tune_collector(app: web.Application) -> None:
    """The garbage collector set for a server, measured with ``gc.callbacks`` over 3,700
    Telegram updates at saturation (bench/loadgen.py):

    - What start-up made (modules, the pack, the channels' clients: objects that live as
      long as the process) goes to the collector's permanent generation. Each full
      collection walked all of them: two pauses of 60-70 ms during the run, and every
      person's answer in flight waited behind each (now 2-7 ms). They are still freed when
      nothing refers to them any more (a reloaded pack's are: it holds no cycles), only no
      longer scanned.
    - The youngest generation is collected after 10,000 new objects instead of 700: a turn
      makes hundreds, nearly all freed by reference counting, and 400 collections of it
      cost 200 ms in that run (now 7 collections, 15-21 ms).

    For a process that serves (``lotsen serve``), not for a test's app in a shared one."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_OBJECTS, *gc.get_threshold()[1:])


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


def _running(channel: Channel) -> Callable[[web.Application], AsyncIterator[None]]:
    async def running(app: web.Application) -> AsyncIterator[None]:
        await channel.start()
        yield
        await channel.stop()

    return running


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
        channels = registry.configure(settings.environment, settings.secret)
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
            create_app(settings, holder, channels=channels, tune_collector=True),
            host=settings.host,
            port=settings.port,
            access_log=None,  # an access log is a list of addresses: ids, by privacy rule 6
            print=lambda _: logger.info("serving on http://%s:%d", settings.host, settings.port),
        )
    except SettingsError as exc:  # found on starting: a token or address a platform refuses
        print(exc, file=sys.stderr)
        return 2
    except StorageError as exc:
        print(f"LOTSEN_DATABASE {redacted(settings.database)}: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # the address is taken, or not ours to bind
        print(f"cannot serve on {settings.host}:{settings.port}: {exc.strerror}", file=sys.stderr)
        return 1
    return 0
