"""The validator's rule for chat apps with little room (WhatsApp): an editor or translator
learns, at the line they wrote, which label will be cut short, which short label cannot be
shown at all, and which two options will look the same."""

from __future__ import annotations

from pathlib import Path

from bot.pack.chat_limits import WHATSAPP
from bot.pack.loader import load_pack
from bot.source.problems import Problem
from tests.packs import HOME, write_pack
from tests.test_validate_words import TODAY, catalog

FIRST = "      - label: Om tjänsten\n"  # line 9 of home.yaml; the label's text at column 16
SECOND = "      - label: Akut\n"  # line 11 (12 once the first option has a short label)
LABEL = ("home.yaml", 9, 16)
FIRST_SHORT = ("home.yaml", 10, 16)
TOO_LONG = "Om tjänsten och allt den gör för dig"  # 36 characters


def home(first: str, first_short: str | None = None, second_short: str | None = None) -> str:
    """home.yaml with the menu's first option labelled ``first``; short labels if given."""
    flow = HOME.replace(FIRST, option(first, first_short))
    return flow.replace(SECOND, option("Akut", second_short))


def option(label: str, short: str | None) -> str:
    line = f"      - label: {label}\n"
    return line if short is None else f"{line}        short: {short}\n"


def check(tmp_path: Path, flow: str, **catalogs: dict[str, str]) -> list[Problem]:
    content = write_pack(tmp_path / "content", {"flows/home.yaml": flow})
    for code, messages in catalogs.items():
        catalog(tmp_path, code, messages)
    return list(load_pack(content, today=TODAY).problems)


def found(problems: list[Problem], code: str) -> list[tuple[str, int, int, str]]:
    return [(Path(p.file).name, p.line, p.column, p.level) for p in problems if p.code == code]


def test_the_pack_as_written_has_no_chat_limit_problems(tmp_path: Path) -> None:
    """The rule must be silent about labels that fit, or editors learn to ignore it."""
    codes = {"label-too-long", "short-label-too-long", "short-labels-alike", "too-many-buttons"}
    assert [p for p in check(tmp_path, HOME) if p.code in codes] == []


def test_a_label_over_24_characters_without_a_short_label_is_a_warning(tmp_path: Path) -> None:
    """It is shown cut short in a WhatsApp list: the editor is told where, and what to do."""
    problems = check(tmp_path, home(TOO_LONG))
    assert found(problems, "label-too-long") == [(*LABEL, "warning")]
    (problem,) = [p for p in problems if p.code == "label-too-long"]
    assert f"`{TOO_LONG}` (sv) has 36 characters" in problem.message
    assert "short:" in problem.message
    assert not any(p.is_error for p in problems)


def test_a_label_of_exactly_24_characters_is_fine(tmp_path: Path) -> None:
    label = "Om tjänsten, kort och gott"[:24]
    assert len(label) == WHATSAPP.row_title
    assert found(check(tmp_path, home(label)), "label-too-long") == []
    longer = check(tmp_path / "longer", home(label + "x"))
    assert found(longer, "label-too-long") == [(*LABEL, "warning")]


def test_a_short_label_within_20_characters_silences_the_warning(tmp_path: Path) -> None:
    problems = check(tmp_path, home(TOO_LONG, "Om tjänsten"))
    assert found(problems, "label-too-long") == []
    assert found(problems, "short-label-too-long") == []


def test_a_short_label_over_24_characters_is_an_error_at_the_short_label(tmp_path: Path) -> None:
    """A short label that does not fit a row cannot be shown at all: the pack must not ship."""
    short = "Om socialtjänstens arbete"  # 25 characters
    problems = check(tmp_path, home(TOO_LONG, short))
    assert found(problems, "short-label-too-long") == [(*FIRST_SHORT, "error")]
    (problem,) = [p for p in problems if p.code == "short-label-too-long"]
    assert f"`{short}` (sv) has 25 characters" in problem.message
    assert found(problems, "label-too-long") == []
    fits = check(tmp_path / "fits", home(TOO_LONG, short[:24]))
    assert found(fits, "short-label-too-long") == []


def test_a_translated_label_over_24_characters_names_its_language(tmp_path: Path) -> None:
    """The translator, not the editor, has to act: the warning says which language, at the
    source label the translation belongs to."""
    english = "About the service and everything it does for you"
    problems = check(tmp_path, HOME, en={"Om tjänsten": english})
    assert found(problems, "label-too-long") == [(*LABEL, "warning")]
    (problem,) = [p for p in problems if p.code == "label-too-long"]
    assert f"`{english}` (en)" in problem.message
    assert "(sv)" not in problem.message


def test_a_translated_label_with_a_short_label_is_fine(tmp_path: Path) -> None:
    english = {
        "Om tjänsten och allt den gör för dig": "About all the service does",
        "Kort": "Short",
    }
    problems = check(tmp_path, home(TOO_LONG, "Kort"), en=english)
    assert found(problems, "label-too-long") == []


def test_a_translated_short_label_over_24_characters_is_an_error(tmp_path: Path) -> None:
    english = {"Om tjänsten": "About the service, in full detail"}
    problems = check(tmp_path, home(TOO_LONG, "Om tjänsten"), en=english)
    assert found(problems, "short-label-too-long") == [(*FIRST_SHORT, "error")]
    (problem,) = [p for p in problems if p.code == "short-label-too-long"]
    assert "(en)" in problem.message


def test_two_options_with_the_same_short_label_look_alike(tmp_path: Path) -> None:
    """Two rows titled the same on WhatsApp cannot be told apart: flagged at the second."""
    problems = check(tmp_path, home(TOO_LONG, "Tjänsten", "Tjänsten"))
    assert found(problems, "short-labels-alike") == [("home.yaml", 13, 16, "warning")]
    (problem,) = [p for p in problems if p.code == "short-labels-alike"]
    assert "options 1 and 2" in problem.message
    different = check(tmp_path / "different", home(TOO_LONG, "Tjänsten", "Akut nu"))
    assert found(different, "short-labels-alike") == []


def test_short_labels_that_a_translation_makes_alike(tmp_path: Path) -> None:
    """Different in Swedish, one word in English: the translator is told."""
    english = {"Tjänsten": "Help", "Hjälp nu": "Help"}
    problems = check(tmp_path, home(TOO_LONG, "Tjänsten", "Hjälp nu"), en=english)
    assert found(problems, "short-labels-alike") == [("home.yaml", 13, 16, "warning")]
    assert "(en)" in next(p for p in problems if p.code == "short-labels-alike").message
