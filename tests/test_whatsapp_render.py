"""Replies as WhatsApp messages, without a network: every message within the Cloud API's
limits (which refuses the whole message otherwise), nothing said or offered lost on the way,
and the bodies the Graph API expects."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.channels.transport import Page
from bot.channels.whatsapp_render import (
    PAGE_PREFIX,
    Outgoing,
    Row,
    WhatsAppShape,
    decode,
    encode,
    list_key,
    page_of,
    render,
)
from bot.channels.whatsapp_transport import payload
from bot.engine import Start, step
from bot.engine.replies import Button, Phrase, Reply
from bot.i18n.renderer import renderer_for
from bot.pack.chat_limits import WHATSAPP
from tests.engine_fixtures import CONTENT, NOW, TEXTS

WA_ID = "46701234567"
CHOOSE = "Välj ett av alternativen i listan"  # longer than a list's button holds
CONTENT_WA = replace(
    CONTENT,
    texts={
        **TEXTS,
        "whatsapp_choose": CHOOSE,
        "whatsapp_more": "Fler val",
        "whatsapp_page": "Sida {page} av {pages}",
    },
)
RENDERER = renderer_for(CONTENT_WA, "sv")
LONG = "En mycket lång etikett som inte får plats på någon knapp alls i WhatsApp, inte ens i listan"


def options(count: int, label: str = "Val") -> tuple[Button, ...]:
    return tuple(Button(f"o.{n}", Phrase(f"{label} {n}")) for n in range(count))


def navigation(*actions: str) -> tuple[Button, ...]:
    return tuple(Button(f"n.{a}", Phrase(TEXTS[f"nav_{a}"]), "nav", a) for a in actions)


def within_limits(message: Outgoing) -> None:
    """What the Cloud API accepts: it refuses the whole message when one part is too long."""
    if message.kind == "text":
        assert 0 < len(message.body) <= WHATSAPP.text
        assert message.rows == ()
        return
    assert 0 < len(message.body) <= WHATSAPP.body
    if message.kind == "buttons":
        assert 1 <= len(message.rows) <= WHATSAPP.buttons
        assert all(len(row.title) <= WHATSAPP.button_title for row in message.rows)
        assert all(row.description == "" for row in message.rows)
        return
    assert 1 <= len(message.rows) <= WHATSAPP.rows
    assert all(0 < len(row.title) <= WHATSAPP.row_title for row in message.rows)
    assert all(len(row.description) <= WHATSAPP.row_description for row in message.rows)
    assert 0 < len(message.button) <= WHATSAPP.list_button
    assert len({row.id for row in message.rows}) == len(message.rows)  # ids must differ


def test_up_to_three_short_choices_are_reply_buttons() -> None:
    """Three or fewer choices are one tap away, in the order the engine gave them."""
    reply = Reply(Phrase("Vill du fortsätta?"), buttons=(*options(2), *navigation("menu")))
    (message,) = render([reply], RENDERER)
    within_limits(message)
    assert message.kind == "buttons"
    assert message.body == "Vill du fortsätta?"
    assert message.rows == (Row("o.0", "Val 0"), Row("o.1", "Val 1"), Row("n.menu", "Meny"))


def test_a_label_too_long_for_a_button_shows_its_short_label() -> None:
    """A long label with a short one stays a button, not a list opened by an extra tap."""
    long = Button(
        "x.0", Phrase("Jag vill veta mer om socialtjänsten"), short=Phrase("Socialtjänsten")
    )
    reply = Reply(Phrase("Vad vill du veta?"), buttons=(long, *options(1, "Annat")))
    (message,) = render([reply], RENDERER)
    within_limits(message)
    assert message.kind == "buttons"
    assert [row.title for row in message.rows] == ["Socialtjänsten", "Annat 0"]
    assert message.rows[0].id == "x.0"


def test_a_label_too_long_without_a_short_one_makes_a_list() -> None:
    """A button title cut in the middle of a word could say the opposite: use a list row."""
    reply = Reply(Phrase("Välj"), buttons=(Button("x.0", Phrase(LONG)), *options(1)))
    (message,) = render([reply], RENDERER)
    within_limits(message)
    assert message.kind == "list"
    first = message.rows[0]
    assert first.id == "x.0" and first.title.endswith("…")
    assert LONG.startswith(first.description.removesuffix("…"))


def test_four_or_more_choices_are_a_list_within_every_limit() -> None:
    """Long labels and a long list button are cut to fit; the whole label shows beneath."""
    buttons = (
        Button("x.0", Phrase(LONG)),
        Button("x.1", Phrase(LONG + " två"), short=Phrase("Kort nog")),
        *options(3),
        *navigation("emergency", "back", "menu", "forget"),
    )
    (message,) = render([Reply(Phrase("Vad vill du veta?"), buttons=buttons)], RENDERER)
    within_limits(message)
    assert message.kind == "list"
    assert [row.id for row in message.rows] == [button.token for button in buttons]
    assert message.rows[1].title == "Kort nog"
    assert message.rows[1].description.startswith(LONG[:40])
    assert message.rows[2] == Row("o.0", "Val 0")
    assert [row.title for row in message.rows[-4:]] == ["Ring 112", "Tillbaka", "Meny", "Glöm mig"]
    assert message.button == "Välj ett av…"
    assert CHOOSE.startswith(message.button.removesuffix("…"))


def test_a_start_step_from_the_engine_renders_within_limits() -> None:
    """Real replies, not only hand-made ones: the start step with its navigation."""
    turn = step(CONTENT_WA, None, Start(locale_hint="sv"), NOW)
    messages = render(turn.replies, RENDERER)
    for message in messages:
        within_limits(message)
    # A turn's texts share one message with the choices under them (one request; WhatsApp
    # also limits how many messages one person may get in a few seconds).
    assert [m.kind for m in messages] == ["list"]
    assert [m.body for m in messages] == ["Hej! Jag är Lotsen.\n\nJag är inte polisen."]
    assert messages[-1].rows[0].title == "Börja"


def test_a_turns_replies_share_messages_where_they_fit() -> None:
    """Replies of one turn go together, as paragraphs, the choices under the last words
    that fit an interactive body; what comes after the choices follows as text."""
    short = [
        Reply(Phrase("Hej.")),
        Reply(Phrase("Jag är inte polisen.")),
        Reply(Phrase("Välj."), buttons=options(2)),
    ]
    (together,) = render(short, RENDERER)
    assert (together.kind, together.body) == ("buttons", "Hej.\n\nJag är inte polisen.\n\nVälj.")
    long = [
        Reply(Phrase("a" * 900)),
        Reply(Phrase("b" * 900), buttons=options(2)),
        Reply(Phrase("Efter.")),
    ]
    messages = render(long, RENDERER)
    for message in messages:
        within_limits(message)
    assert [(m.kind, m.body[:1]) for m in messages] == [
        ("text", "a"),
        ("buttons", "b"),
        ("text", "E"),
    ]


def follow_pages(buttons: tuple[Button, ...]) -> list[Outgoing]:
    """Every page of a long list, from the first, following each "more" row until the list
    comes round to a page already seen."""
    (first,) = render([Reply(Phrase("Vad gäller det?"), buttons=buttons)], RENDERER)
    pages = [first]
    seen = {0}
    while True:
        more = [row for row in pages[-1].rows if page_of(row.id) is not None]
        assert len(more) == 1, "every page of a paged list has one 'more' row"
        page = page_of(more[0].id)
        assert page is not None
        assert page.of == list_key(buttons), "a 'more' row names the list it belongs to"
        number = page.number
        if number in seen:
            assert number == 0, "the last page's 'more' goes round to the first"
            return pages
        seen.add(number)
        shown = render([Reply(Phrase("Vad gäller det?"), buttons=buttons)], RENDERER, page=page)
        assert len(shown) == 1
        pages.append(shown[0])
        assert len(pages) < 20


def test_a_long_list_is_paged_and_every_option_is_on_exactly_one_page() -> None:
    """Fifteen options and three navigation rows: no option lost, none shown twice, and
    112, back and menu on every page."""
    nav = navigation("emergency", "back", "menu")
    buttons = (*options(15), *nav)
    pages = follow_pages(buttons)
    assert len(pages) >= 2
    assert pages[0].body == "Vad gäller det?"
    shown: list[str] = []
    for message in pages:
        within_limits(message)
        assert message.kind == "list"
        ids = [row.id for row in message.rows]
        assert ids[-3:] == [b.token for b in nav]
        assert any(i.startswith(PAGE_PREFIX) for i in ids)
        shown.extend(i for i in ids if i.startswith("o."))
    assert sorted(shown) == sorted(b.token for b in options(15))
    assert len(shown) == len(set(shown)) == 15


def test_a_later_page_is_one_list_whose_body_says_which_page() -> None:
    """Pressing "more" must not repeat the step's text, only show where in the list one is."""
    buttons = (*options(15), *navigation("emergency", "back", "menu"))
    before = Reply(Phrase("Något sades först."))
    page = Page(1, list_key(buttons))
    messages = render([before, Reply(Phrase("Vad gäller det?"), buttons=buttons)], RENDERER, page)
    assert len(messages) == 1
    (message,) = messages
    assert message.kind == "list"
    pages = -(-15 // (WHATSAPP.rows - 3 - 1))
    assert message.body == f"Sida 2 av {pages}"
    more = [row for row in message.rows if page_of(row.id) is not None]
    assert [row.title for row in more] == ["Fler val"]


def test_a_text_over_4096_characters_is_split_between_paragraphs() -> None:
    """Each message within WhatsApp's limit, no paragraph cut, nothing lost or reordered."""
    paragraphs = [f"Stycke {n}. " + "ord " * 200 + "slut." for n in range(12)]
    text = "\n\n".join(paragraphs)
    assert len(text) > WHATSAPP.text
    messages = render([Reply(Phrase(text))], RENDERER)
    assert len(messages) > 1
    for message in messages:
        within_limits(message)
        assert all(p in paragraphs for p in message.body.split("\n\n"))
    assert "\n\n".join(m.body for m in messages) == text


def test_choices_under_a_long_text_have_a_body_within_1024() -> None:
    """An interactive body over 1024 characters is refused: the text goes first, as text,
    and the choices hang under its last paragraphs."""
    paragraphs = [f"Del {n}. " + "mening " * 60 for n in range(8)]
    text = "\n\n".join(paragraphs)
    messages = render([Reply(Phrase(text), buttons=options(2))], RENDERER)
    for message in messages:
        within_limits(message)
    assert messages[-1].kind == "buttons"
    assert [m.kind for m in messages[:-1]] == ["text"] * (len(messages) - 1)
    assert "\n\n".join(m.body for m in messages) == text


def test_messages_kept_as_json_come_back_the_same() -> None:
    """What a turn owes is kept in the store as text: decoding must give the same messages."""
    buttons = (*options(15), *navigation("emergency", "back", "menu"))
    messages = (
        Outgoing("Hej «där» 👋\n\n*fet*"),
        *render([Reply(Phrase("Välj"), buttons=options(3))], RENDERER),
        *render([Reply(Phrase("Välj"), buttons=buttons)], RENDERER),
        *render(
            [Reply(Phrase("Välj"), buttons=(Button("x.0", Phrase(LONG)), *options(4)))], RENDERER
        ),
    )
    assert decode(encode(messages)) == messages
    shape = WhatsAppShape()
    assert shape.decode(shape.encode(messages)) == messages


@pytest.mark.parametrize("number", [0, 1, 12])
def test_a_more_row_id_names_its_page_and_its_list(number: int) -> None:
    assert page_of(f"p.{number}.0123abcd") == Page(number, "0123abcd")


def test_a_page_of_another_list_shows_everything_the_engine_said() -> None:
    """After a forget, an expiry or a content change the old list's "more" must not show a
    page of what the person sees now as if it were that list: they get all of it."""
    buttons = (*options(15), *navigation("emergency", "back", "menu"))
    replies = [
        Reply(Phrase("Något sades först.")),
        Reply(Phrase("Vad gäller det?"), buttons=buttons),
    ]
    old = Page(1, "0123abcd")
    assert render(replies, RENDERER, old) == render(replies, RENDERER)
    (everything,) = render(replies, RENDERER, old)
    assert everything.body == "Något sades först.\n\nVad gäller det?" and everything.rows


@pytest.mark.parametrize(
    "row_id", ["p.", "p.x", "p.-1", "p.1234.0123abcd", "p.1", "p.1.XYZ", "o.1", "P.1.0123abcd"]
)
def test_any_other_id_is_no_page(row_id: str) -> None:
    """An option token must never be read as "show the next page"."""
    assert page_of(row_id) is None


def test_the_payload_of_a_text() -> None:
    assert payload(WA_ID, Outgoing("Hej")) == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": WA_ID,
        "type": "text",
        "text": {"preview_url": False, "body": "Hej"},
    }


def test_the_payload_of_reply_buttons() -> None:
    message = Outgoing("Välj", "buttons", (Row("o.0", "Ja"), Row("o.1", "Nej")))
    assert payload(WA_ID, message) == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": WA_ID,
        "type": "interactive",
        "interactive": {
            "type": "button",
            "body": {"text": "Välj"},
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": "o.0", "title": "Ja"}},
                    {"type": "reply", "reply": {"id": "o.1", "title": "Nej"}},
                ]
            },
        },
    }


def test_the_payload_of_a_list() -> None:
    """A row without a description sends none: an empty one is refused by the API."""
    rows = (Row("o.0", "Kort", "En längre beskrivning"), Row("o.1", "Annat"))
    message = Outgoing("Välj", "list", rows, "Välj")
    assert payload(WA_ID, message) == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": WA_ID,
        "type": "interactive",
        "interactive": {
            "type": "list",
            "body": {"text": "Välj"},
            "action": {
                "button": "Välj",
                "sections": [
                    {
                        "rows": [
                            {"id": "o.0", "title": "Kort", "description": "En längre beskrivning"},
                            {"id": "o.1", "title": "Annat"},
                        ]
                    }
                ],
            },
        },
    }
