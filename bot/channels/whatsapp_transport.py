"""WhatsApp's calls for the delivery: the Cloud API (Graph API) over aiohttp.

    api = GraphApi(base_url, phone_number_id, access_token)
    await api.open()                              # in the running loop
    transport = WhatsAppTransport(api)
    wamid = await transport.send("46701234567", Outgoing("Hej"))
    await api.close()

One attempt per call: ``bot.channels.delivery`` paces and retries them, asking
:func:`classify` what an error means. An error keeps only the HTTP status and WhatsApp's
code: the API's own message may quote what was sent, so it is never kept or logged.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

import aiohttp

from bot.channels.transport import Failure, Verdict
from bot.channels.whatsapp_render import Outgoing

TIMEOUT = aiohttp.ClientTimeout(total=20, connect=5)
POOL = 100  # connections to the Graph API

# WhatsApp's throttling codes, and how long one call waits before it tries again. Meta gives
# no Retry-After; these follow its advice (the pair limit: about one message every 6 s to one
# person after a burst). The delivery waits up to 30 s in all, then has the webhook
# delivered again, so a reply is late but never dropped.
RATE_LIMITS: Mapping[int, tuple[float, bool]] = {  # code: (seconds, one chat only)
    4: (10.0, False),  # the app's call rate
    80007: (10.0, False),  # the business account's rate
    130429: (1.0, False),  # messages per second of the number (throughput)
    131048: (5.0, False),  # the spam rate limit
    131056: (6.0, True),  # the pair rate limit: too many to one person
}
TRANSIENT_CODES = frozenset({1, 2, 131000})  # unknown, temporarily unavailable, went wrong
# 131047: more than 24 hours since the person last wrote. Lotsen only answers, never writes
# first, so this is a reply that came too late: logged by code, not retried.
OUTSIDE_WINDOW = 131047


class WhatsAppApiError(Exception):
    """The Graph API refused a call: its HTTP status and WhatsApp's error code."""

    def __init__(self, status: int, code: int | None) -> None:
        super().__init__(f"WhatsApp answered {status}, error code {code}")
        self.status = status
        self.code = code


class GraphApi:
    """The few Graph API calls Lotsen makes, on one aiohttp session."""

    def __init__(self, base_url: str, phone_number_id: str, access_token: str) -> None:
        self._messages = f"{base_url.rstrip('/')}/{phone_number_id}/messages"
        self._number = f"{base_url.rstrip('/')}/{phone_number_id}"
        self._headers = {"Authorization": f"Bearer {access_token}"}
        self._session: aiohttp.ClientSession | None = None

    async def open(self) -> None:
        if self._session is None:
            connector = aiohttp.TCPConnector(limit=POOL)
            self._session = aiohttp.ClientSession(
                connector=connector, timeout=TIMEOUT, headers=self._headers
            )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def check(self) -> None:
        """Ask for the phone number itself: a wrong token or number fails here, at start."""
        await self._call("GET", self._number, params={"fields": "id"})

    async def post(self, body: Mapping[str, Any]) -> Mapping[str, Any]:
        return await self._call("POST", self._messages, json=body)

    async def _call(self, method: str, url: str, **kwargs: Any) -> Mapping[str, Any]:
        if self._session is None:
            raise RuntimeError("open the Graph API session first")
        async with self._session.request(method, url, **kwargs) as response:
            try:
                data = await response.json(content_type=None)
            except ValueError:
                data = None
            if response.status >= 400:
                raise WhatsAppApiError(response.status, _code(data))
            if not isinstance(data, Mapping):
                raise WhatsAppApiError(response.status, None)
            return data


def _code(data: object) -> int | None:
    error = data.get("error") if isinstance(data, Mapping) else None
    code = error.get("code") if isinstance(error, Mapping) else None
    return code if isinstance(code, int) else None


class WhatsAppTransport:
    """The Cloud API calls of a delivery (``bot.channels.delivery.Transport``)."""

    # WhatsApp lets no business delete a message it sent, nor one the person sent.
    delete_batch = 0

    def __init__(self, api: GraphApi) -> None:
        self._api = api

    async def send(self, chat: str, message: Outgoing) -> str:
        data = await self._api.post(payload(chat, message))
        sent = data.get("messages")
        first = sent[0] if isinstance(sent, list) and sent else None
        wamid = first.get("id") if isinstance(first, Mapping) else None
        return wamid if isinstance(wamid, str) else ""

    async def delete(self, chat: str, message_ids: Sequence[str]) -> None:
        return None  # never called: delete_batch is 0

    async def acknowledge(self, button: str, notice: str | None) -> None:
        """``button`` is the person's message id: mark it read (two blue ticks) and show
        "typing…" until the reply arrives (at most 25 seconds)."""
        await self._api.post(
            {
                "messaging_product": "whatsapp",
                "status": "read",
                "message_id": button,
                "typing_indicator": {"type": "text"},
            }
        )

    def classify(self, error: Exception) -> Verdict | None:
        return classify(error)


def classify(error: Exception) -> Verdict | None:
    """A Cloud API error as the delivery sees it; None for anything else, raised at once."""
    if isinstance(error, WhatsAppApiError):
        reason = f"code {error.code}" if error.code is not None else f"HTTP {error.status}"
        if error.code is not None and error.code in RATE_LIMITS:
            seconds, one_chat = RATE_LIMITS[error.code]
            return Verdict(Failure.RATE_LIMITED, seconds, one_chat=one_chat, reason=reason)
        if error.status == 429:
            return Verdict(Failure.RATE_LIMITED, 1.0, reason=reason)
        if error.status >= 500 or error.code in TRANSIENT_CODES:
            return Verdict(Failure.TRANSIENT, reason=reason)
        return Verdict(Failure.PERMANENT, reason=reason)
    if isinstance(error, aiohttp.ClientError | asyncio.TimeoutError | ConnectionError):
        return Verdict(Failure.TRANSIENT, reason=type(error).__name__)
    return None


def payload(to: str, message: Outgoing) -> dict[str, Any]:
    """The body of a send: a text, reply buttons or a list."""
    body: dict[str, Any] = {"messaging_product": "whatsapp", "recipient_type": "individual"}
    body["to"] = to
    if message.kind == "text":
        body |= {"type": "text", "text": {"preview_url": False, "body": message.body}}
        return body
    if message.kind == "buttons":
        action: dict[str, Any] = {
            "buttons": [
                {"type": "reply", "reply": {"id": row.id, "title": row.title}}
                for row in message.rows
            ]
        }
    else:
        rows = [
            {"id": row.id, "title": row.title}
            | ({"description": row.description} if row.description else {})
            for row in message.rows
        ]
        action = {"button": message.button, "sections": [{"rows": rows}]}
    interactive = {"type": "button" if message.kind == "buttons" else "list"}
    body |= {
        "type": "interactive",
        "interactive": interactive | {"body": {"text": message.body}, "action": action},
    }
    return body
