"""What typed text and answer buttons do on each kind of step that takes an answer.

The machine looks the step's kind up in :data:`ANSWERS` instead of testing its fields. A kind
without an entry (options, next, end) takes only its buttons, their labels and numbers::

    answers = ANSWERS[Ask]
    answers.typed(content, "sv", ask, "hon är 17")   # Answered({"age": "child"}, "home.done")

Typed text is matched and dropped here: only the value found is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, NamedTuple, TypeVar

from bot.directory.areas import match_municipality
from bot.directory.model import Area
from bot.engine import vocabulary
from bot.engine.matching import match_keywords, match_number
from bot.flows.model import Content
from bot.flows.ways import Ask, NumberRange, Way

W = TypeVar("W")


class Answered(NamedTuple):
    """An answer taken: the variables it sets and the step it leads to."""

    sets: Mapping[str, str]
    goto: str


class Choose(NamedTuple):
    """Several answers fit what was typed: each one's value and label, offered as buttons."""

    choices: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Answers(Generic[W]):
    """How one kind of step takes an answer."""

    typed: Callable[[Content, str | None, W, str], Answered | Choose | None]  # in a locale
    pressed: Callable[[Content, W, str], Answered | None]  # the value of an answer button
    takes_numbers: Callable[[W], bool]  # a bare number answers it rather than picking a button
    otherwise: Callable[[W], str | None]  # where text that answers nothing leads
    samples: Callable[[Content, W, bool], list[str]]  # one typed answer a value, for transcripts


def takes_text(way: Way) -> bool:
    """Whether a person may type an answer here (beyond a button's label or number)."""
    return type(way) in ANSWERS


# --- ask -----------------------------------------------------------------------------------


def _typed(content: Content, locale: str | None, ask: Ask, typed: str) -> Answered | Choose | None:
    if ask.municipality:
        found = _municipalities(content, typed)
        if len(found) == 1:
            return _stored(ask, found[0].code)
        return Choose(tuple((area.code, area.name) for area in found)) if found else None
    if ask.number:
        value = match_number(ask.number, typed)
    else:
        value = match_keywords(vocabulary.keywords(content, locale, dict(ask.keywords)), typed)
    return None if value is None else _stored(ask, value)


def _pressed(content: Content, ask: Ask, value: str) -> Answered | None:
    """An answer button carries a value the question may store: a known municipality's
    code, or one of its values."""
    if ask.municipality:
        known = content.directory is not None and value in content.directory.areas
    else:
        known = value in ask.values
    return _stored(ask, value) if known else None


def _stored(ask: Ask, value: str) -> Answered:
    return Answered({ask.store: value}, ask.goto)


def _municipalities(content: Content, typed: str) -> list[Area]:
    if content.directory is None:
        return []
    return match_municipality(content.directory, typed)


def _samples(content: Content, ask: Ask, buttons_shown: bool) -> list[str]:
    """One typed answer for each value a question takes (its one matcher's)."""
    if ask.number:
        return _numbers(ask.number)
    if ask.keywords:  # beside buttons, the buttons show what the words mean
        return [] if buttons_shown else [words[0] for words in ask.keywords.values() if words]
    return _a_municipality(content) if ask.municipality else []


def _a_municipality(content: Content) -> list[str]:
    """The name of the municipality with the lowest code (a county's code has 2 digits)."""
    areas = content.directory.areas.values() if content.directory is not None else ()
    municipalities = [area for area in areas if len(area.code) == 4]
    return [min(municipalities, key=lambda a: a.code).name] if municipalities else []


def _numbers(ranges: tuple[NumberRange, ...]) -> list[str]:
    """A number in each range: the highest below its limit, or the last limit."""
    answers, low = [], 0
    for part in ranges:
        answers.append(str(low if part.below is None else max(low, part.below - 1)))
        low = part.below if part.below is not None else low
    return answers


ANSWERS: Mapping[type[Any], Answers[Any]] = {
    Ask: Answers[Ask](
        typed=_typed,
        pressed=_pressed,
        takes_numbers=lambda ask: bool(ask.number),
        otherwise=lambda ask: ask.otherwise,
        samples=_samples,
    ),
}
