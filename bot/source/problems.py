"""One home for mistakes in authored content: a Problem knows its file, line and column."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.source.position import Position

Level = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """A mistake in the content, where it was written, and what to do about it.

    Ordered by file, line and column, so a sorted list reads top to bottom like the files.
    """

    file: str
    line: int
    column: int
    level: Level
    code: str
    message: str

    @classmethod
    def at(cls, position: Position, level: Level, code: str, message: str) -> Problem:
        return cls(position.file, position.line, position.column, level, code, message)

    @property
    def is_error(self) -> bool:
        return self.level == "error"

    def format(self) -> str:
        """``path:line:col: error CODE message``, the shape compilers and linters print."""
        return f"{self.file}:{self.line}:{self.column}: {self.level} {self.code} {self.message}"

    def format_github(self) -> str:
        """A GitHub Actions workflow command, so CI shows the problem on the line."""
        message = self.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return (
            f"::{self.level} file={self.file},line={self.line},col={self.column},"
            f"title={self.code}::{message}"
        )
