from __future__ import annotations

from dataclasses import replace

import pytest

from bot.engine.locales import negotiate
from bot.flows.model import Language
from tests.engine_fixtures import CONTENT


@pytest.mark.parametrize(
    ("hint", "expected"),
    [
        ("ar", "ar"),
        ("AR", "ar"),
        ("ar_SE", "ar"),  # the language part
        ("ar-SE", "ar"),
        ("en-GB,sv;q=0.5", "en"),  # an Accept-Language header, in order
        ("fi,sv;q=0.8,en;q=0.9", "en"),  # ... by quality
        ("fi;q=0,ar;q=0.1", "ar"),
        ("fi", None),
        ("*", None),
        ("", None),
        (None, None),
        (";;;,,q=x", None),
    ],
)
def test_a_hint_is_negotiated_against_the_content_languages(
    hint: str | None, expected: str | None
) -> None:
    assert negotiate(CONTENT, hint) == expected


def test_a_regional_content_language_matches_its_language_part() -> None:
    languages = (Language("sv", "Svenska"), Language("pt_BR", "Português"))
    content = replace(CONTENT, languages=languages)
    assert negotiate(content, "pt-PT") == "pt_BR"
    assert negotiate(content, "pt_br") == "pt_BR"
