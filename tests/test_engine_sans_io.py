"""The engine does no I/O of its own: no network, database, event loop, clock or randomness."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ENGINE = Path(__file__).resolve().parent.parent / "bot" / "engine"
FORBIDDEN_MODULES = ("aiohttp", "telegram", "aiosqlite", "sqlite3", "asyncio")
FORBIDDEN_CALLS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "monotonic"),
    ("time", "perf_counter"),
    ("time", "sleep"),
}
FORBIDDEN_IMPORTS = {"random", "secrets", "time", "uuid", "os", "socket", *FORBIDDEN_MODULES}


def test_importing_the_engine_pulls_in_no_io_library() -> None:
    code = (
        "import sys, bot.engine, bot.engine.machine, bot.engine.render;"
        f"print(','.join(m for m in {FORBIDDEN_MODULES!r} if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ENGINE.parent.parent,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == ""


def engine_modules() -> list[Path]:
    modules = sorted(ENGINE.glob("*.py"))
    assert modules
    return modules


@pytest.mark.parametrize("path", engine_modules(), ids=lambda path: path.name)
def test_the_engine_reads_no_clock_and_draws_no_random_numbers(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if (node.value.id, node.attr) in FORBIDDEN_CALLS:
                found.append(f"{path.name}:{node.lineno}: {node.value.id}.{node.attr}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in FORBIDDEN_IMPORTS:
                    found.append(f"{path.name}:{node.lineno}: import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[0] in FORBIDDEN_IMPORTS:
                found.append(f"{path.name}:{node.lineno}: from {node.module} import")
            if node.module == "datetime" and any(a.name == "now" for a in node.names):
                found.append(f"{path.name}:{node.lineno}: from datetime import now")
    assert found == []
