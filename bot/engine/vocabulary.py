"""What a person may type, in their language as well as the source language.

Word lists and labels are msgids; their translations travel in ``content.translations``
(plain data, so the engine stays a pure function). Source-language words always work too: a
person reading Arabic may still type "akut".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.engine.locales import fallback_chain
from bot.flows.model import Content, join_words, split_words


def _translations(content: Content, locale: str | None) -> list[Mapping[str, str]]:
    if not locale:
        return []
    return [content.translations[c] for c in fallback_chain(locale) if c in content.translations]


def words(content: Content, locale: str | None, source: Sequence[str]) -> tuple[str, ...]:
    """``source`` words plus the words the locale's translators listed for them."""
    return _with_translations(source, _translations(content, locale))


def emergency_words(content: Content) -> tuple[str, ...]:
    """Emergency words of every language: a person in danger is not asked which language
    they set first, so "نجدة" reaches 112 from a Swedish session too."""
    source = content.triggers.get("emergency", ())
    return _with_translations(source, list(content.translations.values()))


def _with_translations(source: Sequence[str], catalogs: list[Mapping[str, str]]) -> tuple[str, ...]:
    if not source:
        return ()
    msgid = join_words(list(source))
    extra = [w for catalog in catalogs for w in split_words(catalog.get(msgid, ""))]
    return (*source, *extra)


def keywords(
    content: Content, locale: str | None, source: Mapping[str, tuple[str, ...]]
) -> dict[str, tuple[str, ...]]:
    return {value: words(content, locale, phrases) for value, phrases in source.items()}


def labels(content: Content, locale: str | None, source: Sequence[str]) -> list[tuple[str, ...]]:
    """Each label as the person reads it, and as written in the source language."""
    catalogs = _translations(content, locale)
    return [(*(c[label] for c in catalogs if c.get(label)), label) for label in source]
