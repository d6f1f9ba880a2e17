"""Matching typed text, purely: words and phrases, whole numbers, option labels.

Everything works on folded words (:func:`words_of`): case, punctuation, diacritics, the
spelling variants of Arabic letters and the script of digits do not matter, so the phrase
``akut`` matches "Det är AKUT!" but not "akuten", and ``112`` matches "١١٢".

A phrase in a word list is one or more words. A word may end in ``*`` to stand for every word
that starts with it: ``kniv*`` matches "kniven" and "knivar" (Swedish and Somali inflect at the
end of a word). An Arabic word is also matched without its attached prefixes: the phrase
``هجوم`` matches "لهجوم" and "والهجوم" (see :func:`forms`).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.flows.ways import NumberRange

# Unicode categories that separate words: punctuation (P*), symbols (S*), separators (Z*)
# and control characters (Cc). Letters and digits stay; marks (diacritics) are dropped.
_SEPARATORS = ("P", "S", "Z")
_NUMBER = re.compile(r"\d+")  # any script's decimal digits: Latin, Arabic-Indic (U+0660..) alike
# Longer digit runs are read as this (int() refuses over 4300 digits; nobody is that old).
_HUGE = 10**15
WILDCARD = "*"

# Arabic letters written in more than one way in everyday typing: alef maqsura for ya, ta
# marbuta for ha, Persian kaf and ya for the Arabic ones; the tatweel only stretches a word.
_LETTER_FOLDS = str.maketrans(
    {"\u0649": "\u064a", "\u0629": "\u0647", "\u06a9": "\u0643", "\u06cc": "\u064a", "\u0640": None}
)
# Arabic attaches conjunctions (و، ف), prepositions (ب، ل، ك) and the article (ال) to the
# word that follows; ل before ال contracts to لل. Longest first.
_CONJUNCTIONS = ("و", "ف", "")
_PREPOSITIONS = ("ب", "ل", "ك", "")
_ARABIC_PREFIXES = tuple(
    sorted(
        {c + p + a for c in _CONJUNCTIONS for p in _PREPOSITIONS for a in ("ال", "")}
        | {c + "لل" for c in _CONJUNCTIONS},
        key=len,
        reverse=True,
    )
)
_MIN_STEM = 3  # shorter remainders are mostly whole words that merely begin with و or ب


def normalise(text: str) -> str:
    """``normalise("  Det är AKUT!! ")`` -> ``"det ar akut"``."""
    return " ".join(words_of(text))


def words_of(text: str) -> tuple[str, ...]:
    """The folded words of ``text``: ``"Hjälp, NU!"`` -> ``("hjalp", "nu")``."""
    if text.isascii():  # nothing to decompose or compose: the common case, one pass in C
        return tuple(_folded_ascii(text).split())
    return tuple(_folded(text).split())


def _folded_ascii(text: str) -> str:
    return text.encode().translate(_ASCII_FOLDS).decode()


def _folded(text: str) -> str:
    """``text`` folded, its words still apart: decomposed, diacritics dropped, separators
    made spaces, composed again, case and Arabic spelling variants folded."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = decomposed.translate(_FOLDS)
    return unicodedata.normalize("NFKC", kept).casefold().translate(_LETTER_FOLDS)


class _FoldTable(dict[int, str]):
    """:func:`_fold_char` for ``str.translate``, each character worked out once: folding a
    text is then one pass in C instead of a Python call per character. It remembers
    characters, never texts."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code))
        return folded


_FOLDS = _FoldTable()


def _fold_char(char: str) -> str:
    category = unicodedata.category(char)
    if category == "Mn":
        return ""  # a diacritic: ä -> a, and Arabic short vowels and hamza marks
    if category == "Nd":
        return str(unicodedata.decimal(char))  # ١١٢ -> 112
    if category[0] in _SEPARATORS or category == "Cc":
        return " "
    return char


# An ASCII character folds to one ASCII character (_fold_char, then lower case), so an ASCII
# text folds with ``bytes.translate``: what _folded does to it, without the normalising.
_ASCII_FOLDS = bytes(ord(_fold_char(chr(code)).lower()) for code in range(128)) + bytes(
    range(128, 256)
)


def forms(word: str) -> tuple[str, ...]:
    """A folded word and, for an Arabic word, the word without each prefix it may carry:
    ``forms("للهجوم")`` -> ``("للهجوم", "الهجوم", "هجوم")``."""
    if not word or not ("\u0600" <= word[0] <= "\u06ff" or "\u0750" <= word[0] <= "\u077f"):
        return (word,)  # not Arabic (_is_arabic, inlined: this runs for every typed word)
    found = [word]
    for prefix in _ARABIC_PREFIXES:
        if prefix and word.startswith(prefix) and len(word) - len(prefix) >= _MIN_STEM:
            stem = word[len(prefix) :]
            with_article = "ال" + stem if prefix.endswith(("ال", "لل")) else None
            found.extend(form for form in (with_article, stem) if form and form not in found)
    return tuple(found)


def word_forms(words: Sequence[str]) -> set[str]:
    """Every form of every word (:func:`forms`): the words themselves, and for an Arabic
    text also each word without its prefixes."""
    if not any(word and _is_arabic(word[0]) for word in words):
        return set(words)
    return {form for word in words for form in forms(word)}


def _is_arabic(char: str) -> bool:
    return "\u0600" <= char <= "\u06ff" or "\u0750" <= char <= "\u077f"


@dataclass(frozen=True)
class _Pattern:
    """One word of a phrase: ``stem`` and whether any ending may follow it (``kniv*``)."""

    stem: str
    prefix: bool

    def matches(self, word_forms: Sequence[str]) -> bool:
        if self.prefix:
            return any(form.startswith(self.stem) for form in word_forms)
        return self.stem in word_forms


@lru_cache(maxsize=8192)
def _compile(phrase: str) -> tuple[_Pattern, ...]:
    """A content phrase (a trigger word, a keyword, a label), compiled once. Only the
    content's own strings come here: typed text is never kept, not even in a cache."""
    patterns: list[_Pattern] = []
    for raw in phrase.split():
        prefix = raw.endswith(WILDCARD)
        for word in words_of(raw):
            stem = _without_article(word)
            patterns.append(_Pattern(stem, prefix))
    return tuple(patterns)


def _without_article(word: str) -> str:
    # The typed word's forms hold it with and without "ال", so the bare stem matches both.
    if word.startswith("ال") and len(word) - 2 >= _MIN_STEM:
        return word[2:]
    return word


class Typed:
    """Typed text as folded words with their forms, read once and then only matched.

    ``masked`` phrases (a language's everyday phrases, such as "skjuta upp") are blanked, so
    no phrase can match inside them or across them.
    """

    __slots__ = ("_words",)

    def __init__(self, text: str, masked: Iterable[str] = ()) -> None:
        self._words: list[tuple[str, ...]] = [forms(word) for word in words_of(text)]
        spans = [(start, length) for start, length, _ in self._found(tuple(masked))]
        for start, length in spans:
            for index in range(start, start + length):
                self._words[index] = ()

    def _found(self, phrases: tuple[str, ...]) -> Iterator[tuple[int, int, str]]:
        """(start, length, phrase) of each occurrence: each typed word is looked up in the
        phrases' index, so a list of hundreds costs about as much as a few."""
        if not phrases or not self._words:
            return
        exact, prefixed = _index(phrases)
        by_word, by_stem = exact.get, prefixed.get
        for start, word_forms in enumerate(self._words):
            for form in word_forms:
                # The phrases that may start here: by the whole word, by a stem's first
                # letters, by a one-letter stem. Most words start none.
                buckets = (
                    by_word(form),
                    by_stem(form[:_BUCKET]),
                    by_stem(form[:1]) if len(form) > 1 else None,
                )
                for bucket in buckets:
                    for patterns, phrase in bucket or ():
                        if self._at(start, patterns):
                            yield start, len(patterns), phrase

    def _at(self, start: int, patterns: tuple[_Pattern, ...]) -> bool:
        if start + len(patterns) > len(self._words):
            return False
        return all(p.matches(self._words[start + i]) for i, p in enumerate(patterns))

    def words(self) -> Iterator[str]:
        """Every form of every word that is not masked."""
        for word_forms in self._words:
            yield from word_forms

    def has_any(self, phrases: Iterable[str]) -> bool:
        """Whether any of ``phrases`` occurs as whole, contiguous words.

        >>> Typed("Hon är i fara nu").has_any(["i fara"]), Typed("akuten").has_any(["akut"])
        (True, False)
        """
        return next(self._found(tuple(phrases)), None) is not None

    def occurring(self, phrases: Iterable[str]) -> set[str]:
        """Those of ``phrases`` that occur."""
        return {phrase for _, _, phrase in self._found(tuple(phrases))}

    def first(self, lists: Iterable[tuple[str, ...]]) -> int | None:
        """The index of the first of ``lists`` (in their order) any phrase of which occurs."""
        return next((i for i, phrases in enumerate(lists) if self.has_any(phrases)), None)


def could_hold(phrases: tuple[str, ...], text: str) -> bool:
    """A cheap first look before :meth:`Typed.has_any`: whether a word of ``text`` could
    begin one of ``phrases``. False: none of them occurs; True: look closer. For checking
    content by the thousand (the validator), where most texts hold no listed word."""
    return could_hold_words(phrases, words_of(text))


def starting_forms(phrases: Iterable[str], forms_sorted: Sequence[str]) -> set[str]:
    """Those of ``forms_sorted`` (word forms, sorted) that a phrase of ``phrases`` can begin
    with: its first word, or any word its ``stem*`` begins. A text none of whose words'
    forms is one holds none of the phrases: the validator's exact first look at thousands
    of texts (:func:`could_hold_words` is a rougher one, by first letters)."""
    found: set[str] = set()
    for phrase in phrases:
        patterns = _compile(phrase)
        if not patterns:
            continue
        stem = patterns[0].stem
        at = bisect.bisect_left(forms_sorted, stem)
        while at < len(forms_sorted) and forms_sorted[at].startswith(stem):
            if patterns[0].prefix or forms_sorted[at] == stem:
                found.add(forms_sorted[at])
            if not patterns[0].prefix:
                break
            at += 1
    return found


def whole_words(phrase: str) -> frozenset[str]:
    """The word forms a text must hold for ``phrase`` to occur in it (its words without a
    ``*``, as :class:`Typed` matches them): a quick necessary condition, for content checks."""
    return frozenset(pattern.stem for pattern in _compile(phrase) if not pattern.prefix)


def could_hold_words(phrases: tuple[str, ...], words: Iterable[str]) -> bool:
    """:func:`could_hold` for a text's folded words (:func:`words_of`), already read."""
    if not phrases:
        return False
    exact, prefixed = _index(phrases)
    for word in words:
        for form in forms(word):
            if form in exact or form[:_BUCKET] in prefixed or form[:1] in prefixed:
                return True
    return False


_Compiled = tuple[tuple[_Pattern, ...], str]
_Index = tuple[dict[str, list[_Compiled]], dict[str, list[_Compiled]]]
_BUCKET = 2  # a `stem*` is found by the first letters of a typed word, not by trying them all


@lru_cache(maxsize=1024)
def _index(phrases: tuple[str, ...]) -> _Index:
    """A word list by the first word of each phrase: whole words by the word, ``stem*`` by
    the stem's first letters (content strings only, like _compile)."""
    exact: dict[str, list[_Compiled]] = {}
    prefixed: dict[str, list[_Compiled]] = {}
    for phrase in phrases:
        patterns = _compile(phrase)
        if not patterns:
            continue
        first = patterns[0]
        if not first.prefix:
            exact.setdefault(first.stem, []).append((patterns, phrase))
        elif len(first.stem) >= _BUCKET:
            prefixed.setdefault(first.stem[:_BUCKET], []).append((patterns, phrase))
        else:  # a one-letter stem: found by a typed word's first letter
            prefixed.setdefault(first.stem, []).append((patterns, phrase))
    return exact, prefixed


def match_keywords(keywords: Mapping[str, Sequence[str]], text: str | Typed) -> str | None:
    """The first value (in content order) any of whose phrases occurs in ``text``.

    >>> match_keywords({"child": ["mitt barn", "son"], "partner": ["man"]}, "Min son!")
    'child'
    """
    typed = text if isinstance(text, Typed) else Typed(text)
    for value, phrases in keywords.items():
        if typed.has_any(phrases):
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
        if _normalised_label(label) == typed:
            return index
    return None


@lru_cache(maxsize=8192)
def _normalised_label(label: str) -> str:
    return normalise(label)  # a content string, like _compile's


def match_ordinal(count: int, text: str) -> int | None:
    """A bare number picks the n-th of ``count`` buttons: ``"2"`` -> index 1."""
    typed = normalise(text)
    if not typed.isdecimal() or len(typed) > 3:
        return None
    number = int(typed)
    return number - 1 if 1 <= number <= count else None
