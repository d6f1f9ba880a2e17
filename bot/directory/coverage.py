"""Which municipalities the directory has local facts for, by county: the first part of
``lotsen directory report``, as text or (``--format html``) as a page a coordinator reads.

A municipality is covered for a kind of fact (social services, socialjour, coordinator, ...)
when an active, real service on that topic serves it: one written for the municipality, or
for its county. Each covered fact carries its freshness: ``ok``, ``due`` (goes stale before
the month is out) or ``overdue`` (stale now: shown without phone numbers and hours).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from html import escape

from bot.directory.checks import DEFAULT_MONTHS, due
from bot.directory.model import Directory, Service
from bot.directory.report import State, month_end

# The local facts, in the order a person needs them: topic -> the column's Swedish heading.
FACTS: Mapping[str, str] = {
    "social_services": "Socialtjänst",
    "out_of_hours": "Socialjour",
    "coordinator": "Samordnare",
    "worried_relative": "Anhörigstöd",
    "mentors": "Mentorer",
    "leaving": "Avhopp",
}


@dataclass(frozen=True)
class Fact:
    service: str  # the id of the service that gives it
    state: State
    verified: date
    from_county: bool  # written for the whole county rather than this municipality


@dataclass(frozen=True)
class Municipality:
    code: str
    name: str
    facts: Mapping[str, Fact]  # topic -> the freshest service giving it


@dataclass(frozen=True)
class County:
    code: str
    name: str
    municipalities: tuple[Municipality, ...]

    @property
    def covered(self) -> int:
        return sum(1 for m in self.municipalities if m.facts)

    def count(self, topic: str) -> int:
        return sum(1 for m in self.municipalities if topic in m.facts)


def coverage(directory: Directory, today: date, months: int = DEFAULT_MONTHS) -> list[County]:
    """Every county with every municipality in it, and the local facts each has."""
    local = [s for s in directory.services.values() if _shown(s)]
    counties = []
    for county in sorted(directory.counties.values(), key=lambda area: area.code):
        members = sorted(
            (a for a in directory.areas.values() if a.county == county.code),
            key=lambda area: area.code,
        )
        municipalities = tuple(
            Municipality(area.code, area.name, _facts(local, area.code, county.code, today, months))
            for area in members
        )
        counties.append(County(county.code, county.name, municipalities))
    return counties


def _shown(service: Service) -> bool:
    return service.status == "active" and not service.example


def _facts(
    services: list[Service], code: str, county: str, today: date, months: int
) -> dict[str, Fact]:
    found: dict[str, Fact] = {}
    for service in services:
        if code not in service.areas and county not in service.areas:
            continue
        last = due(service, months)
        state: State = "overdue" if last < today else "due" if last < month_end(today) else "ok"
        for topic in service.topics:
            if topic not in FACTS:
                continue
            known = found.get(topic)
            if known is None or service.verified > known.verified:
                fact = Fact(service.id, state, service.verified, code not in service.areas)
                found[topic] = fact
    return found


def format_text(counties: list[County]) -> str:
    """Counts by county, then one line for each municipality that has any local fact."""
    total = sum(len(c.municipalities) for c in counties)
    covered = sum(c.covered for c in counties)
    lines = [f"Local facts: {covered} of {total} municipalities have at least one", ""]
    header = "  ".join(f"{heading:>12}" for heading in FACTS.values())
    lines.append(f"{'county':<26}{'covered':>9}  {header}")
    for county in counties:
        counts = "  ".join(f"{county.count(topic):>12}" for topic in FACTS)
        share = f"{county.covered}/{len(county.municipalities)}"
        lines.append(f"{county.name:<26}{share:>9}  {counts}")
    for county in counties:
        for municipality in county.municipalities:
            if not municipality.facts:
                continue
            facts = ", ".join(
                f"{FACTS[t].lower()} ({_describe(f)})" for t, f in _in_order(municipality.facts)
            )
            lines.append(f"  {municipality.code} {municipality.name}: {facts}")
    return "\n".join(lines) + "\n"


def _in_order(facts: Mapping[str, Fact]) -> list[tuple[str, Fact]]:
    return [(topic, facts[topic]) for topic in FACTS if topic in facts]


def _describe(fact: Fact) -> str:
    where = ", län" if fact.from_county else ""
    return f"{fact.state}, {fact.verified.isoformat()}{where}"


_STATE_WORDS = {"ok": "kontrollerad", "due": "kontrolleras denna månad", "overdue": "för gammal"}


def format_html(counties: list[County], today: date) -> str:
    """A page: a table a county, a row a municipality, a coloured cell a fact."""
    total = sum(len(c.municipalities) for c in counties)
    covered = sum(c.covered for c in counties)
    parts = [
        "<!doctype html>",
        '<html lang="sv">',
        '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, '
        'initial-scale=1"><title>Lotsen: lokala uppgifter</title>',
        f"<style>{_STYLE}</style></head>",
        "<body><main>",
        "<h1>Lokala uppgifter i Lotsens katalog</h1>",
        f"<p>{today.isoformat()}: {covered} av {total} kommuner har minst en lokal uppgift. "
        "Grön: kontrollerad. Gul: ska kontrolleras denna månad. Röd: för gammal, visas utan "
        "telefonnummer och öppettider. Tom: ingen uppgift, Lotsen säger det rakt ut och visar "
        "112 och de nationella linjerna.</p>",
        _summary_table(counties),
    ]
    for county in counties:
        parts.append(_county_table(county))
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"


def _summary_table(counties: list[County]) -> str:
    head = "".join(f"<th scope='col'>{escape(h)}</th>" for h in FACTS.values())
    rows = []
    for county in counties:
        cells = "".join(f"<td>{county.count(topic)}</td>" for topic in FACTS)
        rows.append(
            f"<tr><th scope='row'><a href='#lan-{county.code}'>{escape(county.name)}</a></th>"
            f"<td>{county.covered} / {len(county.municipalities)}</td>{cells}</tr>"
        )
    return (
        "<table><caption>Per län: kommuner med lokala uppgifter</caption>"
        f"<thead><tr><th scope='col'>Län</th><th scope='col'>Kommuner</th>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _county_table(county: County) -> str:
    head = "".join(f"<th scope='col'>{escape(h)}</th>" for h in FACTS.values())
    rows = []
    for municipality in county.municipalities:
        cells = "".join(_cell(municipality.facts.get(topic)) for topic in FACTS)
        rows.append(
            f"<tr><th scope='row'>{escape(municipality.name)} "
            f"<span class='code'>{municipality.code}</span></th>{cells}</tr>"
        )
    return (
        f"<h2 id='lan-{county.code}'>{escape(county.name)} "
        f"({county.covered} av {len(county.municipalities)})</h2>"
        f"<table><thead><tr><th scope='col'>Kommun</th>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _cell(fact: Fact | None) -> str:
    if fact is None:
        return "<td class='none'>ingen</td>"
    county = " (länet)" if fact.from_county else ""
    words = f"{_STATE_WORDS[fact.state]} {fact.verified.isoformat()}{county}"
    return f"<td class='{fact.state}' title='{escape(fact.service)}'>{escape(words)}</td>"


_STYLE = """
body { font-family: system-ui, sans-serif; margin: 0; color: #0b0c0c; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
table { border-collapse: collapse; margin-block: 0.5rem 1.5rem; width: 100%; }
caption { text-align: start; font-weight: 700; padding-block: 0.5rem; }
th, td { border: 1px solid #b1b4b6; padding: 0.3rem 0.5rem; text-align: start; }
thead th { background: #eef2f6; }
.code { color: #484949; font-weight: 400; font-size: 0.9em; }
td.ok { background: #cce2d8; }
td.due { background: #fff2cc; }
td.overdue { background: #f4cdc6; }
td.none { color: #484949; }
"""
