"""What a WhatsApp webhook asks of Lotsen: each message read into the delivery's ``Arrival``.

    reading = read_webhook(payload, content, phone_number_id)
    for message in reading.messages:   # in the order WhatsApp sent them
        message.wamid, message.arrival.event
    reading.statuses, reading.ignored  # counted, never answered

A webhook carries ``entry[].changes[].value`` with ``messages[]`` (what people sent) and
``statuses[]`` (sent, delivered, read, failed: Lotsen's own messages). WhatsApp sends no
language: the engine offers the languages to a new person. Typed text goes into the Event
and nowhere else; the phone number (``from``) goes only into ``Arrival.chat``, which the
store keys with its secret and the transport sends to.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.channels.transport import Arrival, Page
from bot.channels.whatsapp_render import page_of
from bot.engine import Again, Choice, Command, Event, Start, Text, Unsupported

# What a person can send that is not text or a choice; each is answered "I read text and
# buttons". ``unsupported`` is WhatsApp's own kind for what its API cannot pass on.
MEDIA = frozenset(
    {
        "image",
        "audio",
        "video",
        "document",
        "sticker",
        "location",
        "contacts",
        "reaction",
        "order",
        "unsupported",
    }
)
# A start link's payload (wa.me/<number>?text=start%20l-ar_m-0480), as Telegram's deep links.
_START = re.compile(r"/?start(?:\s+([A-Za-z0-9_-]{1,64}))?", re.IGNORECASE)
_WA_ID = re.compile(r"\d{6,20}")


@dataclass(frozen=True)
class Incoming:
    """One message: its id (``wamid``, the update id deduplicated in the turn) and what it
    asks."""

    wamid: str
    arrival: Arrival


@dataclass
class Reading:
    messages: list[Incoming] = field(default_factory=list)
    statuses: int = 0
    ignored: int = 0  # unknown kinds, another number's messages, malformed entries


def read_webhook(payload: object, phone_number_id: str) -> Reading:
    """Every message of ``payload`` addressed to ``phone_number_id``; everything else
    counted. Never raises: a malformed part is counted as ignored."""
    reading = Reading()
    for value in _values(payload):
        metadata = _mapping(value.get("metadata"))
        if str(metadata.get("phone_number_id", "")) != phone_number_id:
            reading.ignored += 1  # an app can serve several numbers: not ours
            continue
        reading.statuses += len(_list(value.get("statuses")))
        for raw in _list(value.get("messages")):
            incoming = read_message(_mapping(raw))
            if incoming is None:
                reading.ignored += 1
            else:
                reading.messages.append(incoming)
    return reading


def read_message(message: Mapping[str, Any]) -> Incoming | None:
    """One ``messages[]`` item; None when it lacks what WhatsApp always sends, or is a kind
    that asks nothing (``system``: the person changed their number)."""
    wamid, sender, kind = message.get("id"), message.get("from"), message.get("type")
    if not isinstance(wamid, str) or not wamid or len(wamid) > 256:
        return None
    if not isinstance(sender, str) or not _WA_ID.fullmatch(sender) or not isinstance(kind, str):
        return None
    event, page = _event(kind, message)
    if event is None:
        return None
    # ``button``: the wamid, for the read receipt and typing indicator of this turn.
    return Incoming(wamid, Arrival(sender, True, event, button=wamid, page=page))


def _event(kind: str, message: Mapping[str, Any]) -> tuple[Event | None, Page | None]:
    if kind == "text":
        body = _mapping(message.get("text")).get("body")
        return (_typed(body), None) if isinstance(body, str) else (None, None)
    if kind == "interactive":
        interactive = _mapping(message.get("interactive"))
        reply = _mapping(interactive.get("button_reply") or interactive.get("list_reply"))
        chosen = reply.get("id")
        if not isinstance(chosen, str):  # a form (nfm_reply) or a kind of reply Lotsen never sent
            return Unsupported("interactive"), None
        page = page_of(chosen)
        return (Again(), page) if page is not None else (Choice(chosen), None)
    if kind == "button":  # a template's quick reply: Lotsen sends none, so it is typed text
        text = _mapping(message.get("button")).get("text")
        return (Text(text), None) if isinstance(text, str) else (None, None)
    if kind in MEDIA:
        return Unsupported(kind), None
    if kind == "system":
        return None, None
    return Unsupported("unknown"), None


def _typed(body: str) -> Event:
    """Text as typed: ``/start`` or a start link's ``start l-ar`` begins again (with the
    link's payload), another ``/command`` is a command, anything else is text."""
    text = body.strip()
    start = _START.fullmatch(text)
    if start is not None and (text.startswith("/") or start.group(1)):
        return Start(payload=start.group(1) or "")
    if text.startswith("/") and len(text) > 1:
        name, _, arg = text[1:].partition(" ")
        return Command(name.lower(), arg.strip())
    return Text(body)


def _values(payload: object) -> Iterator[Mapping[str, Any]]:
    if not isinstance(payload, Mapping) or payload.get("object") != "whatsapp_business_account":
        return
    for entry in _list(payload.get("entry")):
        for change in _list(_mapping(entry).get("changes")):
            change = _mapping(change)
            if change.get("field") == "messages":
                yield _mapping(change.get("value"))


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []
