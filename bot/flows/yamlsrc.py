"""Reading YAML the way an editor wrote it: values, with the line and column of each.

``yaml.safe_load`` forgets where things were and silently "fixes" mistakes: the second of two
equal keys wins, and ``label: Yes`` becomes ``True``. So we compose the node graph ourselves
(PyYAML's ``compose`` keeps a start mark on every node and the raw text of every scalar) and
build plain Python values beside a table of positions keyed by path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.flows.model import Position

Path = tuple[str | int, ...]
ImplicitKind = Literal["boolean", "number", "empty"]

_IMPLICIT_TAGS: dict[str, ImplicitKind] = {
    "tag:yaml.org,2002:bool": "boolean",
    "tag:yaml.org,2002:int": "number",
    "tag:yaml.org,2002:float": "number",
    "tag:yaml.org,2002:null": "empty",
}
_MAX_DEPTH = 64  # content is never this deep; deeper means a recursive alias


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
    code: Literal["yaml-syntax", "yaml-tab"]
    message: str


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

    def at(self, path: Path) -> Position:
        """The most precise known position for ``path``: its own, or its nearest parent's."""
        while path:
            if path in self.positions:
                return self.positions[path]
            path = path[:-1]
        return self.positions.get((), Position(self.file, 1, 1))

    def key_at(self, path: Path) -> Position:
        return self.key_positions.get(path) or self.at(path)


def parse(text: str, file: str) -> Document | SyntaxProblem:
    """Parse one YAML document. A syntax error comes back as a SyntaxProblem, not raised."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        return _syntax_problem(error, text, file)
    except yaml.YAMLError as error:  # pragma: no cover - PyYAML marks all it raises
        return SyntaxProblem(Position(file, 1, 1), "yaml-syntax", str(error))
    document = Document(file)
    if root is not None:
        document.data = _Builder(document).build(root, (), 0)
    return document


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
    problem = error.problem or "this is not valid YAML"
    context = f" ({error.context})" if error.context else ""
    return SyntaxProblem(position, "yaml-syntax", f"{problem}{context}")


class _Builder:
    def __init__(self, document: Document) -> None:
        self.document = document
        self.constructor = SafeConstructor()

    def build(self, node: Node, path: Path, depth: int) -> Any:
        if depth > _MAX_DEPTH:
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
        if node.style is None:
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
