"""Every rule of the validator, each shown by a broken pack and the problem it must yield.

Written the yamllint way: the broken text, then the code expected at file:line:column.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.pack.loader import load_pack
from tests.packs import CONTACTS, DIRECTORY, EMERGENCY, HOME, PACK, write_pack

TODAY = date(2026, 11, 24)


def problems(tmp_path: Path, overrides: dict[str, str | None]) -> set[tuple[str, int, int, str]]:
    result = load_pack(write_pack(tmp_path, overrides), today=TODAY)
    return {
        (Path(p.file).relative_to(tmp_path).as_posix(), p.line, p.column, p.code)
        for p in result.problems
    }


def test_the_valid_pack_has_no_problems(tmp_path: Path) -> None:
    result = load_pack(write_pack(tmp_path), today=TODAY)
    assert result.problems == ()
    assert result.content is not None
    assert result.content.steps["home.welcome"].next == "home.menu"
    assert result.content.steps["home.menu"].options[1].goto == "emergency.now"


FLOW = "flows/home.yaml"

CASES: list[tuple[str, dict[str, str | None], tuple[str, int, int, str]]] = [
    (
        "yaml syntax error",
        {FLOW: HOME.replace("say: Välkommen.", "say: [Välkommen.")},
        (FLOW, 5, 9, "yaml-syntax"),
    ),
    (
        "a key indented one space short",
        {FLOW: HOME.replace("    end: true\n", "   end: true\n")},
        (FLOW, 15, 4, "yaml-indent"),
    ),
    (
        "a key indented one space too far",
        {FLOW: HOME.replace("    options:\n", "     options:\n")},
        (FLOW, 8, 6, "yaml-indent"),
    ),
    (
        "tab used to indent",
        {FLOW: HOME.replace("    next: menu", "\tnext: menu")},
        (FLOW, 5, 1, "yaml-tab"),
    ),
    (
        "label: Yes read as a boolean",
        {FLOW: HOME.replace("label: Om tjänsten", "label: Yes")},
        (FLOW, 9, 16, "yaml-boolean"),
    ),
    (
        "label: no read as a boolean",
        {FLOW: HOME.replace("label: Akut", "label: no")},
        (FLOW, 11, 16, "yaml-boolean"),
    ),
    (
        "a number where text belongs",
        {FLOW: HOME.replace("say: Ingen läser chatten.", "say: 112")},
        (FLOW, 14, 10, "yaml-number"),
    ),
    (
        "duplicate step id",
        {FLOW: HOME + "  about:\n    say: Igen.\n    end: true\n"},
        (FLOW, 16, 3, "duplicate-step"),
    ),
    (
        "duplicate key in a step",
        {FLOW: HOME.replace("    next: menu", "    next: menu\n    next: about")},
        (FLOW, 6, 5, "duplicate-key"),
    ),
    (
        "unknown key with a did-you-mean",
        {FLOW: HOME.replace("    say: Välkommen.", "    sya: Välkommen.")},
        (FLOW, 4, 5, "unknown-key"),
    ),
    (
        "required key missing",
        {FLOW: HOME.replace("        goto: about\n", "")},
        (FLOW, 9, 9, "missing-key"),
    ),
    (
        "a step id that is not an id",
        {FLOW: HOME.replace("  about:", "  About:").replace("goto: about", "goto: About")},
        (FLOW, 13, 3, "bad-name"),
    ),
    (
        "link to an unknown step",
        {FLOW: HOME.replace("goto: about", "goto: abuot")},
        (FLOW, 10, 15, "unknown-target"),
    ),
    (
        "link to an unknown flow",
        {FLOW: HOME.replace("goto: emergency", "goto: emergncy.now")},
        (FLOW, 12, 15, "unknown-target"),
    ),
    (
        "step nothing reaches",
        {FLOW: HOME + "  orphan:\n    say: Ensam.\n    end: true\n"},
        (FLOW, 16, 3, "unreachable"),
    ),
    (
        "step with no way forward",
        {FLOW: HOME.replace("    end: true\n", "")},
        (FLOW, 13, 3, "dead-end"),
    ),
    (
        "next together with options",
        {
            FLOW: HOME.replace(
                "    next: menu", "    next: menu\n    options:\n      - {label: X, goto: menu}"
            )
        },
        (FLOW, 5, 11, "ways-conflict"),
    ),
    (
        "every option hidden behind a condition",
        {
            FLOW: HOME.replace(
                "goto: about\n", "goto: about\n        when: {age: child}\n"
            ).replace("goto: emergency\n", "goto: emergency\n        when: {age: child}\n")
        },
        (FLOW, 8, 5, "maybe-no-options"),
    ),
    (
        "steps that continue into each other for ever",
        {
            FLOW: HOME.replace("    end: true\n", "    next: loop\n")
            + "  loop:\n    say: Runt.\n    next: about\n"
        },
        (FLOW, 15, 11, "next-cycle"),
    ),
    (
        "a loop with no way out",
        {
            "lotsen.yaml": PACK.replace("texts:", "navigation: [emergency, back]\ntexts:"),
            FLOW: HOME.replace("        goto: about", "        goto: ring1")
            + "  ring1:\n    say: Ett.\n    options:\n      - {label: Två, goto: ring2}\n"
            "  ring2:\n    say: Två.\n    options:\n      - {label: Ett, goto: ring1}\n",
        },
        (FLOW, 16, 3, "loop-no-exit"),
    ),
    (
        "emergency step missing",
        {"lotsen.yaml": PACK.replace("emergency: emergency.now", "emergency: emergency.nu")},
        ("lotsen.yaml", 5, 12, "emergency-missing"),
    ),
    (
        "emergency not one action away without the 112 button",
        {"lotsen.yaml": PACK.replace("texts:", "navigation: [back, menu]\ntexts:")},
        (FLOW, 13, 3, "emergency-unreachable"),
    ),
    (
        "more buttons than Telegram allows",
        {
            FLOW: HOME.replace(
                "      - label: Akut\n",
                "".join(f"      - {{label: 'Val {i}', goto: about}}\n" for i in range(100))
                + "      - label: Akut\n",
            )
        },
        (FLOW, 8, 5, "too-many-options"),
    ),
    (
        "a message longer than Telegram allows",
        {FLOW: HOME.replace("say: Ingen läser chatten.", "say: " + "ord " * 1100)},
        (FLOW, 14, 10, "text-too-long"),
    ),
    (
        "a message longer than is comfortable",
        {FLOW: HOME.replace("say: Ingen läser chatten.", "say: " + "ord " * 80)},
        (FLOW, 14, 10, "long-message"),
    ),
    (
        "a variable used in a condition but never set",
        {
            FLOW: HOME.replace(
                "        goto: about\n", "        goto: about\n        when: {age: child}\n"
            )
        },
        (FLOW, 11, 21, "unset-variable"),
    ),
    (
        "a contact that does not exist",
        {"flows/emergency.yaml": EMERGENCY.replace("[sos]", "[sos, polis]")},
        ("flows/emergency.yaml", 5, 21, "unknown-contact"),
    ),
    (
        "a fact verified long ago",
        {"directory/services/national.yaml": CONTACTS.replace("2026-11-22", "2024-01-10")},
        ("directory/services/national.yaml", 11, 5, "stale-service"),
    ),
    (
        "a date that does not exist",
        {"directory/services/national.yaml": CONTACTS.replace("2026-11-22", "2026-02-30")},
        ("directory/services/national.yaml", 11, 15, "bad-date"),
    ),
    (
        "an ask with two matchers",
        {
            FLOW: HOME.replace(
                "    end: true\n",
                "    ask:\n      store: age\n      goto: menu\n"
                "      keywords: {child: [barn]}\n      number: [{value: adult}]\n",
            )
        },
        (FLOW, 15, 5, "schema"),
    ),
    (
        "number ranges out of order",
        {
            FLOW: HOME.replace(
                "    end: true\n",
                "    ask:\n      store: age\n      goto: menu\n"
                "      number:\n        - {value: adult}\n        - {below: 18, value: child}\n",
            )
        },
        (FLOW, 19, 11, "number-ranges"),
    ),
    (
        "an interface text missing",
        {"lotsen.yaml": PACK.replace("  forgotten: Text forgotten\n", "")},
        ("lotsen.yaml", 12, 1, "missing-key"),
    ),
    (
        "a placeholder nothing fills",
        {FLOW: HOME.replace("say: Ingen läser chatten.", "say: Du bor i {kommun}.")},
        (FLOW, 14, 10, "unknown-placeholder"),
    ),
    (
        "a label holding an emergency word on a button that does not lead to 112",
        {FLOW: HOME.replace("label: Om tjänsten", "label: Om tjänsten när det är akut")},
        (FLOW, 9, 16, "label-has-trigger"),
    ),
    (
        "a municipality question without a directory",
        {
            FLOW: HOME.replace(
                "    end: true\n",
                "    ask:\n      store: kommun\n      goto: menu\n      municipality: true\n",
            ),
            "directory/areas.yaml": None,
            "directory/services/national.yaml": None,
        },
        (FLOW, 13, 3, "no-directory"),
    ),
    (
        "a directory step naming a service that does not exist",
        {
            **DIRECTORY,
            FLOW: HOME.replace(
                "    end: true\n", "    end: true\n    services:\n      include: [linje, linjen2]\n"
            ),
        },
        (FLOW, 17, 24, "unknown-service"),
    ),
    (
        "a directory step naming an inactive service",
        {
            **DIRECTORY,
            FLOW: HOME.replace(
                "    end: true\n", "    end: true\n    services:\n      include: [gammal]\n"
            ),
        },
        (FLOW, 17, 17, "inactive-service"),
    ),
    (
        "a directory service verified long ago",
        {
            **DIRECTORY,
            "directory/services/lines.yaml": DIRECTORY["directory/services/lines.yaml"].replace(
                "verified: 2026-11-22\n    status: active",
                "verified: 2024-01-02\n    status: active",
            ),
        },
        ("directory/services/lines.yaml", 10, 5, "stale-service"),
    ),
    ("no lotsen.yaml at all", {"lotsen.yaml": None}, ("lotsen.yaml", 1, 1, "missing-file")),
]


@pytest.mark.parametrize(
    ("overrides", "expected"), [(o, e) for _, o, e in CASES], ids=[name for name, _, _ in CASES]
)
def test_a_broken_pack_yields_the_problem_at_its_place(
    tmp_path: Path, overrides: dict[str, str | None], expected: tuple[str, int, int, str]
) -> None:
    found = problems(tmp_path, overrides)
    assert expected in found, sorted(found)


def test_every_problem_is_reported_at_once_and_sorted(tmp_path: Path) -> None:
    broken = HOME.replace("goto: about", "goto: abuot").replace("label: Akut", "label: no")
    result = load_pack(
        write_pack(
            tmp_path,
            {
                FLOW: broken,
                "directory/services/national.yaml": CONTACTS.replace("2026-11-22", "2020-01-01"),
            },
        ),
        today=TODAY,
    )
    codes = [p.code for p in result.problems]
    assert {"unknown-target", "yaml-boolean", "stale-service"} <= set(codes)
    assert list(result.problems) == sorted(result.problems)
    assert result.content is None


def test_warnings_alone_still_give_a_content(tmp_path: Path) -> None:
    result = load_pack(
        write_pack(tmp_path, {FLOW: HOME + "  orphan:\n    say: Ensam.\n    end: true\n"}),
        today=TODAY,
    )
    assert [p.code for p in result.problems] == ["unreachable"]
    assert result.content is not None


def test_a_link_into_an_unreadable_flow_is_not_reported_twice(tmp_path: Path) -> None:
    result = load_pack(write_pack(tmp_path, {"flows/emergency.yaml": "steps: [\n"}), today=TODAY)
    assert [p.code for p in result.problems] == ["yaml-syntax"]


def test_messages_name_the_valid_choices(tmp_path: Path) -> None:
    result = load_pack(
        write_pack(tmp_path, {FLOW: HOME.replace("goto: about", "goto: abuot")}), today=TODAY
    )
    (problem,) = [p for p in result.problems if p.code == "unknown-target"]
    assert "did you mean `about`?" in problem.message
    assert "about, menu, welcome" in problem.message


def test_a_wrong_indentation_says_so_and_names_the_keys_it_could_line_up_with(
    tmp_path: Path,
) -> None:
    """PyYAML said `did not find expected key`; an editor needs the word indentation, the
    line, and the keys around it."""
    result = load_pack(
        write_pack(tmp_path, {FLOW: HOME.replace("    end: true\n", "   end: true\n")})
    )
    (problem,) = result.errors
    assert problem.message.startswith("indentation: `end` is indented 3 spaces")
    assert "`say` (line 14) is indented 4; `about` (line 13) is indented 2" in problem.message
