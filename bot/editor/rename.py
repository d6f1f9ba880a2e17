"""``lotsen rename OLD NEW``: give a step a new id, with every link to it rewritten.

    lotsen rename social.jour social.out_of_hours

The step's key in its flow file, every ``goto``/``next``/``step`` naming it (bare inside its
own flow, ``flow.step`` anywhere), the pack's entry points and the conversation tests are
rewritten in place, line by line, so comments and layout stay as the editor wrote them. A
``moved: {OLD: NEW}`` entry is added to lotsen.yaml, so a person whose conversation rests on the
old step goes on at the new one. The texts do not change, so every translation is kept.
Nothing is written unless the renamed pack loads as well as before.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from bot.commandline import cannot, fail
from bot.flows.model import Step
from bot.pack.loader import FLOWS_DIR, PACK_FILE, load_pack
from bot.source.yamlsrc import SyntaxProblem, parse

ID = re.compile(r"^[a-z][a-z0-9_]*$")
# A value that names a step: `goto: x`, `next: x`, `- goto: x`, `step: x`, `start: x` ...
_LINK_KEYS = "goto|next|step|start|menu|emergency|privacy|help"


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    rename = commands.add_parser(
        "rename", help="give a step a new id, rewriting every link and keeping translations"
    )
    rename.add_argument("old", help="the step as flow.step, e.g. social.jour")
    rename.add_argument("new", help="its new id, as flow.step in the same flow")
    rename.add_argument("--content", default="content", help="the pack (default: content/)")
    rename.set_defaults(handler=cmd_rename)


def cmd_rename(args: argparse.Namespace) -> int:
    root = Path(args.content)
    try:
        return _rename(root, args.old, args.new)
    except OSError as error:
        return fail(cannot("read or write", error))


def _rename(root: Path, old: str, new: str) -> int:
    before = load_pack(root, min_coverage=0.0)
    if before.content is None:
        return fail(f"{root}: the pack has errors; run `lotsen validate {root}` first")
    problem = _refused(before.content.steps, old, new)
    if problem:
        return fail(problem)
    flow, old_id = old.split(".", 1)
    new_id = new.split(".", 1)[1]
    originals: dict[Path, str] = {}
    for path in _files(root):
        text = path.read_text("utf-8")
        renamed = _rewrite(text, old, new, bare=(old_id, new_id) if path.stem == flow else None)
        if path == root / FLOWS_DIR / f"{flow}.yaml":
            renamed = _rename_key(renamed, old_id, new_id)
        if path == root / PACK_FILE:
            renamed = _add_moved(renamed, old, new)
        if renamed != text:
            originals[path] = text
            path.write_text(renamed, "utf-8")
    after = load_pack(root, min_coverage=0.0)
    if after.content is None or len(after.content.steps) != len(before.content.steps):
        for path, text in originals.items():  # put everything back as it was
            path.write_text(text, "utf-8")
        for found in after.errors:
            print(found.format(), file=sys.stderr)
        return fail(f"renaming {old} would break the pack; nothing was changed")
    for path in originals:
        print(f"rewrote {path}")
    print(f"{old} is now {new}; lotsen.yaml's moved: sends conversations on the old step there")
    return 0


def _refused(steps: Mapping[str, Step], old: str, new: str) -> str | None:
    if old not in steps:
        return f"no step `{old}`; name it as flow.step (lotsen graph shows them)"
    if "." not in new or new.split(".", 1)[0] != old.split(".", 1)[0]:
        return f"`{new}`: give the new id in the same flow, as {old.split('.', 1)[0]}.<id>"
    if not ID.match(new.split(".", 1)[1]):
        return f"`{new}`: a step id is lower-case letters a-z, digits and _, starting with a letter"
    if new in steps:
        return f"`{new}` is already a step; choose another id"
    return None


def _files(root: Path) -> list[Path]:
    return [
        root / PACK_FILE,
        *sorted((root / FLOWS_DIR).glob("*.yaml")),
        *sorted((root / "tests").glob("*.yaml")),
    ]


def _rewrite(text: str, old: str, new: str, *, bare: tuple[str, str] | None) -> str:
    """Every link value naming ``old`` (and, inside its own flow, its bare id) as ``new``."""
    names = [(old, new)] + ([bare] if bare else [])
    for before, after in names:
        pattern = re.compile(
            rf"^(\s*(?:-\s+)?(?:{_LINK_KEYS}):\s*)([\"']?){re.escape(before)}\2(\s*(?:#.*)?)$",
            re.MULTILINE,
        )
        text = pattern.sub(_replacement(after), text)
        inline = re.compile(  # in a flow mapping: expect: {step: social.jour, says: [...]}
            rf"([{{,]\s*(?:{_LINK_KEYS}):\s*)([\"']?){re.escape(before)}\2(\s*(?=[,}}]))"
        )
        text = inline.sub(_replacement(after), text)
    return text


def _replacement(after: str) -> Callable[[re.Match[str]], str]:
    def replace(found: re.Match[str]) -> str:
        return f"{found[1]}{found[2]}{after}{found[2]}{found[3]}"

    return replace


def _rename_key(text: str, old_id: str, new_id: str) -> str:
    """The step's own key under ``steps:``, found where the YAML reader says it is."""
    document = parse(text, "flow")
    if isinstance(document, SyntaxProblem):
        return text
    where = document.key_at(("steps", old_id))
    lines = text.splitlines(keepends=True)
    line = lines[where.line - 1]
    start = where.column - 1
    if line[start : start + len(old_id) + 1] == f"{old_id}:":
        lines[where.line - 1] = line[:start] + new_id + line[start + len(old_id) :]
    return "".join(lines)


def _add_moved(text: str, old: str, new: str) -> str:
    """``old: new`` under lotsen.yaml's ``moved:`` (made at the end when there is none)."""
    entry = f"  {old}: {new}\n"
    found = re.search(r"^moved:[ \t]*(#.*)?\n", text, re.MULTILINE)
    if found is not None:
        return text[: found.end()] + entry + text[found.end() :]
    if re.search(r"^moved:\s*\{\s*\}\s*$", text, re.MULTILINE):
        return re.sub(r"^moved:\s*\{\s*\}\s*$", f"moved:\n{entry.rstrip()}", text, flags=re.M)
    ending = "" if text.endswith("\n") else "\n"
    note = "# Renamed steps: a conversation resting on the old id goes on at the new one.\n"
    return f"{text}{ending}{note}moved:\n{entry}"
