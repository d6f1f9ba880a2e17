"""python-telegram-bot's transport on an ``aiohttp.ClientSession``.

    bot = Bot(token, request=AiohttpRequest(), get_updates_request=AiohttpRequest())

PTB's default transport (httpx) costs the bot most of its CPU time under load (see
``../shared/PERF-NOTES.md``); aiohttp is already the server's library and is several times
cheaper. This class keeps the behaviour of PTB's own ``HTTPXRequest``: the same default
timeouts, a bounded connection pool, multipart uploads for files, and every failure raised
as PTB's ``TimedOut`` or ``NetworkError`` so the Bot's callers see one set of errors.

Error messages carry only the error's class: an aiohttp message can quote the URL, and the
URL holds the bot's token.

``post_json`` is the one call that skips PTB's layers: a body the caller has already encoded,
and the answer's ``result`` as plain JSON. ``sendMessage`` takes it on every turn; PTB's
``Bot`` would encode each parameter twice and then build a ``Message`` from the answer.
Its failures are PTB's exceptions, made as PTB makes them (:func:`bot_api_error`).
"""

from __future__ import annotations

import asyncio
import json
from http import HTTPStatus
from typing import Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import JSONDict, ODVInput
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import BaseRequest, RequestData


class AiohttpRequest(BaseRequest):
    """A ``BaseRequest`` on one aiohttp session, created by :meth:`initialize`."""

    __slots__ = (
        "_connect_timeout",
        "_media_write_timeout",
        "_pool_size",
        "_pool_timeout",
        "_read_timeout",
        "_session",
        "_write_timeout",
    )

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        # Made here, not in __init__: a ClientSession belongs to the running event loop.
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size)
            self._session = aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": self.USER_AGENT}
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        files = request_data.multipart_data if request_data else None
        body: aiohttp.FormData | bytes | None = None
        headers: dict[str, str] = {}
        if request_data is not None and files:
            body = _multipart(request_data.json_parameters, files)
        elif request_data is not None:
            # The Bot API takes JSON bodies; one encoding for every call keeps the fake simple.
            body = request_data.json_payload
            headers["Content-Type"] = "application/json"
        timeouts = (read_timeout, write_timeout, connect_timeout, pool_timeout)
        return await self._exchange(url, method, body, headers, timeouts, media=bool(files))

    async def post_json(self, url: str, body: bytes) -> Any:
        """POST ``body``, JSON already encoded, with the default timeouts; the answer's
        ``result``. A refusal raises the exception PTB would (:func:`bot_api_error`); the
        network's failures are ``TimedOut`` and ``NetworkError`` as in :meth:`do_request`."""
        headers = {"Content-Type": "application/json"}
        unset = (BaseRequest.DEFAULT_NONE,) * 4
        code, payload = await self._exchange(url, "POST", body, headers, unset, media=False)
        if not HTTPStatus.OK <= code <= 299:
            raise bot_api_error(code, payload)
        return self.parse_json_payload(payload).get("result")

    async def _exchange(
        self,
        url: str,
        method: str,
        body: aiohttp.FormData | bytes | None,
        headers: dict[str, str],
        timeouts: tuple[ODVInput[float], ODVInput[float], ODVInput[float], ODVInput[float]],
        *,
        media: bool,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        read_timeout, write_timeout, connect_timeout, pool_timeout = timeouts
        read = _given(read_timeout, self._read_timeout)
        connect = _given(connect_timeout, self._connect_timeout)
        pool = _given(pool_timeout, self._pool_timeout)
        write = _given(write_timeout, self._media_write_timeout if media else self._write_timeout)
        timeout = aiohttp.ClientTimeout(
            total=None,
            # aiohttp's `connect` covers waiting for a pooled connection and connecting.
            connect=None if pool is None or connect is None else pool + connect,
            sock_connect=connect,
            sock_read=read,
        )
        # aiohttp has no write timeout of its own: bound the whole exchange instead.
        limit = None if None in (read, write, connect, pool) else _sum(read, write, connect, pool)
        try:
            async with asyncio.timeout(limit):
                async with self._session.request(
                    method, url, data=body, headers=headers, timeout=timeout
                ) as response:
                    return response.status, await response.read()
        except TelegramError:
            raise
        except TimeoutError as err:  # asyncio's and aiohttp's timeouts both derive from it
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{type(err).__name__}") from err

    @staticmethod
    def parse_json_payload(payload: bytes) -> JSONDict:
        # PTB's own logs the whole payload when it is not JSON; it may quote a message.
        try:
            data = json.loads(payload.decode("utf-8", "replace"))
        except ValueError as exc:
            raise TelegramError("Invalid server response") from exc
        if not isinstance(data, dict):
            raise TelegramError("Invalid server response")
        return data


def bot_api_error(code: int, payload: bytes) -> TelegramError:
    """The exception for a Bot API answer with HTTP status ``code``, as PTB's own
    ``BaseRequest`` makes it (``retry_after`` and ``migrate_to_chat_id`` first, then by
    status), so that callers, and ``telegram_transport.classify``, see one set of errors.
    The message is Telegram's ``description``; never the payload, which may quote a text."""
    try:
        message = f"{HTTPStatus(code).phrase} ({code})"
    except ValueError:
        message = f"Unknown HTTPError ({code})"
    try:
        answer = AiohttpRequest.parse_json_payload(payload)
    except TelegramError:
        answer = {}
    message = answer.get("description") or message
    parameters = answer.get("parameters")
    if isinstance(parameters, dict):
        if parameters.get("migrate_to_chat_id"):
            return ChatMigrated(parameters["migrate_to_chat_id"])
        if parameters.get("retry_after"):
            return RetryAfter(parameters["retry_after"])
        if parameters:
            message += f". The server response contained unknown parameters: {parameters}"
    if code == HTTPStatus.FORBIDDEN:
        return Forbidden(message)
    if code in (HTTPStatus.NOT_FOUND, HTTPStatus.UNAUTHORIZED):
        return InvalidToken(message)
    if code == HTTPStatus.BAD_REQUEST:
        return BadRequest(message)
    if code == HTTPStatus.CONFLICT:
        return Conflict(message)
    return NetworkError(message)


def _multipart(fields: dict[str, str], files: dict[str, Any]) -> aiohttp.FormData:
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in files.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form


def _given(value: ODVInput[float], default: float | None) -> float | None:
    return default if isinstance(value, DefaultValue) else value


def _sum(*values: float | None) -> float:
    return sum(value for value in values if value is not None) + 1.0
