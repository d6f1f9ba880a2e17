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
    try:
        return Formatter().vformat(text, (), _KeepUnknown(params))
    except (ValueError, IndexError, AttributeError, KeyError):
        return text


def render(phrase: Phrase, translator: Translator) -> str:
    """The phrase in the translator's language, placeholders filled."""
    return fill(translator.gettext(phrase.msgid), phrase.params)
