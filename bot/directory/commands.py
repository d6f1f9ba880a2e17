"""The shell around the directory: ``lotsen directory report`` and ``lotsen export hsds``.

``args.content`` is the content pack's folder (the directory is ``<content>/directory``).
Each command prints problems to stderr as ``file:line:column: level code message`` and
returns an exit code.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from bot.directory import hsds
from bot.directory.checks import DEFAULT_MONTHS
from bot.directory.loader import load_directory
from bot.directory.model import Directory
from bot.directory.report import format_report, rows

DIRECTORY = "directory"


def _load(args: argparse.Namespace) -> Directory | None:
    directory, problems = load_directory(Path(args.content) / DIRECTORY)
    for problem in problems:
        print(problem.format(), file=sys.stderr)
    return directory


def cmd_report(args: argparse.Namespace) -> int:
    """Services by age of verification; ``args.today`` (YYYY-MM-DD) replaces today's date."""
    raw_today = getattr(args, "today", None)
    try:
        today = date.fromisoformat(raw_today) if raw_today else date.today()
    except ValueError:
        print(f"--today: `{raw_today}` is not a date; write YYYY-MM-DD", file=sys.stderr)
        return 2
    months = getattr(args, "months", None) or DEFAULT_MONTHS
    directory = _load(args)
    if directory is None:
        return 1
    sys.stdout.write(format_report(rows(directory, today, months), today, months))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write the directory as HSDS 3.0 JSON into ``args.out``."""
    directory = _load(args)
    if directory is None:
        return 1
    for path in hsds.write(directory, Path(args.out)):
        print(path)
    return 0
