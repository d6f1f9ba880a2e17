"""A pack as a diagram: Mermaid (GitHub and GitLab draw it in Markdown) or Graphviz DOT.

    print(mermaid(content))                 # every flow
    print(dot(content, flow="social"))      # one flow, with the steps it links to elsewhere

A box per step (its id and the start of its first message), an arrow per option labelled
with the option's text, a dashed arrow for ``next``, a dotted one for a typed answer. Flows are
groups; the pack's entry points (/start, /menu, 112, /privacy, /help) and the 112 button
under every step are drawn as entries; the emergency step is red; a step nothing leads to is
marked "unreachable" with a dashed border. In the whole pack, the buttons back to the menu or
to their own flow's start are folded: the step they lead to says how many there are.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from bot.flows.kinds import Exit, kind_of
from bot.flows.model import Content, Step
from bot.pack.validator import reachable

EXCERPT = 40  # characters of a step's first message shown in its box


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    label: str
    kind: str  # option, next, ask, otherwise, entry


@dataclass(frozen=True)
class Picture:
    """What a diagram shows, before it is written in one syntax or another."""

    flows: dict[str, list[str]]  # flow id -> its steps shown, in the order written
    titles: dict[str, str]
    steps: dict[str, Step]
    edges: list[Edge]
    entries: dict[str, str]  # entry node -> its label
    unreachable: set[str]
    emergency: str
    folded: dict[str, int]  # step -> how many "back to the start" arrows were folded into it


def entry_points(content: Content) -> dict[str, str]:
    """Where people enter the pack: the label of each entry, by the step it leads to."""
    entries = {
        "start": ("/start", content.start),
        "menu": ("/menu", content.menu),
        "emergency": ("/112 · 112 under every step", content.emergency),
        "privacy": ("/privacy", content.privacy),
        "help": ("/help", content.help),
    }
    if "emergency" not in content.navigation:
        entries["emergency"] = ("/112", content.emergency)
    for concern in content.concerns:  # typed words lead there from any step
        entries[f"concern_{concern.kind}"] = (f"typed: {concern.words[0]} …", concern.step)
    return {name: f"{label}|{ref}" for name, (label, ref) in entries.items()}


def picture(content: Content, flow: str | None = None) -> Picture:
    """The steps and arrows to draw: the whole pack, or one flow and its neighbours."""
    all_edges = list(_edges(content))
    folded: dict[str, int] = {}
    if flow is None:
        shown = set(content.steps)
        # The whole pack: the many buttons back to the menu or to their flow's start would
        # draw a web over everything; each such target says how many lead back to it instead.
        chosen = []
        for edge in all_edges:
            if _leads_back(content, edge):
                folded[edge.target] = folded.get(edge.target, 0) + 1
            else:
                chosen.append(edge)
    else:
        own = {ref for ref in content.steps if ref.split(".", 1)[0] == flow}
        chosen = [e for e in all_edges if e.source in own or e.target in own]
        shown = own | {e.source for e in chosen} | {e.target for e in chosen}
    flows: dict[str, list[str]] = {}
    for ref in content.steps:
        if ref in shown:
            flows.setdefault(ref.split(".", 1)[0], []).append(ref)
    entries: dict[str, str] = {}
    for name, value in entry_points(content).items():
        label, ref = value.split("|", 1)
        if ref in shown:
            entries[f"entry_{name}"] = label
            chosen.append(Edge(f"entry_{name}", ref, "", "entry"))
    return Picture(
        flows=flows,
        titles={fid: f.title for fid, f in content.flows.items()},
        steps=dict(content.steps),
        edges=chosen,
        entries=entries,
        unreachable={ref for ref in shown if ref not in reachable(content)},
        emergency=content.emergency,
        folded=folded,
    )


def _leads_back(content: Content, edge: Edge) -> bool:
    """A button back to the pack's menu or to the start of the button's own flow."""
    if edge.kind != "option" or edge.source == edge.target:
        return False
    flow = content.flows.get(edge.source.split(".", 1)[0])
    return edge.target == content.menu or (flow is not None and edge.target == flow.start)


def _edges(content: Content) -> Iterator[Edge]:
    for step in content.steps.values():
        for out in kind_of(step.way).exits(step.way):
            yield Edge(step.ref, out.target, _label(out), out.kind)


def _label(out: Exit) -> str:
    """A button's label, with the conditions it shows under: "Barn (if age=child)"."""
    condition = ", ".join(f"{c.var}={'|'.join(sorted(c.values))}" for c in out.when)
    return f"{out.label} (if {condition})" if condition else out.label


def _box(step: Step, unreachable: bool, folded: int = 0) -> str:
    text = step.say[0] if step.say else ""
    excerpt = " ".join(text.split())
    if len(excerpt) > EXCERPT:
        excerpt = excerpt[: EXCERPT - 1].rstrip() + "…"
    lines = [step.id]
    if excerpt:
        lines.append(excerpt)
    if folded:
        lines.append(f"(↩ {folded} buttons lead back here)")
    if unreachable:
        lines.append("(unreachable)")
    return "\n".join(lines)


# --- Mermaid -------------------------------------------------------------------------------


def _mermaid_id(ref: str) -> str:
    return ref.replace(".", "__")


def _mermaid_text(text: str) -> str:
    escaped = text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;")
    return escaped.replace(">", "#gt;").replace("\n", "<br/>")


_MERMAID_ARROWS = {"option": "-->", "next": "-.->", "ask": "-.->", "otherwise": "-.->"}


def mermaid(content: Content, flow: str | None = None) -> str:
    """The pack (or one flow) as a Mermaid flowchart."""
    pic = picture(content, flow)
    lines = ["flowchart TD"]
    for name, label in pic.entries.items():
        lines.append(f'  {name}(["{_mermaid_text(label)}"]):::entry')
    for flow_id, refs in pic.flows.items():
        title = _mermaid_text(pic.titles.get(flow_id, flow_id))
        lines.append(f'  subgraph {flow_id}["{flow_id}: {title}"]')
        for ref in refs:
            box = _mermaid_text(
                _box(pic.steps[ref], ref in pic.unreachable, pic.folded.get(ref, 0))
            )
            lines.append(f'    {_mermaid_id(ref)}["{box}"]')
        lines.append("  end")
    for edge in pic.edges:
        source = edge.source if edge.kind == "entry" else _mermaid_id(edge.source)
        target = _mermaid_id(edge.target)
        arrow = "==>" if edge.target == pic.emergency else _MERMAID_ARROWS.get(edge.kind, "-->")
        label = f'|"{_mermaid_text(edge.label)}"|' if edge.label else ""
        lines.append(f"  {source} {arrow}{label} {target}")
    lines.append("  classDef entry fill:#eef,stroke:#447")
    lines.append("  classDef emergency fill:#fdd,stroke:#c00,stroke-width:3px")
    lines.append("  classDef unreachable stroke-dasharray:5 5,stroke:#999,color:#777")
    if pic.emergency in pic.steps and any(pic.emergency in refs for refs in pic.flows.values()):
        lines.append(f"  class {_mermaid_id(pic.emergency)} emergency")
    if pic.unreachable:
        ids = ",".join(_mermaid_id(ref) for ref in sorted(pic.unreachable))
        lines.append(f"  class {ids} unreachable")
    return "\n".join(lines) + "\n"


# --- Graphviz DOT ----------------------------------------------------------------------------


def _dot_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


_DOT_STYLES = {
    "option": "",
    "next": ", style=dashed",
    "ask": ", style=dotted",
    "otherwise": ", style=dotted",
    "entry": ', color="#444477"',
}


def dot(content: Content, flow: str | None = None) -> str:
    """The pack (or one flow) as a Graphviz digraph; ``dot -Tsvg`` draws it."""
    pic = picture(content, flow)
    lines = [
        "digraph lotsen {",
        "  rankdir=TB;",
        '  node [shape=box, style="rounded", fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    for name, label in pic.entries.items():
        lines.append(
            f'  {name} [label={_dot_text(label)}, shape=oval, style=filled, fillcolor="#eeeeff"];'
        )
    for flow_id, refs in pic.flows.items():
        title = pic.titles.get(flow_id, flow_id)
        lines.append(f"  subgraph cluster_{flow_id} {{")
        lines.append(f"    label={_dot_text(f'{flow_id}: {title}')};")
        for ref in refs:
            box = _box(pic.steps[ref], ref in pic.unreachable, pic.folded.get(ref, 0))
            attributes = [f"label={_dot_text(box)}"]
            if ref == pic.emergency:
                attributes.append('style="rounded,filled,bold", fillcolor="#ffdddd", color=red')
            elif ref in pic.unreachable:
                attributes.append('style="rounded,dashed", fontcolor=gray40')
            lines.append(f"    {_dot_text(ref)} [{', '.join(attributes)}];")
        lines.append("  }")
    for edge in pic.edges:
        source = edge.source if edge.kind == "entry" else _dot_text(edge.source)
        style = _DOT_STYLES.get(edge.kind, "")
        if edge.target == pic.emergency:
            style += ", color=red, penwidth=2"
        label = f"label={_dot_text(edge.label)}" if edge.label else 'label=""'
        lines.append(f"  {source} -> {_dot_text(edge.target)} [{label}{style}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
