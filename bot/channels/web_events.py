"""What a web chat request asks: the Event its body describes, and the client's id for it.

    event = parse_event(body, max_text=1000, fallback_hint=None)
    client_id = event_id(body)   # "k3J9x_Qa2mZp0bNc", or None from a front end that sends none

A value of the wrong type or length is refused with ``400 {"error": "bad_<key>"}`` or
``"<key>_too_long"``, before any database work.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from bot.channels.web_http import fail
from bot.engine import Choice, Command, Event, Start, Text

MAX_TOKEN = 64  # of a button token; the engine's are at most 40
MAX_COMMAND = 32
MAX_HINT = 200  # of a locale hint (an Accept-Language header)

# As a Telegram deep link's (t.me/<bot>?start=...): letters, digits, _ and -, 64 at most. The
# page passes its own `?start=` on, so a municipality's site can link to /?start=m-0480.
_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{0,64}")
# A client's id for one event: the page makes 16 of these characters per event.
_EVENT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def parse_event(body: Mapping[str, Any], *, max_text: int, fallback_hint: str | None) -> Event:
    """The Event a request body describes::

    {"type": "start", "payload": "m-0480"}        -> Start(payload="m-0480")
    {"type": "choice", "token": "n.back"}         -> Choice("n.back")
    {"type": "text", "text": "akut"}              -> Text("akut")
    {"type": "command", "name": "language", "arg": "ar"} -> Command("language", "ar")

    ``locale_hint`` (the browser's languages) may come with any; the Accept-Language header
    stands in when it does not.
    """
    hint = _string(body, "locale_hint", MAX_HINT, default="") or fallback_hint
    kind = body.get("type")
    if kind == "start":
        payload = _string(body, "payload", MAX_TOKEN, default="").strip()
        return Start(payload=payload if _PAYLOAD.fullmatch(payload) else "", locale_hint=hint)
    if kind == "choice":
        return Choice(_string(body, "token", MAX_TOKEN), locale_hint=hint)
    if kind == "text":
        text = _string(body, "text", max_text)
        if not text.strip():
            fail(web.HTTPBadRequest, "bad_text")
        return Text(text, locale_hint=hint)
    if kind == "command":
        name = _string(body, "name", MAX_COMMAND).strip().lstrip("/").lower()
        return Command(name, _string(body, "arg", MAX_TOKEN, default="").strip(), locale_hint=hint)
    fail(web.HTTPBadRequest, "bad_type")


def event_id(body: Mapping[str, Any]) -> str | None:
    """The client's id for this event (``"id"``), which a retry of the same event repeats, so
    that it is answered once; None when the body has none."""
    if body.get("id") is None:
        return None
    value = _string(body, "id", 64)
    if not _EVENT_ID.fullmatch(value):
        fail(web.HTTPBadRequest, "bad_id")
    return value


def _string(body: Mapping[str, Any], key: str, limit: int, *, default: str | None = None) -> str:
    value = body.get(key, default)
    if not isinstance(value, str):
        fail(web.HTTPBadRequest, f"bad_{key}")
    if len(value) > limit:
        fail(web.HTTPBadRequest, f"{key}_too_long")
    return value
