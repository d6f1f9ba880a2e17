"""The engine's rules for a platform that tells no language (WhatsApp), for showing a step
again (a list's next page), for forget words, and for short labels typed back."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.engine import Again, Choice, Command, Start, Text, Turn, step, tokens
from bot.flows.model import Content
from bot.flows.ways import Options
from tests.engine_fixtures import CONTENT, NOW, STEPS, TEXTS, at, make_content, option, said

START = step(CONTENT, None, Start(locale_hint="sv"), NOW).replies  # the start, no offer
FORGET = replace(CONTENT, triggers={**CONTENT.triggers, "forget": ("radera allt",)})


def offered(turn: Turn) -> list[str]:
    """The language tokens of every language button in the turn's replies."""
    return [b.token for r in turn.replies for b in r.buttons if b.kind == "language"]


def every_language() -> list[str]:
    return [tokens.language_token(language.code) for language in CONTENT.languages]


def with_short(short: str) -> Content:
    """The test pack with a short label on the menu's first option ("Om socialtjänsten")."""
    menu = CONTENT.steps["home.menu"]
    assert isinstance(menu.way, Options)
    first, *rest = menu.way.options
    changed = replace(menu, way=Options((replace(first, short=short), *rest)))
    return make_content(tuple(changed if s.ref == "home.menu" else s for s in STEPS))


def test_a_new_person_without_a_language_hint_gets_the_start_then_the_languages() -> None:
    """WhatsApp tells no language: the person must be able to choose one at once."""
    turn = step(CONTENT, None, Text("Hej"), NOW)
    assert turn.session is not None
    assert turn.session.step == CONTENT.start
    assert turn.session.locale == "sv" and not turn.session.locale_chosen
    assert turn.replies[:-1] == START
    offer = turn.replies[-1]
    assert offer.text is not None and offer.text.msgid == TEXTS["choose_language"]
    assert [b.token for b in offer.buttons] == every_language()
    assert [b.label.msgid for b in offer.buttons] == [lang.name for lang in CONTENT.languages]
    assert all(b.kind == "language" for b in offer.buttons)


def test_a_start_without_a_hint_offers_the_languages_too() -> None:
    """ "/start" typed on WhatsApp is a Start with no hint."""
    turn = step(CONTENT, None, Start(), NOW)
    assert turn.replies[:-1] == START
    assert offered(turn) == every_language()


def test_a_start_link_with_a_language_sets_it_and_offers_nothing() -> None:
    """A link made for Arabic speakers must not ask them for their language again."""
    turn = step(CONTENT, None, Start(payload="l-ar"), NOW)
    assert turn.session is not None and turn.session.locale == "ar"
    assert offered(turn) == []


def test_with_a_language_hint_no_languages_are_offered() -> None:
    """Where the platform tells the language, offering it would be noise."""
    turn = step(CONTENT, None, Text("Hej", locale_hint="en"), NOW)
    assert turn.session is not None and turn.session.locale == "en"
    assert offered(turn) == []
    assert turn.replies == START


@pytest.mark.parametrize(
    ("typed", "code"),
    [("English", "en"), ("english!", "en"), ("EN", "en"), ("العربية", "ar"), ("sv", "sv")],
)
def test_a_first_message_that_names_a_language_sets_it(typed: str, code: str) -> None:
    """Someone who writes "English" first has told us, and chose it."""
    turn = step(CONTENT, None, Text(typed), NOW)
    assert turn.session is not None
    assert turn.session.locale == code
    assert turn.session.locale_chosen
    assert turn.session.step == CONTENT.start
    assert offered(turn) == []
    assert turn.replies == START


@pytest.mark.parametrize("typed", ["I speak English", "Engelska", "en fråga"])
def test_a_language_name_inside_a_sentence_sets_nothing(typed: str) -> None:
    """Only the whole message names a language: anything else still gets the offer."""
    turn = step(CONTENT, None, Text(typed), NOW)
    assert turn.session is not None and not turn.session.locale_chosen
    assert offered(turn) == every_language()


@pytest.mark.parametrize("typed", ["akut", "Det är akut, hjälp"])
def test_an_emergency_word_first_goes_to_the_emergency_step_then_the_offer(typed: str) -> None:
    """Danger is never swallowed by a greeting or a language question."""
    turn = step(CONTENT, None, Text(typed), NOW)
    assert turn.session is not None
    assert turn.session.step == CONTENT.emergency
    assert "Ring 112 om någon är i fara." in said(turn)
    assert said(turn)[-1] == TEXTS["choose_language"]
    assert offered(turn) == every_language()
    assert "Hej! Jag är Lotsen." not in said(turn)


def test_again_shows_the_current_step_as_it_was_shown_and_changes_nothing() -> None:
    """A list's next page asks for the step again: it must neither move nor reset anything."""
    arrived = step(CONTENT, at("home.menu"), Choice(option("home.menu", 1)), NOW)
    assert arrived.session is not None and arrived.session.step == "home.age"
    assert arrived.session.back == ("home.menu",)
    later = NOW.replace(hour=13)
    again = step(CONTENT, arrived.session, Again(), later)
    assert again.replies == arrived.replies
    assert again.session == replace(arrived.session, updated=later)


def test_again_keeps_the_variables_and_the_back_stack() -> None:
    session = at("home.age_done", back=("home.menu", "home.age"), age="child", route="social")
    again = step(CONTENT, session, Again(), NOW)
    assert again.session == replace(session, updated=NOW)
    assert said(again) == ["Du svarade {age}."]
    assert again.replies[0].text is not None
    assert dict(again.replies[0].text.params)["age"] == "child"


@pytest.mark.parametrize("typed", ["radera allt", "Radera allt!", "  RADERA ALLT  "])
def test_a_forget_word_as_the_whole_message_forgets_the_person(typed: str) -> None:
    """Someone in a hurry may not find /forget: the pack's words do the same."""
    turn = step(FORGET, at("home.age", age="child"), Text(typed), NOW)
    assert turn.session is None
    assert said(turn) == [TEXTS["forgotten"]]


def test_forget_works_as_a_command_and_for_a_new_person() -> None:
    assert step(FORGET, at("home.menu"), Command("forget"), NOW).session is None
    assert step(FORGET, None, Text("radera allt"), NOW).session is None


@pytest.mark.parametrize(
    "typed", ["kan ni radera allt om honom?", "radera allt om mig sen", "inte radera allt"]
)
def test_a_forget_word_inside_a_sentence_deletes_nothing(typed: str) -> None:
    """A question about deleting is not a wish to lose one's place right now."""
    session = at("home.menu", age="child")
    turn = step(FORGET, session, Text(typed), NOW)
    assert turn.session == replace(session, updated=NOW)
    assert said(turn) == [TEXTS["not_understood"]]


def test_without_forget_words_the_same_text_deletes_nothing() -> None:
    turn = step(CONTENT, at("home.menu"), Text("radera allt"), NOW)
    assert turn.session is not None


def test_a_typed_short_label_takes_the_option() -> None:
    """WhatsApp showed the short label: typing what one saw must work like pressing it."""
    content = with_short("Socialtjänsten")
    turn = step(content, at("home.menu"), Text("socialtjänsten"), NOW)
    assert turn.session is not None
    assert turn.session.step == "social.choice"
    assert turn.session.variables["route"] == "social"
    # The whole label still works, and without a short label the word is not understood.
    full = step(content, at("home.menu"), Text("Om socialtjänsten"), NOW)
    assert full.session is not None and full.session.step == "social.choice"
    plain = step(CONTENT, at("home.menu"), Text("socialtjänsten"), NOW)
    assert plain.session is not None and plain.session.step == "home.menu"


def test_a_typed_translated_short_label_takes_the_option() -> None:
    content = replace(
        with_short("Socialtjänsten"), translations={"en": {"Socialtjänsten": "Social services"}}
    )
    session = replace(at("home.menu"), locale="en", locale_chosen=True)
    turn = step(content, session, Text("social services"), NOW)
    assert turn.session is not None and turn.session.step == "social.choice"
