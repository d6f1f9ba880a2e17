"""``lotsen i18n``: the translators' commands, thin wrappers over Babel's own.

lotsen i18n update          # pull every text into messages.pot, merge it into each .po
lotsen i18n init fa         # start a new language
lotsen i18n stats --min 100 # how far each language is; non-zero exit below the minimum
lotsen i18n check --min 100 # fails on catalogs behind the content, and on an offered
                            # language below 100% or missing a safety-critical text

A folder that is missing or a file, or a file that cannot be read or written, is one line
naming it, exit status 1.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable
from contextlib import chdir
from pathlib import Path

from babel import Locale
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from bot.commandline import cannot, fail, language_code, percent
from bot.i18n.catalogs import (
    NEEDS_REVIEW,
    REVIEW_HEADER,
    REVIEW_STATUSES,
    LoadedCatalog,
    catalog_path,
    load_catalogs,
    review_status,
)
from bot.i18n.languages import language
from bot.i18n.merge import merge_into

POT = "messages.pot"


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "--quiet", *args])  # type: ignore[no-untyped-call]


def extract(root: Path, locales: Path) -> Path:
    """``pybabel extract`` with the project's mapping: code and content texts into the POT."""
    pot = (locales / POT).resolve()
    locales.mkdir(parents=True, exist_ok=True)
    # From the project folder, so references read `content/flows/x.yaml:12` on every machine.
    with chdir(root):
        _pybabel(
            "extract", "-F", "babel.cfg", "-o", str(pot), "--sort-by-file",
            "--project", "Lotsen", ".",
        )  # fmt: skip
    return pot


def not_a_project(root: str) -> str | None:
    if (Path(root) / "babel.cfg").is_file():
        return None
    return f"--root has value {root!r}. There is no babel.cfg in it; name the project folder."


def not_a_folder(locales: str, *, may_be_missing: bool) -> str | None:
    path = Path(locales)
    if path.is_dir() or (may_be_missing and not path.exists()):
        return None
    what = "a file" if path.exists() else "missing"
    return f"--locales has value {locales!r}. It is {what}; name the folder of catalogs."


def cmd_update(args: argparse.Namespace) -> int:
    problem = not_a_project(args.root) or not_a_folder(args.locales, may_be_missing=True)
    if problem:
        return fail(problem)
    try:
        return _update(Path(args.root), Path(args.locales))
    except OSError as error:
        return fail(cannot("read or write", error))


def _update(root: Path, locales: Path) -> int:
    # A catalog that cannot be read is named at its line, and no catalog is touched: an
    # update half done would leave some languages merged and others not.
    unreadable = [
        problem
        for catalog in load_catalogs(locales).values()
        for problem in catalog.problems
        if problem.code in ("po-syntax", "encoding", "not-a-file", "too-large", "outside-pack")
    ]
    for problem in unreadable:
        print(problem.format(), file=sys.stderr)
    if unreadable:
        return fail("fix the catalogs above (a PO editor shows the line); nothing was updated")
    pot = extract(root, locales)
    catalogs = sorted(locales.glob("*/LC_MESSAGES/messages.po"))
    if catalogs:
        with pot.open("rb") as source:
            template = read_po(source)
        for po in catalogs:
            review = review_status(po.read_bytes())
            # No guessing: a new or changed text starts untranslated (see bot.i18n.merge).
            merge_into(po, template)
            keep_review_status(po, review)
    print(f"{pot} updated; catalogs merged: {', '.join(sorted(load_catalogs(locales))) or 'none'}")
    return 0


def unknown_review_statuses(catalogs: Iterable[LoadedCatalog]) -> list[str]:
    """One line for each catalog whose review status is not one Lotsen knows."""
    return [
        f"{c.path}: {REVIEW_HEADER} has value {c.stats.review!r}; use one of "
        f"{', '.join(REVIEW_STATUSES)}"
        for c in catalogs
        if c.stats.review and c.stats.review not in REVIEW_STATUSES
    ]


def keep_review_status(po: Path, review: str) -> None:
    """Put the ``X-Review-Status`` header back: Babel rewrites headers it does not know away."""
    text = po.read_text("utf-8")
    if not review or f'"{REVIEW_HEADER}:' in text:
        return
    line = f'"{REVIEW_HEADER}: {review}\\n"\n'
    text = re.sub(
        r'^("Language: [^"]*"\n)', lambda m: m.group(1) + line, text, count=1, flags=re.MULTILINE
    )
    po.write_text(text, "utf-8")


def cmd_init(args: argparse.Namespace) -> int:
    locales = Path(args.locales)
    problem = not_a_folder(args.locales, may_be_missing=True)
    if problem:
        return fail(problem)
    existing = catalog_path(locales, args.language)
    if existing.exists():  # Babel would write an empty catalog over every translation in it
        return fail(f"{existing} already exists; `lotsen i18n update` merges new texts into it")
    if problem := not_a_project(args.root):
        return fail(problem)
    try:
        return _init(Path(args.root), locales, args.language)
    except OSError as error:
        return fail(cannot("read or write", error))


def _init(root: Path, locales: Path, code: str) -> int:
    pot = extract(root, locales)  # afresh: a template left from before would start it behind
    _pybabel("init", "-i", str(pot), "-d", str(locales), "-l", code)
    po = catalog_path(locales, code)
    fill_header(po, code)
    print(f"created {po}: open it in Poedit or any PO editor")
    return 0


def fill_header(po: Path, code: str) -> None:
    """A new catalog's header as translators' tools and ``msgfmt --check`` want it: the
    language team named, ``Last-Translator`` left empty for the translator (Babel's
    placeholder draws a warning), and the review status a catalog starts with."""
    header, rest = po.read_text("utf-8").split("\n\n", 1)  # the header entry comes first
    fields = {"Language-Team": Locale.parse(code).english_name or code, "Last-Translator": ""}

    def filled(line: str) -> str:
        name = line[1:].split(":", 1)[0] if line.startswith('"') else ""
        return f'"{name}: {fields[name]}\\n"' if name in fields else line

    header = "\n".join(filled(line) for line in header.split("\n"))
    po.write_text(f"{header}\n\n{rest}", "utf-8")
    keep_review_status(po, NEEDS_REVIEW)


def cmd_stats(args: argparse.Namespace) -> int:
    # A mistyped --locales would otherwise show an empty table and pass `--min 100` in CI.
    problem = not_a_folder(args.locales, may_be_missing=False)
    if problem:
        return fail(problem)
    try:
        catalogs = load_catalogs(Path(args.locales))
    except OSError as error:
        return fail(cannot("read", error))
    # The catalog errors `lotsen validate` reports (not UTF-8, placeholders that differ): each
    # keeps the pack from loading, so no coverage figure may pass the gate beside them.
    errors = [p for c in catalogs.values() for p in c.problems if p.level == "error"]
    for found in errors:
        print(found.format(), file=sys.stderr)
    unknown = unknown_review_statuses(catalogs.values())
    for line in unknown:
        print(line, file=sys.stderr)
    header = (
        f"{'lang':<6} {'name':<12} {'translated':>10} {'fuzzy':>6} {'missing':>8} {'done':>7}"
        "  review"
    )
    print(header)
    print("-" * len(header))
    below = []
    for code, catalog in sorted(catalogs.items()):
        stats = catalog.stats
        name = language(code).name
        print(
            f"{code:<6} {name:<12} {stats.translated:>10} {stats.fuzzy:>6} "
            f"{stats.untranslated:>8} {stats.coverage:>6.1f}%  {stats.review or '-'}"
        )
        if args.min is not None and stats.coverage < args.min:
            below.append(code)
    if below:
        print(f"below {args.min:g}%: {', '.join(below)}", file=sys.stderr)
    return 1 if below or errors or unknown else 0


def add_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    """The ``i18n`` command; returns its actions, for ``check`` (``bot.editor.i18n_check``)."""
    i18n = commands.add_parser("i18n", help="translations: update, init, stats, check")
    i18n.add_argument("--locales", default="locales", help="the catalogs (default: locales/)")
    i18n.add_argument("--root", default=".", help="the project, where babel.cfg is")
    sub = i18n.add_subparsers(dest="i18n_command", required=True, metavar="ACTION")
    update = sub.add_parser("update", help="extract every text and merge it into each catalog")
    update.set_defaults(handler=cmd_update)
    init = sub.add_parser("init", help="start the catalog of a new language")
    init.add_argument("language", type=language_code, help="a language code: fa, ti, uk, pt_BR ...")
    init.set_defaults(handler=cmd_init)
    stats = sub.add_parser("stats", help="translated, fuzzy and missing per language")
    stats.add_argument(
        "--min",
        type=percent,
        metavar="PERCENT",
        help="exit 1 when a language is below this coverage",
    )
    stats.set_defaults(handler=cmd_stats)
    return sub
