"""``lotsen i18n check``: the catalogs against the content as it is now, for CI.

    lotsen i18n check --min 100

Fails, naming each text and its file:line, when ``messages.pot`` or a catalog is behind the
content (a text changed and ``lotsen i18n update`` was not run), and when a language people
are offered (``LOTSEN_MIN_LANGUAGE_COVERAGE``) lacks a safety-critical text
(``bot.i18n.critical``); with ``--min``, also when an offered language is below it. Here,
beside the editors' commands, because it loads the pack.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from babel.messages.pofile import read_po

from bot.commandline import cannot, fail, percent
from bot.i18n.catalogs import load_catalogs
from bot.i18n.commands import (
    POT,
    cmd_stats,
    extract,
    not_a_folder,
    not_a_project,
    unknown_review_statuses,
)
from bot.i18n.critical import missing, safety_critical
from bot.i18n.render import CONTEXT_SEPARATOR, key
from bot.pack.loader import load_pack
from bot.settings import SettingsError, min_coverage


def add_parser(i18n: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    check = i18n.add_parser(
        "check", help="fail when a catalog is behind the content or an offered language is unsafe"
    )
    check.add_argument("--content", default="content", help="the pack (default: content/)")
    check.add_argument(
        "--min",
        type=percent,
        metavar="PERCENT",
        help="also fail when an offered language is below this coverage",
    )
    check.set_defaults(handler=cmd_check)
    # `i18n stats` also says how many safety-critical texts each language lacks: that needs
    # the pack, which bot.i18n may not import, so the pack-aware part is added here.
    stats = i18n.choices["stats"]
    stats.add_argument("--content", default="content", help="the pack (default: content/)")
    stats.set_defaults(handler=cmd_stats_with_safety)


def cmd_stats_with_safety(args: argparse.Namespace) -> int:
    status = cmd_stats(args)
    content_dir = Path(args.content)
    if not (content_dir / "lotsen.yaml").is_file():
        return status
    try:
        result = load_pack(content_dir, locales=Path(args.locales), min_coverage=0.0)
    except OSError as error:
        return fail(cannot("read", error))
    if result.content is None:
        print(f"{content_dir}: the pack has errors; safety-critical texts not counted")
        return status
    critical = safety_critical(result.content)
    lacking = {
        code: len(missing(critical, catalog))
        for code, catalog in sorted(result.content.translations.items())
    }
    said = ", ".join(f"{code} {count}" for code, count in lacking.items() if count) or "none"
    print(
        f"safety-critical texts not translated ({len(critical)} in the pack): {said}"
        + ("; `lotsen i18n check` lists them" if said != "none" else "")
    )
    return status


def cmd_check(args: argparse.Namespace) -> int:
    problem = not_a_project(args.root) or not_a_folder(args.locales, may_be_missing=False)
    if problem:
        return fail(problem)
    try:
        offered_at = min_coverage(os.environ)
    except SettingsError as error:
        return fail(str(error))
    try:
        findings = _check(
            Path(args.root), Path(args.locales), Path(args.content), offered_at, args.min
        )
    except OSError as error:
        return fail(cannot("read or write", error))
    for finding in findings:
        print(finding, file=sys.stderr)
    if findings:
        return 1
    print(
        "every catalog is up to date with the content; every offered language has its "
        "safety-critical texts"
    )
    return 0


def _check(
    root: Path, locales: Path, content_dir: Path, offered_at: float, minimum: float | None
) -> list[str]:
    """What keeps the catalogs from matching the content: one line each, worst first."""
    with tempfile.TemporaryDirectory() as scratch:
        fresh = _ids(extract(root, Path(scratch)))
    findings = []
    template = locales / POT
    if not template.is_file():
        findings.append(f"{template}: missing; run `lotsen i18n update`")
    else:
        findings.extend(_behind(str(template), fresh, _ids(template)))
    catalogs = load_catalogs(locales)
    findings.extend(unknown_review_statuses(catalogs.values()))
    for _code, loaded in sorted(catalogs.items()):
        findings.extend(_behind(str(loaded.path), fresh, _ids(loaded.path)))
    result = load_pack(content_dir, locales=locales, min_coverage=0.0)
    if result.content is None:
        findings.append(f"{content_dir}: the pack does not load; run `lotsen validate`")
        return findings
    critical = safety_critical(result.content)
    for code, loaded in sorted(catalogs.items()):
        if loaded.stats.coverage < offered_at:
            continue  # not offered to anyone yet: the translator is still at work
        lacking = missing(critical, loaded.messages)
        if lacking:
            findings.append(
                f"{loaded.path}: {code} is offered ({loaded.stats.coverage:.1f}% >= "
                f"{offered_at:g}%) but {len(lacking)} safety-critical text(s) are not "
                f"translated (or are fuzzy): "
                + _listed(f"{where}: {_short(msgid)}" for msgid, where in lacking)
            )
        if minimum is not None and loaded.stats.coverage < minimum:
            findings.append(
                f"{loaded.path}: {code} is offered and {loaded.stats.coverage:.1f}% translated, "
                f"below {minimum:g}%"
            )
    return findings


def _ids(po: Path) -> dict[str, str]:
    """The messages of a catalog or template (not obsolete ones) by their key (the msgid, in
    its context when it has one: the same text in a new step is a new message), each with its
    first place."""
    with po.open("rb") as source:
        catalog = read_po(source)
    return {
        key(str(message.id), str(message.context) if message.context else None): (
            f"{message.locations[0][0]}:{message.locations[0][1]}" if message.locations else ""
        )
        for message in catalog
        if message.id and isinstance(message.id, str)
    }


def _behind(name: str, fresh: dict[str, str], found: dict[str, str]) -> list[str]:
    new = [f"{fresh[msgid]} {_short(msgid)}" for msgid in fresh if msgid not in found]
    gone = [_short(msgid) for msgid in found if msgid not in fresh]
    if not new and not gone:
        return []
    parts = []
    if new:
        parts.append(f"{len(new)} text(s) of the content missing: " + _listed(new))
    if gone:
        parts.append(f"{len(gone)} no longer in the content: " + _listed(gone))
    return [f"{name}: out of date with the content; run `lotsen i18n update`. " + "; ".join(parts)]


def _short(msgid: str) -> str:
    text = msgid.rsplit(CONTEXT_SEPARATOR, 1)[-1]  # the text people read, without its context
    return repr(text if len(text) <= 50 else text[:49] + "…")


def _listed(items: Iterable[str], shown: int = 5) -> str:
    items = list(items)
    more = f" and {len(items) - shown} more" if len(items) > shown else ""
    return ", ".join(items[:shown]) + more
