"""The rules about typed words: concern steps, labels that hold an alarming word, and words
that are alarming in one language but everyday in another.

Alarming words (emergency and concern) are matched in every language of the pack, so these
rules read every language: the source and each catalog's reviewed translations.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from bot.engine import vocabulary
from bot.engine.matching import (
    Typed,
    could_hold,
    forms,
    normalise,
    starting_forms,
    whole_words,
    word_forms,
    words_of,
)
from bot.flows.model import Content, join_words, split_words
from bot.pack.sources import SourceMap
from bot.source.problems import Problem


def check_concerns(content: Content, sources: SourceMap, today: date | None) -> Iterator[Problem]:
    """A concern step must let the person go on where they were."""
    for concern in content.concerns:
        step = content.steps.get(concern.step)
        if step is None:
            continue  # the unresolved reference is reported where it is written
        if "resume" not in step.navigation:
            yield Problem.at(
                sources.step_key(step.ref),
                "warning",
                "concern-without-resume",
                f"`{step.ref}` answers the concern `{concern.kind}`, but offers no way on to "
                "where the person was: add `navigation: [resume]`",
            )


def languages(content: Content) -> list[str | None]:
    """The source language (None: no catalog) and every language with a catalog."""
    return [None, *sorted(content.translations)]


def _name(content: Content, locale: str | None) -> str:
    return locale or content.source_language


def check_trigger_labels(
    content: Content, sources: SourceMap, today: date | None
) -> Iterator[Problem]:
    """A label that holds an alarming word, in any language, on a button that does not lead
    to that word's step: typing the label would jump there instead of taking the button."""
    if content.emergency not in content.steps:
        return  # the broken reference is reported where it is written
    memo: dict[tuple[str | None, str], vocabulary.Heard] = {}
    alarming = (
        *vocabulary.emergency_words(content),
        *(
            word
            for concern in content.concerns
            for word in vocabulary.concern_words(content, concern)
        ),
    )

    def hear(locale: str | None, label: str) -> vocabulary.Heard:
        # Most labels hold no alarming word of any language: a look in the words' index says
        # so. Many options share a label ("Tillbaka till menyn"): each is read once.
        if not could_hold(alarming, label):
            return vocabulary.Heard()
        if (locale, label) not in memo:
            memo[locale, label] = vocabulary.hear(content, locale, label)
        return memo[locale, label]

    for ref, step in content.steps.items():
        for index, option in enumerate(step.options):
            written = [("label", option.label)] + (
                [("short", option.short)] if option.short else []
            )
            for field, msgid in written:
                for locale in languages(content):
                    label = _read_as(content, locale, msgid)
                    heard = hear(locale, label)
                    target = content.emergency if heard.emergency else None
                    if heard.concern is not None:
                        target = heard.concern.step
                    if target is None or option.goto == target:
                        continue
                    what = "an emergency word" if heard.emergency else "a concern word"
                    yield Problem.at(
                        sources.step(ref, "options", index, field),
                        "warning",
                        "label-has-trigger",
                        f"`{label}` ({_name(content, locale)}) holds {what}, so typing it leads "
                        f"to `{target}` first; reword the {field} label"
                        if field == "short"
                        else f"`{label}` ({_name(content, locale)}) holds {what}, so typing it "
                        f"leads to `{target}` first; reword the label",
                    )
                    break


def _read_as(content: Content, locale: str | None, msgid: str) -> str:
    if locale is None:
        return msgid
    return content.translations[locale].get(msgid) or msgid


@dataclass(frozen=True)
class _Word:
    word: str
    language: str | None  # None: the source language
    list_name: str


def check_word_collisions(
    content: Content, sources: SourceMap, today: date | None
) -> Iterator[Problem]:
    """An alarming word of one language that is an everyday word in another language's texts
    (Swedish `hot`, a threat, in English text): it would misfire in conversations in that
    language unless that language lists the phrase among its everyday words."""
    lists = _alarming_lists(content)
    corpus = _texts(content)
    for locale in languages(content):
        own = {normalise(w) for _, msgid in lists for w in _words_in(content, locale, msgid)}
        everyday = vocabulary.everyday_words(content, locale)
        texts = [(text, words_of(text)) for text in _read_all(content, locale, corpus)]
        # Every word form the language's texts hold, unmasked: a first look that can only
        # find too much; the masked reading below decides.
        distinct = {w for _, words in texts for w in words}
        known = sorted({form for word in distinct for form in forms(word)})
        candidates: dict[str, _Word] = {}  # once a word and language, whichever lists hold it
        for other in languages(content):
            for name, msgid in lists if other != locale else ():
                for word in _words_in(content, other, msgid):
                    folded = normalise(word)
                    if folded not in own and _may_occur(word, known):
                        candidates.setdefault(word, _Word(word, other, name))
        found: set[str] = set()
        # A text is read closely (masked, phrase by phrase) only for the candidates that
        # could be in it: one of its words can begin the phrase, and it holds every whole
        # word of the phrase. Most texts hold none.
        by_start: dict[str, list[str]] = {}
        for phrase in candidates:
            for form in starting_forms((phrase,), known):
                by_start.setdefault(form, []).append(phrase)
        needed = {phrase: whole_words(phrase) for phrase in candidates}
        starter_words = {word for word in distinct if not by_start.keys().isdisjoint(forms(word))}
        for text, words in texts if starter_words else ():
            if starter_words.isdisjoint(words):
                continue
            present = word_forms(words)
            possible = {
                phrase
                for form in present & by_start.keys()
                for phrase in by_start[form]
                if needed[phrase] <= present
            }
            if possible:
                found |= Typed(text, masked=everyday).occurring(tuple(sorted(possible)))
        reported: set[str] = set()
        for word, origin in candidates.items():
            if word in found and normalise(word) not in reported:
                reported.add(normalise(word))
                yield _collision(content, sources, origin, locale)


def _alarming_lists(content: Content) -> list[tuple[str, str]]:
    """(list name, msgid) of the emergency words and of each concern's words."""
    found = [("triggers.emergency", join_words(list(content.triggers.get("emergency", ()))))]
    found += [(f"concerns.{c.kind}", join_words(list(c.words))) for c in content.concerns]
    return [(name, msgid) for name, msgid in found if msgid]


def _words_in(content: Content, locale: str | None, msgid: str) -> tuple[str, ...]:
    if locale is None:
        return split_words(msgid)
    return split_words(content.translations[locale].get(msgid, ""))


def _may_occur(phrase: str, known: list[str]) -> bool:
    """A cheap first look: the phrase's first word is among the language's words (``known``,
    sorted, so a ``stem*`` is one binary search)."""
    first = phrase.split()[0] if phrase.split() else ""
    stem = "".join(words_of(first.rstrip("*")))
    if not stem:
        return False
    at = bisect.bisect_left(known, stem)
    if at == len(known):
        return False
    return known[at].startswith(stem) if first.endswith("*") else known[at] == stem


def _texts(content: Content) -> list[str]:
    """Every source text a person reads: messages, labels, interface texts, the directory's
    cards."""
    found = [text for step in content.steps.values() for text in step.texts_said]
    found += [option.label for step in content.steps.values() for option in step.options]
    found += list(content.texts.values())
    services = content.directory.services.values() if content.directory is not None else ()
    for service in services:
        note = service.schedule.note if service.schedule is not None else None
        found += [t for t in (service.description, note, service.anonymity) if t]
        found += [service.what_happens] if service.what_happens else []
    return found


def _read_all(content: Content, locale: str | None, texts: Sequence[str]) -> list[str]:
    """The texts as read in ``locale``, less the /commands they name (a command is sent as a
    command, never matched as words)."""
    catalog = content.translations[locale] if locale is not None else {}
    read = texts if locale is None else [catalog[text] for text in texts if catalog.get(text)]
    return [_COMMAND.sub(" ", text) for text in read]


_COMMAND = re.compile(r"/\w+")


def _collision(content: Content, sources: SourceMap, word: _Word, locale: str | None) -> Problem:
    key = ("triggers", "emergency") if word.list_name == "triggers.emergency" else None
    kind = word.list_name.split(".", 1)[1]
    where = sources.in_pack(*(key or ("concerns", kind, "words")))
    origin = _name(content, word.language)
    return Problem.at(
        where,
        "warning",
        "word-collision",
        f"`{word.word}` ({origin}, {word.list_name}) is an everyday word in "
        f"{_name(content, locale)} texts, so it would misfire in {_name(content, locale)} "
        f"conversations: add the harmless phrase to {_name(content, locale)}'s "
        "triggers.everyday, or add the word to its own list if it is alarming there too",
    )
