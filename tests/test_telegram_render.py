"""Replies as Telegram messages: escaped HTML, 4096-character parts split on paragraph
boundaries, contact cards with links, keyboards within Telegram's limits."""

from __future__ import annotations

from datetime import date

import pytest

from bot.channels.telegram_render import (
    BUTTONS_ONLY_TEXT,
    MAX_TEXT,
    Key,
    Outgoing,
    render,
    utf16_length,
)
from bot.engine import Button, ContactCard, Phrase, Reply
from bot.i18n.renderer import renderer_for
from tests.engine_fixtures import CONTENT

RENDERER = renderer_for(CONTENT, "sv")


def _text(text: str, **kwargs: object) -> Reply:
    return Reply(Phrase(text), **kwargs)  # type: ignore[arg-type]


def test_text_is_escaped() -> None:
    (message,) = render([_text("Barn < 18 & <b>inte</b> vuxna")], RENDERER)
    assert message.html == "Barn &lt; 18 &amp; &lt;b&gt;inte&lt;/b&gt; vuxna"


@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [
        (["a" * 2000, "b" * 2000], 1),
        (["a" * 2000, "b" * 2000, "c" * 2000], 2),
        (["&" * 1000], 2),  # escaped, "&amp;" is five characters
        (["x" * 9000], 3),  # one paragraph with no spaces: hard cuts
    ],
)
def test_long_texts_are_split_within_telegrams_limit(paragraphs: list[str], expected: int) -> None:
    messages = render([_text("\n\n".join(paragraphs))], RENDERER)
    assert len(messages) == expected
    assert all(utf16_length(message.html) <= MAX_TEXT for message in messages)


def test_a_split_falls_between_paragraphs_then_lines_then_words() -> None:
    first, second = ("Stycke ett. " * 160).strip(), ("Stycke två. " * 160).strip()
    messages = render([_text(f"{first}\n\n{second}\n\n{first}")], RENDERER)
    assert [m.html for m in messages] == [f"{first}\n\n{second}", first]
    words = " ".join(["ord"] * 2000)  # 7999 characters, one paragraph, one line
    pieces = [m.html for m in render([_text(words)], RENDERER)]
    assert len(pieces) == 2 and " ".join(pieces) == words


def test_utf16_length_counts_as_telegram_does() -> None:
    assert utf16_length("hej") == 3 and utf16_length("🚨") == 2
    messages = render([_text("🚨" * 3000)], RENDERER)
    assert len(messages) == 2


def test_buttons_go_under_the_last_part_and_in_rows() -> None:
    buttons = (
        Button("o.1.abcdef.0", Phrase("Om socialtjänsten")),
        Button("o.1.abcdef.1", Phrase("Hur gammal?")),
        Button("l.sv", Phrase("Svenska"), "language"),
        Button("l.ar", Phrase("العربية"), "language"),
        Button("l.en", Phrase("English"), "language"),
        Button("n.emergency", Phrase("Ring 112"), "nav", "emergency"),
        Button("n.menu", Phrase("Meny"), "nav", "menu"),
        Button("n.forget", Phrase("Glöm mig"), "nav", "forget"),
        Button("x" * 65, Phrase("För lång")),
    )
    first, last = render([_text("a" * 3000 + "\n\n" + "b" * 3000, buttons=buttons)], RENDERER)
    assert first.keyboard == ()
    assert [[key.data for key in row] for row in last.keyboard] == [
        ["o.1.abcdef.0"],
        ["o.1.abcdef.1"],
        ["l.sv", "l.ar"],
        ["l.en"],
        ["n.emergency", "n.menu"],
        ["n.forget"],
    ]
    assert last.keyboard[2][1] == Key("العربية", "l.ar")  # a language is named in itself


def test_a_turns_replies_share_one_message_where_they_fit() -> None:
    """Telegram lets a bot send a chat about one message a second: a turn of three replies
    is one message (paragraphs), not three arriving over two seconds."""
    nav = (Button("n.menu", Phrase("Meny"), "nav", "menu"),)
    messages = render(
        [_text("Hej."), _text("Jag är inte polisen."), _text("Välj.", buttons=nav)], RENDERER
    )
    assert messages == [
        Outgoing("Hej.\n\nJag är inte polisen.\n\nVälj.", ((Key("Meny", "n.menu"),),))
    ]
    # Too long together: split between replies, the buttons under the last part.
    long = [_text("a" * 3000), _text("b" * 3000, buttons=nav), _text("Efter knapparna.")]
    parts = render(long, RENDERER)
    assert [(m.html[:1], bool(m.keyboard)) for m in parts] == [
        ("a", False),
        ("b", True),
        ("E", False),
    ]


def test_a_step_with_only_buttons_hangs_them_under_the_message_before() -> None:
    nav = (Button("n.menu", Phrase("Meny"), "nav", "menu"),)
    messages = render([_text("Hej."), Reply(None, buttons=nav)], RENDERER)
    assert messages == [Outgoing("Hej.", ((Key("Meny", "n.menu"),),))]
    (alone,) = render([Reply(None, buttons=nav)], RENDERER)
    assert alone.html == BUTTONS_ONLY_TEXT and alone.keyboard


def test_a_contact_card_has_a_bold_name_plain_numbers_links_and_its_source() -> None:
    card = ContactCard(
        id="orostelefonen",
        name=Phrase("Orostelefonen & co"),
        source="raddabarnen.se",
        verified=date(2025, 6, 1),
        verified_ok=True,
        what=Phrase("Stödlinje för anhöriga."),
        phone="020-100 200",
        web="https://www.raddabarnen.se/",
        email="stod@example.se",
    )
    (message,) = render([_text("Här kan du ringa.", contacts=(card,), expects_text=True)], RENDERER)
    assert message.html == (
        "Här kan du ringa.\n\n"
        "<b>Orostelefonen &amp; co</b>\n"
        "Stödlinje för anhöriga.\n"
        "Telefon: 020-100 200\n"
        "E-post: stod@example.se\n"
        'Webb: <a href="https://www.raddabarnen.se/">www.raddabarnen.se</a>\n'
        "<i>Källa: raddabarnen.se, kontrollerad 1 juni 2025</i>\n\n"
        "<i>du kan också skriva</i>"
    )


def test_a_card_too_old_to_trust_shows_no_number_and_no_unsafe_link() -> None:
    card = ContactCard(
        id="old",
        name=Phrase("Gamla linjen"),
        source="example.se",
        verified=date(2020, 1, 1),
        verified_ok=False,
        phone="010-000 000",
        web="javascript:alert(1)",
        unverified=Phrase("Uppgifterna kunde inte bekräftas."),
    )
    (message,) = render([Reply(None, contacts=(card,))], RENDERER)
    assert "010-000 000" not in message.html
    assert "<a " not in message.html and "javascript:alert(1)" in message.html
