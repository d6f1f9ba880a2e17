"""Button tokens: the opaque strings a channel puts on a button and sends back in a Choice.

A token is at most 40 ASCII bytes (Telegram allows 64 bytes of callback data)::

    o.1a2b3c4d.9f86d0.2    content option 2 of the step hashed 9f86d0, content version 1a2b3c4d
    n.emergency            a navigation button: emergency, back, menu, forget
    l.ar                   a language button

The version and step hash let the engine recognise a press on a button from an older
message. Anything that does not parse is :class:`Stale`: the engine never raises for it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache

from bot.flows.model import NAVIGATION_ACTIONS

MAX_TOKEN_BYTES = 40
VERSION_CHARS = 8
HASH_CHARS = 6


@dataclass(frozen=True)
class OptionToken:
    """A content option: ``index`` into the step's options (all of them, not only visible)."""

    version: str
    step_hash: str
    index: int


@dataclass(frozen=True)
class NavToken:
    """A navigation button: ``action`` is one of ``NAVIGATION_ACTIONS``."""

    action: str


@dataclass(frozen=True)
class LanguageToken:
    code: str


@dataclass(frozen=True)
class AnswerToken:
    """An answer offered as a button (a municipality among several candidates): ``value``
    is stored as the step's ``ask`` would store it."""

    version: str
    step_hash: str
    value: str


@dataclass(frozen=True)
class Stale:
    """A token that means nothing (any more): garbage, too long, an unknown kind."""


Token = OptionToken | AnswerToken | NavToken | LanguageToken | Stale


@lru_cache(maxsize=1 << 16)  # step refs only (content), asked for every button of every reply
def step_hash(ref: str) -> str:
    """Six hex digits naming a step ref: ``step_hash("home.menu")`` is stable across runs."""
    return hashlib.blake2s(ref.encode("utf-8"), digest_size=HASH_CHARS // 2).hexdigest()


def version_prefix(version: str) -> str:
    return version[:VERSION_CHARS]


def option_token(version: str, ref: str, index: int) -> str:
    """``option_token("1a2b3c4d5e", "home.menu", 2)`` -> ``"o.1a2b3c4d.<hash>.2"``."""
    return f"o.{version_prefix(version)}.{step_hash(ref)}.{index}"


def answer_token(version: str, ref: str, value: str) -> str:
    """``answer_token("1a2b3c4d5e", "talk.where", "0480")`` -> ``"a.1a2b3c4d.<hash>.0480"``."""
    return f"a.{version_prefix(version)}.{step_hash(ref)}.{value}"


def nav_token(action: str) -> str:
    return f"n.{action}"


def language_token(code: str) -> str:
    return f"l.{code}"


def parse(token: str) -> Token:
    """What a token means; anything unparsable is :class:`Stale`.

    >>> parse("n.back")
    NavToken(action='back')
    >>> parse("o.1a2b3c4d.9f86d0.x")
    Stale()
    """
    if not token.isascii() or len(token) > MAX_TOKEN_BYTES:
        return Stale()
    kind, _, rest = token.partition(".")
    if kind == "n" and rest in NAVIGATION_ACTIONS:
        return NavToken(rest)
    if kind == "l" and rest and all(c.isalnum() or c in "_-" for c in rest):
        return LanguageToken(rest)
    if kind == "o":
        return _parse_option(rest)
    if kind == "a":
        return _parse_answer(rest)
    return Stale()


def _parse_answer(rest: str) -> Token:
    parts = rest.split(".")
    if len(parts) != 3:
        return Stale()
    version, hashed, value = parts
    if not version or len(hashed) != HASH_CHARS or not value:
        return Stale()
    if not all(c.isalnum() or c in "_-" for c in value):
        return Stale()
    return AnswerToken(version, hashed, value)


def _parse_option(rest: str) -> Token:
    parts = rest.split(".")
    if len(parts) != 3:
        return Stale()
    version, hashed, index = parts
    if not version or len(hashed) != HASH_CHARS or not index.isdigit() or len(index) > 3:
        return Stale()
    return OptionToken(version, hashed, int(index))
