"""Finding the municipality a person typed, forgivingly, without keeping what they typed.

>>> [a.name for a in match_municipality(directory, "jag bor i nykopings kommun")]
['Nyköping']
>>> [a.name for a in match_municipality(directory, "Upplands")]
['Upplands Väsby', 'Upplands-Bro']

The text is matched here and dropped by the caller; nothing in this module stores or logs it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache

from rapidfuzz import fuzz, process

from bot.directory.model import Area, Directory

MAX_CANDIDATES = 5
_MAX_TEXT = 200  # a municipality's name sits in a short sentence, not an essay
_MAX_WORDS = 4  # "Upplands Väsby", "Malung-Sälen", "Lilla Edet": names have few words
_MIN_FUZZY = 4  # shorter words ("mor", "bor") only match a name exactly
_CUTOFF = 75.0
_SURE = 85.0
_MARGIN = 5.0
_PREFIX_SCORE = 90.0
_IGNORED = frozenset({"kommun", "kommuns", "stad", "municipality"})
_WORD = re.compile(r"[^\W\d_]+")


def fold(text: str) -> str:
    """Lower case without diacritics: ``Nyköping`` -> ``nykoping``, ``Håbo`` -> ``habo``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.casefold()) if w not in _IGNORED]


@dataclass(frozen=True)
class _Index:
    exact: Mapping[str, tuple[Area, ...]]  # casefolded words joined by spaces
    folded: Mapping[str, tuple[Area, ...]]
    names: tuple[str, ...]  # folded, one per area, in order
    areas: tuple[Area, ...]


@cache
def _index(areas: tuple[Area, ...]) -> _Index:
    exact: dict[str, list[Area]] = {}
    folded: dict[str, list[Area]] = {}
    for area in areas:
        key = " ".join(_words(area.name))
        exact.setdefault(key, []).append(area)
        folded.setdefault(fold(key), []).append(area)
    return _Index(
        {k: tuple(v) for k, v in exact.items()},
        {k: tuple(v) for k, v in folded.items()},
        tuple(fold(" ".join(_words(a.name))) for a in areas),
        areas,
    )


def _ngrams(words: list[str]) -> Iterator[str]:
    """Runs of words, longest first, so "Upplands Väsby" wins over a shorter name inside."""
    for size in range(min(_MAX_WORDS, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            yield " ".join(words[start : start + size])


def _lookups(index: _Index, gram: str) -> tuple[tuple[Area, ...], ...]:
    """Whole-name matches: as written, then without å/ä/ö, then without a genitive -s.

    Written without å/ä/ö, a name can be two: "habo" is Habo or Håbo, so both come back
    (the one spelt exactly so first); "Håbo" is only Håbo.
    """
    exact = index.exact.get(gram, ())
    folded = index.folded.get(fold(gram), ())
    singular = index.folded.get(fold(gram[:-1]), ()) if gram.endswith("s") else ()
    if gram == fold(gram):
        return (), (*exact, *(a for a in folded if a not in exact)), singular
    return exact, folded, singular


def _exact(index: _Index, grams: list[str]) -> list[Area]:
    for variant in range(3):
        found: dict[str, Area] = {}
        for gram in grams:
            for area in _lookups(index, gram)[variant]:
                found.setdefault(area.code, area)
            if found and len(gram.split()) > 1:
                break  # a longer name found: do not add the shorter ones inside it
        if found:
            return list(found.values())
    return []


def _fuzzy(index: _Index, grams: list[str]) -> list[Area]:
    scores: dict[int, float] = {}
    for gram in (fold(g) for g in grams):
        if len(gram) < _MIN_FUZZY:
            continue
        for position, name in enumerate(index.names):
            if name.startswith(gram + " ") or name.startswith(gram + "-"):
                scores[position] = max(scores.get(position, 0.0), _PREFIX_SCORE)
        for _, score, position in process.extract(
            gram, index.names, scorer=fuzz.ratio, limit=MAX_CANDIDATES, score_cutoff=_CUTOFF
        ):
            scores[position] = max(scores.get(position, 0.0), float(score))
    ranked = sorted(scores.items(), key=lambda item: (-item[1], index.names[item[0]]))
    if not ranked:
        return []
    best = ranked[0][1]
    if best >= _SURE and (len(ranked) == 1 or ranked[1][1] < best - _MARGIN):
        return [index.areas[ranked[0][0]]]
    return [index.areas[position] for position, _ in ranked[:MAX_CANDIDATES]]


def match_municipality(directory: Directory, text: str) -> list[Area]:
    """The municipality named in ``text``: one when sure, else up to 5 candidates, or [].

    Forgiving about case, missing å/ä/ö, typos, a "kommun"/"s kommun" suffix and words
    around the name ("jag bor i Nyköping"). Never stores or logs ``text``.
    """
    words = _words(text[:_MAX_TEXT])
    if not words:
        return []
    index = _index(tuple(directory.areas.values()))
    grams = list(_ngrams(words))
    return _exact(index, grams)[:MAX_CANDIDATES] or _fuzzy(index, grams)
