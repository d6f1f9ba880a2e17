"""`lotsen test`: conversations written in YAML, played against the pack, failures with lines."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from bot.editor.convtests import CHECKS, Expect, read_test, run_test
from bot.pack.loader import load_pack
from bot.source import schema

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)  # a Thursday, noon
HEAD = "# yaml-language-server: $schema=../../bot/flows/schema/convtest.schema.json\n"

WRONG = (
    HEAD
    + """\
name: Till socialtjänsten
lang: sv
turns:
  - press: "Vad händer om jag kontaktar socialtjänsten?"
    expect:
      step: social.intro
      offers: [Be om stöd själv]
  - press: Kan de ta mitt barn?
    expect:
      says: ["socialtjänsten tar alltid barnet"]
"""
)


def _test(tmp_path: Path, text: str, name: str = "t.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def test_the_shipped_tests_pass_in_every_language(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["test", str(CONTENT), "--verbose"]) == 0
    out = capsys.readouterr().out
    for lang in ("sv", "en", "ar", "so"):
        for route in ("social", "worried", "talk", "privacy", "safety"):
            assert f"ok    {CONTENT}/tests/{route}_{lang}.yaml" in out
    shipped = len(list((CONTENT / "tests").glob("*.yaml")))
    assert f"{shipped} passed, 0 failed" in out


def test_a_failing_test_names_its_line_and_shows_the_difference_and_the_conversation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _test(tmp_path, WRONG)
    assert main(["test", str(tmp_path), "--content", str(CONTENT)]) == 1
    out = capsys.readouterr().out
    assert f'{path}:11: turn 2: press "Kan de ta mitt barn?": expected the reply to say' in out
    assert "  - says: socialtjänsten tar alltid barnet" in out
    assert "  + said: Många föräldrar är rädda att socialtjänsten ska ta deras barn." in out
    conversation = out.split("the conversation so far:")[1]
    assert '> press "Vad händer om jag kontaktar socialtjänsten?"' in conversation
    assert "1) Be om stöd själv" in conversation
    assert "0 passed, 1 failed" in out


@pytest.mark.parametrize(
    ("expect", "line", "summary", "difference"),
    [
        (
            "{step: social.report}",
            6,
            "expected step social.report, got social.intro",
            ["  - step social.report", "  + step social.intro"],
        ),
        (
            "{offers: [Ring 112]}",
            6,
            'expected a button "Ring 112"',
            ["  - button Ring 112", "  + button Be om stöd själv"],
        ),
        (
            "{not_offers: [Be om stöd själv]}",
            6,
            'expected no button "Be om stöd själv"',
            ["  + button Be om stöd själv"],
        ),
        ("{services: [Orostelefonen]}", 6, 'expected a card "Orostelefonen"', ["  + no cards"]),
        ("{forgotten: true}", 6, "expected forgotten: true, got still kept, at social.intro", []),
    ],
)
def test_each_expectation_reports_its_own_line(
    tmp_path: Path, expect: str, line: int, summary: str, difference: list[str]
) -> None:
    content = load_pack(CONTENT, min_coverage=0).content
    assert content is not None
    text = HEAD + f"name: x\nturns:\n  - press: 3\n    expect:\n      {expect[1:-1]}\n"
    test = read_test(_test(tmp_path, text), content)
    assert not isinstance(test, list), test
    report = run_test(content, test, NOW).report().splitlines()
    assert report[1].startswith(f"{tmp_path}/t.yaml:{line}: turn 1: press 3: {summary}")
    for expected in difference:
        assert expected in report


def test_a_button_that_is_not_there_fails_with_the_buttons_that_are(tmp_path: Path) -> None:
    content = load_pack(CONTENT, min_coverage=0).content
    assert content is not None
    test = read_test(_test(tmp_path, HEAD + "name: x\nturns:\n  - press: Socialtjänsten\n"))
    assert not isinstance(test, list)
    report = run_test(content, test, NOW).report()
    assert (
        ':4: turn 1: press "Socialtjänsten": there is no button "Socialtjänsten" to press' in report
    )
    assert "  + button Vad händer om jag kontaktar socialtjänsten?" in report


def test_a_test_in_english_presses_english_labels_and_reads_english_texts(tmp_path: Path) -> None:
    content = load_pack(CONTENT, min_coverage=0).content
    assert content is not None
    text = HEAD + (
        "name: x\nlang: en\nturns:\n"
        "  - press: what happens if i contact social services?\n"  # case does not matter
        "    expect: {step: social.intro, says: [MANY PEOPLE ARE AFRAID]}\n"
        "  - command: /language sv\n"
        "    expect: {says: [Många är rädda]}\n"
    )
    test = read_test(_test(tmp_path, text))
    assert not isinstance(test, list)
    assert run_test(content, test, NOW).passed


def test_mistakes_in_a_test_file_are_problems_with_positions(tmp_path: Path) -> None:
    content = load_pack(CONTENT, min_coverage=0).content
    text = HEAD + (
        "name: x\nturns:\n"
        "  - press: 1\n    typ: akut\n"
        "  - type: akut\n    expect: {step: emergency.nu}\n"
        "  - press: 1\n    command: /back\n"
    )
    problems = read_test(_test(tmp_path, text), content)
    assert isinstance(problems, list)
    formatted = [p.format() for p in problems]
    assert any(
        ":5:5: error unknown-key unknown key `typ` (did you mean `type`?)" in f for f in formatted
    )
    assert any(":8:5: error schema expected exactly one of `press:`" in f for f in formatted), (
        formatted
    )


def test_an_unknown_step_is_named_with_a_did_you_mean(tmp_path: Path) -> None:
    content = load_pack(CONTENT, min_coverage=0).content
    text = HEAD + "name: x\nturns:\n  - type: akut\n    expect: {step: emergency.nu}\n"
    problems = read_test(_test(tmp_path, text), content)
    assert isinstance(problems, list)
    assert "did you mean `emergency.now`" in problems[0].message
    assert problems[0].line == 5


def test_conversation_tests_do_not_change_the_content_version(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(CONTENT, tmp_path / "content")
    shutil.copytree(ROOT / "locales", tmp_path / "locales")
    before = load_pack(tmp_path / "content").content
    _test(tmp_path / "content" / "tests", WRONG, "new.yaml")
    after = load_pack(tmp_path / "content").content
    assert before is not None and after is not None and before.version == after.version


def test_every_expectation_of_the_format_has_one_check() -> None:
    written = set(schema.load("convtest")["$defs"]["expect"]["properties"])
    assert set(CHECKS) == written == {field.name for field in fields(Expect)}
