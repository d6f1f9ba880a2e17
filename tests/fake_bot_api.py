"""A fake of the Telegram Bot API on 127.0.0.1, for end-to-end tests of the Telegram channel.

    fake = FakeBotApi()
    base_url = await fake.start()          # give it to python-telegram-bot as `base_url`
    fake.fail("sendMessage", 3, status=429, retry_after=1)
    fake.slow("sendMessage", 2, seconds=0.2)   # the next two answers come late
    ...
    fake.sent(chat_id)                     # the texts sent to a chat, in order
    await fake.close()

It records every call (method and parameters), answers as Telegram would with realistic
objects, hands out message ids per chat from one counter for both sides (as a private
chat does), serves queued updates to ``getUpdates`` with long polling, and can answer
429 (with ``retry_after``) or 500 for the next calls of a method, or answer them late.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

BOT_ID = 7000001
BOT_USER = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": "Lotsen",
    "username": "lotsen_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


_MEDIA: dict[str, dict[str, Any]] = {
    "photo": {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]},
    "sticker": {
        "sticker": {
            "file_id": "s",
            "file_unique_id": "s",
            "type": "regular",
            "width": 1,
            "height": 1,
            "is_animated": False,
            "is_video": False,
        }
    },
    "voice": {"voice": {"file_id": "v", "file_unique_id": "v", "duration": 1}},
}


@dataclass(frozen=True)
class Call:
    method: str
    params: dict[str, Any]


@dataclass
class _Failure:
    status: int
    retry_after: int | None
    left: int


@dataclass
class FakeBotApi:
    calls: list[Call] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    offsets: list[int | None] = field(default_factory=list)
    deleted: dict[int, list[int]] = field(default_factory=dict)
    _failures: dict[str, list[_Failure]] = field(default_factory=dict)
    _delays: dict[str, list[float]] = field(default_factory=dict)
    _message_ids: dict[int, itertools.count[int]] = field(default_factory=dict)
    _update_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))
    reject_token: bool = False  # answer every call 401, as for a revoked token
    refuse_webhook: bool = False  # answer setWebhook 400, as for an address Telegram refuses
    _arrived: asyncio.Event | None = None
    _server: TestServer | None = None

    # --- running -------------------------------------------------------------------------

    async def start(self) -> str:
        """Start on a free port of 127.0.0.1; returns the ``base_url`` for the bot."""
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._arrived = asyncio.Event()
        self._server = TestServer(app, host="127.0.0.1")
        await self._server.start_server(access_log=None)  # its URLs hold the token
        return str(self._server.make_url("/bot"))

    async def close(self) -> None:
        if self._server is not None:
            await self._server.close()

    # --- what the test controls ------------------------------------------------------------

    def fail(self, method: str, times: int, *, status: int = 429, retry_after: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with ``status`` (429 carries
        ``retry_after``)."""
        after = retry_after if status == 429 else None
        self._failures.setdefault(method, []).append(_Failure(status, after, times))

    def slow(self, method: str, times: int, *, seconds: float) -> None:
        """Answer the next ``times`` calls of ``method`` ``seconds`` late (the call itself
        takes effect at once, as on Telegram's side)."""
        self._delays.setdefault(method, []).extend([seconds] * times)

    def message_id(self, chat_id: int) -> int:
        """The chat's next message id, shared by both sides as in a private chat."""
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def push(self, update: dict[str, Any]) -> None:
        """Queue an update for getUpdates."""
        self.updates.append(update)
        if self._arrived is not None:
            self._arrived.set()

    # --- building updates --------------------------------------------------------------------

    def text_update(
        self, chat_id: int, text: str, *, language: str = "sv", chat_type: str = "private"
    ) -> dict[str, Any]:
        return self._message_update(chat_id, {"text": text}, language, chat_type)

    def media_update(self, chat_id: int, kind: str, *, language: str = "sv") -> dict[str, Any]:
        media: dict[str, Any] = _MEDIA[kind]
        return self._message_update(chat_id, media, language, "private")

    def edited_update(self, chat_id: int, message_id: int, text: str) -> dict[str, Any]:
        message = self._message(chat_id, message_id, {"text": text}, "sv", "private")
        message["edit_date"] = int(time.time())
        return {"update_id": next(self._update_ids), "edited_message": message}

    def callback_update(
        self, chat_id: int, data: str, *, message_id: int = 1, language: str = "sv"
    ) -> dict[str, Any]:
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": _chat(chat_id, "private"),
            "from": BOT_USER,
            "text": "...",
        }
        update_id = next(self._update_ids)
        return {
            "update_id": update_id,
            "callback_query": {
                "id": f"cq{update_id}",
                "from": _user(chat_id, language),
                "chat_instance": "ci",
                "message": message,
                "data": data,
            },
        }

    def added_to_group_update(self, group_id: int, by: int) -> dict[str, Any]:
        member = {"user": BOT_USER, "status": "member"}
        return {
            "update_id": next(self._update_ids),
            "my_chat_member": {
                "chat": _chat(group_id, "group"),
                "from": _user(by, "sv"),
                "date": int(time.time()),
                "old_chat_member": {"user": BOT_USER, "status": "left"},
                "new_chat_member": member,
            },
        }

    def _message_update(
        self, chat_id: int, body: dict[str, Any], language: str, chat_type: str
    ) -> dict[str, Any]:
        message = self._message(chat_id, self.message_id(chat_id), body, language, chat_type)
        return {"update_id": next(self._update_ids), "message": message}

    def _message(
        self, chat_id: int, message_id: int, body: dict[str, Any], language: str, chat_type: str
    ) -> dict[str, Any]:
        sender = chat_id if chat_type == "private" else 4242
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": _chat(chat_id, chat_type),
            "from": _user(sender, language),
            **body,
        }
        text = body.get("text", "")
        if text.startswith("/"):
            length = len(text.split(" ", 1)[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return message

    # --- reading what happened ---------------------------------------------------------------

    def methods(self) -> list[str]:
        return [call.method for call in self.calls]

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        return [call.params for call in self.calls if call.method == method]

    def sent(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """sendMessage calls that succeeded (to ``chat_id``), with their parameters."""
        return [
            call.params
            for call in self.calls
            if call.method == "sendMessage"
            and "message_id" in call.params
            and (chat_id is None or call.params["chat_id"] == chat_id)
        ]

    def texts(self, chat_id: int | None = None) -> list[str]:
        return [params["text"] for params in self.sent(chat_id)]

    # --- the API -----------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await _params(request)
        call = Call(method, params)
        self.calls.append(call)
        if self.reject_token:
            return _error(401, None, "Unauthorized")
        if self.refuse_webhook and method == "setWebhook":
            return _error(400, None, "Bad Request: bad webhook: Failed to resolve host")
        failure = self._failure(method)
        if failure is not None:
            return _error(failure.status, failure.retry_after)
        if method == "getUpdates":
            return _ok(await self._get_updates(params))
        needs_chat = method in ("sendMessage", "deleteMessages") or "chat_id" in params
        if needs_chat and not _is_chat_id(params.get("chat_id")):
            return _error(400, None, "Bad Request: chat not found")
        result = self._result(method, params)
        if method == "sendMessage":
            params["message_id"] = result["message_id"]  # marks the call as delivered
        delays = self._delays.get(method)
        if delays:
            await asyncio.sleep(delays.pop(0))
        return _ok(result)

    def _failure(self, method: str) -> _Failure | None:
        queue = self._failures.get(method, [])
        while queue and queue[0].left <= 0:
            queue.pop(0)
        if not queue:
            return None
        queue[0].left -= 1
        return queue[0]

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "sendMessage":
            chat_id = int(params["chat_id"])
            return {
                "message_id": self.message_id(chat_id),
                "date": int(time.time()),
                "chat": _chat(chat_id, "private" if chat_id > 0 else "group"),
                "from": BOT_USER,
                "text": params.get("text", ""),
            }
        if method == "deleteMessages":
            self.deleted.setdefault(int(params["chat_id"]), []).extend(params["message_ids"])
        return True

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = params.get("offset")
        self.offsets.append(offset)
        if offset is not None:  # confirms every update before it, as Telegram does
            self.updates = [u for u in self.updates if u["update_id"] >= int(offset)]
        if not self.updates and self._arrived is not None:
            self._arrived.clear()
            timeout = min(float(params.get("timeout") or 0), 2.0)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), timeout)
        return list(self.updates)


async def _params(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        raw = await request.json()
        params: dict[str, Any] = dict(raw) if isinstance(raw, dict) else {}
    else:
        form = await request.post()
        params = {
            name: value.file.read() if isinstance(value, web.FileField) else value
            for name, value in form.items()
        }
    # PTB sends every parameter as a string, nested objects JSON-encoded: read them back.
    for name, value in params.items():
        if isinstance(value, str) and name != "text":
            with contextlib.suppress(ValueError):
                params[name] = json.loads(value)
    return params


def _is_chat_id(value: Any) -> bool:
    """Telegram answers 400 for a chat id that is not a whole number (nor a @username)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, str) and value.lstrip("-").isdigit()


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error(
    status: int, retry_after: int | None, description: str = "Internal Server Error"
) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["description"] = f"Too Many Requests: retry after {retry_after}"
        body["parameters"] = {"retry_after": retry_after}
    return web.json_response(body, status=status)


def _chat(chat_id: int, chat_type: str) -> dict[str, Any]:
    if chat_type == "private":
        return {"id": chat_id, "type": "private", "first_name": "Person"}
    return {"id": chat_id, "type": chat_type, "title": "A group"}


def _user(user_id: int, language: str) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": "Person", "language_code": language}
