"""Turning a Phrase into text: translate the msgid, then fill its placeholders."""

from __future__ import annotations

from collections.abc import Mapping
from string import Formatter
from typing import Protocol

from bot.engine.replies import Phrase


class Translator(Protocol):
    """What rendering needs of a catalog: gettext semantics (unknown msgid -> the msgid)."""

    def gettext(self, message: str) -> str: ...


class SourceTranslator:
    """The source language: every msgid is already its own text."""

    def gettext(self, message: str) -> str:
        return message


class _KeepUnknown(dict[str, str]):
    # A placeholder with no value stays visible as {name} rather than raising at a person.
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(text: str, params: Mapping[str, str]) -> str:
    """``str.format_map`` that never raises: unknown or malformed placeholders stay as typed."""
    if "{" not in text and "}" not in text:  # most texts: nothing to fill, nothing to unescape
        return text
    try:
        return Formatter().vformat(text, (), _KeepUnknown(params))
    except (ValueError, IndexError, AttributeError, KeyError):
        return text


CONTEXT_SEPARATOR = "\x04"  # gettext's: a message in a context is "context\x04msgid"


def key(msgid: str, context: str | None) -> str:
    """The catalog key of ``msgid`` in ``context``, as gettext builds it."""
    return f"{context}{CONTEXT_SEPARATOR}{msgid}" if context else msgid


def render(phrase: Phrase, translator: Translator) -> str:
    """The phrase in the translator's language, placeholders filled. A phrase in a context
    takes that context's translation, else the msgid's own (a catalog from before contexts)."""
    if phrase.context:
        contextual = key(phrase.msgid, phrase.context)
        text = translator.gettext(contextual)
        if text != contextual:
            return fill(text, phrase.params)
    return fill(translator.gettext(phrase.msgid), phrase.params)
