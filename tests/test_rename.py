"""`lotsen rename`: a step's new id, every link to it rewritten, conversations and
translations kept; and the warnings around `moved:`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from bot.engine import Choice, Start, step, tokens
from bot.pack.loader import load_pack
from tests.packs import write_pack

FLOW = "flows/home.yaml"
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
TEST = """\
name: till om
turns:
  - press: Om tjänsten
    expect: {step: home.about, says: [Ingen läser]}
  - command: /menu
    expect:
      step: home.menu
"""


def rename(root: Path, old: str, new: str) -> int:
    return main(["rename", old, new, "--content", str(root)])


def test_rename_rewrites_every_link_and_keeps_the_pack_and_its_tests_working(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_pack(tmp_path, {"tests/about.yaml": TEST})
    home = (root / FLOW).read_text("utf-8")
    assert rename(root, "home.about", "home.privacy_note") == 0

    text = (root / FLOW).read_text("utf-8")
    assert "  privacy_note:\n    say: Ingen läser chatten." in text
    assert "goto: privacy_note" in text and "goto: about" not in text
    assert text.count("\n") == home.count("\n")  # layout and comments kept, line for line
    assert "expect: {step: home.privacy_note, says: [Ingen läser]}" in (
        root / "tests/about.yaml"
    ).read_text("utf-8")
    pack = (root / "lotsen.yaml").read_text("utf-8")
    assert pack.endswith("moved:\n  home.about: home.privacy_note\n")
    assert "privacy: home.privacy_note" in pack  # an entry point named it too

    result = load_pack(root)
    assert result.content is not None and not result.problems
    assert main(["test", str(root)]) == 0
    # A person resting on the old step goes on at the new one.
    content = result.content
    session = step(content, None, Start(), NOW).session
    assert session is not None
    old_session = session.moved_to("home.about", remember=False)
    menu = step(content, old_session, Choice(tokens.nav_token("menu")), NOW).session
    assert menu is not None and menu.step == "home.menu"


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        ("home.nowhere", "home.x", "no step `home.nowhere`"),
        ("home.about", "emergency.about", "in the same flow"),
        ("home.about", "home.menu", "already a step"),
        ("home.about", "home.Om", "lower-case letters"),
    ],
)
def test_rename_refuses_what_it_cannot_do_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, said: str
) -> None:
    root = write_pack(tmp_path)
    before = {p: p.read_bytes() for p in root.rglob("*.yaml")}
    assert rename(root, old, new) == 1
    assert said in capsys.readouterr().err
    assert {p: p.read_bytes() for p in root.rglob("*.yaml")} == before


def test_a_moved_entry_whose_old_step_still_exists_is_a_warning(tmp_path: Path) -> None:
    root = write_pack(tmp_path)
    with (root / "lotsen.yaml").open("a", encoding="utf-8") as pack:
        pack.write("moved:\n  home.about: home.menu\n")
    (problem,) = load_pack(root).problems
    assert (problem.code, problem.level) == ("moved-shadowed", "warning")
    assert problem.line == (root / "lotsen.yaml").read_text("utf-8").count("\n")


def test_a_link_to_a_renamed_step_names_its_new_id(tmp_path: Path) -> None:
    root = write_pack(tmp_path)
    assert rename(root, "home.about", "home.privacy_note") == 0
    (root / FLOW).write_text(
        (root / FLOW).read_text("utf-8").replace("goto: privacy_note", "goto: about"), "utf-8"
    )
    (problem,) = load_pack(root).errors
    assert problem.code == "unknown-target"
    assert "(it was renamed to `home.privacy_note`; see `moved:` in lotsen.yaml)" in (
        problem.message
    )
