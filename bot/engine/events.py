"""What a channel tells the engine: small frozen dataclasses under one base.

A channel turns its platform's input into one of these. ``locale_hint`` carries the
platform's idea of the person's language (Telegram's ``language_code``, the browser's
``Accept-Language``); the engine uses it only until the person chooses.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Event:
    locale_hint: str | None = field(default=None, kw_only=True)


@dataclass(frozen=True)
class Start(Event):
    """The conversation (re)starts: ``/start``, a new web chat. ``payload`` is a deep link's."""

    payload: str = ""


@dataclass(frozen=True)
class Choice(Event):
    """A button was pressed; ``token`` is the one the engine put on it."""

    token: str


@dataclass(frozen=True)
class Text(Event):
    """The person typed something. It is matched and dropped, never kept."""

    text: str


@dataclass(frozen=True)
class Command(Event):
    """A command such as ``/menu``; ``name`` without the slash, lower case."""

    name: str
    arg: str = ""


@dataclass(frozen=True)
class Unsupported(Event):
    """Something the bot cannot read: ``photo``, ``voice``, ``sticker``, ``document``..."""

    kind: str


@dataclass(frozen=True)
class Again(Event):
    """Show where the person is again, unchanged: a channel that shows only a few buttons at
    a time (WhatsApp) asks for the step again to show its next page of buttons."""
