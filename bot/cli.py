"""The ``lotsen`` command: ``lotsen validate``, ``lotsen chat``, ``lotsen serve``, ``lotsen
graph``, ``lotsen test``, ``lotsen transcripts``, and more.

Each subcommand is a small function taking parsed arguments and returning an exit code;
the heavy imports happen inside them, so ``lotsen validate`` starts fast. A mistake is one
line on stderr, exit status 2 for bad arguments and 1 for files or a database that cannot be
used (see ``bot.commandline``); ``main`` turns anything else into one line too.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.commandline import RUNTIME, USAGE, cannot, fail, iso_date, whole_number
from bot.settings import min_coverage

if TYPE_CHECKING:
    from bot.pack.cache import PackCache

DEFAULT_CONTENT = "content"
MAX_SINCE_DAYS = 36500  # a century: older than any counter, and date arithmetic stays in range
MAX_STALE_MONTHS = 1200  # a century, for `directory report --months`


def _content_dir(value: str | None) -> Path:
    return Path(value or os.environ.get("LOTSEN_CONTENT") or DEFAULT_CONTENT)


def min_language_coverage() -> float:
    """``LOTSEN_MIN_LANGUAGE_COVERAGE`` of this process's environment (``ValueError`` naming
    the variable when it is not a percentage)."""
    return min_coverage(os.environ)


def _cache() -> PackCache | None:
    """Loaded packs kept by their files' hash (LOTSEN_CACHE_DIR; see bot.pack.cache)."""
    from bot.pack.cache import PackCache

    return PackCache.from_env(os.environ)


def _today(value: date | None) -> date:
    return value or datetime.now(UTC).date()


def cmd_validate(args: argparse.Namespace) -> int:
    from bot.pack.loader import load_pack

    directory = _content_dir(args.directory)
    try:
        result = load_pack(directory, today=_today(args.today), cache=_cache())
    except OSError as error:
        return fail(cannot("read", error))
    for problem in result.problems:
        print(problem.format_github() if args.format == "github" else problem.format())
    errors = len(result.errors)
    warnings = len(result.problems) - errors
    print(f"{directory}: {errors} error(s), {warnings} warning(s)", file=sys.stderr)
    return 1 if errors else 0


def cmd_chat(args: argparse.Namespace) -> int:
    from bot.chat import run_chat
    from bot.engine.locales import available, negotiate
    from bot.pack.loader import load_pack

    directory = _content_dir(args.content)
    try:
        # An explicit --lang previews that catalog whatever its coverage, for translators.
        coverage = 0.0 if args.lang else min_language_coverage()
    except ValueError as error:
        return fail(str(error), USAGE)
    try:
        result = load_pack(directory, min_coverage=coverage, cache=_cache())
    except OSError as error:
        return fail(cannot("read", error))
    if result.content is None:
        for problem in result.errors:
            print(problem.format(), file=sys.stderr)
        print(
            f"{directory}: the pack has errors; run `lotsen validate {directory}`", file=sys.stderr
        )
        return 1
    if args.lang and negotiate(result.content, args.lang) is None:
        codes = ", ".join(available(result.content))
        return fail(
            f"--lang has value {args.lang!r}. No catalog for it; languages: {codes}.", USAGE
        )
    return run_chat(
        result.content,
        lang=args.lang,
        stdin=sys.stdin,
        stdout=sys.stdout,
        now=lambda: datetime.now(UTC),
        debug=args.debug,
    )


def cmd_stats(args: argparse.Namespace) -> int:
    from bot.storage.commands import cmd_stats as stats

    return stats(args)


def cmd_purge(args: argparse.Namespace) -> int:
    from bot.storage.commands import cmd_purge as purge

    return purge(args)


def cmd_serve(args: argparse.Namespace) -> int:
    from bot.server import serve

    return serve(os.environ)


def cmd_directory_report(args: argparse.Namespace) -> int:
    from bot.directory.commands import cmd_report

    args.content = str(_content_dir(args.content))
    return cmd_report(args)


def cmd_directory_new_municipality(args: argparse.Namespace) -> int:
    from bot.directory.commands import cmd_new_municipality

    args.content = str(_content_dir(args.content))
    return cmd_new_municipality(args)


def cmd_export_hsds(args: argparse.Namespace) -> int:
    from bot.directory.commands import cmd_export

    args.content = str(_content_dir(args.content))
    return cmd_export(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lotsen", description="Lotsen: a privacy-first help navigator."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = commands.add_parser(
        "validate", help="check a content pack; every problem as path:line:col"
    )
    validate.add_argument("directory", nargs="?", help="the pack (default: content/)")
    validate.add_argument(
        "--format",
        choices=("text", "github"),
        default="text",
        help="github: GitHub Actions annotations",
    )
    validate.add_argument(
        "--today",
        type=iso_date,
        metavar="YYYY-MM-DD",
        help="judge freshness as of this date (default: today)",
    )
    validate.set_defaults(handler=cmd_validate)

    chat = commands.add_parser("chat", help="chat with the bot in the terminal")
    chat.add_argument("--lang", help="language code, e.g. sv, en, ar")
    chat.add_argument("--content", help="the pack (default: content/)")
    chat.add_argument(
        "--debug", action="store_true", help="after each turn: the step id and the answers kept"
    )
    chat.set_defaults(handler=cmd_chat)

    from bot.i18n.commands import add_parser as add_i18n

    i18n = add_i18n(commands)

    from bot.editor.commands import add_parsers as add_editor
    from bot.editor.i18n_check import add_parser as add_i18n_check
    from bot.editor.rename import add_parser as add_rename

    add_editor(commands)
    add_i18n_check(i18n)
    add_rename(commands)

    stats = commands.add_parser("stats", help="usage counts per flow and step (no people)")
    stats.add_argument("--database", help="a database URL or file (default: $LOTSEN_DATABASE)")
    stats.add_argument(
        "--since",
        type=whole_number(1, MAX_SINCE_DAYS, "days"),
        metavar="DAYS",
        help="the last DAYS days (30)",
    )
    stats.add_argument("--today", type=iso_date, metavar="YYYY-MM-DD", help="count up to this day")
    stats.set_defaults(handler=cmd_stats)

    directory = commands.add_parser("directory", help="the directory of services")
    directory_actions = directory.add_subparsers(
        dest="directory_command", required=True, metavar="ACTION"
    )
    report = directory_actions.add_parser(
        "report", help="services by age of verification: what to check this month"
    )
    report.add_argument("--content", default=None, help="the pack (default: content/)")
    report.add_argument(
        "--today", type=iso_date, metavar="YYYY-MM-DD", help="judge age as of this date"
    )
    report.add_argument(
        "--months",
        type=whole_number(1, MAX_STALE_MONTHS, "months"),
        default=12,
        help="stale after (12)",
    )
    report.add_argument(
        "--format",
        choices=("text", "html"),
        default="text",
        help="text (default), or html: the coverage by county as a page",
    )
    report.set_defaults(handler=cmd_directory_report)
    new = directory_actions.add_parser(
        "new-municipality",
        help="write a municipality's own directory file to fill in (0484: Eskilstuna)",
    )
    new.add_argument("code", metavar="CODE", help="the municipality's four-digit code (SCB)")
    new.add_argument("--content", default=None, help="the pack (default: content/)")
    new.set_defaults(handler=cmd_directory_new_municipality)

    export = commands.add_parser("export", help="export data in open formats")
    formats = export.add_subparsers(dest="export_format", required=True, metavar="FORMAT")
    hsds = formats.add_parser("hsds", help="the directory as Open Referral HSDS 3.0 JSON")
    hsds.add_argument("out", metavar="OUT_DIR", help="where to write the JSON files")
    hsds.add_argument("--content", default=None, help="the pack (default: content/)")
    hsds.set_defaults(handler=cmd_export_hsds)

    purge = commands.add_parser("purge", help="delete sessions idle past LOTSEN_SESSION_TTL")
    purge.add_argument("--database", help="a database URL or file (default: $LOTSEN_DATABASE)")
    purge.set_defaults(handler=cmd_purge)

    serve = commands.add_parser(
        "serve", help="run the server: Telegram, health and metrics (settings from the environment)"
    )
    serve.set_defaults(handler=cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.handler is cmd_serve:
        return int(args.handler(args))  # serve prints its own errors and logs its own crashes
    try:
        code = int(args.handler(args))
        sys.stdout.flush()  # here, so a closed pipe is met inside the try, not at exit
    except KeyboardInterrupt:
        return 130  # Ctrl-C: the person knows why it stopped
    except BrokenPipeError:
        _drop_stdout()  # `lotsen transcripts | head`: the reader has all it wanted
        return RUNTIME
    except Exception as error:  # the last resort: the specific cases have their own messages
        return fail(_unexpected(args.command, error))
    return code


def _unexpected(command: str, error: BaseException) -> str:
    """One line for an exception nothing expected, with where it was raised in Lotsen's code,
    so a bug report can say where without the person pasting a traceback."""
    ours = Path(__file__).resolve().parent
    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if Path(frame.filename).resolve().is_relative_to(ours)
    ]
    where = ""
    if frames:
        place = Path(frames[-1].filename).resolve().relative_to(ours.parent)
        where = f" at {place}:{frames[-1].lineno}"
    detail = " ".join(str(error).split())[:200]
    return (
        f"lotsen {command}: unexpected {type(error).__name__}{where}: {detail}; "
        "this is a bug; please report it"
    )


def _drop_stdout() -> None:
    """Point stdout at /dev/null, so flushing it at exit does not fail a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # a stdout with no file descriptor (a test's capture)
        pass


if __name__ == "__main__":
    sys.exit(main())
