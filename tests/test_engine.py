"""The engine as a table: (session, event) -> (session, replies), over the pack in
``engine_fixtures``. Each case names the behaviour it pins down."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.engine import (
    Choice,
    Command,
    Event,
    Phrase,
    Session,
    Start,
    Text,
    Unsupported,
    step,
)
from bot.engine.machine import COMMANDS
from tests.engine_fixtures import (
    CONTENT,
    EARLIER,
    NOW,
    OLD_VERSION,
    STEPS,
    TEXTS,
    at,
    labels,
    last,
    make_content,
    option,
    renamed,
    said,
    without,
)

WELCOME = ["Hej! Jag är Lotsen.", "Jag är inte polisen."]
MENU = ["Vad vill du veta?"]
AGE = ["Hur gammal är personen?"]
EMERGENCY = ["Ring 112 om någon är i fara."]
STALE = TEXTS["stale_button"]
NOT_UNDERSTOOD = TEXTS["not_understood"]
# A new person whose platform tells no language is offered the languages after the first answer.
OFFER = TEXTS["choose_language"]
NAV = ["Ring 112", "Tillbaka", "Meny", "Glöm mig"]
MENU_OPTIONS = ["Om socialtjänsten", "Hur gammal?", "Vem?", "Kontakter", "Snurra"]
# The menu has no menu button, and a back button only with somewhere to go back to.
MENU_NAV = ["Ring 112", "Tillbaka", "Glöm mig"]
MENU_NAV_FIRST_TIME = ["Ring 112", "Glöm mig"]


@dataclass(frozen=True)
class Case:
    """What the engine does with ``event`` in ``session``: where it leaves the person
    (``step``), what it says (msgids in order), and optionally the back-stack, the variables
    and the buttons under the last reply."""

    session: Session | None
    event: Event
    step: str
    said: Sequence[str | None]
    back: tuple[str, ...] | None = None
    variables: Mapping[str, str] | None = None
    buttons: Sequence[str] | None = None


def check(case: Case) -> None:
    turn = step(CONTENT, case.session, case.event, NOW)
    assert turn.session is not None
    assert turn.session.step == case.step
    assert said(turn) == list(case.said)
    assert turn.session.updated == NOW
    assert turn.session.version == CONTENT.version
    if case.back is not None:
        assert turn.session.back == case.back
    if case.variables is not None:
        assert dict(turn.session.variables) == dict(case.variables)
    if case.buttons is not None:
        assert labels(last(turn)) == list(case.buttons)


def run(cases: Mapping[str, Case]) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("case", list(cases.values()), ids=list(cases))


START = {
    "a new person starts at the start, buttons on the last message": Case(
        None,
        Start(locale_hint="sv"),
        "home.welcome",
        WELCOME,
        back=(),
        variables={},
        buttons=["Börja", "Ring 112", "Meny", "Glöm mig"],
    ),
    "start on an existing session restarts and clears back and variables": Case(
        at("home.age", back=("home.menu",), age="child"),
        Start(),
        "home.welcome",
        WELCOME,
        back=(),
        variables={},
    ),
    "/start is the same as Start": Case(
        at("home.age", back=("home.menu",)),
        Command("start"),
        "home.welcome",
        WELCOME,
        back=(),
    ),
    "text from a new person shows the start": Case(
        None, Text("hej"), "home.welcome", [*WELCOME, OFFER]
    ),
    "an old option from a new person shows the start": Case(
        None, Choice(option("home.menu", 0)), "home.welcome", [*WELCOME, OFFER]
    ),
    "a photo from a new person shows the start": Case(
        None, Unsupported("photo"), "home.welcome", [*WELCOME, OFFER]
    ),
}


@run(START)
def test_start(case: Case) -> None:
    check(case)


OPTIONS = {
    "an option moves on and remembers where the person was": Case(
        at("home.welcome"),
        Choice(option("home.welcome", 0)),
        "home.menu",
        MENU,
        back=("home.welcome",),
        buttons=[*MENU_OPTIONS, *MENU_NAV],
    ),
    "an option's set is kept; next-chains say every message and rest at the end": Case(
        at("home.menu"),
        Choice(option("home.menu", 0)),
        "social.choice",
        ["Socialtjänsten hjälper.", "Vad vill du nu?"],
        back=("home.menu",),
        variables={"route": "social", "visited": "social"},
        buttons=["Till menyn", *NAV],
    ),
    "an option hidden by `when` is not shown": Case(
        at("home.age_done", back=("home.menu",)),
        Choice("n.menu"),
        "home.menu",
        MENU,
        buttons=[*MENU_OPTIONS, *MENU_NAV],
    ),
    "an option shown by `when` appears in content order": Case(
        at("home.age_done", back=("home.menu",), age="child"),
        Choice("n.menu"),
        "home.menu",
        MENU,
        buttons=[
            "Om socialtjänsten",
            "Hur gammal?",
            "Vem?",
            "Bara för barn",
            "Kontakter",
            "Snurra",
            *MENU_NAV,
        ],
    ),
    "an option shown by `when` can be pressed": Case(
        at("home.menu", age="child"),
        Choice(option("home.menu", 3)),
        "social.child",
        ["Om barn."],
    ),
    "a next-cycle in the content still ends": Case(
        at("home.menu"),
        Choice(option("home.menu", 5)),
        "loop.b",
        ["A", "B"],
    ),
}


@run(OPTIONS)
def test_options(case: Case) -> None:
    check(case)


STALE_CASES = {
    "an option hidden by `when` is stale": Case(
        at("home.menu"),
        Choice(option("home.menu", 3)),
        "home.menu",
        [STALE, *MENU],
        buttons=[*MENU_OPTIONS, *MENU_NAV_FIRST_TIME],
    ),
    "an index past the options is stale": Case(
        at("home.menu"), Choice(option("home.menu", 99)), "home.menu", [STALE, *MENU]
    ),
    "an option of another step (an old message) is stale": Case(
        at("home.menu", back=("home.welcome",)),
        Choice(option("home.welcome", 0)),
        "home.menu",
        [STALE, *MENU],
        back=("home.welcome",),
    ),
    "an option of an older content version is stale": Case(
        at("home.menu"),
        Choice(option("home.menu", 0, version=OLD_VERSION)),
        "home.menu",
        [STALE, *MENU],
    ),
    "garbage is stale": Case(at("home.age"), Choice("garbage"), "home.age", [STALE, *AGE]),
    "an empty token is stale": Case(at("home.age"), Choice(""), "home.age", [STALE, *AGE]),
    "a token too long is stale": Case(
        at("home.age"), Choice("o." + "a" * 100), "home.age", [STALE, *AGE]
    ),
    "an unknown language is stale": Case(at("home.age"), Choice("l.xx"), "home.age", [STALE, *AGE]),
}


@run(STALE_CASES)
def test_old_or_garbage_buttons_say_stale_and_show_the_step_again(case: Case) -> None:
    check(case)


ASK = {
    "a number in range is stored and moves on": Case(
        at("home.age"),
        Text("hon är 15 år"),
        "home.age_done",
        ["Du svarade {age}."],
        back=("home.age",),
        variables={"age": "child"},
    ),
    "a number in the open range": Case(
        at("home.age"),
        Text("40"),
        "home.age_done",
        ["Du svarade {age}."],
        variables={"age": "adult"},
    ),
    "an option's label wins over the number in it": Case(
        at("home.age"),
        Text("under 18"),
        "home.age_done",
        ["Du svarade {age}."],
        variables={"age": "child"},
    ),
    "no match goes to otherwise": Case(
        at("home.age"),
        Text("vet inte"),
        "home.age_help",
        ["Skriv en siffra."],
        back=("home.age",),
        variables={},
    ),
    "a keyword is stored": Case(
        at("home.relation"),
        Text("Det gäller min son."),
        "home.relation_done",
        ["Tack."],
        variables={"relation": "child"},
    ),
    "the first value with a matching keyword wins": Case(
        at("home.relation"),
        Text("min FRU och mitt barn"),
        "home.relation_done",
        ["Tack."],
        variables={"relation": "child"},
    ),
    "a keyword inside a word does not match": Case(
        at("home.relation"),
        Text("mannen"),
        "home.relation",
        [NOT_UNDERSTOOD],
        variables={},
        buttons=NAV[:1] + NAV[2:],
    ),
    "no match and no otherwise: not understood with the current buttons": Case(
        at("home.relation", back=("home.menu",)),
        Text("vet inte"),
        "home.relation",
        [NOT_UNDERSTOOD],
        back=("home.menu",),
        buttons=NAV,
    ),
}


@run(ASK)
def test_ask(case: Case) -> None:
    check(case)


def test_an_ask_step_says_it_takes_text() -> None:
    turn = step(CONTENT, at("home.menu"), Choice(option("home.menu", 1)), NOW)
    assert last(turn).expects_text
    not_understood = step(CONTENT, at("home.relation"), Text("hmm"), NOW)
    assert last(not_understood).expects_text


def test_a_packs_buttons_are_its_own_even_beside_a_copy_with_the_same_version() -> None:
    """A step's buttons are made once and kept with the pack (``Content.derived``): a pack
    made from another by ``dataclasses.replace`` (as tests do, with the same version) starts
    with nothing kept, so it shows its own options."""
    menu = CONTENT.steps["home.menu"]
    one_option = replace(menu.way, options=menu.way.options[:1])  # type: ignore[union-attr]
    fewer = replace(CONTENT, steps={**CONTENT.steps, "home.menu": replace(menu, way=one_option)})

    def menu_labels(content: Any) -> list[str]:
        return labels(
            last(step(content, at("home.welcome"), Choice(option("home.welcome", 0)), NOW))
        )

    before = menu_labels(CONTENT)
    assert fewer.version == CONTENT.version and fewer.derived is not CONTENT.derived
    after = menu_labels(fewer)
    assert after == ["Om socialtjänsten", "Ring 112", "Tillbaka", "Glöm mig"]
    assert before[:2] == ["Om socialtjänsten", "Hur gammal?"] and len(before) == 8
    assert menu_labels(CONTENT) == before


def test_say_carries_the_session_variables_as_params() -> None:
    turn = step(CONTENT, at("home.age"), Text("12"), NOW)
    assert last(turn).text == Phrase("Du svarade {age}.", {"age": "child"}, "home.age_done")


TYPED = {
    "an option's label typed moves on": Case(
        at("home.menu"),
        Text("om socialtjänsten!"),
        "social.choice",
        ["Socialtjänsten hjälper.", "Vad vill du nu?"],
        variables={"route": "social", "visited": "social"},
    ),
    "a bare number picks the n-th visible option": Case(
        at("home.menu"), Text("2"), "home.age", AGE, back=("home.menu",)
    ),
    "a bare number counts only visible options": Case(
        at("home.menu", age="child"), Text("4"), "social.child", ["Om barn."]
    ),
    "a number past the options is not understood": Case(
        at("home.menu"),
        Text("9"),
        "home.menu",
        [NOT_UNDERSTOOD],
        buttons=[*MENU_OPTIONS, *MENU_NAV_FIRST_TIME],
    ),
    "anything else is not understood, with the buttons but not the whole step again": Case(
        at("home.menu"),
        Text("blabla"),
        "home.menu",
        [NOT_UNDERSTOOD],
        buttons=[*MENU_OPTIONS, *MENU_NAV_FIRST_TIME],
    ),
}


@run(TYPED)
def test_typed_text(case: Case) -> None:
    check(case)


ANYWHERE = {
    "the 112 button from any step": Case(
        at("home.age", back=("home.menu",)),
        Choice("n.emergency"),
        "emergency.now",
        EMERGENCY,
        back=("home.menu", "home.age"),
        buttons=["Tillbaka", "Meny", "Glöm mig"],
    ),
    "an old 112 button still works after a content change": Case(
        at("home.menu", version=OLD_VERSION), Choice("n.emergency"), "emergency.now", EMERGENCY
    ),
    "an old 112 button still works after the session expired": Case(
        None, Choice("n.emergency"), "emergency.now", [*EMERGENCY, OFFER]
    ),
    "emergency words typed mid-question win over the question": Case(
        at("home.age"), Text("Det är AKUT!"), "emergency.now", EMERGENCY, back=("home.age",)
    ),
    "112 typed mid-question is an emergency, not an age": Case(
        at("home.age"), Text("112"), "emergency.now", EMERGENCY, variables={}
    ),
    "a several-word emergency phrase": Case(
        at("home.relation"), Text("min son är i fara"), "emergency.now", EMERGENCY
    ),
    "an emergency word inside another word is not one": Case(
        at("home.relation"), Text("akuten"), "home.relation", [NOT_UNDERSTOOD]
    ),
    "typed emergency words from a new person": Case(
        None, Text("akut"), "emergency.now", [*EMERGENCY, OFFER]
    ),
    "the menu button": Case(
        at("home.age"), Choice("n.menu"), "home.menu", MENU, back=("home.age",)
    ),
    "menu words": Case(at("home.relation"), Text("Meny!"), "home.menu", MENU),
    "back pops the back-stack": Case(
        at("home.age_help", back=("home.menu", "home.age")),
        Choice("n.back"),
        "home.age",
        AGE,
        back=("home.menu",),
    ),
    "back words": Case(
        at("home.age", back=("home.menu",)), Text("tillbaka"), "home.menu", MENU, back=()
    ),
    "back with nowhere to go goes to the menu": Case(
        at("home.relation"), Choice("n.back"), "home.menu", MENU, back=()
    ),
    "the menu step has no menu button; back only with a back-stack": Case(
        at("home.age"),
        Choice("n.menu"),
        "home.menu",
        MENU,
        buttons=[*MENU_OPTIONS, *MENU_NAV],
    ),
}


@run(ANYWHERE)
def test_navigation_works_from_anywhere(case: Case) -> None:
    check(case)


COMMAND_CASES = {
    "/menu": Case(at("home.age"), Command("menu"), "home.menu", MENU, back=("home.age",)),
    "/Menu@LotsenBot": Case(at("home.age"), Command("Menu@LotsenBot"), "home.menu", MENU),
    "/back": Case(at("home.age", back=("home.menu",)), Command("back"), "home.menu", MENU),
    "/help": Case(
        at("home.age"), Command("help"), "about.help", ["Tryck på en knapp."], back=("home.age",)
    ),
    "/privacy": Case(
        at("home.age"),
        Command("privacy"),
        "about.privacy",
        ["Ingen läser chatten."],
        back=("home.age",),
    ),
    "/112": Case(at("home.age"), Command("112"), "emergency.now", EMERGENCY),
    "/emergency": Case(at("home.age"), Command("emergency"), "emergency.now", EMERGENCY),
    "/sos": Case(at("home.age"), Command("sos"), "emergency.now", EMERGENCY),
    "an unknown command lists the commands, with the current buttons": Case(
        at("home.welcome"),
        Command("dance"),
        "home.welcome",
        [TEXTS["unknown_command"]],
        buttons=["Börja", "Ring 112", "Meny", "Glöm mig"],
    ),
    "an unknown command from a new person shows the start": Case(
        None, Command("dance"), "home.welcome", [*WELCOME, OFFER]
    ),
    "a command from a new person": Case(
        None, Command("help"), "about.help", ["Tryck på en knapp.", OFFER]
    ),
}


@run(COMMAND_CASES)
def test_commands(case: Case) -> None:
    check(case)


def test_an_unknown_command_names_the_commands() -> None:
    turn = step(CONTENT, at("home.menu"), Command("dance"), NOW)
    assert last(turn).text == Phrase(TEXTS["unknown_command"], {"commands": COMMANDS})


def test_unsupported_input_says_so_with_the_current_buttons() -> None:
    turn = step(CONTENT, at("home.welcome"), Unsupported("voice"), NOW)
    assert turn.session == replace(at("home.welcome"), updated=NOW)
    assert said(turn) == [TEXTS["unsupported"]]
    assert labels(last(turn)) == ["Börja", "Ring 112", "Meny", "Glöm mig"]


@pytest.mark.parametrize(
    ("session", "event"),
    [
        (at("home.age", age="child"), Command("forget")),
        (at("home.age", age="child"), Choice("n.forget")),
        (at("home.gone", version=OLD_VERSION), Choice("n.forget")),
        (None, Command("forget")),
    ],
    ids=["/forget", "the forget button", "forget from a gone step", "forget a new person"],
)
def test_forget_deletes_the_session(session: Session | None, event: Event) -> None:
    turn = step(CONTENT, session, event, NOW)
    assert turn.session is None
    assert said(turn) == [TEXTS["forgotten"]]
    assert turn.replies[0].buttons == ()


# --- languages -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hint", "locale"),
    [("ar_SE", "ar"), ("ar", "ar"), ("EN-gb", "en"), ("fi", "sv"), (None, "sv")],
)
def test_a_new_session_negotiates_the_locale_hint(hint: str | None, locale: str) -> None:
    turn = step(CONTENT, None, Start(locale_hint=hint), NOW)
    assert turn.session is not None
    assert (turn.session.locale, turn.session.locale_chosen) == (locale, False)


@pytest.mark.parametrize(
    ("before", "hint", "after"),
    [
        (("ar", True), "en", ("ar", True)),  # a choice survives a restart
        (("ar", False), "en", ("en", False)),  # a guess is made again
        (("ar", False), None, ("ar", False)),
    ],
)
def test_start_keeps_a_chosen_locale(
    before: tuple[str, bool], hint: str | None, after: tuple[str, bool]
) -> None:
    session = replace(at("home.menu"), locale=before[0], locale_chosen=before[1])
    turn = step(CONTENT, session, Start(locale_hint=hint), NOW)
    assert turn.session is not None
    assert (turn.session.locale, turn.session.locale_chosen) == after


def test_a_hint_on_a_later_event_does_not_change_the_locale() -> None:
    turn = step(CONTENT, at("home.menu"), Text("blabla", locale_hint="en"), NOW)
    assert turn.session is not None and turn.session.locale == "sv"


@pytest.mark.parametrize(
    "event",
    [Choice("l.ar"), Command("language", "ar"), Command("language", "AR_SE")],
    ids=["the language button", "/language ar", "/language AR_SE"],
)
def test_choosing_a_language_sets_it_and_shows_the_step_again(event: Event) -> None:
    turn = step(CONTENT, at("home.age"), event, NOW)
    assert turn.session is not None
    assert (turn.session.locale, turn.session.locale_chosen) == ("ar", True)
    assert turn.session.step == "home.age"
    assert said(turn) == AGE


@pytest.mark.parametrize(("arg", "says"), [("", "choose_language"), ("fa", "language_unavailable")])
def test_language_without_a_known_code_offers_the_languages(arg: str, says: str) -> None:
    """`/language fa` for a language not offered yet says so, then offers the others."""
    turn = step(CONTENT, at("home.age"), Command("language", arg), NOW)
    assert turn.session == replace(at("home.age"), updated=NOW)
    assert said(turn) == [TEXTS[says]]
    buttons = last(turn).buttons
    assert [b.label.msgid for b in buttons] == ["Svenska", "العربية", "English"]
    assert {b.kind for b in buttons} == {"language"}  # named in themselves: not translated
    assert [b.token for b in buttons] == ["l.sv", "l.ar", "l.en"]


def test_a_language_step_shows_language_buttons_between_options_and_navigation() -> None:
    welcome = replace(CONTENT.steps["home.welcome"], languages=True)
    content = replace(CONTENT, steps={**CONTENT.steps, "home.welcome": welcome})
    for hint in ("sv", None):  # a step that offers the languages itself is not followed by
        turn = step(content, None, Start(locale_hint=hint), NOW)  # a second offer
        kinds = [button.kind for button in last(turn).buttons]
        assert kinds == ["option", "language", "language", "language", "nav", "nav", "nav"]


# --- content versions ----------------------------------------------------------------------


def test_a_session_of_an_older_version_carries_on_where_its_step_exists() -> None:
    session = at("home.age", back=("home.menu",), version=OLD_VERSION)
    turn = step(CONTENT, session, Text("15"), NOW)
    assert turn.session is not None
    assert turn.session.version == CONTENT.version
    assert turn.session.step == "home.age_done"
    assert said(turn) == ["Du svarade {age}."]


@pytest.mark.parametrize(
    "moved",
    [
        {"home.age": "home.how_old"},
        {"home.age": "home.years", "home.years": "home.how_old"},  # a chain of renames
    ],
    ids=["moved", "moved twice"],
)
def test_a_moved_step_is_followed(moved: Mapping[str, str]) -> None:
    content = make_content(renamed(STEPS, "home.age", "home.how_old"), moved=moved)
    session = at("home.age_help", back=("home.menu", "home.age"), version=OLD_VERSION)
    turn = step(content, session, Choice("n.back"), NOW)
    assert turn.session is not None
    assert turn.session.step == "home.how_old"
    assert turn.session.back == ("home.menu",)
    assert said(turn) == AGE


def test_a_moved_step_takes_typed_answers() -> None:
    content = make_content(
        renamed(STEPS, "home.age", "home.how_old"), moved={"home.age": "home.how_old"}
    )
    turn = step(content, at("home.age", version=OLD_VERSION), Text("15"), NOW)
    assert turn.session is not None
    assert turn.session.step == "home.age_done"
    assert turn.session.variables == {"age": "child"}


@pytest.mark.parametrize(
    "moved",
    [{}, {"home.age": "home.nowhere"}, {"home.age": "home.x", "home.x": "home.age"}],
    ids=["not moved", "moved to nothing", "a cycle of moves"],
)
def test_a_removed_step_restarts_politely(moved: Mapping[str, str]) -> None:
    content = make_content(without(STEPS, "home.age"), moved=moved)
    session = replace(
        at("home.age", back=("home.menu",), version=OLD_VERSION, route="social"),
        locale="ar",
        locale_chosen=True,
    )
    turn = step(content, session, Text("15"), NOW)
    assert turn.session is not None
    assert said(turn) == [TEXTS["restarted"], *WELCOME]
    assert (turn.session.step, turn.session.back, dict(turn.session.variables)) == (
        "home.welcome",
        (),
        {},
    )
    assert (turn.session.locale, turn.session.version) == ("ar", CONTENT.version)
    assert turn.session.started == EARLIER


def test_a_removed_step_still_lets_112_through() -> None:
    content = make_content(without(STEPS, "home.age"))
    turn = step(content, at("home.age", version=OLD_VERSION), Choice("n.emergency"), NOW)
    assert turn.session is not None
    assert turn.session.step == "emergency.now"
    assert said(turn) == [TEXTS["restarted"], *EMERGENCY]


def test_removed_steps_leave_the_back_stack() -> None:
    content = make_content(without(STEPS, "home.age"))
    session = at("home.age_help", back=("home.menu", "home.age"), version=OLD_VERSION)
    turn = step(content, session, Choice("n.back"), NOW)
    assert turn.session is not None
    assert (turn.session.step, turn.session.back) == ("home.menu", ())


# --- contact cards -------------------------------------------------------------------------


def contact_cards(now_days_after_verified: int) -> tuple[bool, str | None]:
    assert CONTENT.directory is not None
    verified = datetime.combine(CONTENT.directory.services["orostelefonen"].verified, NOW.timetz())
    when = verified
    turn = step(
        CONTENT,
        at("home.menu"),
        Choice(option("home.menu", 4)),
        when + timedelta(days=now_days_after_verified),
    )
    card = last(turn).contacts[0]
    return card.verified_ok, card.phone


@pytest.mark.parametrize(
    ("days", "shown"),
    [(0, True), (365, True), (366, False)],
)
def test_a_contact_goes_stale_after_stale_after_days(days: int, shown: bool) -> None:
    assert contact_cards(days) == (shown, "020-100 200" if shown else None)


def test_contact_cards_come_on_the_last_message_and_stale_facts_are_hidden() -> None:
    turn = step(CONTENT, at("home.menu"), Choice(option("home.menu", 4)), NOW)
    assert said(turn) == ["Här kan du ringa."]
    fresh, stale = last(turn).contacts
    assert (fresh.verified_ok, fresh.phone, fresh.hours) == (
        True,
        "020-100 200",
        Phrase("Ring helst på förmiddagen."),
    )
    assert fresh.source == "raddabarnen.se"
    assert (stale.verified_ok, stale.phone, stale.hours, stale.web) == (
        False,
        None,
        None,
        "https://example.se",
    )
    assert stale.unverified == Phrase(TEXTS["unverified_contact"], {"web": "https://example.se"})


# --- privacy -------------------------------------------------------------------------------

SECRETS = ["Ahmed", "0701234567", "Storgatan 5"]


@pytest.mark.parametrize("where", ["home.age", "home.relation", "home.menu", "home.welcome"])
@pytest.mark.parametrize(
    "typed",
    [
        "min son Ahmed är 15",
        "Ahmed bor på Storgatan 5, akut",
        "ring mig 0701234567",
        "Ahmed",
        "meny Ahmed",
    ],
)
def test_typed_text_never_reaches_the_session_or_the_replies(where: str, typed: str) -> None:
    turn = step(CONTENT, at(where), Text(typed), NOW)
    kept = repr(turn.session.to_dict() if turn.session else None) + repr(turn.replies)
    for secret in SECRETS:
        assert secret not in kept


def test_every_turn_updates_the_time_and_keeps_the_start_time() -> None:
    turn = step(CONTENT, at("home.menu"), Text("blabla"), NOW)
    assert turn.session is not None
    assert (turn.session.started, turn.session.updated) == (EARLIER, NOW)


def test_a_gone_step_in_the_back_stack_is_dropped_even_without_a_version_change() -> None:
    session = at("home.age", back=("home.gone", "home.menu"))
    turn = step(CONTENT, session, Choice("n.emergency"), NOW)
    assert turn.session is not None
    assert turn.session.back == ("home.menu", "home.age")


def test_a_session_evolves_as_dataclasses_replace_makes_it() -> None:
    """``Session.evolve`` (the engine's fast ``replace``): the same fields, a new session, the
    old one untouched, and a name that is no field refused."""
    before = at("home.age", back=("home.menu",))
    changes: dict[str, Any] = {"step": "home.menu", "variables": {"who": "child"}, "locale": "ar"}
    evolved = before.evolve(**changes)
    assert evolved == replace(before, **changes)
    assert evolved is not before and before.step == "home.age"
    assert evolved.to_dict() == {**before.to_dict(), **changes}
    with pytest.raises(TypeError, match="stepp"):
        before.evolve(stepp="home.menu")
    with pytest.raises(AttributeError):
        evolved.step = "home.age"  # type: ignore[misc]  # still frozen
