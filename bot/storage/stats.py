"""The usage report: where conversations go and where they end, with small counts hidden.

Counts under 5 (zero included, so a reader cannot tell none from a few) are shown as "<5",
because a count of 1 on a rare step in a rare language can point at a person.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date

from bot.storage.protocol import UsageCount

SMALL = 5
HEADER = ("flow", "step", "reached", "ended here")


def shown(count: int) -> str:
    """``count`` as a report may show it: ``shown(3) == "<5"``, ``shown(12) == "12"``."""
    return f"<{SMALL}" if count < SMALL else str(count)


def format_report(counts: Iterable[UsageCount], *, since: date, until: date) -> str:
    """A table of every flow and step counted from ``since`` to ``until`` (inclusive)::

        flow  step     reached  ended here
        home  welcome       40          <5
        home  menu          12           6

    ``reached`` counts arrivals at the step, ``ended here`` conversations that expired or
    were forgotten while on it: where people leave each flow. Days, languages and channels
    are summed, which also keeps each cell larger.
    """
    reached: Counter[tuple[str, str]] = Counter()
    ended: Counter[tuple[str, str]] = Counter()
    for item in counts:
        if since <= item.usage.day <= until:
            where = (item.usage.flow, item.usage.step)
            (ended if item.ended else reached)[where] += item.count
    title = f"Usage {since.isoformat()} to {until.isoformat()}; counts under {SMALL} as <{SMALL}."
    places = sorted(set(reached) | set(ended), key=lambda where: _order(where, reached))
    if not places:
        return f"{title}\nNothing counted."
    table = [HEADER] + [
        (flow, step, shown(reached[(flow, step)]), shown(ended[(flow, step)]))
        for flow, step in places
    ]
    return "\n".join([title, "", *_aligned(table)])


def _order(where: tuple[str, str], reached: Counter[tuple[str, str]]) -> tuple[str, int, str]:
    """By flow, then busiest step first; steps under 5 by name, so the order of the rows
    does not give away the counts the cells hide."""
    count = reached[where]
    return (where[0], -count if count >= SMALL else 0, where[1])


def _aligned(table: list[tuple[str, str, str, str]]) -> list[str]:
    widths = [max(len(row[column]) for row in table) for column in range(len(HEADER))]
    return [
        "  ".join(
            cell.ljust(width) if column < 2 else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in table
    ]
