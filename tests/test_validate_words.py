"""The rules about typed words, in every language: concern steps offer a way on, no label
holds an alarming word that would hijack it, and no alarming word is everyday in another
language's texts unless that language lists the harmless phrase."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from bot.pack.loader import load_pack
from bot.source.problems import Problem
from tests.packs import HOME, PACK, write_pack

TODAY = date(2026, 11, 24)

CONCERNS = """\
concerns:
  violence:
    step: safety.violence
    words: [vapen, kniv*]
"""
SAFETY = """\
title: Allvarligt
steps:
  violence:
    navigation: [resume]
    say: Handlar det om vapen eller våld? Ring 112.
    end: true
"""
WITH_CONCERNS = {"lotsen.yaml": PACK + CONCERNS, "flows/safety.yaml": SAFETY}
# Where the concerns begin in lotsen.yaml: after the pack's texts, which grow with the pack.
CONCERNS_LINE = PACK.count("\n") + 1


def catalog(root: Path, code: str, messages: dict[str, str]) -> None:
    po = root / "locales" / code / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True, exist_ok=True)
    translated = Catalog(locale=code)
    for msgid, msgstr in messages.items():
        translated.add(msgid, msgstr)
    with po.open("wb") as handle:
        write_po(handle, translated)


def check(
    tmp_path: Path, overrides: dict[str, str | None], **catalogs: dict[str, str]
) -> list[Problem]:
    content = write_pack(tmp_path / "content", {**WITH_CONCERNS, **overrides})
    for code, messages in catalogs.items():
        catalog(tmp_path, code, messages)
    return list(load_pack(content, today=TODAY).problems)


def where(problems: list[Problem], code: str) -> list[tuple[str, int, int]]:
    return [(Path(p.file).name, p.line, p.column) for p in problems if p.code == code]


def test_a_pack_with_concerns_and_clean_translations_has_no_problems(tmp_path: Path) -> None:
    problems = check(
        tmp_path, {}, en={"vapen;kniv*": "weapon;knife", "Om tjänsten": "About the service"}
    )
    assert problems == []


def test_a_concern_naming_a_step_that_does_not_exist(tmp_path: Path) -> None:
    problems = check(tmp_path, {"flows/safety.yaml": SAFETY.replace("violence:", "violent:")})
    assert where(problems, "unknown-target") == [("lotsen.yaml", CONCERNS_LINE + 2, 11)]
    (unknown,) = [p for p in problems if p.code == "unknown-target"]
    assert "concern `violence`" in unknown.message
    assert "did you mean `safety.violent`?" in unknown.message


def test_a_concern_step_without_a_way_on_to_where_the_person_was(tmp_path: Path) -> None:
    problems = check(tmp_path, {"flows/safety.yaml": SAFETY.replace("navigation: [resume]", "")})
    assert where(problems, "concern-without-resume") == [("safety.yaml", 3, 3)]


def test_a_concern_step_is_reachable_through_typed_words_alone(tmp_path: Path) -> None:
    assert where(check(tmp_path, {}), "unreachable") == []


def test_a_label_holding_a_concern_word_on_a_button_that_leads_elsewhere(tmp_path: Path) -> None:
    flow = HOME.replace("label: Om tjänsten", "label: Om knivar")
    problems = check(tmp_path, {"flows/home.yaml": flow})
    assert where(problems, "label-has-trigger") == [("home.yaml", 9, 16)]
    assert "safety.violence" in problems[0].message


def test_a_translated_label_holding_an_emergency_word(tmp_path: Path) -> None:
    english = {"akut;i fara": "emergency;in danger", "Om tjänsten": "If you are in danger"}
    problems = check(tmp_path, {}, en=english)
    assert where(problems, "label-has-trigger") == [("home.yaml", 9, 16)]
    assert "(en)" in problems[0].message


def test_an_alarming_word_that_is_everyday_in_another_language(tmp_path: Path) -> None:
    # Swedish "vapen" is nothing in English, but pretend English texts use it harmlessly.
    english = {"vapen;kniv*": "weapon;knife", "Ingen läser chatten.": "Nobody reads vapen."}
    problems = check(tmp_path, {}, en=english)
    assert where(problems, "word-collision") == [("lotsen.yaml", CONCERNS_LINE + 3, 5)]
    assert "`vapen` (sv" in problems[0].message and "en texts" in problems[0].message


def test_an_everyday_phrase_of_that_language_resolves_the_collision(tmp_path: Path) -> None:
    pack = PACK.replace("  back: [tillbaka]\n", "  back: [tillbaka]\n  everyday: [ingen fara]\n")
    english = {
        "vapen;kniv*": "weapon;knife",
        "Ingen läser chatten.": "Nobody reads vapen.",
        "ingen fara": "reads vapen",
    }
    problems = check(tmp_path, {"lotsen.yaml": pack + CONCERNS}, en=english)
    assert where(problems, "word-collision") == []


def test_a_word_alarming_in_both_languages_is_no_collision(tmp_path: Path) -> None:
    english = {"vapen;kniv*": "weapon;knife;vapen", "Ingen läser chatten.": "Nobody reads vapen."}
    assert where(check(tmp_path, {}, en=english), "word-collision") == []


def test_a_phrase_collides_only_where_all_its_words_stand_together(tmp_path: Path) -> None:
    """A phrase of several words (and a ``stem*``) is looked for as a whole: a text holding
    its first word alone is no collision, one holding every word in order is."""
    concerns = CONCERNS.replace("words: [vapen, kniv*]", "words: [bära vapen, kniv*]")
    alone = {"bära vapen;kniv*": "weapon;knife", "Ingen läser chatten.": "Nobody bära this."}
    apart = {"bära vapen;kniv*": "weapon;knife", "Ingen läser chatten.": "bära the vapen."}
    together = {"bära vapen;kniv*": "weapon;knife", "Ingen läser chatten.": "We bära vapen."}
    stem = {"bära vapen;kniv*": "weapon;blade", "Ingen läser chatten.": "The knivarna here."}
    found = [
        where(check(tmp_path / name, {"lotsen.yaml": PACK + concerns}, en=en), "word-collision")
        for name, en in (("alone", alone), ("apart", apart), ("together", together), ("stem", stem))
    ]
    assert found == [
        [],
        [],
        [("lotsen.yaml", CONCERNS_LINE + 3, 5)],
        [("lotsen.yaml", CONCERNS_LINE + 3, 5)],
    ]
