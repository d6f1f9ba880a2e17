"""A municipality's own facts: asked for once, shown with open-now, an honest fallback where
there are none, and the rules every local entry keeps (its page's address, no person's name,
nothing left to fill in)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.engine import Again, Choice, Session, Start, Text, step
from bot.engine.machine import Turn
from bot.flows.model import Content
from bot.i18n.renderer import renderer_for
from bot.pack.loader import LoadResult, load_pack
from tests.directory_fixtures import ESKILSTUNA
from tests.packs import AREAS, HOME, write_pack

TODAY = date(2026, 11, 24)
TUESDAY_EVENING = datetime(2026, 11, 24, 19, 30, tzinfo=UTC)  # 20:30 in Stockholm
TUESDAY_MORNING = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)  # 10:30

LOCAL = """\
title: Lokalt
steps:
  where:
    say: Var bor du?
    options:
      - label: Vill inte säga
        goto: anywhere
    ask:
      store: municipality
      municipality: true
      once: true
      goto: local
  local:
    say: Så når du socialjouren i {municipality_name}.
    services:
      topics: [out_of_hours, social_services]
      local: true
      otherwise: Jag har inga kontrollerade uppgifter om {municipality_name}.
    options:
      - label: Till menyn
        goto: home.menu
  anywhere:
    say: Ring 112 och fråga efter socialjouren.
    end: true
"""

MENU = HOME.replace(
    "      - label: Om tjänsten\n",
    "      - label: Socialjouren\n        goto: lokal.where\n      - label: Om tjänsten\n",
)


FILES: dict[str, str | None] = {
    "flows/home.yaml": MENU,
    "flows/lokal.yaml": LOCAL,
    "directory/areas.yaml": AREAS,
    "directory/services/eskilstuna.yaml": ESKILSTUNA,
}


def _load(tmp_path: Path, services: str = ESKILSTUNA) -> LoadResult:
    files = {**FILES, "directory/services/eskilstuna.yaml": services}
    return load_pack(write_pack(tmp_path, files), today=TODAY)


@pytest.fixture
def content(tmp_path: Path) -> Content:
    result = _load(tmp_path)
    assert result.content is not None, [p.format() for p in result.problems]
    return result.content


def _said(content: Content, turn: Turn) -> list[str]:
    renderer = renderer_for(content, "sv")
    return [renderer.text(r.text) for r in turn.replies if r.text is not None]


def _cards(turn: Turn) -> list[str]:
    return [card.id for reply in turn.replies for card in reply.contacts]


def _to_where(content: Content, now: datetime) -> Turn:
    started = step(content, None, Start(), now)
    assert started.session is not None
    button = next(b for r in started.replies for b in r.buttons if b.label.msgid == "Socialjouren")
    return step(content, started.session, Choice(button.token), now)


def test_a_person_in_a_covered_municipality_is_told_the_local_route_open_now(
    content: Content,
) -> None:
    asked = _to_where(content, TUESDAY_EVENING)
    assert _said(content, asked) == ["Var bor du?"]
    assert asked.session is not None
    turn = step(content, asked.session, Text("eskilstuna"), TUESDAY_EVENING)
    assert _said(content, turn) == ["Så når du socialjouren i Eskilstuna."]
    assert _cards(turn) == ["eskilstuna_socialjour"]  # local only: no national card
    card = turn.replies[-1].contacts[0]
    assert card.opening is not None and card.opening.open_now  # Tuesday 20:30, open to 24:00
    facts = {f.kind: f.text for f in renderer_for(content, "sv").card(card)}
    assert facts["phone"].endswith("112 (Ring 112 och fråga efter socialjouren)")


def test_the_municipality_is_asked_once(content: Content) -> None:
    asked = _to_where(content, TUESDAY_MORNING)
    assert asked.session is not None
    told = step(content, asked.session, Text("Eskilstuna"), TUESDAY_MORNING)
    assert told.session is not None
    menu = replace(told.session, step="home.menu")
    again = step(content, menu, Choice(_button(content, menu, "Socialjouren")), TUESDAY_MORNING)
    assert "Var bor du?" not in _said(content, again)
    assert _said(content, again) == ["Så når du socialjouren i Eskilstuna."]
    assert again.session is not None and again.session.step == "lokal.local"
    card = again.replies[-1].contacts[0]
    assert card.opening is not None and not card.opening.open_now  # 10:30: opens at 15:00
    assert card.opening.opens_at is not None and card.opening.opens_at.hour == 15


def test_a_municipality_without_local_facts_gets_the_honest_fallback(content: Content) -> None:
    asked = _to_where(content, TUESDAY_EVENING)
    assert asked.session is not None
    turn = step(content, asked.session, Text("Nyköping"), TUESDAY_EVENING)
    assert _said(content, turn) == [
        "Så når du socialjouren i Nyköping.",
        "Jag har inga kontrollerade uppgifter om Nyköping.",
    ]
    assert _cards(turn) == []  # no guess, and not the national card as if it were local


def test_not_saying_where_one_lives_is_one_tap(content: Content) -> None:
    asked = _to_where(content, TUESDAY_EVENING)
    assert asked.session is not None
    turn = step(
        content,
        asked.session,
        Choice(_button(content, asked.session, "Vill inte säga")),
        TUESDAY_EVENING,
    )
    assert _said(content, turn) == ["Ring 112 och fråga efter socialjouren."]
    assert turn.session is not None and "municipality" not in turn.session.variables


def _button(content: Content, session: Session, label: str) -> str:
    """The token of the button labelled ``label`` where ``session`` rests."""
    shown = step(content, session, Again(), TUESDAY_MORNING)
    found = [b for r in shown.replies for b in r.buttons if b.label.msgid == label]
    assert found, label
    return found[0].token


# --- the rules of a local entry -------------------------------------------------------------


def _problems(tmp_path: Path, services: str) -> set[tuple[int, str]]:
    result = _load(tmp_path, services)
    return {
        (p.line, p.code)
        for p in result.problems
        if p.file.endswith("eskilstuna.yaml") and p.level == "error"
    }


def test_a_local_entry_without_its_page_address_is_an_error(tmp_path: Path) -> None:
    services = ESKILSTUNA.replace("    source_url: https://www.eskilstuna.se/socialjouren\n", "")
    assert _problems(tmp_path, services) == {(15, "local-source")}  # at its `source:`


def test_a_persons_name_in_a_local_entry_is_an_error(tmp_path: Path) -> None:
    services = ESKILSTUNA.replace(
        "Socialtjänstens jour utanför kontorstid.",
        "Socialtjänstens jour. Fråga efter Anna Lindqvist.",
    ).replace(
        "    source: eskilstuna.se, sidan Socialjouren\n",
        "    email: anna.lindqvist@eskilstuna.se\n    source: eskilstuna.se, sidan Socialjouren\n",
    )
    found = _problems(tmp_path, services)
    assert (5, "person-name") in found  # the description
    assert (15, "person-name") in found  # the e-mail address
    role = services.replace("anna.lindqvist@", "socialjouren@").replace(
        "Fråga efter Anna Lindqvist.", "Fråga efter samordnaren."
    )
    assert _problems(tmp_path, role) == set()


def test_social_services_known_but_no_socialjour_still_says_so(tmp_path: Path) -> None:
    """The fallback is about the step's first topic (the socialjour): a municipality whose
    social services are known but whose socialjour is not gets both the card and the honest
    sentence, never the card alone as if it answered at night."""
    services = ESKILSTUNA + (
        "  nykoping_socialtjanst:\n"
        "    organization: Nyköpings kommun\n"
        "    name: Socialtjänsten i Nyköping\n"
        "    description: Mottagningen.\n"
        "    topics: [social_services]\n"
        '    areas: ["0480"]\n'
        "    source: nykoping.se\n"
        "    source_url: https://nykoping.se/\n"
        "    verified: 2026-11-22\n"
        "    status: active\n"
    )
    result = _load(tmp_path, services)
    assert result.content is not None, [p.format() for p in result.problems]
    content = result.content
    asked = _to_where(content, TUESDAY_EVENING)
    assert asked.session is not None
    turn = step(content, asked.session, Text("Nyköping"), TUESDAY_EVENING)
    assert "Jag har inga kontrollerade uppgifter om Nyköping." in _said(content, turn)
    assert _cards(turn) == ["nykoping_socialtjanst"]
