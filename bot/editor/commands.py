"""``lotsen graph``, ``lotsen test`` and ``lotsen transcripts``: the editor's commands.

A file that cannot be read or written is one line naming it, exit status 1.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.commandline import cannot, fail, iso_time, whole_number
from bot.flows.model import Content
from bot.pack.cache import PackCache
from bot.pack.loader import load_pack

DEFAULT_CONTENT = "content"
DEPTH_LIMIT = 100  # a walk stops where it has been before: a bound for typos, not for speed
NO_GRAPHVIZ = (
    "lotsen graph --format svg or png needs Graphviz's `dot`, which is not installed here. "
    "Install Graphviz (apt install graphviz, brew install graphviz, or graphviz.org/download), "
    "or use --format mermaid, which GitHub and GitLab draw in Markdown."
)


def _load(directory: Path) -> Content | None:
    """The pack for an editor's command: every language, whatever its coverage."""
    try:
        result = load_pack(directory, min_coverage=0.0, cache=PackCache.from_env(os.environ))
    except OSError as error:  # the system refuses a file: a permission, an I/O error
        fail(cannot("read", error))
        return None
    if result.content is None:
        for problem in result.errors:
            print(problem.format(), file=sys.stderr)
        print(
            f"{directory}: the pack has errors; run `lotsen validate {directory}`", file=sys.stderr
        )
    return result.content


def _now(value: datetime | None) -> datetime:
    return value or datetime.now(UTC)


def cmd_graph(args: argparse.Namespace) -> int:
    from bot.editor.graph import dot, mermaid

    content = _load(Path(args.content or DEFAULT_CONTENT))
    if content is None:
        return 1
    if args.flow is not None and args.flow not in content.flows:
        flows = ", ".join(sorted(content.flows))
        print(f"--flow has value {args.flow!r}. No such flow; flows: {flows}.", file=sys.stderr)
        return 2
    if args.format == "mermaid":
        return _write(args.output, mermaid(content, args.flow))
    source = dot(content, args.flow)
    if args.format == "dot":
        return _write(args.output, source)
    program = shutil.which("dot")
    if program is None:
        print(NO_GRAPHVIZ, file=sys.stderr)
        return 2
    drawn = subprocess.run(
        [program, f"-T{args.format}"],
        input=source.encode(),
        capture_output=True,
        check=False,
        timeout=60,
    )
    if drawn.returncode != 0:
        print(drawn.stderr.decode(errors="replace"), file=sys.stderr)
        return 1
    if args.format == "png":  # an image: to a file, never to a terminal
        if not args.output:
            print("--format png needs --output FILE.png", file=sys.stderr)
            return 2
        return _write_bytes(args.output, drawn.stdout)
    return _write(args.output, drawn.stdout.decode())


def _write(output: str | None, text: str) -> int:
    """Write ``text`` to the file ``output`` (``--output``) or the screen; the exit code."""
    if not output:
        sys.stdout.write(text)
        return 0
    try:
        Path(output).write_text(text, "utf-8")
    except OSError as error:
        return fail(f"--output has value {output!r}. Cannot write it: {error.strerror or error}.")
    return 0


def _write_bytes(output: str, data: bytes) -> int:
    try:
        Path(output).write_bytes(data)
    except OSError as error:
        return fail(f"--output has value {output!r}. Cannot write it: {error.strerror or error}.")
    return 0


def cmd_test(args: argparse.Namespace) -> int:
    from bot.editor.convtests import find_tests, read_test, run_test

    directory = Path(args.directory or DEFAULT_CONTENT)
    pack = Path(args.content) if args.content else directory
    if not (pack / "lotsen.yaml").is_file() and (pack.parent / "lotsen.yaml").is_file():
        pack = pack.parent  # DIR is the pack's tests folder
    content = _load(pack)
    if content is None:
        return 1
    files = [Path(f) for f in args.files] if args.files else find_tests(directory)
    if not files:
        print(f"{directory}: no conversation tests (tests/*.yaml)", file=sys.stderr)
        return 1
    now = _now(args.now)
    passed = failed = 0
    for path in files:
        try:
            test = read_test(path, content)
        except (OSError, UnicodeDecodeError) as error:
            failed += 1
            fail(_unreadable(path, error))
            continue
        if isinstance(test, list):
            for problem in test:
                print(problem.format())
            failed += 1
            continue
        outcome = run_test(content, test, now)
        if outcome.passed:
            passed += 1
            if args.verbose:
                print(outcome.report())
        else:
            failed += 1
            print(outcome.report())
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def cmd_transcripts(args: argparse.Namespace) -> int:
    from bot.editor.transcripts import walk

    content = _load(Path(args.content or DEFAULT_CONTENT))
    if content is None:
        return 1
    codes = [language.code for language in content.languages]
    if args.lang not in codes:
        print(
            f"--lang has value {args.lang!r}. No catalog for it; languages: {', '.join(codes)}.",
            file=sys.stderr,
        )
        return 2
    transcripts = walk(content, args.lang, _now(args.now), max_depth=args.max_depth)
    return _write(args.output, "\n".join(t.text() for t in transcripts))


def _unreadable(path: Path, error: OSError | UnicodeDecodeError) -> str:
    if isinstance(error, UnicodeDecodeError):
        return f"{path}: cannot read it: not UTF-8 text; save it as UTF-8"
    return cannot("read", error, path)


def add_parsers(commands: Any) -> None:
    """Add ``graph``, ``test`` and ``transcripts`` to the ``lotsen`` command."""
    graph = commands.add_parser(
        "graph", help="the pack as a diagram: steps, buttons, links between flows"
    )
    graph.add_argument("--flow", help="only this flow and the steps it links to")
    graph.add_argument("--format", choices=("mermaid", "dot", "svg", "png"), default="mermaid")
    graph.add_argument("--content", help="the pack (default: content/)")
    graph.add_argument("--output", "-o", help="write to this file instead of the screen")
    graph.set_defaults(handler=cmd_graph)

    test = commands.add_parser("test", help="run the conversation tests (DIR/tests/*.yaml)")
    test.add_argument("directory", nargs="?", help="the pack, or a folder of tests (content/)")
    test.add_argument("files", nargs="*", help="only these test files")
    test.add_argument("--content", help="the pack, when DIR is a folder of tests elsewhere")
    test.add_argument(
        "--now", type=iso_time, metavar="YYYY-MM-DDTHH:MM", help="the clock, in UTC (now)"
    )
    test.add_argument("--verbose", "-v", action="store_true", help="name the tests that pass")
    test.set_defaults(handler=cmd_test)

    transcripts = commands.add_parser(
        "transcripts", help="every way through the pack, as a person reads it"
    )
    transcripts.add_argument("--lang", required=True, help="language code, e.g. sv, en, ar")
    transcripts.add_argument("--content", help="the pack (default: content/)")
    transcripts.add_argument(
        "--max-depth",
        type=whole_number(1, DEPTH_LIMIT, "turns"),
        default=12,
        help="turns per path (12)",
    )
    transcripts.add_argument(
        "--now", type=iso_time, metavar="YYYY-MM-DDTHH:MM", help="the clock, in UTC"
    )
    transcripts.add_argument("--output", "-o", help="write to this file instead of the screen")
    transcripts.set_defaults(handler=cmd_transcripts)
