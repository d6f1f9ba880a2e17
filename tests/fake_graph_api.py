"""A fake of Meta's Graph API (the WhatsApp Cloud API) on 127.0.0.1, for end-to-end tests.

    fake = FakeGraphApi()
    base_url = await fake.start()            # WHATSAPP_API_BASE_URL
    fake.fail(2, status=400, code=131056)    # the next two sends are refused so
    fake.slow(1, seconds=0.2)                # the next send answers late
    fake.fail(4, code=4, after=1)            # one more send goes through, then four fail
    fake.clear_failures()                    # every send goes through again
    fake.hold_reads = asyncio.Event()        # read receipts wait (in fake.held) until set
    fake.texts(WA_ID)                        # the bodies sent to a person, in order
    fake.reads                               # the message ids marked read (with "typing")
    await fake.close()

And the webhooks WhatsApp would send, signed as Meta signs them::

    body = webhook(text_message(WA_ID, "Hej"))
    headers = signed(body, APP_SECRET)
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

VERSION = "v25.0"
PHONE_NUMBER_ID = "109876543210987"
ACCESS_TOKEN = "EAAG-fake-system-user-token-0123456789"
APP_SECRET = "0123456789abcdef0123456789abcdef"
VERIFY_TOKEN = "the-verify-token-42"


@dataclass
class _Failure:
    status: int
    code: int | None
    left: int
    after: int = 0  # sends that still go through before the first refusal


@dataclass
class FakeGraphApi:
    sends: list[dict[str, Any]] = field(default_factory=list)  # every message sent, in order
    reads: list[dict[str, Any]] = field(default_factory=list)  # read receipts (with typing)
    refused: list[dict[str, Any]] = field(default_factory=list)  # calls answered with an error
    token: str = ACCESS_TOKEN
    # Set: a read receipt is put in ``held`` as it arrives, then answered once this is set.
    hold_reads: asyncio.Event | None = None
    held: list[dict[str, Any]] = field(default_factory=list)
    _failures: list[_Failure] = field(default_factory=list)
    _read_failures: list[_Failure] = field(default_factory=list)
    _delays: list[float] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _server: TestServer | None = None

    async def start(self) -> str:
        app = web.Application()
        app.router.add_get(f"/{VERSION}/{{number}}", self._number)
        app.router.add_post(f"/{VERSION}/{{number}}/messages", self._messages)
        self._server = TestServer(app, host="127.0.0.1")
        await self._server.start_server()
        return str(self._server.make_url(f"/{VERSION}"))

    async def close(self) -> None:
        if self._server is not None:
            await self._server.close()

    def fail(
        self,
        count: int,
        *,
        status: int = 400,
        code: int | None = None,
        reads: bool = False,
        after: int = 0,
    ) -> None:
        """Refuse the next ``count`` sends with ``status`` and ``code`` (``reads``: the next
        read receipts instead); ``after``: let that many more through first."""
        failure = _Failure(status, code, count, after)
        (self._read_failures if reads else self._failures).append(failure)

    def clear_failures(self) -> None:
        """Refuse nothing more (what ``fail`` asked and has not happened yet is dropped)."""
        self._failures.clear()
        self._read_failures.clear()

    def slow(self, count: int, *, seconds: float) -> None:
        self._delays.extend([seconds] * count)

    def texts(self, wa_id: str) -> list[str]:
        """What a person was sent, in order: each message's text or interactive body."""
        return [body_of(send) for send in self.sends if send.get("to") == wa_id]

    def last(self, wa_id: str) -> dict[str, Any]:
        return [send for send in self.sends if send.get("to") == wa_id][-1]

    # --- the API -----------------------------------------------------------------------------

    def _authorised(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bearer {self.token}"

    async def _number(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return _error(401, 190)
        if request.match_info["number"] != PHONE_NUMBER_ID:
            return _error(400, 100)
        return web.json_response({"id": PHONE_NUMBER_ID})

    async def _messages(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return _error(401, 190)
        body = await request.json()
        if self._delays:
            await asyncio.sleep(self._delays.pop(0))
        if body.get("status") == "read" and self.hold_reads is not None:
            self.held.append(body)
            await self.hold_reads.wait()
        failures = self._read_failures if body.get("status") == "read" else self._failures
        if failures and failures[0].after > 0:
            failures[0].after -= 1  # this one still goes through
        elif failures:
            failure = failures[0]
            failure.left -= 1
            if failure.left <= 0:
                failures.pop(0)
            self.refused.append(body)
            return _error(failure.status, failure.code)
        if body.get("status") == "read":
            self.reads.append(body)
            return web.json_response({"success": True})
        self.sends.append(body)
        wamid = f"wamid.OUT{next(self._ids):06d}"
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": body.get("to"), "wa_id": body.get("to")}],
                "messages": [{"id": wamid}],
            }
        )


def _error(status: int, code: int | None) -> web.Response:
    error: dict[str, Any] = {"message": "(#131056) fake", "type": "OAuthException"}
    if code is not None:
        error["code"] = code
    return web.json_response({"error": error}, status=status)


def body_of(send: dict[str, Any]) -> str:
    if send.get("type") == "text":
        return str(send["text"]["body"])
    return str(send["interactive"]["body"]["text"])


def rows_of(send: dict[str, Any]) -> list[dict[str, Any]]:
    """The reply buttons or list rows of a send, as {id, title[, description]}."""
    if send.get("type") != "interactive":
        return []
    interactive = send["interactive"]
    if interactive["type"] == "button":
        return [button["reply"] for button in interactive["action"]["buttons"]]
    return [row for section in interactive["action"]["sections"] for row in section["rows"]]


# --- webhooks ------------------------------------------------------------------------------

_incoming = itertools.count(1)


def wamid() -> str:
    """A fresh id for a message a person sends (``wamid.`` and letters, as WhatsApp's)."""
    return f"wamid.IN{next(_incoming):08d}"


def text_message(wa_id: str, text: str, *, message_id: str | None = None) -> dict[str, Any]:
    return _message(wa_id, "text", {"text": {"body": text}}, message_id)


def choice_message(
    wa_id: str, row_id: str, *, kind: str = "button_reply", message_id: str | None = None
) -> dict[str, Any]:
    """A pressed reply button (``button_reply``) or list row (``list_reply``)."""
    interactive = {"type": kind, kind: {"id": row_id, "title": "whatever it said"}}
    return _message(wa_id, "interactive", {"interactive": interactive}, message_id)


def media_message(wa_id: str, kind: str) -> dict[str, Any]:
    return _message(wa_id, kind, {kind: {"id": "media-1", "mime_type": "image/jpeg"}}, None)


def _message(
    wa_id: str, kind: str, fields: dict[str, Any], message_id: str | None
) -> dict[str, Any]:
    return {
        "from": wa_id,
        "id": message_id or wamid(),
        "timestamp": "1795000000",
        "type": kind,
        **fields,
    }


def webhook(
    *messages: dict[str, Any],
    statuses: list[dict[str, Any]] | None = None,
    number: str = PHONE_NUMBER_ID,
) -> dict[str, Any]:
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "46850000000", "phone_number_id": number},
    }
    if messages:
        senders = sorted({message["from"] for message in messages})
        value["contacts"] = [{"profile": {"name": "Someone"}, "wa_id": s} for s in senders]
        value["messages"] = list(messages)
    if statuses is not None:
        value["statuses"] = statuses
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "WABA-ID", "changes": [{"field": "messages", "value": value}]}],
    }


def status(wa_id: str, state: str = "delivered") -> dict[str, Any]:
    return {
        "id": "wamid.OUT000001",
        "status": state,
        "timestamp": "1795000001",
        "recipient_id": wa_id,
    }


def signed(body: bytes, secret: str = APP_SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={digest}", "Content-Type": "application/json"}


def encoded(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode()
