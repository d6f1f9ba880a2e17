"""The facts in a text that a translation must carry unchanged: numbers (phone numbers,
times, dates, ages, amounts), web addresses and e-mail addresses.

A translation may write digits in its own script (Arabic ``١١٢``, Persian ``۱۱۲``) and put
them in its own order of words, but not change, drop or add one: "weekdays 9-15" for
"Vardagar 8-16.30" is a wrong fact, whatever the language.

    facts("Ring 114 14, vardagar 8-16.30.")  # Facts(numbers=('114', '14', '8', '16', '30'), ...)
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from typing import NamedTuple

_WEB = re.compile(r"https?://[^\s<>\"')]+|www\.[^\s<>\"')]+", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DIGITS = re.compile(r"\d+")  # any script's decimal digits (str patterns match Unicode \d)
_TRAILING = ".,;:!?"
# Whatever any of the patterns above could match starts with one of these: a text without
# any (most texts) has no facts, found with one search instead of three.
_MAY_HOLD_FACTS = re.compile(r"[\d@]|https?://|www\.", re.IGNORECASE)


class Facts(NamedTuple):
    """A text's facts. A named tuple, not a frozen dataclass: made for every translated
    message of every catalog, where the dataclass's ``__init__`` was a tenth of the time
    (0.55 of 6.1 us a text, timeit)."""

    numbers: tuple[str, ...]  # sorted, in ASCII digits, without leading zeros' meaning lost
    addresses: tuple[str, ...]  # web and e-mail addresses, sorted

    def differences(self, other: Facts) -> list[str]:
        """What ``other`` (a translation's) lacks or adds, for a message."""
        said: list[str] = []
        if self == other:  # sorted tuples: equal is the same facts, the same number of times
            return said
        for label, mine, theirs in (
            ("numbers", self.numbers, other.numbers),
            ("addresses", self.addresses, other.addresses),
        ):
            lacking = list((Counter(mine) - Counter(theirs)).elements())
            added = list((Counter(theirs) - Counter(mine)).elements())
            if lacking:
                said.append(f"{label} missing: {', '.join(lacking)}")
            if added:
                said.append(f"{label} not in the source: {', '.join(added)}")
        return said


class SourceFacts(dict[str, Facts]):
    """:func:`facts` of source texts, each worked out once for a load: every catalog
    translates the same msgids. (An LRU cache of them thrashed once a pack had more texts
    than it held: read catalog after catalog, each text had left it before it was asked
    again, and a 10,000-step pack worked out its facts 17 times as often as one of 1,000.)"""

    def __missing__(self, text: str) -> Facts:
        found = self[text] = facts(text)
        return found


def facts(text: str) -> Facts:
    if _MAY_HOLD_FACTS.search(text) is None:
        return NO_FACTS
    addresses: list[str] = []
    rest = text
    if _may_hold_address(text):
        addresses = [m.rstrip(_TRAILING).lower() for m in _WEB.findall(text)]
        addresses += [m.rstrip(_TRAILING).lower() for m in _EMAIL.findall(text)]
        rest = _EMAIL.sub(" ", _WEB.sub(" ", text))  # an address's digits are the address's
    numbers = [run if run.isascii() else _ascii(run) for run in _DIGITS.findall(rest)]
    return Facts(tuple(sorted(numbers)), tuple(sorted(addresses)))


NO_FACTS = Facts((), ())


def _may_hold_address(text: str) -> bool:
    """Whether an address pattern could match: true for every text one of them matches
    (and for a few more, which they then read). Plain substring checks: an ignore-case
    regex of the three took 3.5 us a text, most of a text's facts, read for every
    translated message."""
    return "@" in text or "://" in text or "www." in text.lower()


def _ascii(digits: str) -> str:
    return "".join(str(unicodedata.digit(char)) for char in digits)
