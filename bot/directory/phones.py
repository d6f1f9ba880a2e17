"""Swedish phone numbers for people and for links, formatted by ``phonenumbers``.

>>> display("020100200"), display("08-527 44 290"), display("11414"), display("112")
('020-100 200', '08-527 44 290', '114 14', '112')
>>> tel_uri("020-100 200"), tel_uri("112")
('tel:+4620100200', 'tel:112')
"""

from __future__ import annotations

from functools import lru_cache

import phonenumbers

REGION = "SE"
_SHORT_LENGTH = 6  # Swedish short numbers (112, 1177, 114 14, 116 111) have at most six digits
# display() and tel_uri() take the directory's numbers (never typed text), each shown on every
# turn with its card; phonenumbers' parse is 13 us a number, so each is worked out once.
_KEPT = 4096


def _digits(number: str) -> str:
    return "".join(c for c in number if c.isdigit() or c == "+")


def _parse(number: str) -> phonenumbers.PhoneNumber | None:
    try:
        parsed = phonenumbers.parse(number, REGION)
    except phonenumbers.NumberParseException:
        return None
    return parsed if phonenumbers.is_possible_number(parsed) else None


def is_short(number: str) -> bool:
    """An emergency or short number (112, 1177, 114 14, 116 111): dialled as it is."""
    digits = _digits(number)
    return not digits.startswith(("0", "+")) and len(digits) <= _SHORT_LENGTH


@lru_cache(maxsize=_KEPT)
def display(number: str) -> str:
    """The national format a Swede writes: ``020-100 200``; short numbers as written.

    ``phonenumbers`` parses the number and decides its area code. Swedish subscriber numbers
    are grouped in more than one accepted way ("08-527 44 290" at cve.se, "08-527 442 90"
    in SS 636661), so when the editor wrote ``area code-subscriber number`` with the right
    area code, their grouping (the source's) is kept; anything else gets the library's.
    """
    written = " ".join(number.split())
    if is_short(number):
        return written
    parsed = _parse(number)
    if parsed is None:
        return written
    national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    area = (
        "0"
        + phonenumbers.national_significant_number(parsed)[
            : phonenumbers.length_of_national_destination_code(parsed)
        ]
    )
    head, dash, tail = written.partition("-")
    if dash and head == area and _digits(tail) == _digits(national)[len(area) :]:
        return f"{area}-{' '.join(tail.split())}"
    return national


@lru_cache(maxsize=_KEPT)
def tel_uri(number: str) -> str:
    """A ``tel:`` link (RFC 3966, no separators): ``tel:+4620100200``; ``tel:112``."""
    if is_short(number):
        return f"tel:{_digits(number)}"
    parsed = _parse(number)
    if parsed is None:
        return f"tel:{_digits(number)}"
    return "tel:" + phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def is_valid(number: str) -> bool:
    """A short number, or one ``phonenumbers`` knows as a valid Swedish number."""
    if is_short(number):
        return True
    parsed = _parse(number)
    return parsed is not None and phonenumbers.is_valid_number(parsed)
