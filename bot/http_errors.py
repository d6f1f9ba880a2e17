"""What the server answers and logs when a request goes wrong: JSON, a request id, one line.

    app = web.Application(middlewares=[answer_errors(metrics)])

A store that cannot commit is ``503 {"error": "store_unavailable"}`` with ``Retry-After``; any
other unexpected error is ``500 {"error": "internal"}``. Either way the log gets one line with
the error's class (or the store's reason) and a request id, which the response carries as
``X-Request-Id``: never a traceback (an exception's text or frames may hold what a person
typed) and never the client's address (privacy rule 6).
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.typedefs import Middleware

from bot.metrics import Metrics
from bot.storage import StorageError

logger = logging.getLogger(__name__)

REQUEST_ID = "X-Request-Id"
RETRY_SECONDS = 5
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def answer_errors(metrics: Metrics) -> Middleware:
    """A middleware turning unexpected errors into JSON answers and one log line each."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except web.HTTPException:
            raise  # an answer the handler chose (400, 401, 413, 429, ...)
        except StorageError as exc:
            request_id = secrets.token_hex(4)
            metrics.store_failures.labels(exc.reason).inc()
            logger.error("request %s: the store is unavailable (%s)", request_id, exc.reason)
            return _answer(
                503, "store_unavailable", request_id, {"Retry-After": str(RETRY_SECONDS)}
            )
        except Exception as exc:
            request_id = secrets.token_hex(4)
            metrics.request_errors.labels(type(exc).__name__).inc()
            logger.error("request %s failed: %s", request_id, type(exc).__name__)
            return _answer(500, "internal", request_id)

    return middleware


def _answer(
    status: int, code: str, request_id: str, headers: dict[str, str] | None = None
) -> web.Response:
    return web.Response(
        status=status,
        text=json.dumps({"error": code, "request": request_id}),
        content_type="application/json",
        headers={REQUEST_ID: request_id, **(headers or {})},
    )


class PlainRequestErrors(logging.Filter):
    """aiohttp's own request-handling logs ("Error handling request from 10.0.0.7" with a
    traceback) name the client and may quote its input: keep only the error's class.
    Installed by ``lotsen serve`` on the ``aiohttp.server`` and ``aiohttp.web`` loggers."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[0] is not None:
            name = record.exc_info[0].__name__
        elif record.levelno < logging.WARNING:
            return False  # debug chatter may carry addresses
        else:
            name = "error"
        record.msg, record.args = "request failed in aiohttp: %s", (name,)
        record.exc_info = record.exc_text = None
        record.stack_info = None
        return True


def plain_request_errors() -> None:
    """Install :class:`PlainRequestErrors` (once) where aiohttp logs request failures."""
    for name in ("aiohttp.server", "aiohttp.web", "aiohttp.access"):
        target = logging.getLogger(name)
        if not any(isinstance(f, PlainRequestErrors) for f in target.filters):
            target.addFilter(PlainRequestErrors())
