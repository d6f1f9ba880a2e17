"""The shell around the directory: ``lotsen directory report``, ``lotsen directory
new-municipality`` and ``lotsen export hsds``.

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
from bot.directory.coverage import coverage, format_html, format_text
from bot.directory.loader import load_areas, load_directory
from bot.directory.model import Directory
from bot.directory.new_municipality import slug, template
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
    """Local coverage by county, then services by age of verification (``--format html``:
    the coverage as a page); ``args.today`` (a date) replaces today's date."""
    today = getattr(args, "today", None) or date.today()
    months = getattr(args, "months", None) or DEFAULT_MONTHS
    directory = _load(args)
    if directory is None:
        return 1
    counties = coverage(directory, today, months)
    if getattr(args, "format", "text") == "html":
        sys.stdout.write(format_html(counties, today))
        return 0
    sys.stdout.write(format_text(counties) + "\n")
    sys.stdout.write(format_report(rows(directory, today, months), today, months))
    return 0


def cmd_new_municipality(args: argparse.Namespace) -> int:
    """Write ``services/<name>.yaml`` for municipality ``args.code``, ready to fill in."""
    folder = Path(args.content) / DIRECTORY
    counties, areas, problems = load_areas(folder)
    for problem in problems:
        print(problem.format(), file=sys.stderr)
    code = str(args.code).strip()
    area = areas.get(code)
    if area is None:
        named = [a for a in areas.values() if slug(a.name) == slug(code)]
        hint = f" {named[0].name} is {named[0].code}." if named else ""
        return fail(
            f"CODE has value {code!r}. Give a municipality's four-digit code from "
            f"{folder / 'areas.yaml'} (Eskilstuna is 0484).{hint}"
        )
    path = folder / "services" / f"{slug(area.name).replace('_', '-')}.yaml"
    if path.exists():
        return fail(f"{path} exists already: edit it, or move it away to start again.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(template(area, counties[area.county]), encoding="utf-8")
    except OSError as error:
        return fail(cannot("write", error))
    print(path)
    print(
        f"Fill in every FYLL I from {area.name} kommun's own pages, then run "
        f"`lotsen validate {args.content}` until it passes."
    )
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
