"""The shell around the directory: ``lotsen directory report`` and ``lotsen export hsds``.

``args.content`` is the content pack's folder (the directory is ``<content>/directory``).
Each command prints problems to stderr as ``file:line:column: level code message`` and
returns an exit code; a file it cannot read or write is one line naming it, exit status 1.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from bot.commandline import cannot, fail
from bot.directory import hsds
from bot.directory.checks import DEFAULT_MONTHS
from bot.directory.loader import load_directory
from bot.directory.model import Directory
from bot.directory.report import format_report, rows

DIRECTORY = "directory"


def _load(args: argparse.Namespace) -> Directory | None:
    try:
        directory, problems = load_directory(Path(args.content) / DIRECTORY)
    except OSError as error:  # the system refuses a file: a permission, an I/O error
        fail(cannot("read", error))
        return None
    for problem in problems:
        print(problem.format(), file=sys.stderr)
    return directory


def cmd_report(args: argparse.Namespace) -> int:
    """Services by age of verification; ``args.today`` (a date) replaces today's date."""
    today = getattr(args, "today", None) or date.today()
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
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        return fail(f"OUT_DIR has value {args.out!r}. It is a file; name a folder (new or not).")
    try:
        written = hsds.write(directory, out)
    except OSError as error:
        return fail(cannot("write", error))
    for path in written:
        print(path)
    return 0
