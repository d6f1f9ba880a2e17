"""Everything a channel needs to show replies in one person's language.

    renderer = renderer_for(content, session.locale)
    renderer.text(reply.text)          # translated, placeholders filled
    renderer.card(card)                # a contact card as labelled facts
    renderer.rtl                       # lay the page out right to left

Interface words (the labels on a contact card, "you can also type") are texts of the pack, so
each pack speaks in its own voice and source language; dates are formatted by Babel.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from functools import cache, lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time, get_day_names

from bot.directory.hours import TIMEZONE, Opening, weekly_spans
from bot.directory.model import Schedule
from bot.engine.replies import Button, ContactCard, Phrase
from bot.flows.model import Content
from bot.i18n.render import Translator, render
from bot.i18n.translator import translator_for


@dataclass(frozen=True)
class Fact:
    """One line of a contact card: what kind it is (for icons and links) and its text."""

    kind: str  # what, phone, email, web, hours, anonymity, unverified, source
    text: str
    value: str = ""  # the raw phone number, address or URL, for a link


@dataclass(frozen=True)
class Renderer:
    """A pack's texts in one language; made by :func:`renderer_for`, whose translator is the
    pack's own for that language (texts without values are kept per pack and language)."""

    content: Content
    locale: str
    translator: Translator
    on_web_page: bool = False  # say a text's ``web:`` wording where it has one

    @property
    def rtl(self) -> bool:
        return _is_rtl(self.locale)

    def text(self, phrase: Phrase) -> str:
        if phrase.params:  # filled in for this turn: made anew
            return self._rendered(phrase)
        # Without values a phrase always reads the same in a language: rendered once per pack
        # and kept with it (``Content.derived``); every button label and most texts are so.
        web = "" if phrase.web is None else f"web:{phrase.web}"
        page = "page" if self.on_web_page else ""
        key = ("text", self.locale, page, phrase.msgid, phrase.context or "", web)
        return self.content.kept(key, lambda: self._rendered(phrase))

    def _rendered(self, phrase: Phrase) -> str:
        if self.on_web_page and phrase.web is not None:
            phrase = replace(phrase, msgid=phrase.web)
        text = render(phrase, self.translator)
        return isolate_numbers(text) if self.rtl else text

    def interface(self, key: str, **params: str) -> str:
        """An interface text of the pack (``texts:`` in lotsen.yaml), translated."""
        return self.text(Phrase(self.content.texts.get(key, key), params))

    def label(self, button: Button) -> str:
        # A language is named in itself (العربية), whatever language the person reads.
        if button.kind == "language":
            return button.label.msgid
        return self.text(button.label)

    def date(self, day: date) -> str:
        return _long_date(self.locale, day)

    def card(self, card: ContactCard) -> list[Fact]:
        """The facts of a card to show. An unverified card shows only its note and web site:
        a number nobody has checked is never presented as fact."""
        facts: list[Fact] = []
        if card.verified_ok:
            if card.what:
                facts.append(Fact("what", self.text(card.what)))
            if card.phone:
                shown = self._labelled("card_phone", card.phone)
                if card.phone_note is not None:  # "112 (ask for socialjouren)"
                    shown = f"{shown} ({self.text(card.phone_note)})"
                facts.append(Fact("phone", shown, card.phone))
            if card.email:
                facts.append(Fact("email", self._labelled("card_email", card.email), card.email))
        elif card.unverified:
            facts.append(Fact("unverified", self.text(card.unverified)))
        if card.web:
            facts.append(Fact("web", self._labelled("card_web", card.web), card.web))
        if card.verified_ok:
            status = self.opening(card.opening) if card.opening is not None else ""
            if status:
                facts.append(Fact("opening", status))
            always = (
                card.opening is not None and card.opening.open_now and not card.opening.closes_at
            )
            hours = self._weekly(card) if card.schedule is not None and not always else ""
            if hours:  # the structured hours, in the person's language and the pack's facts
                facts.append(Fact("hours", hours))
            if card.hours:  # the source's own words: may only add (validate checks its times)
                facts.append(Fact("hours_note", self.text(card.hours)))
            if card.anonymity:
                facts.append(Fact("anonymity", self.text(card.anonymity)))
            if card.what_happens:
                facts.append(Fact("what_happens", self.text(card.what_happens)))
        source = self.interface("card_source", source=card.source, date=self.date(card.verified))
        facts.append(Fact("source", source))
        return facts

    def _weekly(self, card: ContactCard) -> str:
        """The card's weekly hours as its fact shows them ("Öppettider: mån-fre ..."): the
        same on every turn, so made once per pack, language and service and kept with the
        pack (``Content.derived``; a card's id is its service's)."""
        key = ("card_hours", self.locale, str(self.on_web_page), card.id)
        return self.content.kept(key, lambda: self._weekly_made(card))

    def _weekly_made(self, card: ContactCard) -> str:
        assert card.schedule is not None
        hours = self.hours(card.schedule)
        hours = isolate_numbers(hours) if self.rtl else hours  # words stay right to left
        return f"{self.interface('card_hours')}: {hours}" if hours else ""

    def hours(self, schedule: Schedule) -> str:
        """The weekly hours in the locale: "mån-fre 09:00-12:00, stängt helgdagar" (en dashes)."""
        if schedule.always:
            return self.interface("open_always")
        locale = _babel_locale(self.locale)
        names = get_day_names("abbreviated", locale=locale)
        separator = "\u060c " if self.rtl else ", "  # the Arabic comma where RTL
        parts = []  # "mån-fre 08:30-09:30, 13:00-16:00": the days once, then their periods
        for weekdays, periods in weekly_spans(schedule):
            days = _day_span(list(weekdays), names)
            shown = []
            for opens, closes in periods:
                if opens == closes == time(0, 0):
                    shown.append(self.interface("open_all_day"))
                    continue
                start = format_time(opens, "short", locale=locale)
                end = format_time(closes, "short", locale=locale)
                shown.append(f"{start}\u2013{end}")
            parts.append(f"{days} {separator.join(shown)}")
        if schedule.closed_on_public_holidays and schedule.holidays_stated:
            parts.append(self.interface("closed_holidays"))
        return separator.join(parts)

    def opening(self, opening: Opening) -> str:
        """ "Öppet nu, stänger 12:00" / "Stängt nu, öppnar måndag 09:00", in the locale."""
        if opening.open_now and opening.closes_at is None:
            return self.interface("open_always")
        if opening.open_now and opening.closes_at is not None:
            return self.interface("open_until", time=self._time(opening.closes_at))
        if opening.opens_at is None:
            return ""
        day = _weekday(self.locale, opening.opens_at.date())  # as Babel reads a datetime
        return self.interface("closed_until", day=day, time=self._time(opening.opens_at))

    def _time(self, moment: datetime) -> str:
        return _short_time(self.locale, moment)

    def _labelled(self, key: str, value: str) -> str:
        return f"{self.interface(key)}: {_isolate(value) if self.rtl else value}"


# In right-to-left text the bidi algorithm reorders the groups of "114 14" or "020-100 200"
# ("14 114"), so numbers and addresses are wrapped in a left-to-right isolate (LRI ... PDI).
_NUMBER_RUN = re.compile(r"\d[\d \-\u2013:.]*\d")  # \u2013: an en dash, as in hours


def _isolate(value: str) -> str:
    return f"\u2066{value}\u2069"


def isolate_numbers(text: str) -> str:
    """Every run of digits, spaces and dashes in ``text`` as a left-to-right isolate."""
    return _NUMBER_RUN.sub(lambda match: _isolate(match.group(0)), text)


@cache  # parsing a locale is costly and every reply asks; there are a handful of codes
def _babel_locale(code: str) -> Locale:
    try:
        return Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale("en")


# Babel formats a date or a time in 20-40 us, and every card shows one to three: the same few
# (the directory's verified dates, the next opening and closing times) turn after turn. Only
# the pack's dates and times computed from its schedules come here, never anything typed.
@lru_cache(maxsize=1024)
def _long_date(code: str, day: date) -> str:
    return format_date(day, format="long", locale=_babel_locale(code))


@lru_cache(maxsize=1024)
def _weekday(code: str, day: date) -> str:
    return format_date(day, "EEEE", locale=_babel_locale(code))


@lru_cache(maxsize=1024)
def _short_time(code: str, moment: datetime) -> str:
    return format_time(moment, "short", tzinfo=TIMEZONE, locale=_babel_locale(code))


@cache  # asked for every text; Babel looks it up anew each time
def _is_rtl(code: str) -> bool:
    return _babel_locale(code).character_order == "right-to-left"


def prepare(content: Content) -> None:
    """Read Babel's data for each of the pack's languages: the first text or date in a
    language loads its locale data (2% of a web chat's samples in a load test, py-spy), at
    start rather than on the event loop while the first person in that language waits."""
    for language in content.languages:
        _is_rtl(language.code)


def renderer_for(content: Content, locale: str | None, *, on_web_page: bool = False) -> Renderer:
    """The renderer for a person's locale; None or an unknown one gives the source language.
    ``on_web_page``: for the web chat, which says a text's ``web:`` wording where it has one."""
    code = locale or content.source_language
    return Renderer(content, code, translator_for(content.translations, code), on_web_page)


def _day_span(days: list[int], names: Mapping[int, str]) -> str:
    """Weekdays (0 = Monday) as a reader says them: a run of three or more as "mån-fre"
    (with an en dash), others one by one: "mån, ons"."""
    runs: list[list[int]] = []
    for day in days:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    said = [
        f"{names[run[0]]}\u2013{names[run[-1]]}"
        if len(run) >= 3
        else ", ".join(names[d] for d in run)
        for run in runs
    ]
    return ", ".join(said)
