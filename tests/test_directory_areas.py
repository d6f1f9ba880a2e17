"""Sweden's areas, and finding the municipality a person typed."""

from __future__ import annotations

import pytest

from bot.directory.areas import match_municipality
from tests.directory_fixtures import shipped


def test_sweden_has_290_municipalities_and_21_counties() -> None:
    directory = shipped()
    assert len(directory.areas) == 290
    assert len(directory.counties) == 21


def test_every_municipality_code_lies_inside_its_county() -> None:
    directory = shipped()
    for code, area in directory.areas.items():
        assert len(code) == 4 and code.isdigit()
        assert area.county == code[:2]
        assert area.county in directory.counties
    for code, county in directory.counties.items():
        assert county.county == code and county.is_county


def test_every_county_has_a_municipality() -> None:
    directory = shipped()
    assert {a.county for a in directory.areas.values()} == set(directory.counties)


def test_municipality_names_are_unique() -> None:
    names = [a.name for a in shipped().areas.values()]
    assert len(names) == len(set(names))


def test_a_known_code_gives_its_municipality() -> None:
    area = shipped().municipality("0480")
    assert area is not None and area.name == "Nyköping" and area.county == "04"
    assert shipped().municipality("9999") is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Nyköping", ["Nyköping"]),
        ("Nykoping", ["Nyköping"]),
        ("NYKÖPING", ["Nyköping"]),
        ("nykoping kommun", ["Nyköping"]),
        ("Nyköpings kommun", ["Nyköping"]),
        ("Eskilstunna", ["Eskilstuna"]),
        ("eskilstuan", ["Eskilstuna"]),
        ("jag bor i Nyköping", ["Nyköping"]),
        ("Jag bor i nykoping.", ["Nyköping"]),
        ("Upplands Väsby", ["Upplands Väsby"]),
        ("upplands vasby", ["Upplands Väsby"]),
        ("Upplands-Bro", ["Upplands-Bro"]),
        ("upplands bro kommun", ["Upplands-Bro"]),
        ("Umea", ["Umeå"]),
        ("Gotenburg", ["Göteborg"]),
        ("Stockholms stad", ["Stockholm"]),
        ("Kils kommun", ["Kil"]),
        ("Malung salen", ["Malung-Sälen"]),
        ("Ale", ["Ale"]),
        ("min mor bor i Mora", ["Mora"]),
        ("Håbo", ["Håbo"]),
    ],
)
def test_a_municipality_is_found_forgivingly(typed: str, expected: list[str]) -> None:
    assert [a.name for a in match_municipality(shipped(), typed)] == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Upplands", {"Upplands Väsby", "Upplands-Bro"}),
        ("habo", {"Habo", "Håbo"}),
        ("Norrköping eller Linköping", {"Norrköping", "Linköping"}),
    ],
)
def test_ambiguous_text_gives_several_candidates(typed: str, expected: set[str]) -> None:
    found = match_municipality(shipped(), typed)
    assert {a.name for a in found} == expected


def test_the_name_spelt_exactly_comes_first() -> None:
    assert [a.name for a in match_municipality(shipped(), "Habo")] == ["Habo", "Håbo"]


def test_candidates_are_at_most_five_and_closest_first() -> None:
    found = match_municipality(shipped(), "Köpinge")
    assert 1 <= len(found) <= 5
    assert found[0].name in {"Köping", "Söderköping", "Linköping", "Nyköping", "Norrköping"}


@pytest.mark.parametrize("typed", ["", "hej", "jag vet inte", "hjälp", "12345", "???", "mor"])
def test_nothing_plausible_gives_nothing(typed: str) -> None:
    assert match_municipality(shipped(), typed) == []


def test_a_very_long_text_is_cut_not_scanned_whole() -> None:
    assert match_municipality(shipped(), "bla " * 1000 + "Nyköping") == []
