"""The ``lotsen`` command: ``lotsen validate``, ``lotsen chat``, ``lotsen serve``, ``lotsen
graph``, ``lotsen test``, ``lotsen transcripts``, and more.

Each subcommand is a small function taking parsed arguments and returning an exit code;
the heavy imports happen inside them, so ``lotsen validate`` starts fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

DEFAULT_CONTENT = "content"


def _content_dir(value: str | None) -> Path:
    return Path(value or os.environ.get("LOTSEN_CONTENT") or DEFAULT_CONTENT)


def min_language_coverage() -> float:
    """``LOTSEN_MIN_LANGUAGE_COVERAGE``: the percent of a catalog that must be translated
    before its language is offered to people (default 90)."""
    return float(os.environ.get("LOTSEN_MIN_LANGUAGE_COVERAGE", "90"))


def _today(value: str | None) -> date:
    return date.fromisoformat(value) if value else datetime.now(UTC).date()


def cmd_validate(args: argparse.Namespace) -> int:
    from bot.flows.loader import load_pack

    directory = _content_dir(args.directory)
    result = load_pack(directory, today=_today(args.today))
    for problem in result.problems:
        print(problem.format_github() if args.format == "github" else problem.format())
    errors = len(result.errors)
    warnings = len(result.problems) - errors
    print(f"{directory}: {errors} error(s), {warnings} warning(s)", file=sys.stderr)
    return 1 if errors else 0


def cmd_chat(args: argparse.Namespace) -> int:
    from bot.chat import run_chat
    from bot.flows.loader import load_pack

    directory = _content_dir(args.content)
    # An explicit --lang previews that catalog whatever its coverage, for translators.
    coverage = 0.0 if args.lang else min_language_coverage()
    result = load_pack(directory, min_coverage=coverage)
    if result.content is None:
        for problem in result.errors:
            print(problem.format(), file=sys.stderr)
        print(
            f"{directory}: the pack has errors; run `lotsen validate {directory}`", file=sys.stderr
        )
        return 1
    return run_chat(
        result.content,
        lang=args.lang,
        stdin=sys.stdin,
        stdout=sys.stdout,
        now=lambda: datetime.now(UTC),
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
        "--today", metavar="YYYY-MM-DD", help="judge freshness as of this date (default: today)"
    )
    validate.set_defaults(handler=cmd_validate)

    chat = commands.add_parser("chat", help="chat with the bot in the terminal")
    chat.add_argument("--lang", help="language code, e.g. sv, en, ar")
    chat.add_argument("--content", help="the pack (default: content/)")
    chat.set_defaults(handler=cmd_chat)

    from bot.i18n.commands import add_parser as add_i18n

    add_i18n(commands)

    from bot.editor.commands import add_parsers as add_editor

    add_editor(commands)

    stats = commands.add_parser("stats", help="usage counts per flow and step (no people)")
    stats.add_argument("--database", help="the SQLite file (default: $LOTSEN_DATABASE)")
    stats.add_argument("--since", type=int, metavar="DAYS", help="the last DAYS days (30)")
    stats.add_argument("--today", metavar="YYYY-MM-DD", help="count up to this day")
    stats.set_defaults(handler=cmd_stats)

    directory = commands.add_parser("directory", help="the directory of services")
    directory_actions = directory.add_subparsers(
        dest="directory_command", required=True, metavar="ACTION"
    )
    report = directory_actions.add_parser(
        "report", help="services by age of verification: what to check this month"
    )
    report.add_argument("--content", default=None, help="the pack (default: content/)")
    report.add_argument("--today", metavar="YYYY-MM-DD", help="judge age as of this date")
    report.add_argument("--months", type=int, default=12, help="stale after (12)")
    report.set_defaults(handler=cmd_directory_report)

    export = commands.add_parser("export", help="export data in open formats")
    formats = export.add_subparsers(dest="export_format", required=True, metavar="FORMAT")
    hsds = formats.add_parser("hsds", help="the directory as Open Referral HSDS 3.0 JSON")
    hsds.add_argument("out", metavar="OUT_DIR", help="where to write the JSON files")
    hsds.add_argument("--content", default=None, help="the pack (default: content/)")
    hsds.set_defaults(handler=cmd_export_hsds)

    purge = commands.add_parser("purge", help="delete sessions idle past LOTSEN_SESSION_TTL")
    purge.add_argument("--database", help="the SQLite file (default: $LOTSEN_DATABASE)")
    purge.set_defaults(handler=cmd_purge)

    serve = commands.add_parser(
        "serve", help="run the server: Telegram, health and metrics (settings from the environment)"
    )
    serve.set_defaults(handler=cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code = args.handler(args)
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
