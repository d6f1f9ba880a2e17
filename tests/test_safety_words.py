"""The shipped pack never swallows an alarming message, in any of its languages, at any step.

Each sentence of the table is typed at every step where a conversation rests, in a
conversation in its language. An alarming sentence must reach its step (112, or the calm
reply of its kind of concern), which names 112, and is never met with "I did not understand".
A harmless one must reach neither.
"""

from __future__ import annotations

import pytest

from bot.engine import Text, step
from bot.flows.model import Content
from bot.pack.loader import load_pack
from tests.shipped import CONTENT, NOW, TODAY, at

EMERGENCY = "emergency.now"
SUICIDE, TRAVEL, VIOLENCE, THREAT = (
    "safety.suicide",
    "safety.travel",
    "safety.violence",
    "safety.threat",
)
HARMLESS = None

SENTENCES: list[tuple[str, str, str | None]] = [
    # Swedish, the source language
    ("sv", "min son har ett vapen och ska döda någon", VIOLENCE),
    ("sv", "han är 16 och har köpt vapen", VIOLENCE),
    ("sv", "han har en kniv", VIOLENCE),
    ("sv", "han pratar om att skjuta folk", VIOLENCE),
    ("sv", "de planerar ett attentat", VIOLENCE),
    ("sv", "hon har åkt till Syrien", TRAVEL),
    ("sv", "min dotter vill ta livet av sig", SUICIDE),
    ("sv", "han har sjalvmordstankar", SUICIDE),  # typed without å, ä, ö
    ("sv", "han hotar mig", THREAT),
    ("sv", "jag är rädd för honom", THREAT),
    ("sv", "Det är akut!", EMERGENCY),
    ("sv", "hjälp", EMERGENCY),
    ("sv", "ingen fara", HARMLESS),
    ("sv", "han är 16", HARMLESS),
    ("sv", "vi kommer från Syrien", HARMLESS),
    ("sv", "vi får skjuta upp mötet", HARMLESS),
    ("sv", "sköt om dig", HARMLESS),
    # English
    ("en", "my son wants to kill people", VIOLENCE),
    ("en", "she has a gun", VIOLENCE),
    ("en", "he is planning an attack", VIOLENCE),
    ("en", "he left for Syria", TRAVEL),
    ("en", "my daughter wants to kill herself", SUICIDE),
    ("en", "he threatens us", THREAT),
    ("en", "help", EMERGENCY),
    ("en", "it is hot today", HARMLESS),
    ("en", "we are from Syria", HARMLESS),
    ("en", "my son is 16", HARMLESS),
    ("en", "it is not urgent", HARMLESS),
    # Arabic
    ("ar", "عنده سلاح", VIOLENCE),
    ("ar", "ابني يخطط لهجوم", VIOLENCE),
    ("ar", "ابنتي تريد أن تنتحر", SUICIDE),
    ("ar", "سافر إلى سوريا", TRAVEL),
    ("ar", "يهددني", THREAT),
    ("ar", "نجدة", EMERGENCY),
    ("ar", "١١٢", EMERGENCY),
    ("ar", "نحن من سوريا", HARMLESS),
    ("ar", "ابني عمره 16 سنة", HARMLESS),
    ("ar", "لا يوجد خطر", HARMLESS),
    # Somali
    ("so", "wiilkayga wuxuu haystaa hub", VIOLENCE),
    ("so", "wuxuu doonayaa inuu dadka dilo", VIOLENCE),
    ("so", "gabadhayda waxay rabtaa inay is disho", SUICIDE),
    ("so", "wuxuu u safray Suuriya", TRAVEL),
    ("so", "wuu ii hanjabay", THREAT),
    ("so", "caawimaad", EMERGENCY),
    ("so", "khatar ma leh", HARMLESS),
    ("so", "waxaan ka nimid Suuriya", HARMLESS),
    ("so", "wiilkaygu waa 16 jir", HARMLESS),
    # The source language's words work in every conversation.
    ("ar", "han har en kniv", VIOLENCE),
    ("so", "Det är akut!", EMERGENCY),
]


@pytest.fixture(scope="module")
def content() -> Content:
    result = load_pack(CONTENT, today=TODAY)
    assert result.content is not None, [p.format() for p in result.errors]
    return result.content


def resting_steps(content: Content) -> list[str]:
    return [ref for ref, current in content.steps.items() if current.rests]


def test_the_table_covers_forty_sentences_in_four_languages() -> None:
    assert len(SENTENCES) >= 40
    assert {lang for lang, _, _ in SENTENCES} == {"sv", "en", "ar", "so"}


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [case for case in SENTENCES if case[2] is not HARMLESS],
    ids=[f"{lang}:{text}" for lang, text, expected in SENTENCES if expected is not HARMLESS],
)
def test_an_alarming_sentence_reaches_its_step_from_every_step(
    content: Content, lang: str, text: str, expected: str
) -> None:
    not_understood = content.texts["not_understood"]
    for ref in resting_steps(content):
        if ref == expected:
            continue  # already there
        turn = step(content, at(content, ref, lang), Text(text), NOW)
        assert turn.session is not None and turn.session.step == expected, ref
        said = [reply.text.msgid for reply in turn.replies if reply.text]
        phones = {card.phone for reply in turn.replies for card in reply.contacts}
        assert not_understood not in said, ref
        assert "112" in phones or any("112" in msgid for msgid in said), ref


@pytest.mark.parametrize(
    ("lang", "text"),
    [(lang, text) for lang, text, expected in SENTENCES if expected is HARMLESS],
    ids=[f"{lang}:{text}" for lang, text, expected in SENTENCES if expected is HARMLESS],
)
def test_a_harmless_sentence_reaches_no_alarm_from_any_step(
    content: Content, lang: str, text: str
) -> None:
    alarms = {content.emergency, *(concern.step for concern in content.concerns)}
    for ref in resting_steps(content):
        if ref in alarms:
            continue
        turn = step(content, at(content, ref, lang), Text(text), NOW)
        assert turn.session is not None and turn.session.step not in alarms, ref


def test_every_concern_step_names_112_and_offers_to_go_on(content: Content) -> None:
    assert [c.kind for c in content.concerns] == ["suicide", "travel", "violence", "threat"]
    for concern in content.concerns:
        turn = step(content, at(content, "home.menu", "sv"), Text(concern.words[0]), NOW)
        buttons = [b.action for reply in turn.replies for b in reply.buttons]
        assert buttons.count("resume") == 1 and "emergency" in buttons, concern.kind
