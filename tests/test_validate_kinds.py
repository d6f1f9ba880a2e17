"""The kinds of way on from a step: one table (``bot.flows.kinds.KINDS``) that says how each is
read and where it leads, kept in step with the model, the schema and the engine's table.

A step has exactly one way on; the loader reads it as the table says and reports a step
written with none (`dead-end`) or several (`ways-conflict`) where an editor looks.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import get_args

import pytest

from bot.engine.answers import ANSWERS
from bot.flows.kinds import KINDS, Exit, kind_of
from bot.flows.ways import Ask, End, Next, Options, Way
from bot.pack.loader import load_pack
from bot.source import schema
from tests.packs import HOME, write_pack

TODAY = date(2026, 11, 24)
FLOW = "flows/home.yaml"
ABOUT = "    say: Ingen läser chatten.\n    end: true\n"  # the last step of HOME, at line 13


def test_every_kind_of_the_model_has_one_entry_in_the_table() -> None:
    assert set(KINDS) == set(get_args(Way))
    assert len({kind.key for kind in KINDS.values()}) == len(KINDS)
    assert set(ANSWERS) <= set(KINDS)


def test_the_schema_offers_every_kind_as_a_way_on() -> None:
    properties = schema.load("flow")["$defs"]["step"]["properties"]
    for kind in KINDS.values():
        assert properties[kind.key]["description"].startswith("A way on"), kind.key
        assert all(key in properties for key in kind.beside)


def _about(tmp_path: Path, body: str) -> Path:
    return write_pack(tmp_path, {FLOW: HOME.replace(ABOUT, body)})


READ = [
    ("end", "    end: true\n", End, (), ()),
    ("next", "    next: menu\n", Next, (), (Exit("home.menu", "next"),)),
    (
        "options",
        "    options:\n      - {label: Meny, goto: menu}\n",
        Options,
        ("Meny",),
        (Exit("home.menu", "option", "Meny"),),
    ),
    (
        "a question with buttons beside it",
        "    ask: {store: age, goto: menu, number: [{value: adult}], otherwise: welcome}\n"
        "    options:\n      - {label: Vuxen, goto: menu, set: {age: adult}}\n",
        Ask,
        ("Vuxen",),
        (
            Exit("home.menu", "option", "Vuxen"),
            Exit("home.menu", "ask", "typed: age"),
            Exit("home.welcome", "otherwise", "typed: not understood"),
        ),
    ),
]


@pytest.mark.parametrize(
    ("body", "kind", "labels", "exits"), [c[1:] for c in READ], ids=[c[0] for c in READ]
)
def test_a_step_is_read_as_one_kind_with_its_buttons_and_exits(
    tmp_path: Path, body: str, kind: type, labels: tuple[str, ...], exits: tuple[Exit, ...]
) -> None:
    result = load_pack(_about(tmp_path, body), today=TODAY)
    assert result.content is not None, [p.format() for p in result.problems]
    step = result.content.steps["home.about"]
    assert type(step.way) is kind
    assert tuple(option.label for option in step.options) == labels
    assert kind_of(step.way).exits(step.way) == exits
    assert step.rests is (kind is not Next)


WRONG = [
    ("nothing", "", (13, 3, "dead-end")),
    ("an empty list of options", "    options: []\n", (13, 3, "dead-end")),
    (
        "next with options",
        "    next: menu\n    options: [{label: X, goto: menu}]\n",
        (15, 11, "ways-conflict"),
    ),
    ("next with end", "    end: true\n    next: menu\n", (16, 11, "ways-conflict")),
    (
        "end with options",
        "    end: true\n    options: [{label: X, goto: menu}]\n",
        (13, 3, "ways-conflict"),
    ),
    (
        "end with a question",
        "    end: true\n    ask: {store: a, goto: menu, keywords: {b: [c]}}\n",
        (13, 3, "ways-conflict"),
    ),
]


@pytest.mark.parametrize(("body", "expected"), [c[1:] for c in WRONG], ids=[c[0] for c in WRONG])
def test_none_or_several_ways_on_are_reported_naming_the_valid_ones(
    tmp_path: Path, body: str, expected: tuple[int, int, str]
) -> None:
    result = load_pack(_about(tmp_path, "    say: Hej.\n" + body), today=TODAY)
    found = [p for p in result.problems if p.code in ("dead-end", "ways-conflict")]
    assert [(p.line, p.column, p.code) for p in found] == [expected]
    assert all(kind.choice in found[0].message for kind in KINDS.values())
    assert result.content is None


def test_a_target_in_a_way_that_loses_is_still_checked(tmp_path: Path) -> None:
    body = "    say: Hej.\n    next: menu\n    options: [{label: X, goto: abuot}]\n"
    result = load_pack(_about(tmp_path, body), today=TODAY)
    assert {p.code for p in result.problems} == {"ways-conflict", "unknown-target"}


def test_a_questions_buttons_may_all_be_conditional_since_typing_answers_it(
    tmp_path: Path,
) -> None:
    hidden = "    options:\n      - {label: Vuxen, goto: menu, when: {age: adult}}\n"
    ask = "    ask: {store: age, goto: menu, number: [{value: adult}]}\n"
    shown = {p.code for p in load_pack(_about(tmp_path, ask + hidden), today=TODAY).problems}
    assert "maybe-no-options" not in shown
