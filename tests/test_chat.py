"""The terminal chat, driven by a script on StringIO over the in-code pack."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import datetime

import pytest

from bot.chat import PROMPT, run_chat
from bot.engine import Phrase
from bot.flows.model import Content
from tests.engine_fixtures import CONTENT, NOW, TEXTS


def tagged(*codes: str) -> Content:
    """The pack with every text "translated" as ``[code] text``, to see which was used."""
    msgids = {
        *CONTENT.texts.values(),
        *(m for s in CONTENT.steps.values() for m in s.say),
        *(o.label for s in CONTENT.steps.values() for o in s.options),
    }
    return replace(CONTENT, translations={c: {m: f"[{c}] {m}" for m in msgids} for c in codes})


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def chat(script: str, *, lang: str | None = None, content: Content = CONTENT) -> tuple[int, str]:
    out = io.StringIO()
    code = run_chat(content, lang=lang, stdin=io.StringIO(script), stdout=out, now=lambda: NOW)
    return code, out.getvalue()


def test_the_chat_starts_with_the_start_step_and_numbered_buttons() -> None:
    code, out = chat("")
    assert code == 0
    assert out == (
        "Hej! Jag är Lotsen.\n"
        "Jag är inte polisen.\n"
        "  1) Börja\n"
        "  2) Ring 112\n"
        "  3) Meny\n"
        "  4) Glöm mig\n"
        "\n"
    )


def test_a_number_presses_that_button() -> None:
    _, out = chat("1\n")
    assert "Vad vill du veta?\n  1) Om socialtjänsten\n  2) Hur gammal?\n" in out


def test_the_112_button_is_numbered_after_the_options() -> None:
    _, out = chat("2\n")
    assert out.endswith("Ring 112 om någon är i fara.\n  1) Tillbaka\n  2) Meny\n  3) Glöm mig\n\n")


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("akut\n", "Ring 112 om någon är i fara."),  # typed text
        ("/112\n", "Ring 112 om någon är i fara."),  # a command
        ("/help\n", "Tryck på en knapp."),
        ("/dance\n", "Kommandon: /start /menu /back /language /help /112 /privacy /forget"),
        ("hmm\n", TEXTS["not_understood"]),
        ("9\n", TEXTS["not_understood"]),  # a number with no such button is text
        ("1\n2\nhon är 15\n", "Du svarade child."),  # the params are filled
    ],
)
def test_lines_are_buttons_commands_or_text(script: str, expected: str) -> None:
    _, out = chat(script)
    assert expected in out


def test_a_question_says_that_typing_works() -> None:
    _, out = chat("1\n2\n")
    assert "(du kan också skriva)" in out


def test_blank_lines_are_ignored() -> None:
    assert chat("\n\n  \n") == chat("")


def test_contact_cards_show_facts_only_when_fresh() -> None:
    _, out = chat("1\n4\n")
    assert (
        "  [Orostelefonen]\n"
        "  Stödlinje för anhöriga.\n"
        "  Telefon: 020-100 200\n"
        "  Webb: https://www.raddabarnen.se\n"
        "  Stängt nu. Öppnar fredag 09:00.\n"  # from the structured hours, Thursday 13:00
        "  Öppet: mån\u2013fre 09:00\u201312:00, stängt helgdagar\n"
        "  Ring helst på förmiddagen.\n"
        "  Du kan vara anonym.\n"
        "  Källa: raddabarnen.se, kontrollerad 1 juni 2025\n"
    ) in out
    assert (
        "  [Gamla linjen]\n"
        "  Uppgifterna kunde inte bekräftas. Se https://example.se\n"
        "  Webb: https://example.se\n"
        "  Källa: example.se, kontrollerad 1 januari 2020\n"
    ) in out
    assert "010-000 000" not in out
    assert "Alltid." not in out


def test_language_names_are_shown_untranslated() -> None:
    _, out = chat("/language\n", lang="ar", content=tagged("ar"))
    assert "[ar] Välj språk.\n  1) Svenska\n  2) العربية\n  3) English\n" in out


def test_the_start_language_and_a_language_change_pick_the_translator() -> None:
    _, out = chat("/language en\n", lang="ar_SE", content=tagged("ar", "en"))
    assert "[ar] Hej! Jag är Lotsen." in out
    assert "[en] Hej! Jag är Lotsen." in out


def test_a_language_button_switches_the_translator() -> None:
    _, out = chat("/language\n2\n", content=tagged("ar"))
    assert out.rstrip().splitlines()[-5:] == [
        "[ar] Jag är inte polisen.",
        "  1) [ar] Börja",
        "  2) [ar] Ring \u2066112\u2069",
        "  3) [ar] Meny",
        "  4) [ar] Glöm mig",
    ]


def test_forget_says_so_and_the_next_line_starts_afresh() -> None:
    _, out = chat("/forget\n1\n")
    assert f"{TEXTS['forgotten']}\n\nHej! Jag är Lotsen." in out


def test_the_prompt_is_shown_only_on_a_terminal() -> None:
    piped = io.StringIO()
    run_chat(CONTENT, lang=None, stdin=io.StringIO("1\n"), stdout=piped, now=lambda: NOW)
    assert PROMPT not in piped.getvalue()
    terminal = io.StringIO()
    run_chat(CONTENT, lang=None, stdin=Terminal("1\n"), stdout=terminal, now=lambda: NOW)
    assert terminal.getvalue().count(PROMPT) == 2  # before "1" and before the end


def test_the_clock_is_asked_once_per_turn() -> None:
    times: list[datetime] = []

    def now() -> datetime:
        times.append(NOW)
        return NOW

    run_chat(CONTENT, lang=None, stdin=io.StringIO("1\nhmm\n"), stdout=io.StringIO(), now=now)
    assert len(times) == 3


def test_numbers_in_right_to_left_text_keep_their_order() -> None:
    from bot.i18n.renderer import isolate_numbers, renderer_for

    assert isolate_numbers("اتصل 114 14 الآن") == "اتصل \u2066114 14\u2069 الآن"
    arabic = renderer_for(CONTENT, "ar")
    swedish = renderer_for(CONTENT, "sv")
    assert arabic.rtl and not swedish.rtl
    assert arabic.text(Phrase("Ring 020-100 200")) == "Ring \u2066020-100 200\u2069"
    assert swedish.text(Phrase("Ring 020-100 200")) == "Ring 020-100 200"


def test_times_and_ranges_stay_whole_in_right_to_left_text() -> None:
    from bot.i18n.renderer import isolate_numbers

    assert isolate_numbers("يُغلق الساعة 12:00.") == "يُغلق الساعة \u206612:00\u2069."
    assert isolate_numbers("أيام العمل 9\u201312") == "أيام العمل \u20669\u201312\u2069"


def test_debug_shows_the_step_and_the_answers_kept_after_each_turn() -> None:
    out = io.StringIO()
    run_chat(CONTENT, lang=None, stdin=io.StringIO("1\n2\n1\n/forget\n"), stdout=out,
             now=lambda: NOW, debug=True)  # fmt: skip
    states = [line for line in out.getvalue().splitlines() if line.startswith("[")]
    assert states == [
        "[step home.welcome | no answers | sv]",
        "[step home.menu | no answers | sv]",
        "[step home.age | no answers | sv]",
        "[step home.age_done | age=child | sv]",
        "[no session: forgotten]",
    ]
    _, plain = chat("1\n2\n1\n")
    assert "[step" not in plain
