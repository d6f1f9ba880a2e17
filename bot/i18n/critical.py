"""The texts that keep a person safe, which every offered language must have translated.

A language may be offered before every text is translated (``LOTSEN_MIN_LANGUAGE_COVERAGE``);
an untranslated text is then shown in the source language. That is acceptable for a
paragraph about mentors, and not for the way to 112: so these texts, wherever the pack
puts them, are checked in every offered language (``lotsen i18n check``, run by
``make test``), and ``lotsen i18n stats`` shows how many each language lacks.

    critical = safety_critical(content)    # msgid -> where it is shown
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.flows.model import Content, join_words

# Interface texts on the way to help, out of the conversation or out of the page.
SAFETY_TEXTS = (
    "nav_emergency",
    "nav_resume",
    "open_always",  # on the cards of the lines that answer day and night
    "nav_forget",
    "forgotten",
    "whatsapp_forgotten",
    "web_emergency",
    "web_quick_exit",
    "web_quick_exit_help",
    "web_quick_exit_keys",
    "web_quick_exit_two_more",
    "web_quick_exit_one_more",
    "web_privacy",
    "command_112",
    "command_forget",
    "command_privacy",
)
# Word lists that, typed, lead to 112 or delete everything.
SAFETY_WORDS = ("emergency", "forget")


def safety_critical(content: Content) -> dict[str, str]:
    """Every safety-critical msgid of ``content`` and where it is shown: the emergency (112)
    step, the concern steps and the privacy step (with the steps they continue to at once,
    their buttons and contact cards), the emergency and forget words, each concern's
    words, and :data:`SAFETY_TEXTS`."""
    found: dict[str, str] = {}

    def add(msgid: str | None, where: str) -> None:
        if msgid:
            found.setdefault(msgid, where)

    for key in SAFETY_TEXTS:
        add(content.texts.get(key), f"interface text `{key}`")
    for kind in SAFETY_WORDS:
        add(join_words(content.triggers.get(kind, ())), f"the `{kind}` words")
    for concern in content.concerns:
        add(join_words(concern.words), f"the `{concern.kind}` concern's words")
    starts = [content.emergency, content.privacy, *(c.step for c in content.concerns)]
    for ref in _with_next(content, starts):
        step = content.steps[ref]
        where = f"step `{ref}`"
        for msgid in step.texts_said:
            add(msgid, where)
        for option in step.options:
            add(option.label, f"{where}, a button")
            add(option.short, f"{where}, a button's short label")
        services = content.directory.services if content.directory is not None else {}
        for contact_id in step.contacts:
            service = services.get(contact_id)
            if service is not None:
                note = service.schedule.note if service.schedule is not None else None
                facts = (service.name, service.description, note)
                for text in (*facts, service.anonymity, service.what_happens):
                    add(text, f"{where}, service `{contact_id}`")
    return found


def _with_next(content: Content, refs: list[str]) -> list[str]:
    """``refs`` and the steps each continues to at once (``next:``), in order, each once."""
    seen: list[str] = []
    for ref in refs:
        current: str | None = ref
        while current is not None and current in content.steps and current not in seen:
            seen.append(current)
            current = content.steps[current].next
    return seen


def missing(critical: Mapping[str, str], translated: Mapping[str, str]) -> list[tuple[str, str]]:
    """The ``(msgid, where)`` of ``critical`` that ``translated`` (msgid -> text) lacks."""
    return [(msgid, where) for msgid, where in critical.items() if msgid not in translated]
