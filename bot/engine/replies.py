"""What the engine tells a channel: untranslated, platform-neutral replies.

Text travels as a :class:`Phrase` (a msgid and its parameters) and is translated only when a
channel renders it in the person's locale. Nothing here knows about Telegram or HTML.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from bot.directory.hours import Opening
from bot.directory.model import Schedule


@dataclass(frozen=True)
class Phrase:
    """A msgid and the values of its ``{placeholders}``."""

    msgid: str
    params: Mapping[str, str] = field(default_factory=dict)
    # The gettext context (msgctxt) of a step's text: its ``flow.step``, so the same Swedish
    # text in two steps can be translated two ways. None for texts shared by the whole pack.
    context: str | None = None
    # The web page's wording of a step's text, where it names a place on the screen; a
    # renderer for the web page shows it instead of ``msgid``.
    web: str | None = None


ButtonKind = Literal["option", "nav", "language"]


@dataclass(frozen=True)
class Button:
    """A button. The channel puts ``token`` on it and sends it back in a ``Choice``.

    ``action`` names what a nav button does (``emergency``, ``back``, ``menu``, ``forget``)
    so a channel can style it; it is empty for content options. ``short``: the option's
    short label, for platforms that show few characters on a button (WhatsApp: 20).
    """

    token: str
    label: Phrase
    kind: ButtonKind = "option"
    action: str = ""
    short: Phrase | None = None


@dataclass(frozen=True)
class ContactCard:
    """A contact point to show. ``verified_ok`` is false when its facts are too old to state:
    then only ``web`` and the ``unverified`` note may be shown, never the phone or hours."""

    id: str
    name: Phrase
    source: str
    verified: date
    verified_ok: bool
    what: Phrase | None = None
    phone: str | None = None
    web: str | None = None
    hours: Phrase | None = None
    anonymity: Phrase | None = None
    unverified: Phrase | None = None
    email: str | None = None
    opening: Opening | None = None  # open now and until when, or when it opens next
    schedule: Schedule | None = None  # the structured hours the card states (``hours`` adds)
    what_happens: Phrase | None = None  # who gets to know what you say there
    phone_note: Phrase | None = None  # how to use the number: "Ring 112 och fråga efter ..."


@dataclass(frozen=True)
class Reply:
    """One message: its text, contact cards under it, and buttons (content options first,
    then navigation). ``expects_text`` says the step also takes typed text."""

    text: Phrase | None = None
    contacts: tuple[ContactCard, ...] = ()
    buttons: tuple[Button, ...] = ()
    expects_text: bool = False
