"""Phone numbers as a Swede writes them, and as tel: links."""

from __future__ import annotations

import pytest

from bot.directory.phones import display, is_valid, tel_uri
from tests.directory_fixtures import shipped


@pytest.mark.parametrize(
    ("number", "shown", "uri"),
    [
        ("020-100 200", "020-100 200", "tel:+4620100200"),
        ("08-527 44 290", "08-527 44 290", "tel:+46852744290"),
        ("114 14", "114 14", "tel:11414"),
        ("112", "112", "tel:112"),
        ("116 111", "116 111", "tel:116111"),
        ("1177", "1177", "tel:1177"),
        # no grouping written: the library's (SS 636661)
        ("020100200", "020-10 02 00", "tel:+4620100200"),
        ("+46 8 527 44 290", "08-527 442 90", "tel:+46852744290"),
        ("0155-24 50 00", "0155-24 50 00", "tel:+46155245000"),
        # a wrong area code before the dash is not kept
        ("02-0100200", "020-10 02 00", "tel:+4620100200"),
    ],
)
def test_numbers_are_shown_nationally_and_linked_internationally(
    number: str, shown: str, uri: str
) -> None:
    assert display(number) == shown
    assert tel_uri(number) == uri


@pytest.mark.parametrize("number", ["020-100 200", "112", "1177", "08-527 44 290"])
def test_real_numbers_are_valid(number: str) -> None:
    assert is_valid(number)


@pytest.mark.parametrize("number", ["08-1", "0000-00 00 00", "1234567890123"])
def test_impossible_numbers_are_not(number: str) -> None:
    assert not is_valid(number)


def test_every_shipped_number_is_shown_as_its_source_writes_it() -> None:
    for service in shipped().services.values():
        for phone in service.phones:
            assert display(phone.number) == phone.number
