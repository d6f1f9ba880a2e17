"""Matching typed text, purely: words and phrases, whole numbers, option labels.

Everything works on normalised text (:func:`normalise`), so case, punctuation and odd
Unicode forms do not matter: the phrase ``akut`` matches "Det är AKUT!" but not "akuten".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

from bot.flows.model import NumberRange

# Unicode categories that separate words: punctuation (P*), symbols (S*), separators (Z*)
# and control characters (Cc). Letters, marks and digits stay.
_SEPARATORS = ("P", "S", "Z")
_NUMBER = re.compile(r"\d+")  # any script's decimal digits: Latin, Arabic-Indic (U+0660..) alike
# Longer digit runs are read as this (int() refuses over 4300 digits; nobody is that old).
_HUGE = 10**15


def normalise(text: str) -> str:
    """``normalise("  Det är AKUT!! ")`` -> ``"det är akut"``."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    spaced = "".join(" " if _separates(char) else char for char in folded)
    return " ".join(spaced.split())


def _separates(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] in _SEPARATORS or category == "Cc"


def contains_phrase(text: str, phrase: str) -> bool:
    """Whether ``phrase`` occurs in ``text`` as whole, contiguous words.

    >>> contains_phrase("Hon är i fara nu", "i fara")
    True
    >>> contains_phrase("akuten", "akut")
    False
    """
    return _occurs(f" {normalise(text)} ", phrase)


def contains_any(text: str, phrases: Iterable[str]) -> bool:
    padded = f" {normalise(text)} "  # once, not once a phrase: a typed line meets hundreds
    return any(_occurs(padded, phrase) for phrase in phrases)


def _occurs(padded: str, phrase: str) -> bool:
    needle = _normalised_phrase(phrase)
    return bool(needle) and f" {needle} " in padded


@lru_cache(maxsize=8192)
def _normalised_phrase(phrase: str) -> str:
    """A content phrase (a trigger word, a keyword, a label), normalised once. Only the
    content's own strings come here: typed text is never kept, not even in a cache."""
    return normalise(phrase)


def match_keywords(keywords: Mapping[str, Sequence[str]], text: str) -> str | None:
    """The first value (in content order) any of whose phrases occurs in ``text``.

    >>> match_keywords({"child": ["mitt barn", "son"], "partner": ["man"]}, "Min son!")
    'child'
    """
    for value, phrases in keywords.items():
        if contains_any(text, phrases):
            return value
    return None


def first_number(text: str) -> int | None:
    """The first whole number written in ``text``: ``"hon är 17 år"`` -> 17."""
    found = _NUMBER.search(unicodedata.normalize("NFKC", text))
    if found is None:
        return None
    digits = found.group()
    return int(digits) if len(digits) < 15 else _HUGE


def match_number(ranges: Sequence[NumberRange], text: str) -> str | None:
    """The value of the first range the first number in ``text`` falls in.

    ``below`` is exclusive; a range without ``below`` takes every number left.

    >>> match_number([NumberRange("child", below=18), NumberRange("adult")], "hon är 17")
    'child'
    """
    number = first_number(text)
    if number is None:
        return None
    for numbers in ranges:
        if numbers.below is None or number < numbers.below:
            return numbers.value
    return None


def match_label(labels: Sequence[str], text: str) -> int | None:
    """The index of the label ``text`` spells out (ignoring case and punctuation), if any."""
    typed = normalise(text)
    if not typed:
        return None
    for index, label in enumerate(labels):
        if _normalised_phrase(label) == typed:
            return index
    return None


def match_ordinal(count: int, text: str) -> int | None:
    """A bare number picks the n-th of ``count`` buttons: ``"2"`` -> index 1."""
    typed = normalise(text)
    if not typed.isdecimal() or len(typed) > 3:
        return None
    number = int(typed)
    return number - 1 if 1 <= number <= count else None
