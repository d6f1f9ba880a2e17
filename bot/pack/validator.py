"""The rules a pack must follow beyond its schema, each a small generator of problems.

The schema says what a file may contain; these rules say what the pack as a whole must be
for a person walking it: every step leads somewhere, 112 is one action away, facts are fresh,
texts fit on Telegram.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

from bot.directory.checks import contradicting_notes
from bot.directory.checks import stale as stale_services
from bot.directory.local_checks import local_problems
from bot.engine.answers import takes_text
from bot.flows.kinds import kind_of
from bot.flows.model import Content, Step, placeholders
from bot.pack.chat_limits import check_chat_limits
from bot.pack.sources import SourceMap
from bot.pack.word_rules import check_concerns, check_trigger_labels, check_word_collisions
from bot.source.position import Position
from bot.source.problems import Level, Problem
from bot.source.schema import did_you_mean

TELEGRAM_MAX_BUTTONS = 100
TELEGRAM_MAX_TEXT = 4096
COMFORTABLE_TEXT = 300  # DOMAIN.md: one idea a message, about 300 characters at most

# Placeholders the engine fills in the interface texts; content steps may use variables.
TEXT_PLACEHOLDERS = {
    "unknown_command": {"commands"},
    "unverified_contact": {"web"},
    "card_source": {"source", "date"},
    "open_until": {"time"},
    "closed_until": {"day", "time"},
    "whatsapp_page": {"page", "pages"},
}

Rule = Callable[[Content, SourceMap, "date | None"], Iterator[Problem]]


def validate(
    content: Content, sources: SourceMap, *, today: date | None = None
) -> Iterator[Problem]:
    """Every problem every rule finds. ``today`` enables the freshness rule."""
    for rule in RULES:
        yield from rule(content, sources, today)


def edges(step: Step) -> list[str]:
    """The steps a step can lead to through its own content (not the navigation buttons)."""
    return [out.target for out in kind_of(step.way).exits(step.way)]


def _known_edges(content: Content, step: Step) -> list[str]:
    return [target for target in edges(step) if target in content.steps]


def check_contacts(content: Content, sources: SourceMap, today: date | None) -> Iterator[Problem]:
    """Each id in a step's ``contacts`` names a service in the directory, the one place
    where a contact point's facts are written."""
    known = sorted(content.directory.services) if content.directory is not None else []
    for step in content.steps.values():
        for index, contact_id in enumerate(step.contacts):
            if contact_id not in known:
                yield Problem.at(
                    sources.step(step.ref, "contacts", index),
                    "error",
                    "unknown-contact",
                    f"no service `{contact_id}` in directory/services/"
                    f"{did_you_mean(contact_id, known)}; services: {', '.join(known) or 'none'}",
                )


def check_moved(content: Content, sources: SourceMap, today: date | None) -> Iterator[Problem]:
    """A ``moved:`` entry whose old step still exists is never followed: the step wins."""
    for old, new in content.moved.items():
        if old in content.steps:
            yield Problem.at(
                sources.in_pack("moved", old),
                "warning",
                "moved-shadowed",
                f"`{old}` is still a step, so `moved: {old}: {new}` is never used; remove the "
                f"entry, or the step (`lotsen rename` does both sides of a rename)",
            )


def roots(content: Content) -> list[str]:
    """Where a person can enter the pack: start, menu, 112, privacy, help, the concern steps
    (typed words lead there), and renames."""
    entries = [content.start, content.menu, content.emergency, content.privacy, content.help]
    return [*entries, *(c.step for c in content.concerns), *content.moved.values()]


def reachable(content: Content) -> set[str]:
    """Every step a person can reach from an entry point through the content's own links."""
    seen: set[str] = set()
    todo = [ref for ref in roots(content) if ref in content.steps]
    while todo:
        ref = todo.pop()
        if ref not in seen:
            seen.add(ref)
            todo.extend(_known_edges(content, content.steps[ref]))
    return seen


def check_reachable(content: Content, sources: SourceMap, today: date | None) -> Iterator[Problem]:
    if not any(ref in content.steps for ref in roots(content)):
        return  # the pack's own references are broken, and reported where they are written
    seen = reachable(content)
    for ref in content.steps:
        if ref not in seen:
            yield Problem.at(
                sources.step_key(ref),
                "warning",
                "unreachable",
                f"nothing leads to `{ref}`: no option, next or ask goes here",
            )


def check_options_shown(
    content: Content, sources: SourceMap, today: date | None
) -> Iterator[Problem]:
    """A step that waits only for its buttons should not hide them all. (That a step has
    exactly one way on is its type: the loader reports a step written with none or several.)"""
    for ref, step in content.steps.items():
        if takes_text(step.way) or not step.options:
            continue
        if all(option.when for option in step.options):
            yield Problem.at(
                sources.step(ref, "options"),
                "warning",
                "maybe-no-options",
                "every option here has a `when`, so a person may see no option at all",
            )


def _next_cycle(content: Content, ref: str) -> list[str]:
    """The steps that ``next`` goes round for ever, starting from ``ref``; empty if none."""
    path: list[str] = []
    current: str | None = ref
    while current is not None and current in content.steps:
        if current in path:
            return path[path.index(current) :]
        path.append(current)
        current = content.steps[current].next
    return []


def check_next_cycles(
    content: Content, sources: SourceMap, today: date | None
) -> Iterator[Problem]:
    reported: set[str] = set()
    for ref in content.steps:
        cycle = _next_cycle(content, ref)
        if cycle and not reported & set(cycle):
            reported.update(cycle)
            yield Problem.at(
                sources.step(cycle[0], "next"),
                "error",
                "next-cycle",
                "these steps continue into each other for ever with `next`: "
                + " -> ".join([*cycle, cycle[0]]),
            )


def _components(content: Content) -> list[list[str]]:
    """Strongly connected components of the step graph (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[list[str]] = []
    for root in content.steps:
        if root in index:
            continue
        work = [(root, iter(_known_edges(content, content.steps[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    result.append(component)
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(_known_edges(content, content.steps[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return result


def check_loops(content: Content, sources: SourceMap, today: date | None) -> Iterator[Problem]:
    hubs = {content.start, content.menu, content.emergency}
    for component in _components(content):
        members = set(component)
        ref = component[0]
        is_loop = len(component) > 1 or ref in _known_edges(content, content.steps[ref])
        leaves = any(
            t not in members for m in component for t in _known_edges(content, content.steps[m])
        )
        if not is_loop or leaves or members & hubs:
            continue
        first = min(component, key=lambda r: (sources.step_key(r).line, r))
        level: Level = "warning" if "menu" in content.navigation else "error"
        yield Problem.at(
            sources.step_key(first),
            level,
            "loop-no-exit",
            "these steps only lead to each other, never to an end or onwards: "
            + ", ".join(sorted(component)),
        )


def check_emergency(content: Content, sources: SourceMap, today: date | None) -> Iterator[Problem]:
    if content.emergency not in content.steps:
        return  # the unresolved reference is already reported where it is written
    if not content.triggers.get("emergency"):
        yield Problem.at(
            sources.in_pack("triggers"),
            "warning",
            "no-emergency-words",
            "no emergency words: typing `akut` or similar will not jump to 112",
        )
    if "emergency" in content.navigation:
        return
    for ref, step in content.steps.items():
        if ref == content.emergency or not step.rests:
            continue
        if not any(o.goto == content.emergency and not o.when for o in step.options):
            yield Problem.at(
                sources.step_key(ref),
                "error",
                "emergency-unreachable",
                f"112 must be one action away: add an option to `{content.emergency}` here, or "
                "put `emergency` back in `navigation` in lotsen.yaml",
            )


def check_lengths(content: Content, sources: SourceMap, today: date | None) -> Iterator[Problem]:
    for ref, step in content.steps.items():
        if len(step.options) > TELEGRAM_MAX_BUTTONS:
            yield Problem.at(
                sources.step(ref, "options"),
                "error",
                "too-many-options",
                f"{len(step.options)} options; Telegram shows at most "
                f"{TELEGRAM_MAX_BUTTONS} buttons under a message",
            )
        for text, where in _said(step, sources):
            yield from _length(text, where)
    for key, text in content.texts.items():
        yield from _length(text, sources.in_pack("texts", key))


def _said(step: Step, sources: SourceMap) -> Iterator[tuple[str, Position]]:
    """Each text a step says, with where it is written: its ``say`` and ``web:`` wordings."""
    several = len(step.say) > 1
    for index, text in enumerate(step.say):
        at: tuple[str | int, ...] = ("say", index) if several else ("say",)
        web = step.web_say.get(index)
        if web is None:
            yield text, sources.step(step.ref, *at)
        else:
            yield text, sources.step(step.ref, *at, "text")
            yield web, sources.step(step.ref, *at, "web")
    if step.services is not None and step.services.otherwise:
        yield step.services.otherwise, sources.step(step.ref, "services", "otherwise")


def _length(text: str, where: Position) -> Iterator[Problem]:
    if len(text) > TELEGRAM_MAX_TEXT:
        yield Problem.at(
            where,
            "error",
            "text-too-long",
            f"{len(text)} characters; a Telegram message holds at most "
            f"{TELEGRAM_MAX_TEXT}: split it into a list of messages",
        )
    elif len(text) > COMFORTABLE_TEXT:
        yield Problem.at(
            where,
            "warning",
            "long-message",
            f"{len(text)} characters; keep a message near {COMFORTABLE_TEXT} "
            "(one idea a message) or split it into a list",
        )


def _set_values(content: Content) -> dict[str, set[str]]:
    """Every variable the pack sets, with every value it can take."""
    values: dict[str, set[str]] = {}
    for step in content.steps.values():
        for sets in (step.sets, *(o.sets for o in step.options)):
            for var, value in sets.items():
                values.setdefault(var, set()).add(value)
        if step.ask is not None and step.ask.store:
            values.setdefault(step.ask.store, set()).update(step.ask.values)
    return values


def _area_names(content: Content) -> set[str]:
    """``{municipality_name}``: the name of the municipality a question stored the code of."""
    return {f"{s.ask.store}_name" for s in content.steps.values() if s.ask and s.ask.municipality}


def check_variables(content: Content, sources: SourceMap, today: date | None) -> Iterator[Problem]:
    values = _set_values(content)
    known = set(values) | _area_names(content)  # once: per text, this was quadratic in steps
    for ref, step in content.steps.items():
        for index, option in enumerate(step.options):
            for condition in option.when:
                where = sources.step(ref, "options", index, "when", condition.var)
                if condition.var not in values:
                    yield Problem.at(
                        where,
                        "error",
                        "unset-variable",
                        f"`{condition.var}` is never set by any option, step or ask"
                        f"; variables set: {', '.join(sorted(values)) or 'none'}",
                    )
                    continue
                for value in sorted(condition.values - values[condition.var]):
                    yield Problem.at(
                        where,
                        "warning",
                        "unknown-value",
                        f"`{condition.var}` is never set to `{value}`; it can be: "
                        + ", ".join(sorted(values[condition.var])),
                    )
        for text, where in _said(step, sources):
            for name in placeholders(text) - known:
                yield Problem.at(
                    where,
                    "warning",
                    "unknown-placeholder",
                    f"`{{{name}}}` is no variable this pack sets, so it shows as written",
                )
    for key, text in content.texts.items():
        for name in placeholders(text) - TEXT_PLACEHOLDERS.get(key, set()):
            allowed = (
                ", ".join(f"{{{p}}}" for p in sorted(TEXT_PLACEHOLDERS.get(key, ()))) or "none"
            )
            yield Problem.at(
                sources.in_pack("texts", key),
                "warning",
                "unknown-placeholder",
                f"`{{{name}}}` is not filled in this text; it may use: {allowed}",
            )


def check_ask(content: Content, sources: SourceMap, today: date | None) -> Iterator[Problem]:
    for ref, step in content.steps.items():
        if step.ask is None or not step.ask.number:
            continue
        bounds = [r.below for r in step.ask.number]
        open_ended = [i for i, below in enumerate(bounds) if below is None]
        limits = [b for b in bounds if b is not None]
        if open_ended and open_ended[0] != len(bounds) - 1:
            yield Problem.at(
                sources.step(ref, "ask", "number", open_ended[0]),
                "error",
                "number-ranges",
                "a range without `below` takes every number left, so it must come last",
            )
        elif limits != sorted(limits):
            yield Problem.at(
                sources.step(ref, "ask", "number"),
                "error",
                "number-ranges",
                "the `below` limits must grow from one range to the next",
            )


def check_labels(content: Content, sources: SourceMap, today: date | None) -> Iterator[Problem]:
    for ref, step in content.steps.items():
        seen: set[str] = set()
        for index, option in enumerate(step.options):
            label = option.label.casefold().strip()
            if label in seen and not option.when:
                yield Problem.at(
                    sources.step(ref, "options", index, "label"),
                    "warning",
                    "duplicate-label",
                    f"two options here read `{option.label}`",
                )
            seen.add(label)


def check_services(content: Content, sources: SourceMap, today: date | None) -> Iterator[Problem]:
    """Directory steps and municipality questions need a directory; a step may name only
    services that exist and are active."""
    directory = content.directory
    for ref, step in content.steps.items():
        needs = step.services is not None or (step.ask is not None and step.ask.municipality)
        if needs and directory is None:
            yield Problem.at(
                sources.step_key(ref),
                "error",
                "no-directory",
                "this step needs content/directory/ (areas.yaml and services/), which is missing",
            )
            continue
        if step.services is None or directory is None:
            continue
        for index, service_id in enumerate(step.services.include):
            where = sources.step(ref, "services", "include", index)
            service = directory.services.get(service_id)
            if service is None:
                known = ", ".join(sorted(directory.services))
                yield Problem.at(
                    where,
                    "error",
                    "unknown-service",
                    f"no service `{service_id}` in content/directory; services: {known}",
                )
            elif service.status != "active" or service.example:
                state = "an example" if service.example else service.status.replace("_", " ")
                yield Problem.at(
                    where,
                    "error",
                    "inactive-service",
                    f"`{service_id}` is {state}, so it is never shown to people",
                )
    if directory is not None:
        yield from contradicting_notes(directory)
        yield from local_problems(directory)
    if directory is not None and today is not None:
        yield from stale_services(directory, today, months=max(1, content.stale_after_days // 30))


RULES: tuple[Rule, ...] = (
    check_contacts,
    check_moved,
    check_reachable,
    check_options_shown,
    check_next_cycles,
    check_loops,
    check_emergency,
    check_lengths,
    check_variables,
    check_ask,
    check_labels,
    check_trigger_labels,
    check_concerns,
    check_word_collisions,
    check_chat_limits,
    check_services,
)
