"""The directory as Open Referral HSDS 3.0 JSON, for other directories to read.

``export`` gives two lists, each object valid against the compiled schemas:

- ``organizations``: ``schema/compiled/organization.json``, each with its ``services``
  nested (and their phones, schedules, service areas, languages, attributes);
- ``services``: ``schema/compiled/service.json``, each with the same nesting and its
  ``organization_id`` (no ``organization`` object nested, to keep one copy of it).

Ids are UUIDs derived (uuid5) from Lotsen's ids, so they stay the same from one export to
the next. Topics, anonymity and what happens with what you say are ``attributes`` whose
``taxonomy_term`` is in the ``lotsen`` taxonomy. Times are Swedish local time
(Europe/Stockholm): the schedule's ``timezone`` is a fixed UTC offset in HSDS, which Sweden
does not have, so it is left out and said in ``notes``. Example entries are not exported.
"""

from __future__ import annotations

import json
import uuid
from datetime import time
from pathlib import Path
from typing import Any

from bot.directory import phones
from bot.directory.model import NATIONAL, TOPICS, Directory, Schedule, Service

_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/lotsen/directory")
_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_STATUS = {"active": "active", "inactive": "inactive", "temporarily_closed": "temporarily closed"}
TAXONOMY = "lotsen"
_TERMS = {
    **{f"topic:{code}": meaning for code, meaning in TOPICS.items()},
    "anonymity": "Whether you can stay anonymous",
    "what_happens": "What happens with what you say: who gets to know, what is recorded",
}

Record = dict[str, Any]


def _id(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, ":".join(parts)))


def _clock(at: time, closing: bool = False) -> str:
    return "24:00" if closing and at == time(0, 0) else at.strftime("%H:%M")


def _schedules(service: Service, schedule: Schedule) -> list[Record]:
    sid = _id("service", service.id)
    holidays = (
        "Closed on Swedish public holidays."
        if schedule.closed_on_public_holidays
        else "Open on Swedish public holidays."
    )
    notes = f"Local time, Europe/Stockholm. {holidays}"
    records: list[Record] = []
    for index, period in enumerate(schedule.periods):
        record: Record = {
            "id": _id("schedule", service.id, str(index)),
            "service_id": sid,
            "freq": "WEEKLY",
            "wkst": "MO",
            "byday": ",".join(_DAYS[d] for d in sorted(period.weekdays)),
            "opens_at": _clock(period.opens),
            "closes_at": _clock(period.closes, closing=True),
            "notes": notes,
        }
        if schedule.note:
            record["description"] = schedule.note
        records.append(record)
    for exception in schedule.exceptions:
        day = exception.day.isoformat()
        record = {
            "id": _id("schedule", service.id, day),
            "service_id": sid,
            "valid_from": day,
            "valid_to": day,
            "notes": "Local time, Europe/Stockholm. An exception to the weekly hours.",
        }
        if exception.closed or exception.opens is None or exception.closes is None:
            record["description"] = f"Closed on {day}."
        else:
            record["opens_at"] = _clock(exception.opens)
            record["closes_at"] = _clock(exception.closes, closing=True)
        records.append(record)
    return records


def _attribute(service: Service, term: str, value: str | None = None) -> Record:
    record: Record = {
        "id": _id("attribute", service.id, term),
        "link_id": _id("service", service.id),
        "link_type": "service",
        "link_entity": "service",
        "taxonomy_term_id": _id("term", term),
        "taxonomy_term": {
            "id": _id("term", term),
            "code": term,
            "name": term.removeprefix("topic:"),
            "description": _TERMS[term],
            "taxonomy": TAXONOMY,
        },
    }
    if value is not None:
        record["value"] = value
    return record


def _area_name(directory: Directory, code: str) -> str:
    if code == NATIONAL:
        return "Sverige"
    area = directory.areas.get(code) or directory.counties.get(code)
    return area.name if area else code


def service_record(directory: Directory, service: Service) -> Record:
    """One service in the shape of HSDS ``service`` (compiled), with ``organization_id``."""
    sid = _id("service", service.id)
    record: Record = {
        "id": sid,
        "organization_id": _id("organization", service.organization),
        "name": service.name,
        "description": service.description,
        "status": _STATUS[service.status],
        "assured_date": service.verified.isoformat(),
        "phones": [
            {
                "id": _id("phone", service.id, str(index)),
                "service_id": sid,
                "number": phones.display(phone.number),
                "type": "voice",
                **({"description": phone.description} if phone.description else {}),
            }
            for index, phone in enumerate(service.phones)
        ],
        "schedules": _schedules(service, service.schedule) if service.schedule else [],
        "service_areas": [
            {
                "id": _id("service_area", service.id, code),
                "service_id": sid,
                "name": _area_name(directory, code),
                "description": "the whole country" if code == NATIONAL else f"SCB code {code}",
            }
            for code in service.areas
        ],
        "languages": [
            {"id": _id("language", service.id, code), "service_id": sid, "code": code}
            for code in service.languages
        ],
        "attributes": [
            *(_attribute(service, f"topic:{topic}") for topic in service.topics),
            *(
                _attribute(service, key, text)
                for key, text in (
                    ("anonymity", service.anonymity),
                    ("what_happens", service.what_happens),
                )
                if text
            ),
        ],
        "metadata": [],
    }
    if service.web:
        record["url"] = service.web
    if service.email:
        record["email"] = service.email
    return record


def export(directory: Directory) -> dict[str, list[dict[str, Any]]]:
    """``{"organizations": [...], "services": [...]}``: see the module's docstring."""
    services = [s for s in directory.services.values() if not s.example]
    organizations: dict[str, Record] = {}
    for service in services:
        organization = organizations.setdefault(
            service.organization,
            {
                "id": _id("organization", service.organization),
                "name": service.organization,
                # HSDS requires a description; Lotsen keeps none for an organization.
                "description": "",
                "services": [],
            },
        )
        organization["services"].append(service_record(directory, service))
    return {
        "organizations": list(organizations.values()),
        "services": [service_record(directory, service) for service in services],
    }


def write(directory: Directory, out_dir: Path) -> list[Path]:
    """Write ``organizations.json`` and ``services.json`` (JSON arrays) into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, records in export(directory).items():
        path = out_dir / f"{name}.json"
        path.write_text(json.dumps(records, ensure_ascii=False, indent=2) + "\n", "utf-8")
        written.append(path)
    return written
