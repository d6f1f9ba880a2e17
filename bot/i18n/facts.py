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
from dataclasses import dataclass
from functools import lru_cache

_WEB = re.compile(r"https?://[^\s<>\"')]+|www\.[^\s<>\"')]+", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DIGITS = re.compile(r"\d+")  # any script's decimal digits (str patterns match Unicode \d)
_TRAILING = ".,;:!?"
# Whatever any of the patterns above could match starts with one of these: a text without
# any (most texts) has no facts, found with one search instead of three.
_MAY_HOLD_FACTS = re.compile(r"[\d@]|https?://|www\.", re.IGNORECASE)
_MAY_HOLD_ADDRESS = re.compile(r"@|https?://|www\.", re.IGNORECASE)


@dataclass(frozen=True)
class Facts:
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


@lru_cache(maxsize=1 << 14)
def source_facts(text: str) -> Facts:
    """:func:`facts` of a source text, which is compared with each language's translation."""
    return facts(text)


def facts(text: str) -> Facts:
    if _MAY_HOLD_FACTS.search(text) is None:
        return NO_FACTS
    addresses: list[str] = []
    rest = text
    if _MAY_HOLD_ADDRESS.search(text) is not None:
        addresses = [m.rstrip(_TRAILING).lower() for m in _WEB.findall(text)]
        addresses += [m.rstrip(_TRAILING).lower() for m in _EMAIL.findall(text)]
        rest = _EMAIL.sub(" ", _WEB.sub(" ", text))  # an address's digits are the address's
    numbers = [run if run.isascii() else _ascii(run) for run in _DIGITS.findall(rest)]
    return Facts(tuple(sorted(numbers)), tuple(sorted(addresses)))


NO_FACTS = Facts((), ())


def _ascii(digits: str) -> str:
    return "".join(str(unicodedata.digit(char)) for char in digits)
