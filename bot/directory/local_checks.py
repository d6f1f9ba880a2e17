"""Rules for a municipality's own facts: where each was read, and never a person's name.

A local entry (one whose areas are a municipality or a county) is written by a municipality
deploying Lotsen or by an editor reading the municipality's pages, so two promises are checked
rather than hoped for:

- ``source_url``: the address of the page its facts were read on, so the next person to
  check it opens the same page (``local-source``).
- No person's name: the directory names roles and switchboards ("kommunens samordnare, via
  växeln"), never people, who change jobs and whose names are not Lotsen's to publish
  (``person-name``). Names are recognised as a common Swedish first name followed by a
  capitalised word ("Anna Lindqvist"), or a first name in an e-mail address
  ("anna.lindqvist@kommun.se"); role addresses ("samordnare@kommun.se") pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.directory.model import NATIONAL, Directory, Service
from bot.source.problems import Problem

# Common first names in Sweden, enough to catch "Förnamn Efternamn" in a text field. Not a
# register of people: a name missing here is not allowed, only not caught.
_COMMON_FIRST_NAMES = """
    Agneta Ahmed Ali Alice Alva Amanda Amir Anders Andreas Ann Anna Anneli Annika Anton Astrid
    Axel Barbro Bengt Birgitta Bo Britt Camilla Carina Carl Caroline Cecilia Charlotte Christer
    Christian Christina Daniel David Ebba Elias Elin Elisabeth Ella Ellen Elsa Emil Emma Erik
    Eva Fatima Filip Fredrik Gunilla Gunnar Gustav Hanna Hans Helena Henrik Hugo Ida Ingrid
    Isabella Jan Jenny Jessica Johan Johanna Jonas Josefin Julia Karin Karl Katarina Kerstin
    Kristina Lars Lena Leo Linda Linnea Lisa Louise Lucas Magnus Maja Malin Maria Marie Martin
    Mats Mattias Mikael Mohammed Monica Nils Ola Olof Olivia Oscar Patrik Per Peter Robert Sara
    Sofia Stefan Susanne Sven Therese Thomas Tobias Ulf Ulla Viktor Wilma Yvonne Åsa
"""
FIRST_NAMES = frozenset(_COMMON_FIRST_NAMES.split())
_FIRST_LOWER = frozenset(name.lower() for name in FIRST_NAMES)
_FULL_NAME = re.compile(r"\b([A-ZÅÄÖ][a-zåäöé]+)(?=\s+([A-ZÅÄÖ][a-zåäöé]+))")
_MAIL_NAME = re.compile(r"^([a-zåäö]+)[._-]([a-zåäö]+)@")


def is_local(service: Service) -> bool:
    """Whether it serves a municipality or a county rather than the whole country."""
    return any(area != NATIONAL for area in service.areas)


def local_problems(directory: Directory) -> Iterator[Problem]:
    """``local-source`` for a local entry without ``source_url``; ``person-name`` for a name
    in any entry's words or e-mail address."""
    for service in directory.services.values():
        where = directory.positions.get((service.id, "source")) or service.position
        if is_local(service) and service.source_url is None and where is not None:
            yield Problem.at(
                where,
                "error",
                "local-source",
                f"`{service.id}` serves a municipality or county: add `source_url:`, the "
                "address of the page its facts were read on, so the next check opens it",
            )
        for field, name in _names(service):
            at = directory.positions.get((service.id, field)) or service.position
            if at is not None:
                yield Problem.at(
                    at,
                    "error",
                    "person-name",
                    f"`{service.id}` names a person (`{name}`) in `{field}`: write the role "
                    "and how to reach it (kommunens samordnare, via växeln), never a name",
                )


def person_names(text: str) -> list[str]:
    """ "Förnamn Efternamn" pairs in ``text`` whose first word is a common first name."""
    return [
        f"{first} {last}"
        for first, last in _FULL_NAME.findall(text)
        if first in FIRST_NAMES and last not in FIRST_NAMES | _NOT_SURNAMES
    ]


def mail_name(address: str) -> str | None:
    """``anna.lindqvist`` for ``anna.lindqvist@kommun.se``; None for a role's address."""
    found = _MAIL_NAME.match(address.lower())
    if found is None or found.group(1) not in _FIRST_LOWER:
        return None
    return f"{found.group(1)}.{found.group(2)}"


# Capitalised words that follow a first name in a service's own name, not a surname.
_NOT_SURNAMES = frozenset({"Kommun", "Kommuns", "Stad", "Stads", "Län", "Region"})


def _names(service: Service) -> Iterator[tuple[str, str]]:
    texts = {
        "organization": service.organization,
        "name": service.name,
        "description": service.description,
        "anonymity": service.anonymity or "",
        "what_happens": service.what_happens or "",
        "source": service.source,
        "hours": service.schedule.note or "" if service.schedule is not None else "",
        "phones": " ".join(phone.description or "" for phone in service.phones),
    }
    for field, text in texts.items():
        for name in person_names(text):
            yield field, name
    if service.email is not None:
        in_address = mail_name(service.email)
        if in_address is not None:
            yield "email", in_address
