"""The directory in the conversation: a municipality typed forgivingly, candidates as
buttons, services listed local first with open-now, stale facts never shown as fact."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from bot.engine import Choice, Session, Start, Text, step
from bot.flows.model import Content
from bot.i18n.renderer import renderer_for
from bot.pack.loader import load_pack

NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)  # a Tuesday, 10:30 in Stockholm


@pytest.fixture(scope="module")
def content() -> Content:
    loaded = load_pack("content")
    assert loaded.content is not None and loaded.content.directory is not None
    return loaded.content


def at(content: Content, ref: str) -> Session:
    return Session(step=ref, version=content.version, started=NOW, updated=NOW, locale="sv")


@pytest.mark.parametrize(
    ("typed", "code"),
    [("Nykoping", "0480"), ("jag bor i eskilstunna", "0484"), ("Mora kommun", "2062")],
)
def test_a_typed_municipality_keeps_only_its_code(content: Content, typed: str, code: str) -> None:
    turn = step(content, at(content, "talk.where"), Text(typed), NOW)
    assert turn.session is not None
    assert turn.session.step == "talk.nearby"
    assert turn.session.variables["municipality"] == code
    assert typed not in str(turn.session.to_dict())


def test_several_candidates_come_as_buttons_and_a_press_answers(content: Content) -> None:
    asked = step(content, at(content, "talk.where"), Text("Upplands"), NOW)
    assert asked.session is not None and asked.session.step == "talk.where"
    (reply,) = asked.replies
    answers = [b for b in reply.buttons if b.token.startswith("a.")]
    assert sorted(b.label.msgid for b in answers) == ["Upplands Väsby", "Upplands-Bro"]
    chosen = next(b for b in answers if b.label.msgid == "Upplands-Bro")
    turn = step(content, asked.session, Choice(chosen.token), NOW)
    assert turn.session is not None and turn.session.variables["municipality"] == "0139"


def test_an_answer_button_from_an_older_message_is_stale(content: Content) -> None:
    asked = step(content, at(content, "talk.where"), Text("Upplands"), NOW)
    token = next(b.token for r in asked.replies for b in r.buttons if b.token.startswith("a."))
    elsewhere = at(content, "talk.intro")
    turn = step(content, elsewhere, Choice(token), NOW)
    assert turn.session is not None and turn.session.step == "talk.intro"
    assert turn.replies[0].text is not None
    assert turn.replies[0].text.msgid == content.texts["stale_button"]


def test_nothing_plausible_is_not_understood(content: Content) -> None:
    turn = step(content, at(content, "talk.where"), Text("xyzzy"), NOW)
    assert turn.session is not None and turn.session.step == "talk.where"
    assert turn.replies[0].text is not None
    assert turn.replies[0].text.msgid == content.texts["not_understood"]


def test_the_services_come_with_the_municipality_name_and_open_now(content: Content) -> None:
    turn = step(content, at(content, "talk.where"), Text("Nyköping"), NOW)
    texts = [r.text for r in turn.replies if r.text is not None]
    assert texts[0].params["municipality_name"] == "Nyköping"
    cards = [card for reply in turn.replies for card in reply.contacts]
    assert [c.id for c in cards][:1] == ["orostelefonen"]
    renderer = renderer_for(content, "sv")
    facts = {f.kind: f.text for f in renderer.card(cards[0])}
    assert facts["opening"] == "Öppet nu, stänger 12:00."
    assert facts["phone"].endswith("020-100 200")


def test_declining_to_say_shows_national_services(content: Content) -> None:
    where = step(content, at(content, "talk.where"), Text("Jag vill inte säga"), NOW)
    assert where.session is not None and where.session.step == "talk.nearby_national"
    assert "municipality" not in where.session.variables
    assert any(card.id == "orostelefonen" for r in where.replies for card in r.contacts)


def test_a_stale_service_shows_its_web_site_only(content: Content) -> None:
    assert content.directory is not None
    old = replace(content.directory.services["orostelefonen"], verified=date(2024, 1, 1))
    services = {**content.directory.services, "orostelefonen": old}
    stale = replace(content, directory=replace(content.directory, services=services))
    turn = step(stale, at(stale, "talk.where"), Text("Nyköping"), NOW)
    card = next(c for r in turn.replies for c in r.contacts if c.id == "orostelefonen")
    assert not card.verified_ok and card.phone is None and card.opening is None
    text = " ".join(f.text for f in renderer_for(stale, "sv").card(card))
    assert "020-100 200" not in text and "https://raddabarnen.se" in text


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 11, 28, 10, 0, tzinfo=UTC), "Stängt nu. Öppnar måndag 09:00."),
        (datetime(2026, 12, 25, 9, 0, tzinfo=UTC), "Stängt nu. Öppnar måndag 09:00."),
        (datetime(2026, 11, 24, 7, 0, tzinfo=UTC), "Stängt nu. Öppnar tisdag 09:00."),
    ],
    ids=["saturday", "christmas-day", "early-tuesday"],
)
def test_opening_is_told_in_the_persons_locale(
    content: Content, now: datetime, expected: str
) -> None:
    turn = step(content, at(content, "talk.where"), Text("Nyköping"), now)
    card = next(c for r in turn.replies for c in r.contacts if c.id == "orostelefonen")
    facts = {f.kind: f.text for f in renderer_for(content, "sv").card(card)}
    assert facts["opening"] == expected


@pytest.mark.parametrize(
    ("payload", "municipality", "locale"),
    [
        ("m-0480", "0480", "sv"),
        ("l-ar_m-0180", "0180", "ar"),
        ("m-9999", None, "sv"),  # no such municipality: ignored
        ("m-0480x", None, "sv"),
    ],
)
def test_a_link_presets_the_municipality_and_the_language(
    content: Content, payload: str, municipality: str | None, locale: str
) -> None:
    turn = step(content, None, Start(payload=payload), NOW)
    assert turn.session is not None
    assert turn.session.variables.get("municipality") == municipality
    assert turn.session.locale == locale
