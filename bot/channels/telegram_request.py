"""python-telegram-bot's transport on an ``aiohttp.ClientSession``.

    bot = Bot(token, request=AiohttpRequest(), get_updates_request=AiohttpRequest())

PTB's default transport (httpx) costs the bot most of its CPU time under load (see
``../shared/PERF-NOTES.md``); aiohttp is already the server's library and is several times
cheaper. This class keeps the behaviour of PTB's own ``HTTPXRequest``: the same default
timeouts, a bounded connection pool, multipart uploads for files, and every failure raised
as PTB's ``TimedOut`` or ``NetworkError`` so the Bot's callers see one set of errors.

Error messages carry only the error's class: an aiohttp message can quote the URL, and the
URL holds the bot's token.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import JSONDict, ODVInput
from telegram.error import NetworkError, TelegramError, TimedOut
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
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        read = _given(read_timeout, self._read_timeout)
        connect = _given(connect_timeout, self._connect_timeout)
        pool = _given(pool_timeout, self._pool_timeout)
        write = _given(write_timeout, self._media_write_timeout if files else self._write_timeout)
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
                return await _exchange(self._session, url, method, request_data, files, timeout)
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


async def _exchange(
    session: aiohttp.ClientSession,
    url: str,
    method: str,
    request_data: RequestData | None,
    files: dict[str, Any] | None,
    timeout: aiohttp.ClientTimeout,
) -> tuple[int, bytes]:
    body: aiohttp.FormData | bytes | None = None
    headers: dict[str, str] = {}
    if request_data is not None and files:
        body = _multipart(request_data.json_parameters, files)
    elif request_data is not None:
        # The Bot API takes JSON bodies; one encoding for every call keeps the fake simple.
        body = request_data.json_payload
        headers["Content-Type"] = "application/json"
    async with session.request(
        method, url, data=body, headers=headers, timeout=timeout
    ) as response:
        return response.status, await response.read()


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
