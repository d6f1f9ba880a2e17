"""The conversation engine, sans I/O: ``step(content, session, event, now) -> Turn``.

Channels turn their platform's input into an :class:`Event`, call :func:`step`, store
``turn.session`` (or delete it when it is None) and render ``turn.replies``. The engine
imports no network, database or clock: ``now`` comes in as a parameter.
"""

from __future__ import annotations

from bot.engine.events import Again, Choice, Command, Event, Start, Text, Unsupported
from bot.engine.machine import Turn, step
from bot.engine.replies import Button, ButtonKind, ContactCard, Phrase, Reply
from bot.engine.session import Session

__all__ = [
    "Again",
    "Button",
    "ButtonKind",
    "Choice",
    "Command",
    "ContactCard",
    "Event",
    "Phrase",
    "Reply",
    "Session",
    "Start",
    "Text",
    "Turn",
    "Unsupported",
    "step",
]
