"""No package of Lotsen imports another in a circle, so each can be read, tested and replaced
from the bottom up: ``source`` (reading files) at the leaf, then ``directory``, ``flows``
(the model), ``engine``, ``i18n``, ``pack`` (loading and validating) and the rest above."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

BOT = Path(__file__).resolve().parent.parent / "bot"


def package_of(module: str) -> str | None:
    """``bot.flows.model`` -> ``flows``; a top-level module (``bot.cli``) is its own."""
    parts = module.split(".")
    return parts[1] if parts[0] == "bot" and len(parts) > 1 else None


def imports(path: Path) -> set[str]:
    """Every ``bot.*`` module ``path`` imports, at any level (type-only imports excepted:
    they never run)."""
    tree = ast.parse(path.read_text("utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            node.body = []  # annotations only
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("bot"):
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("bot"))
    return found


def graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = defaultdict(set)
    for path in BOT.rglob("*.py"):
        relative = path.relative_to(BOT.parent).with_suffix("")
        source = package_of(".".join(relative.parts))
        if source is None:
            continue
        for module in imports(path):
            target = package_of(module)
            if target is not None and target != source and (BOT / target).exists():
                edges[source].add(target)
    return edges


def cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """A cycle in ``edges`` as the packages along it, or None."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        stack.append(node)
        for target in sorted(edges.get(node, ())):
            if state.get(target) == "open":
                return [*stack[stack.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        state[node] = "done"
        stack.pop()
        return None

    for node in sorted(edges):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_package_imports_another_in_a_circle() -> None:
    found = cycle(graph())
    assert found is None, " -> ".join(found or [])


def test_source_is_the_leaf() -> None:
    assert graph().get("source", set()) == set()


def test_the_checker_finds_a_circle() -> None:
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b"}, "b": set()}) is None
