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

_WEB = re.compile(r"https?://[^\s<>\"')]+|www\.[^\s<>\"')]+", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DIGITS = re.compile(r"\d+")  # any script's decimal digits (str patterns match Unicode \d)
_TRAILING = ".,;:!?"


@dataclass(frozen=True)
class Facts:
    numbers: tuple[str, ...]  # sorted, in ASCII digits, without leading zeros' meaning lost
    addresses: tuple[str, ...]  # web and e-mail addresses, sorted

    def differences(self, other: Facts) -> list[str]:
        """What ``other`` (a translation's) lacks or adds, for a message."""
        said: list[str] = []
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


def facts(text: str) -> Facts:
    addresses = [m.rstrip(_TRAILING).lower() for m in _WEB.findall(text)]
    addresses += [m.rstrip(_TRAILING).lower() for m in _EMAIL.findall(text)]
    rest = _EMAIL.sub(" ", _WEB.sub(" ", text))  # an address's digits are the address's
    numbers = [_ascii(run) for run in _DIGITS.findall(rest)]
    return Facts(tuple(sorted(numbers)), tuple(sorted(addresses)))


def _ascii(digits: str) -> str:
    return "".join(str(unicodedata.digit(char)) for char in digits)
