"""Alarming typed words are never swallowed: concern words lead to their step first, with a way
on to where the person was; an answer in the same message is still taken; everyday phrases of
the person's language do not misfire; words of every language are heard."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.engine import Choice, Session, Text, step, tokens
from bot.flows.model import Concern, Content, Step
from bot.flows.ways import Option, Options
from tests.engine_fixtures import NOW, STEPS, at, labels, last, make_content

CONCERN_STEPS = (
    Step(
        "safety.violence",
        Options((Option("Någon är i fara nu", "emergency.now"),)),
        say=("Handlar det om vapen eller våld? Ring 112 om någon är i fara.",),
        navigation=("resume",),
    ),
    Step(
        "safety.suicide",
        Options((Option("Prata med en människa", "home.menu"),)),
        say=("Ring Självmordslinjen på 90101.",),
        navigation=("resume",),
    ),
)
CONCERNS = (
    Concern("suicide", "safety.suicide", ("ta livet av sig", "självmord*")),
    Concern("violence", "safety.violence", ("vapen", "kniv*", "skjut*", "döda")),
)


def concerned(**translations: dict[str, str]) -> Content:
    base = make_content((*STEPS, *CONCERN_STEPS))
    return replace(
        base,
        concerns=CONCERNS,
        triggers={**base.triggers, "everyday": ("skjuta upp",)},
        texts={**base.texts, "nav_resume": "Fortsätt där jag var"},
        translations=translations,
    )


CONTENT = concerned(
    en={
        "vapen;kniv*;skjut*;döda": "weapon*;knife;knives;kill;kills;killing",
        "ta livet av sig;självmord*": "suicid*;kill myself",
        "skjuta upp": "hot;killing time",
        "akut;i fara;112": "emergency;danger;112",
    },
    ar={"vapen;kniv*;skjut*;döda": "سلاح;هجوم;يقتل"},
)


def typed(session: Session | None, text: str, content: Content = CONTENT) -> Session:
    turn = step(content, session, Text(text), NOW)
    assert turn.session is not None
    return turn.session


@pytest.mark.parametrize(
    ("where", "text", "expected"),
    [
        ("home.menu", "han har köpt knivar", "safety.violence"),
        ("home.menu", "Han pratar om att SKJUTA folk", "safety.violence"),
        ("home.menu", "min dotter vill ta livet av sig", "safety.suicide"),
        ("home.menu", "självmordstankar", "safety.suicide"),
        # the first concern in the pack's order wins
        ("home.menu", "han har en kniv och vill ta livet av sig", "safety.suicide"),
        # an emergency word wins over every concern
        ("home.menu", "akut, han har ett vapen", "emergency.now"),
        # an everyday phrase is blanked: nothing alarming left
        ("home.menu", "vi får skjuta upp mötet", "home.menu"),
        ("home.age_done", "han har ett vapen", "safety.violence"),  # even on an end step
    ],
)
def test_concern_words_lead_to_their_step(where: str, text: str, expected: str) -> None:
    assert typed(at(where), text).step == expected


def test_the_concern_step_offers_to_go_on_where_the_person_was_first() -> None:
    turn = step(CONTENT, at("home.menu"), Text("han har ett vapen"), NOW)
    buttons = last(turn).buttons
    assert [b.action for b in buttons if b.kind == "nav"] == [
        "resume",
        "emergency",
        "menu",
        "forget",
    ]
    assert "Tillbaka" not in labels(last(turn))  # resume stands in for back
    assert turn.session is not None
    resumed = step(CONTENT, turn.session, Choice(tokens.nav_token("resume")), NOW)
    assert resumed.session is not None and resumed.session.step == "home.menu"


def test_an_answer_inside_an_alarming_message_is_taken_but_the_concern_comes_first() -> None:
    # "son" answers "Vem är du orolig för?"; "vapen" is a concern.
    session = typed(at("home.relation", back=("home.menu",)), "min son har ett vapen")
    assert session.step == "safety.violence"
    assert session.variables == {"relation": "child"}
    assert session.back[-1] == "home.relation_done"  # resume goes on to where the answer led
    resumed = step(CONTENT, session, Choice(tokens.nav_token("resume")), NOW)
    assert resumed.session is not None and resumed.session.step == "home.relation_done"


def test_a_number_answer_with_a_concern_is_taken_too() -> None:
    session = typed(at("home.age"), "han är 16 och har köpt vapen")
    assert (session.step, session.variables) == ("safety.violence", {"age": "child"})
    assert session.back[-1] == "home.age_done"


def test_without_an_answer_the_concern_comes_instead_of_otherwise() -> None:
    # home.age has `otherwise: home.age_help`: an alarming message is not sent there.
    session = typed(at("home.age"), "han har en kniv")
    assert (session.step, session.variables) == ("safety.violence", {})
    assert session.back[-1] == "home.age"


def test_a_concern_met_on_a_concern_step_replaces_it() -> None:
    first = typed(at("home.menu", back=("home.welcome",)), "vapen")
    second = typed(first, "och han vill ta livet av sig")
    assert second.step == "safety.suicide"
    assert second.back == first.back  # resume still leads to home.menu
    assert second.back[-1] == "home.menu"


def test_a_new_person_whose_first_message_is_alarming_gets_the_concern_step() -> None:
    turn = step(CONTENT, None, Text("han har ett vapen"), NOW)
    assert turn.session is not None and turn.session.step == "safety.violence"
    assert turn.session.back == ("home.welcome",)


@pytest.mark.parametrize(
    ("locale", "text", "expected"),
    [
        ("en", "my son wants to kill people", "safety.violence"),
        ("en", "he is having suicidal thoughts", "safety.suicide"),
        ("en", "it is hot today", "home.menu"),  # English everyday: Swedish "hot" is no threat
        ("en", "just killing time", "home.menu"),
        ("ar", "ابني يخطط لهجوم", "safety.violence"),  # prefix ل on هجوم
        ("ar", "عنده سلاح", "safety.violence"),
        ("sv", "my son wants to kill people", "safety.violence"),  # words of every language
        ("sv", "عنده سلاح", "safety.violence"),
        ("ar", "han har en kniv", "safety.violence"),  # the source language everywhere
        ("ar", "١١٢", "emergency.now"),  # digits of any script
    ],
)
def test_words_are_heard_in_every_language_but_everyday_phrases_only_in_their_own(
    locale: str, text: str, expected: str
) -> None:
    session = replace(at("home.menu"), locale=locale)
    assert typed(session, text).step == expected


def test_swedish_hot_is_not_blanked_outside_english() -> None:
    content = concerned(en={"skjuta upp": "hot"})
    content = replace(
        content, concerns=(*content.concerns, Concern("threat", "safety.violence", ("hot",)))
    )
    assert typed(at("home.menu"), "det är ett hot", content).step == "safety.violence"
    english = replace(at("home.menu"), locale="en")
    assert typed(english, "it is hot", content).step == "home.menu"


def test_resume_is_hidden_with_nowhere_to_go_back_to() -> None:
    session = replace(at("safety.violence"), back=())
    turn = step(CONTENT, session, Text("?"), NOW)
    assert "resume" not in [b.action for b in last(turn).buttons]


def test_typed_concern_text_is_never_kept() -> None:
    secret = "min son Zebulon har ett vapen"
    turn = step(CONTENT, at("home.relation"), Text(secret), NOW)
    assert turn.session is not None
    assert "Zebulon" not in repr(turn.session) and "Zebulon" not in repr(turn.replies)


def test_each_pack_hears_its_own_translated_words_beside_one_that_heard_before() -> None:
    """The word lists are made once per pack and kept with it: a pack made from another with
    new translations (a reload, a translator's fix) hears its own words, not the lists the
    first pack kept."""
    before = concerned(fi={"vapen;kniv*;skjut*;döda": "ase"})
    after = replace(before, translations={"fi": {"vapen;kniv*;skjut*;döda": "puukko"}})
    menu = at("home.menu")
    assert typed(menu, "hänellä on ase", before).step == "safety.violence"
    assert typed(menu, "hänellä on puukko", before).step == "home.menu"
    assert typed(menu, "hänellä on puukko", after).step == "safety.violence"
    assert typed(menu, "hänellä on ase", after).step == "home.menu"
