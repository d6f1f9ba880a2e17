from __future__ import annotations

import pytest

from bot.engine import tokens
from bot.engine.tokens import LanguageToken, NavToken, OptionToken, Stale, Token
from tests.engine_fixtures import CONTENT


def test_every_token_of_the_content_is_short_ascii() -> None:
    made = [
        tokens.option_token(CONTENT.version, step.ref, index)
        for step in CONTENT.steps.values()
        for index in range(len(step.options))
    ]
    made += [tokens.nav_token(action) for action in CONTENT.navigation]
    made += [tokens.language_token(language.code) for language in CONTENT.languages]
    assert made
    for token in made:
        assert token.isascii()
        assert len(token.encode()) <= tokens.MAX_TOKEN_BYTES
        assert not isinstance(tokens.parse(token), Stale)


def test_an_option_token_names_version_step_and_index() -> None:
    token = tokens.option_token("c0ffee1234567890", "home.menu", 2)
    assert token == f"o.c0ffee12.{tokens.step_hash('home.menu')}.2"
    assert tokens.parse(token) == OptionToken("c0ffee12", tokens.step_hash("home.menu"), 2)


def test_the_step_hash_is_six_hex_digits_and_stable() -> None:
    assert tokens.step_hash("home.menu") == tokens.step_hash("home.menu")
    assert tokens.step_hash("home.menu") != tokens.step_hash("home.age")
    assert len(tokens.step_hash("home.menu")) == 6
    int(tokens.step_hash("home.menu"), 16)


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("n.emergency", NavToken("emergency")),
        ("n.back", NavToken("back")),
        ("n.menu", NavToken("menu")),
        ("n.forget", NavToken("forget")),
        ("l.ar", LanguageToken("ar")),
        ("l.pt_BR", LanguageToken("pt_BR")),
        ("o.c0ffee12.abcdef.0", OptionToken("c0ffee12", "abcdef", 0)),
    ],
)
def test_tokens_parse(token: str, expected: Token) -> None:
    assert tokens.parse(token) == expected


@pytest.mark.parametrize(
    "token",
    [
        "",
        "garbage",
        "n.",
        "n.dance",
        "l.",
        "l.a r",
        "l.<script>",
        "o.c0ffee12.abcdef",
        "o.c0ffee12.abcdef.x",
        "o.c0ffee12.abcdef.-1",
        "o.c0ffee12.abc.1",
        "o..abcdef.1",
        "o.c0ffee12.abcdef.1.2",
        "o.c0ffee12.abcdef.\u0661",
        "n.emergency" + "x" * 40,
        "x." * 100,
    ],
)
def test_anything_unparsable_is_stale(token: str) -> None:
    assert tokens.parse(token) == Stale()
