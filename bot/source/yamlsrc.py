"""Reading YAML the way an editor wrote it: values, with the line and column of each.

``yaml.safe_load`` forgets where things were and silently "fixes" mistakes: the second of two
equal keys wins, and ``label: Yes`` becomes ``True``. So we compose the node graph ourselves
(PyYAML's ``compose`` keeps a start mark on every node and the raw text of every scalar) and
build plain Python values beside a table of positions keyed by path.

Anchors (``&name``) and aliases (``*name``) are refused: the format needs neither, and nine
lines of aliases to aliases ("billion laughs") expand to billions of values. They are
refused while composing, before anything is expanded, as is nesting deeper than
:data:`MAX_DEPTH`, which would otherwise exhaust Python's stack, and a file with more values
than it may hold (see :data:`bot.source.files.MAX_FILE_VALUES`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import yaml
from yaml.composer import Composer
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import AliasEvent, Event, NodeEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

if yaml.__with_libyaml__:
    from yaml._yaml import CParser

from bot.source.files import MAX_FILE_VALUES, MAX_PACK_VALUES
from bot.source.position import Position

Path = tuple[str | int, ...]
ImplicitKind = Literal["boolean", "number", "empty"]

_IMPLICIT_TAGS: dict[str, ImplicitKind] = {
    "tag:yaml.org,2002:bool": "boolean",
    "tag:yaml.org,2002:int": "number",
    "tag:yaml.org,2002:float": "number",
    "tag:yaml.org,2002:null": "empty",
}
MAX_DEPTH = 64  # the deepest content is about 8 levels
EXCERPT_CHARS = 80  # the most of a value or line a message quotes
_TOO_DEEP = f"this is nested more than {MAX_DEPTH} levels deep; content needs fewer than 10"


@dataclass(frozen=True)
class Duplicate:
    """A key written twice in one mapping; YAML would keep only the last."""

    path: Path
    key: str
    first: Position
    again: Position


@dataclass(frozen=True)
class SyntaxProblem:
    position: Position
    code: Literal[
        "yaml-syntax", "yaml-tab", "yaml-indent", "yaml-alias", "yaml-depth", "yaml-too-large"
    ]
    message: str
    values: int = 0  # how many values were composed before the problem stopped it


@dataclass
class Document:
    """A parsed file: ``data`` as plain Python, and where each part of it was written.

    ``positions[path]`` is where the value at ``path`` starts (for a mapping entry whose value
    is itself a mapping or list, where its key is, which is the line an editor looks at).
    ``key_positions[path]`` is where the key of a mapping entry is. ``implicit[path]`` keeps
    the raw text of an unquoted scalar that YAML turned into a boolean, number or null.
    """

    file: str
    data: Any = None
    positions: dict[Path, Position] = field(default_factory=dict)
    key_positions: dict[Path, Position] = field(default_factory=dict)
    implicit: dict[Path, tuple[str, ImplicitKind]] = field(default_factory=dict)
    duplicates: list[Duplicate] = field(default_factory=list)
    values: int = 0  # how many values (keys, items, scalars) the file holds

    def at(self, path: Path) -> Position:
        """The most precise known position for ``path``: its own, or its nearest parent's."""
        while path:
            if path in self.positions:
                return self.positions[path]
            path = path[:-1]
        return self.positions.get((), Position(self.file, 1, 1))

    def key_at(self, path: Path) -> Position:
        return self.key_positions.get(path) or self.at(path)


def parse(text: str, file: str, *, max_values: int = MAX_FILE_VALUES) -> Document | SyntaxProblem:
    """Parse one YAML document. A syntax error comes back as a SyntaxProblem, not raised.

    ``max_values`` caps the values it may hold (at most :data:`MAX_FILE_VALUES`): a pack's
    loader passes what is left of the pack's budget, and takes ``values`` off it (of the
    Document, or of the SyntaxProblem: the values composed before the problem was found)."""
    composer = _Composer(text, min(max_values, MAX_FILE_VALUES))
    try:
        root = _compose(composer, text, file)
    finally:
        composer.dispose()
    if isinstance(root, SyntaxProblem):
        return replace(root, values=composer.values)
    if composer.aliases:
        return replace(_alias_problem(composer.aliases, file), values=composer.values)
    document = Document(file, values=composer.values)
    if root is not None:
        document.data = _Builder(document).build(root, (), 0)
    return document


def _compose(composer: _Composer, text: str, file: str) -> Node | SyntaxProblem | None:
    try:
        node: Node | None = composer.get_single_node()
    except yaml.MarkedYAMLError as error:
        if "nesting depth" in (error.problem or ""):  # libyaml's own limit (1000 levels)
            mark = error.problem_mark
            spot = (mark.line, mark.column) if mark is not None else (0, 0)
            return SyntaxProblem(_spot_position(file, spot), "yaml-depth", _TOO_DEEP)
        return _syntax_problem(error, text, file)
    except yaml.YAMLError as error:  # pragma: no cover - PyYAML marks all it raises
        return SyntaxProblem(Position(file, 1, 1), "yaml-syntax", excerpt(str(error)))
    except _TooDeep as error:
        return SyntaxProblem(_spot_position(file, error.spot), "yaml-depth", _TOO_DEEP)
    except _TooMany as error:
        if composer.max_values == MAX_FILE_VALUES:
            message = (
                f"this file holds more than {MAX_FILE_VALUES:,} values (keys, list items, "
                "texts), the most one file may hold: split it into smaller files"
            )
        else:
            message = (
                f"here the pack goes past {MAX_PACK_VALUES:,} values (keys, list items, texts) "
                "in all its files, the most one pack may hold: leave something out"
            )
        return SyntaxProblem(_spot_position(file, error.spot), "yaml-too-large", message)
    return node


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The first line of ``text``, cut to ``limit`` characters: what a message may quote of
    a value, so that a whole file never ends up in a message or a log."""
    line = text.split("\n", 1)[0].split("\r", 1)[0]
    cut = line if len(line) <= limit else line[: limit - 1]
    return cut if cut == text else f"{cut}…"


Spot = tuple[int, int]  # where in the text, as PyYAML counts: line and column from 0


class _TooDeep(Exception):
    def __init__(self, spot: Spot) -> None:
        super().__init__("nested too deeply")
        self.spot = spot


class _TooMany(Exception):
    def __init__(self, spot: Spot) -> None:
        super().__init__("too many values")
        self.spot = spot


if yaml.__with_libyaml__:  # the C parser (libyaml), when PyYAML was built with it

    class _Reader(Composer, CParser, SafeConstructor, Resolver):
        """libyaml's scanner and parser, which keep every event's line and column, under
        PyYAML's composer in Python, which this module needs to hook. Scanning and parsing
        are most of the time a file takes: in C they cost about a tenth."""

        def __init__(self, text: str) -> None:
            CParser.__init__(self, text)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

else:  # pragma: no cover - PyYAML without libyaml: the same, all in Python

    class _Reader(yaml.SafeLoader):  # type: ignore[no-redef]
        pass


class _Composer(_Reader):
    """PyYAML's composer, refusing anchors and aliases, deep nesting and too many values as it
    goes, before the values they would make exist.

    An alias is never resolved (it becomes an empty value) and an anchor is never recorded,
    so the graph stays a tree the size of the text. ``aliases`` holds where each one was.
    """

    def __init__(self, text: str, max_values: int) -> None:
        super().__init__(text)
        self.aliases: list[Spot] = []
        self.depth = 0
        self.values = 0
        self.max_values = max_values

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        event: Event | None = self.peek_event()
        if event is None:  # pragma: no cover - the composer asks only where a node begins
            return None
        mark = event.start_mark
        spot = (mark.line, mark.column) if mark is not None else (0, 0)
        if isinstance(event, AliasEvent):
            self.get_event()
            self.aliases.append(spot)
            return ScalarNode("tag:yaml.org,2002:null", "")
        if isinstance(event, NodeEvent) and event.anchor is not None:
            self.aliases.append(spot)
            event.anchor = None
        if self.depth >= MAX_DEPTH:
            raise _TooDeep(spot)
        if self.values >= self.max_values:
            raise _TooMany(spot)
        self.values += 1
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _spot_position(file: str, spot: Spot) -> Position:
    return Position(file, spot[0] + 1, spot[1] + 1)


def _alias_problem(spots: list[Spot], file: str) -> SyntaxProblem:
    many = f" (this file has {len(spots)})" if len(spots) > 1 else ""
    return SyntaxProblem(
        _spot_position(file, spots[0]),
        "yaml-alias",
        f"anchors (&name) and aliases (*name) are not allowed in content{many}: "
        "write each value out in full",
    )


def _position(file: str, mark: yaml.Mark) -> Position:
    # PyYAML counts from 0; editors and every linter count from 1.
    return Position(file, mark.line + 1, mark.column + 1)


def _syntax_problem(error: yaml.MarkedYAMLError, text: str, file: str) -> SyntaxProblem:
    mark = error.problem_mark or error.context_mark
    position = _position(file, mark) if mark else Position(file, 1, 1)
    lines = text.splitlines()
    if mark is not None and mark.line < len(lines):
        line = lines[mark.line]
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            column = indent.index("\t") + 1
            return SyntaxProblem(
                Position(file, mark.line + 1, column),
                "yaml-tab",
                "a tab is used to indent this line; YAML needs spaces (set your editor to "
                "insert spaces for the Tab key)",
            )
    if mark is not None:
        misplaced = _misindented(lines, mark.line)
        if misplaced is not None:
            number, said = misplaced
            column = len(lines[number]) - len(lines[number].lstrip(" ")) + 1
            return SyntaxProblem(Position(file, number + 1, column), "yaml-indent", said)
    problem = excerpt(error.problem or "this is not valid YAML")
    context = f" ({excerpt(error.context)})" if error.context else ""
    return SyntaxProblem(position, "yaml-syntax", f"{problem}{context}")


# A line that opens or continues a mapping or a list: `key:`, `key: value`, `- item`.
_STRUCTURE = re.compile(r"^( *)(- |-$|[^\s#\-\"'][^:#]*:(?: |$))")


def _misindented(lines: list[str], at: int) -> tuple[int, str] | None:
    """Where YAML stopped (line ``at``, 0-based) or on the line before it (PyYAML often
    notices a wrong indentation one line late): the first line whose indentation lines up
    with no level above it, and what to say about it. None when indentation is not the
    cause."""
    for line in (_previous_structure(lines, at), at):
        if line is None or line >= len(lines) or not _STRUCTURE.match(lines[line]):
            continue
        said = _explain_indent(lines, line)
        if said is not None:
            return line, said
    return None


def _previous_structure(lines: list[str], at: int) -> int | None:
    for line in range(min(at, len(lines)) - 1, -1, -1):
        if _STRUCTURE.match(lines[line]):
            return line
    return None


def _explain_indent(lines: list[str], line: int) -> str | None:
    """Why ``line``'s indentation is wrong, naming the keys it could line up with; None when
    it lines up with one of them."""
    indent = len(lines[line]) - len(lines[line].lstrip(" "))
    levels: list[tuple[int, str, int]] = []  # (indent, key, 1-based line), innermost first
    deepest = None
    for before in range(line - 1, -1, -1):
        found = _STRUCTURE.match(lines[before])
        if found is None:
            continue
        level = len(found.group(1))
        if deepest is None:
            opens = lines[before].rstrip().endswith(":")
            if (opens and indent > level) or (
                found.group(2).startswith("-") and indent == level + 2
            ):
                return None  # the first line under a key, or inside a list item
        if deepest is None or level < deepest:
            deepest = level
            key = found.group(2).rstrip(": ").strip() or "-"
            levels.append((level, key, before + 1))
        if level == 0:
            break
    if any(level == indent for level, _, _ in levels) or not levels:
        return None
    keys = [(level, key, number) for level, key, number in levels if key != "-"]
    parents = "; ".join(
        f"`{key}` (line {number}) is indented {level}" for level, key, number in keys[:3]
    )
    word = lines[line].strip().split(":", 1)[0][:40]
    return (
        f"indentation: `{word}` is indented {indent} spaces, which lines up with no key "
        f"above it: {parents}. Indent it as far as the keys it belongs beside"
    )


class _Builder:
    def __init__(self, document: Document) -> None:
        self.document = document
        self.constructor = SafeConstructor()

    def build(self, node: Node, path: Path, depth: int) -> Any:
        if depth > MAX_DEPTH:  # pragma: no cover - the composer refuses this already
            return None
        self.document.positions.setdefault(path, _position(self.document.file, node.start_mark))
        if isinstance(node, MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, SequenceNode):
            return [
                self.build(item, (*path, index), depth + 1) for index, item in enumerate(node.value)
            ]
        assert isinstance(node, ScalarNode)
        return self._scalar(node, path)

    def _scalar(self, node: ScalarNode, path: Path) -> Any:
        kind = _IMPLICIT_TAGS.get(node.tag)
        if kind is None:
            # Strings, and dates: a date stays the text the editor wrote.
            return node.value
        if not node.style:  # plain, unquoted: None from PyYAML's parser, "" from libyaml's
            self.document.implicit[path] = (node.value, kind)
        try:
            return self.constructor.construct_object(node)
        except (ConstructorError, ValueError):
            return node.value

    def _mapping(self, node: MappingNode, path: Path, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        seen: dict[str, Position] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, ScalarNode) else "?"
            key_position = _position(self.document.file, key_node.start_mark)
            child = (*path, key)
            if key in seen:
                self.document.duplicates.append(Duplicate(path, key, seen[key], key_position))
            seen[key] = key_position
            self.document.key_positions[child] = key_position
            if isinstance(value_node, MappingNode | SequenceNode) and value_node.value:
                # A nested block starts on the next line; the key is where an editor looks.
                self.document.positions[child] = key_position
            else:
                self.document.positions.pop(child, None)
            result[key] = self.build(value_node, child, depth + 1)
        return result
