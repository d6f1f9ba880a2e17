"""What a person may type, in their language as well as the source language.

Word lists and labels are msgids; their translations travel in ``content.translations``
(plain data, so the engine stays a pure function). Source-language words always work too: a
person reading Arabic may still type "akut".

Words that signal danger (the emergency and concern words) are matched in every language the
pack has, since a frightened person is not asked which language they set first: "نجدة"
reaches 112 from a Swedish conversation. What keeps that from misfiring is the everyday list:
each language names the harmless phrases that hold such a word ("hot" in English, "skjuta upp"
in Swedish), and in a conversation in that language they are blanked before matching.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.engine.locales import fallback_chain
from bot.engine.matching import Typed, match_label
from bot.flows.model import Concern, Content, join_words, split_words


def _translations(content: Content, locale: str | None) -> list[Mapping[str, str]]:
    if not locale:
        return []
    return [content.translations[c] for c in fallback_chain(locale) if c in content.translations]


def words(content: Content, locale: str | None, source: Sequence[str]) -> tuple[str, ...]:
    """``source`` words plus the words the locale's translators listed for them."""
    return content.kept(
        ("words", locale or "", *source),
        lambda: _with_translations(source, _translations(content, locale)),
    )


def _everywhere(content: Content, source: Sequence[str]) -> tuple[str, ...]:
    """``source`` words plus their translations in every language of the pack. Like
    :func:`words`, made once per pack (``Content.derived``): every typed message is read
    for the emergency and concern words of every language."""
    return content.kept(
        ("everywhere", *source),
        lambda: _with_translations(source, list(content.translations.values())),
    )


def emergency_words(content: Content) -> tuple[str, ...]:
    """Emergency words of every language."""
    return _everywhere(content, content.triggers.get("emergency", ()))


def concern_words(content: Content, concern: Concern) -> tuple[str, ...]:
    """A concern's words in every language."""
    return _everywhere(content, concern.words)


def everyday_words(content: Content, locale: str | None) -> tuple[str, ...]:
    """Harmless phrases of the person's language and of the source language."""
    return words(content, locale, content.triggers.get("everyday", ()))


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


@dataclass(frozen=True)
class Heard:
    """What typed text says beyond its answer: danger now, a concern, menu, back or forget
    words."""

    emergency: bool = False
    concern: Concern | None = None
    menu: bool = False
    back: bool = False
    forget: bool = False


def hear(content: Content, locale: str | None, text: str) -> Heard:
    """Read ``text`` for the words that work anywhere, in the order they win: emergency,
    then the first concern in the pack's order, then menu and back words."""
    typed = Typed(text, masked=everyday_words(content, locale))
    if typed.has_any(emergency_words(content)):
        return Heard(emergency=True)
    concerns = content.concerns
    found = typed.first(concern_words(content, concern) for concern in concerns)
    if found is not None:
        return Heard(concern=concerns[found])
    triggers = content.triggers
    # A forget word counts only as the whole message: "radera allt" deletes everything,
    # "kan ni radera allt om honom?" is a question and deletes nothing.
    forget = match_label(words(content, locale, triggers.get("forget", ())), text) is not None
    return Heard(
        menu=typed.has_any(words(content, locale, triggers.get("menu", ()))),
        back=typed.has_any(words(content, locale, triggers.get("back", ()))),
        forget=forget,
    )
