#!/usr/bin/env python3
"""Lay out BPMN 2.0 files: write complete diagram interchange (BPMNDI) for semantic BPMN.

    python tools/bpmn_layout.py FILE.bpmn [FILE.bpmn ...]          rewrite each file's diagram in place
    python tools/bpmn_layout.py --check FILE.bpmn [FILE.bpmn ...]  report missing/incomplete/overlapping DI

The drawing follows the way people draw in bpmn-js: left to right, one pool per participant stacked
vertically, one horizontal band per lane.  Columns come from longest-path layering over the sequence
flows (back edges found by a depth-first search are left out, so loops do not stretch the drawing);
nodes of one lane and column are stacked in rows.  Flows are orthogonal: forward flows leave on the
right and enter on the left (gateways may use their top/bottom corners), loops run back below the
nodes.  Only the ``BPMNDiagram`` elements are replaced; the semantic XML is kept byte for byte.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from xml.sax.saxutils import quoteattr

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
DI_NAMESPACES = {"bpmndi": BPMNDI, "dc": DC, "di": DI}

TASKS = frozenset(
    {
        "task",
        "userTask",
        "serviceTask",
        "scriptTask",
        "manualTask",
        "businessRuleTask",
        "sendTask",
        "receiveTask",
        "callActivity",
        "subProcess",
        "transaction",
        "adHocSubProcess",
    }
)
SUB_PROCESSES = frozenset({"subProcess", "transaction", "adHocSubProcess"})
EVENTS = frozenset(
    {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"}
)
GATEWAYS = frozenset(
    {"exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway", "complexGateway"}
)
FLOW_NODES = TASKS | EVENTS | GATEWAYS
ARTIFACT_SIZES = {
    "dataObjectReference": (36, 50),
    "dataStoreReference": (50, 50),
    "textAnnotation": (100, 30),
}
SHAPE_KINDS = FLOW_NODES | set(ARTIFACT_SIZES) | {"participant", "lane"}
EDGE_KINDS = frozenset(
    {"sequenceFlow", "messageFlow", "association", "dataInputAssociation", "dataOutputAssociation"}
)

COL_W = 160  # column pitch
ROW_H = 140  # minimal row (and lane) height
ROW_MID = 70  # node centre below the row top
LEFT_PAD = 80  # first column centre after the lane label strip
RIGHT_PAD = 70
LABEL_STRIP = 30  # pool and lane label strips
POOL_GAP = 60
ORIGIN_X, ORIGIN_Y = 160, 80
MIN_POOL_W = 600
CHANNEL_STEP = 10  # distance between parallel loop-back flows
LABEL_MAX_W = 90  # bpmn-js wraps external labels at 90 px
LABEL_LINE_H = 14
CHAR_W = 7.0  # generous advance of an 11 px Persian glyph (bpmn-js wraps at the label's DI width)
LATIN_W = 6.0
NARROW = "\u200c\u200d\u200e\u200f"  # zero-width joiners and direction marks


def localname(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def bpmn_children(el: etree._Element) -> Iterator[etree._Element]:
    for child in el:
        if isinstance(child.tag, str) and etree.QName(child).namespace == BPMN:
            yield child


def make_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)


# --------------------------------------------------------------------------------------------------
# Geometry


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    w: int
    h: int

    @property
    def right(self) -> int:
        return self.x + self.w

    @property
    def bottom(self) -> int:
        return self.y + self.h

    @property
    def cx(self) -> int:
        return self.x + self.w // 2

    @property
    def cy(self) -> int:
        return self.y + self.h // 2

    def overlaps(self, other: Box, margin: int = 0) -> bool:
        return (
            self.x - margin < other.right
            and other.x < self.right + margin
            and self.y - margin < other.bottom
            and other.y < self.bottom + margin
        )

    def contains(self, other: Box) -> bool:
        return (
            self.x <= other.x
            and self.y <= other.y
            and other.right <= self.right
            and other.bottom <= self.bottom
        )

    def hit_by(self, a: tuple[int, int], b: tuple[int, int], margin: int = 2) -> bool:
        """Whether the axis-parallel segment a-b passes through this box (grown by margin)."""
        x1, x2 = sorted((a[0], b[0]))
        y1, y2 = sorted((a[1], b[1]))
        return (
            x1 < self.right + margin
            and x2 > self.x - margin
            and y1 < self.bottom + margin
            and y2 > self.y - margin
        )


def centred(cx: int, cy: int, w: int, h: int) -> Box:
    return Box(cx - w // 2, cy - h // 2, w, h)


def simplify(points: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Drop repeated points and the middle one of three collinear points."""
    out: list[tuple[int, int]] = []
    for p in points:
        if out and out[-1] == p:
            continue
        if len(out) >= 2:
            a, b = out[-2], out[-1]
            if (a[0] == b[0] == p[0]) or (a[1] == b[1] == p[1]):
                out[-1] = p
                continue
        out.append(p)
    return out


def text_width(text: str) -> float:
    return sum(
        0 if ch in NARROW else 3.5 if ch == " " else LATIN_W if ch < "\u0600" else CHAR_W for ch in text
    )


def label_size(text: str, max_w: int = LABEL_MAX_W) -> tuple[int, int]:
    """The box bpmn-js needs for an external label: words wrapped at max_w, 14 px lines."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and text_width(candidate) + 4 > max_w:
            lines.append(current)
            current = word
        else:
            current = candidate
    lines.append(current)
    count = sum(max(1, math.ceil((text_width(line) + 4) / max_w)) for line in lines)
    return min(max_w, math.ceil(max(text_width(line) for line in lines)) + 4), LABEL_LINE_H * count


def collinear_overlap(s1: tuple[tuple[int, int], ...], s2: tuple[tuple[int, int], ...]) -> bool:
    """Whether two axis-parallel segments run on one line over a stretch."""
    (a, b), (c, d) = s1, s2
    if a[1] == b[1] == c[1] == d[1]:
        lo, hi = sorted((a[0], b[0]))
        return max(lo, min(c[0], d[0])) < min(hi, max(c[0], d[0]))
    if a[0] == b[0] == c[0] == d[0]:
        lo, hi = sorted((a[1], b[1]))
        return max(lo, min(c[1], d[1])) < min(hi, max(c[1], d[1]))
    return False


def own_stretches(
    a: tuple[int, int], b: tuple[int, int], others: list[tuple[tuple[int, int], tuple[int, int]]]
) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """The parts of segment a-b (in its direction) that no other segment runs along."""
    axis = 0 if a[1] == b[1] else 1
    lo, hi = sorted((a[axis], b[axis]))
    free = [(lo, hi)]
    for c, d in others:
        o_lo, o_hi = sorted((c[axis], d[axis]))
        free = [piece for f_lo, f_hi in free for piece in ((f_lo, min(f_hi, o_lo)), (max(f_lo, o_hi), f_hi))]
        free = [(x, y) for x, y in free if y - x > 0]
    if a[axis] > b[axis]:
        free = [(y, x) for x, y in reversed(free)]

    def point(v: int) -> tuple[int, int]:
        return (v, a[1]) if axis == 0 else (a[0], v)

    return [(point(x), point(y)) for x, y in free]


def beside(a: tuple[int, int], b: tuple[int, int], w: int, h: int, step: int = 20) -> Iterator[Box]:
    """Label boxes along the segment a-b, nearest to a first, on both sides of the line."""
    if a[1] == b[1]:
        length, sign = abs(b[0] - a[0]), (1 if b[0] >= a[0] else -1)
        for t in range(6, max(7, length - 6 - w + 1), step):
            x = a[0] + t if sign > 0 else a[0] - t - w
            yield Box(x, a[1] - 3 - h, w, h)
            yield Box(x, a[1] + 3, w, h)
    else:
        length, sign = abs(b[1] - a[1]), (1 if b[1] >= a[1] else -1)
        for t in range(6, max(7, length - 6 - h + 1), step):
            y = a[1] + t if sign > 0 else a[1] - t - h
            yield Box(a[0] + 4, y, w, h)
            yield Box(a[0] - 4 - w, y, w, h)


# --------------------------------------------------------------------------------------------------
# The semantic model of one flow-element container (a process or a sub-process)


@dataclass
class Item:
    """Something drawn as a shape: a flow node or an artifact."""

    id: str
    tag: str
    name: str
    order: int
    host: str | None = None  # boundary events
    band: int = 0
    col: int = 0
    row: int = 0
    box: Box = field(default_factory=lambda: Box(0, 0, 0, 0))
    label: Box | None = None

    @property
    def is_artifact(self) -> bool:
        return self.tag in ARTIFACT_SIZES

    @property
    def size(self) -> tuple[int, int]:
        if self.tag in TASKS:
            return 100, 80
        if self.tag in GATEWAYS:
            return 50, 50
        if self.tag in EVENTS:
            return 36, 36
        return ARTIFACT_SIZES[self.tag]


@dataclass
class Flow:
    """Something drawn as an edge."""

    id: str
    tag: str
    source: str
    target: str
    name: str
    order: int
    points: list[tuple[int, int]] = field(default_factory=list)
    label: Box | None = None


@dataclass
class Lane:
    id: str
    depth: int
    bands: list[int]
    box: Box = field(default_factory=lambda: Box(0, 0, 0, 0))


def refs(el: etree._Element, name: str) -> list[str]:
    return [(c.text or "").strip() for c in bpmn_children(el) if localname(c) == name]


class ContainerLayout:
    """Columns, lane bands, rows and finally coordinates for the flow elements of one container."""

    def __init__(self, container: etree._Element, draw_lanes: bool, extra: Iterable[etree._Element] = ()):
        self.container = container
        self.items: dict[str, Item] = {}
        self.flows: list[Flow] = []  # sequence flows
        self.links: list[Flow] = []  # associations and data associations
        order = 0
        elements = [*bpmn_children(container), *extra]
        for el in elements:
            tag, el_id = localname(el), el.get("id")
            if not el_id:
                continue
            if tag in FLOW_NODES or tag in ARTIFACT_SIZES:
                self.items[el_id] = Item(
                    el_id, tag, (el.get("name") or el.findtext(f"{{{BPMN}}}text") or ""), order
                )
                if tag == "boundaryEvent":
                    self.items[el_id].host = el.get("attachedToRef")
                order += 1
        artifacts = {i for i, item in self.items.items() if item.is_artifact}
        for item in self.items.values():
            host = self.items.get(item.host) if item.host else None
            if item.host and (host is None or host.is_artifact or host.host):
                item.host = None  # attached to nothing that can carry it: drawn as a free event
        for el in elements:
            tag, el_id = localname(el), el.get("id")
            if not el_id:
                continue
            if tag == "sequenceFlow":
                src, tgt = el.get("sourceRef"), el.get("targetRef")
                if src in self.items and tgt in self.items and not {src, tgt} & artifacts:
                    self.flows.append(Flow(el_id, tag, src, tgt, el.get("name") or "", order))
            elif tag == "association":
                self.links.append(Flow(el_id, tag, el.get("sourceRef"), el.get("targetRef"), "", order))
            elif tag in TASKS:
                for assoc in bpmn_children(el):
                    kind = localname(assoc)
                    if kind == "dataInputAssociation" and assoc.get("id"):
                        src = next((r for r in refs(assoc, "sourceRef") if r in self.items), None)
                        if src:
                            self.links.append(Flow(assoc.get("id"), kind, src, el_id, "", order))
                    elif kind == "dataOutputAssociation" and assoc.get("id"):
                        tgt = next((r for r in refs(assoc, "targetRef") if r in self.items), None)
                        if tgt:
                            self.links.append(Flow(assoc.get("id"), kind, el_id, tgt, "", order))
            order += 1
        self.lanes: list[Lane] = []
        self.band_lane: list[str | None] = [None]
        lane_of = self._read_lanes(container) if draw_lanes else {}
        self._layer()
        self._assign_bands(lane_of)
        self._assign_rows()
        self._assign_channels()

    # -- structure ---------------------------------------------------------------------------------

    def _read_lanes(self, container: etree._Element) -> dict[str, int]:
        lane_of: dict[str, int] = {}
        bands: list[str] = []

        def walk(lane_set: etree._Element, depth: int) -> list[int]:
            covered: list[int] = []
            for lane_el in bpmn_children(lane_set):
                if localname(lane_el) != "lane" or not lane_el.get("id"):
                    continue
                lane = Lane(lane_el.get("id"), depth, [])
                self.lanes.append(lane)
                child_sets = [c for c in bpmn_children(lane_el) if localname(c) == "childLaneSet"]
                for child_set in child_sets:
                    lane.bands += walk(child_set, depth + 1)
                if not lane.bands:
                    bands.append(lane.id)
                    lane.bands = [len(bands) - 1]
                for ref in refs(lane_el, "flowNodeRef"):
                    lane_of.setdefault(ref, lane.bands[0])
                covered += lane.bands
            return covered

        for lane_set in bpmn_children(container):
            if localname(lane_set) == "laneSet":
                walk(lane_set, 0)
        if bands:
            self.band_lane = list(bands)
        return lane_of

    @property
    def lane_depth(self) -> int:
        return max((lane.depth + 1 for lane in self.lanes), default=0)

    def layer_id(self, item_id: str) -> str:
        item = self.items[item_id]
        return item.host if item.host else item_id

    def _layer(self) -> None:
        """Longest-path columns over the sequence flows, boundary flows counted from their host."""
        nodes = [i for i in self.items.values() if not i.is_artifact and not i.host]
        succ: dict[str, list[tuple[str, Flow]]] = {n.id: [] for n in nodes}
        indeg: dict[str, int] = dict.fromkeys(succ, 0)
        for f in self.flows:
            if self.items[f.target].host:
                continue
            succ[self.layer_id(f.source)].append((f.target, f))
            indeg[f.target] += 1
        roots = (
            [n.id for n in nodes if n.tag == "startEvent"]
            + [n.id for n in nodes if indeg[n.id] == 0]
            + [n.id for n in nodes]
        )
        self.back: set[str] = set()
        state: dict[str, int] = {}
        for root in roots:
            if root in state:
                continue
            state[root] = 1
            stack = [(root, iter(succ[root]))]
            while stack:
                node, it = stack[-1]
                for target, f in it:
                    if state.get(target) == 1:
                        self.back.add(f.id)
                    elif target not in state:
                        state[target] = 1
                        stack.append((target, iter(succ[target])))
                        break
                else:
                    state[node] = 2
                    stack.pop()
        self.forward = [f for f in self.flows if f.id not in self.back and not self.items[f.target].host]
        remaining = dict.fromkeys(succ, 0)
        for f in self.forward:
            remaining[f.target] += 1
        ready = [n.id for n in nodes if remaining[n.id] == 0]
        self.topo: list[str] = []
        while ready:
            node = ready.pop(0)
            self.topo.append(node)
            for target, f in succ[node]:
                if f.id in self.back:
                    continue
                self.items[target].col = max(self.items[target].col, self.items[node].col + 1)
                remaining[target] -= 1
                if remaining[target] == 0:
                    ready.append(target)
        for item in self.items.values():
            if item.host:
                item.col = self.items[item.host].col
        self.ncols = max((i.col for i in self.items.values()), default=0) + 1

    def _assign_bands(self, lane_of: dict[str, int]) -> None:
        """A node sits in its lane's band; unlisted nodes join a neighbour's band."""
        unplaced = []
        for node_id in self.topo:
            if node_id in lane_of:
                self.items[node_id].band = lane_of[node_id]
            else:
                unplaced.append(node_id)
        neighbours: dict[str, list[str]] = {n: [] for n in unplaced}
        for f in self.flows:
            src, tgt = self.layer_id(f.source), self.layer_id(f.target)
            if tgt in neighbours:
                neighbours[tgt].append(src)
        for f in self.flows:
            src, tgt = self.layer_id(f.source), self.layer_id(f.target)
            if src in neighbours:
                neighbours[src].append(tgt)
        for node_id in unplaced:
            known = [n for n in neighbours[node_id] if n in lane_of]
            band = lane_of[known[0]] if known else 0
            lane_of[node_id] = band
            self.items[node_id].band = band
        for item in self.items.values():
            if item.host:
                item.band = self.items[item.host].band

    def _assign_rows(self) -> None:
        """Stack the nodes of one band and column in rows, then find corridor rows for long flows."""
        occupied: dict[tuple[int, int, int], str] = {}
        preds: dict[str, list[tuple[str, int]]] = {}
        outgoing_index: dict[str, int] = {}
        by_col: dict[int, list[Item]] = {}
        for node_id in self.topo:
            by_col.setdefault(self.items[node_id].col, []).append(self.items[node_id])
        long_flows: list[Flow] = []
        for f in self.forward:
            src = self.layer_id(f.source)
            index = outgoing_index.get(src, 0)
            outgoing_index[src] = index + 1
            preds.setdefault(f.target, []).append((src, index + (1000 if self.items[f.source].host else 0)))
            if self.items[f.target].col - self.items[src].col >= 2:
                long_flows.append(f)
        self.corridor: dict[str, tuple[int, int]] = {}
        for col in range(self.ncols):
            candidates = []
            for node in by_col.get(col, []):
                keys = [
                    (self.items[p].row + (1 if idx >= 1000 else 0), self.items[p].row, idx)
                    for p, idx in preds.get(node.id, [])
                    if self.items[p].band == node.band
                ]
                candidates.append((min(keys) if keys else (0, 0, 0), node.order, node))
            for key, _, node in sorted(candidates, key=lambda c: (c[0], c[1])):
                row = key[0]
                while (node.band, col, row) in occupied:
                    row += 1
                node.row = row
                occupied[(node.band, col, row)] = node.id
        # Flows spanning columns get a straight corridor through the columns they pass, in the first
        # row free across all of them (after the nodes, so a skipped block keeps its rows compact).
        chains = []
        for f in long_flows:
            src = self.items[self.layer_id(f.source)]
            chains.append((src.col, src.row + (1 if self.items[f.source].host else 0), f.order, f, src))
        for col, pref, _, f, src in sorted(chains, key=lambda c: c[:3]):
            span = range(col + 1, self.items[f.target].col)
            row = pref
            while any((src.band, c, row) in occupied for c in span):
                row += 1
            for c in span:
                occupied[(src.band, c, row)] = f.id
            self.corridor[f.id] = (src.band, row)
        for item in self.items.values():
            if item.host:
                item.row = self.items[item.host].row
        for item in self.items.values():
            if not item.is_artifact:
                continue
            anchor = self._artifact_anchor(item)
            if anchor:
                item.col, item.band, row = anchor.col, anchor.band, anchor.row + 1
            else:
                item.col, item.band, row = 0, 0, 0
            while (item.band, item.col, row) in occupied:
                row += 1
            item.row = row
            occupied[(item.band, item.col, row)] = item.id
        self.rows = [1] * len(self.band_lane)
        for band, _, row in occupied:
            self.rows[band] = max(self.rows[band], row + 1)

    def _artifact_anchor(self, item: Item) -> Item | None:
        for link in self.links:
            other = link.target if link.source == item.id else link.source if link.target == item.id else None
            flow = next((f for f in self.flows if f.id == other), None)
            if flow:
                other = flow.source
            if other in self.items and not self.items[other].is_artifact:
                return self.items[self.layer_id(other)]
        return None

    def _assign_channels(self) -> None:
        """Loop-back flows run in channels below the lower of their end rows."""
        self.channel: dict[str, tuple[int, int, int]] = {}
        taken: dict[tuple[int, int], list[tuple[int, int, int]]] = {}
        loops = []
        for f in self.flows:
            if f.id not in self.back:
                continue
            src, tgt = self.items[self.layer_id(f.source)], self.items[f.target]
            where = max((src.band, src.row), (tgt.band, tgt.row))
            lo, hi = sorted((src.col, tgt.col))
            loops.append((hi - lo, lo, hi, f.order, f, where))
        for _, lo, hi, _, f, where in sorted(loops, key=lambda x: x[:4]):
            used = {k for a, b, k in taken.get(where, []) if not (b < lo or hi < a)}
            k = next(k for k in range(len(used) + 1) if k not in used)
            taken.setdefault(where, []).append((lo, hi, k))
            self.channel[f.id] = (*where, k)
        hosts_with_events = {
            (self.items[i.host].band, self.items[i.host].row) for i in self.items.values() if i.host
        }
        self.row_h: dict[tuple[int, int], int] = {}
        self.channel_base: dict[tuple[int, int], int] = {}
        for band, rows in enumerate(self.rows):
            for row in range(rows):
                base = 148 if (band, row) in hosts_with_events else 126
                ks = [k for a, b, k in taken.get((band, row), [])]
                self.channel_base[(band, row)] = base
                self.row_h[(band, row)] = max(ROW_H, base + CHANNEL_STEP * max(ks) + 14) if ks else ROW_H

    # -- sizes and coordinates ---------------------------------------------------------------------

    def band_height(self, band: int) -> int:
        return sum(self.row_h[(band, r)] for r in range(self.rows[band]))

    @property
    def height(self) -> int:
        return sum(self.band_height(b) for b in range(len(self.band_lane)))

    @property
    def content_width(self) -> int:
        return LEFT_PAD + (self.ncols - 1) * COL_W + 50 + RIGHT_PAD

    def place(self, left: int, top: int, width: int) -> None:
        """Give every item, lane and flow its coordinates; left/top are those of the first band."""
        self.left, self.top, self.width = left, top, width
        self.row_top: dict[tuple[int, int], int] = {}
        y = top
        band_top = []
        for band in range(len(self.band_lane)):
            band_top.append(y)
            for row in range(self.rows[band]):
                self.row_top[(band, row)] = y
                y += self.row_h[(band, row)]
        band_top.append(y)
        depth = self.lane_depth
        self.content_left = left + LABEL_STRIP * depth
        for lane in self.lanes:
            x = left + LABEL_STRIP * lane.depth
            y0, y1 = band_top[min(lane.bands)], band_top[max(lane.bands) + 1]
            lane.box = Box(x, y0, left + width - x, y1 - y0)
        hosts: dict[str, list[Item]] = {}
        for item in sorted(self.items.values(), key=lambda i: i.order):
            if item.host:
                hosts.setdefault(item.host, []).append(item)
                continue
            w, h = item.size
            cx = self.col_x(item.col)
            if item.is_artifact and item.tag != "textAnnotation":
                cx -= 25  # beside the anchor's centre line, clear of its boundary events
            item.box = centred(cx, self.row_top[(item.band, item.row)] + ROW_MID, w, h)
        for host_id, events in hosts.items():
            host = self.items[host_id].box
            for index, event in enumerate(events):
                group, pos = divmod(index, 3)
                in_group = min(3, len(events) - group * 3)
                offsets = {1: [25], 2: [-25, 25], 3: [-36, 0, 36]}[in_group]
                y = host.bottom if group % 2 == 0 else host.y
                event.box = centred(host.cx + offsets[pos], y, 36, 36)
        self.band_top = band_top
        self._route()

    def col_x(self, col: int) -> int:
        return self.content_left + LEFT_PAD + col * COL_W

    def gap_x(self, col: int) -> int:
        """The x of the free strip just left of column col."""
        return max(self.col_x(col) - COL_W // 2, self.content_left + 15)

    # -- edges -------------------------------------------------------------------------------------

    def clear(self, points: list[tuple[int, int]], skip: set[str]) -> bool:
        for a, b in pairwise(points):
            if a[0] != b[0] and a[1] != b[1]:
                return False
            for item in self.items.values():
                if item.id not in skip and item.box.hit_by(a, b):
                    return False
        return True

    def pick(self, candidates: list[list[tuple[int, int]]], skip: set[str]) -> list[tuple[int, int]]:
        paths = [simplify(c) for c in candidates if c]
        for path in paths:
            if len(path) >= 2 and self.clear(path, skip):
                return path
        return paths[-1]

    def _route(self) -> None:
        for f in self.flows:
            src, tgt = self.items[f.source], self.items[f.target]
            skip = {src.id, tgt.id} | ({src.host} if src.host else set())
            if f.id in self.back:
                f.points = self.pick(self._loop_routes(f, src, tgt), skip)
            else:
                f.points = self.pick(self._forward_routes(f, src, tgt), skip)
        routed = {f.id: f.points for f in self.flows}
        for link in self.links:
            ends = []
            for end in (link.source, link.target):
                if end in self.items:
                    ends.append(self.items[end].box)
                elif routed.get(end):  # an annotated sequence flow: the middle of its middle segment
                    points = routed[end]
                    (x1, y1), (x2, y2) = points[(len(points) - 1) // 2], points[len(points) // 2]
                    ends.append(Box((x1 + x2) // 2, (y1 + y2) // 2, 0, 0))
            if len(ends) == 2:
                link.points = self.pick(self._link_routes(*ends), {link.source, link.target})
        self._separate_verticals()

    def _separate_verticals(self) -> None:
        """Shift inner vertical segments sharing an x so unrelated flows do not run on one line."""
        placed: dict[int, list[tuple[int, int, Flow]]] = {}
        for f in self.flows:
            for i in range(1, len(f.points) - 2):
                (x, y1), (x2, y2) = f.points[i], f.points[i + 1]
                if x != x2:
                    continue
                lo, hi = sorted((y1, y2))
                for shift in (0, 8, -8, 16, -16, 24, -24):
                    clash = any(
                        lo < b and a < hi and not (g.source == f.source or g.target == f.target)
                        for a, b, g in placed.get(x + shift, [])
                    )
                    if not clash:
                        break
                placed.setdefault(x + shift, []).append((lo, hi, f))
                f.points[i] = (x + shift, y1)
                f.points[i + 1] = (x + shift, y2)

    def _forward_routes(self, f: Flow, src: Item, tgt: Item) -> list[list[tuple[int, int]]]:
        s, t = src.box, tgt.box
        sy, ty = s.cy, t.cy
        host_col = self.items[src.host].col if src.host else src.col
        gap_out, gap_in = self.gap_x(host_col + 1), self.gap_x(tgt.col)
        level = ty
        if f.id in self.corridor:
            band, row = self.corridor[f.id]
            level = self.row_top[(band, row)] + ROW_MID
        tails = []
        if level == ty:
            tails.append([(t.x, ty)])
        if tgt.tag in GATEWAYS and level != ty:
            tails.append([(t.cx, level), (t.cx, t.y if level < ty else t.bottom)])
        tails.append([(gap_in, level), (gap_in, ty), (t.x, ty)])
        heads: list[list[tuple[int, int]]] = []
        if src.host:
            down = s.bottom if s.cy >= self.items[src.host].box.cy else s.y
            step = down + (8 if down == s.bottom else -8)
            if (level > s.bottom) == (down == s.bottom) and level != s.cy:
                heads.append([(s.cx, down), (s.cx, level)])
            heads.append([(s.cx, down), (s.cx, step), (gap_out, step), (gap_out, level)])
        else:
            if level == sy:
                heads.append([(s.right, sy)])
            if src.tag in GATEWAYS and level != sy:
                heads.append([(s.cx, s.bottom if level > sy else s.y), (s.cx, level)])
            heads.append([(s.right, sy), (gap_out, sy), (gap_out, level)])
        return [head + tail for head in heads for tail in tails]

    def _loop_routes(self, f: Flow, src: Item, tgt: Item) -> list[list[tuple[int, int]]]:
        s, t = src.box, tgt.box
        band, row, k = self.channel[f.id]
        y = self.row_top[(band, row)] + self.channel_base[(band, row)] + CHANNEL_STEP * k
        host_col = self.items[src.host].col if src.host else src.col
        gap_out, gap_in = self.gap_x(host_col + 1), self.gap_x(tgt.col)
        if src.id == tgt.id:
            return [[(s.cx + 20, s.bottom), (s.cx + 20, y), (s.cx - 20, y), (s.cx - 20, s.bottom)]]
        heads = [[(self.bottom_port(src), s.bottom), (self.bottom_port(src), y)]]
        if not src.host:
            heads.append([(s.right, s.cy), (gap_out, s.cy), (gap_out, y)])
        tails = [
            [(self.bottom_port(tgt), y), (self.bottom_port(tgt), t.bottom)],
            [(gap_in, y), (gap_in, t.cy), (t.x, t.cy)],
        ]
        return [head + tail for head in heads for tail in tails]

    def bottom_port(self, item: Item) -> int:
        """An x on the item's bottom edge clear of its boundary events."""
        events = [e.box.cx for e in self.items.values() if e.host == item.id and e.box.cy == item.box.bottom]
        for dx in (0, -15, 15, -30, 30):
            if all(abs(item.box.cx + dx - x) > 24 for x in events):
                return item.box.cx + dx
        return item.box.cx

    def _link_routes(self, a: Box, b: Box) -> list[list[tuple[int, int]]]:
        if a.x < b.right and b.x < a.right:
            x = (max(a.x, b.x) + min(a.right, b.right)) // 2
            return [[(x, a.bottom), (x, b.y)] if a.cy < b.cy else [(x, a.y), (x, b.bottom)]]
        if a.right <= b.x:
            return [[(a.right, a.cy), (b.cx, a.cy), (b.cx, b.y if b.cy > a.cy else b.bottom)]]
        return [[(a.x, a.cy), (b.cx, a.cy), (b.cx, b.y if b.cy > a.cy else b.bottom)]]


# --------------------------------------------------------------------------------------------------
# Diagrams: pools, message flows and labels


@dataclass
class Diagram:
    plane_element: str
    shapes: list[tuple[str, Box, Box | None, dict[str, str]]] = field(default_factory=list)
    edges: list[tuple[str, list[tuple[int, int]], Box | None]] = field(default_factory=list)


class PlaneLayout:
    """Everything drawn on one plane: pools (or a bare process), message flows, labels."""

    def __init__(self, root: etree._Element, owner: etree._Element):
        self.owner = owner
        self.pools: list[tuple[str, ContainerLayout | None, Box]] = []
        self.layouts: list[ContainerLayout] = []
        self.messages: list[Flow] = []
        processes = {p.get("id"): p for p in root.iter(f"{{{BPMN}}}process")}
        if localname(owner) == "collaboration":
            extra = self._collaboration_artifacts(owner, processes)
            participants = [p for p in bpmn_children(owner) if localname(p) == "participant" and p.get("id")]
            built = []
            for participant in participants:
                process = processes.get(participant.get("processRef"))
                layout = None
                if process is not None:
                    layout = ContainerLayout(process, True, extra.get(process.get("id"), ()))
                built.append((participant.get("id"), layout))
            width = max(
                [MIN_POOL_W]
                + [LABEL_STRIP * (1 + lay.lane_depth) + lay.content_width for _, lay in built if lay]
            )
            y = ORIGIN_Y
            for pid, layout in built:
                if layout is None:
                    box = Box(ORIGIN_X, y, width, 60)
                else:
                    layout.place(ORIGIN_X + LABEL_STRIP, y, width - LABEL_STRIP)
                    self.layouts.append(layout)
                    box = Box(ORIGIN_X, y, width, layout.height)
                self.pools.append((pid, layout, box))
                y = box.bottom + POOL_GAP
            order = 0
            for el in bpmn_children(owner):
                if localname(el) == "messageFlow" and el.get("id"):
                    ends = el.get("sourceRef"), el.get("targetRef")
                    name = el.get("name") or ""
                    self.messages.append(Flow(el.get("id"), "messageFlow", *ends, name, order))
                    order += 1
            self._route_messages()
        else:
            layout = ContainerLayout(owner, False)
            layout.place(ORIGIN_X, ORIGIN_Y, layout.content_width)
            self.layouts.append(layout)
        self._place_labels()

    @staticmethod
    def _collaboration_artifacts(
        collaboration: etree._Element, processes: dict[str, etree._Element]
    ) -> dict[str, list[etree._Element]]:
        """Text annotations and associations of the collaboration go with the process they annotate."""
        owner_of: dict[str, str] = {}
        for pid, process in processes.items():
            for el in process.iter():
                if isinstance(el.tag, str) and el.get("id"):
                    owner_of.setdefault(el.get("id"), pid)
        for participant in bpmn_children(collaboration):
            if localname(participant) == "participant" and participant.get("processRef") in processes:
                owner_of[participant.get("id")] = participant.get("processRef")
        first = next(
            (p.get("processRef") for p in bpmn_children(collaboration) if p.get("processRef") in processes),
            None,
        )
        extra: dict[str, list[etree._Element]] = {}
        elements = list(bpmn_children(collaboration))
        associations = [e for e in elements if localname(e) == "association"]
        for el in elements:
            if localname(el) != "textAnnotation":
                continue
            ends = [
                a.get("targetRef") if a.get("sourceRef") == el.get("id") else a.get("sourceRef")
                for a in associations
                if el.get("id") in (a.get("sourceRef"), a.get("targetRef"))
            ]
            pid = next((owner_of[e] for e in ends if e in owner_of), first)
            if pid:
                extra.setdefault(pid, []).append(el)
                owner_of[el.get("id")] = pid
        for assoc in associations:
            pid = owner_of.get(assoc.get("sourceRef")) or owner_of.get(assoc.get("targetRef"))
            if pid:
                extra.setdefault(pid, []).append(assoc)
        return extra

    def box_of(self, element_id: str) -> Box | None:
        for pid, _, box in self.pools:
            if pid == element_id:
                return box
        for layout in self.layouts:
            if element_id in layout.items:
                return layout.items[element_id].box
        return None

    def pool_of(self, element_id: str) -> Box | None:
        for pid, layout, box in self.pools:
            if pid == element_id or (layout and element_id in layout.items):
                return box
        return None

    def _route_messages(self) -> None:
        for m in self.messages:
            a, b = self.box_of(m.source), self.box_of(m.target)
            pa, pb = self.pool_of(m.source), self.pool_of(m.target)
            if not (a and b and pa and pb):
                continue
            ax, bx = a.cx, b.cx
            if a is pa:
                ax = min(max(b.cx, pa.x + 60), pa.right - 20)
            if b is pb:
                bx = min(max(ax, pb.x + 60), pb.right - 20)
            if pa.y < pb.y:
                mid = (pa.bottom + pb.y) // 2
                m.points = simplify([(ax, a.bottom), (ax, mid), (bx, mid), (bx, b.y)])
            elif pa.y > pb.y:
                mid = (pb.bottom + pa.y) // 2
                m.points = simplify([(ax, a.y), (ax, mid), (bx, mid), (bx, b.bottom)])
            else:
                m.points = [(a.right, a.cy), (b.x, b.cy)] if a.cx < b.cx else [(a.x, a.cy), (b.right, b.cy)]

    # -- labels ------------------------------------------------------------------------------------

    def _place_labels(self) -> None:
        nodes = [i for lay in self.layouts for i in lay.items.values()]
        flows = [f for lay in self.layouts for f in (*lay.flows, *lay.links)] + self.messages
        segments = [(f.id, a, b) for f in flows for a, b in pairwise(f.points)]
        bands = [
            Box(
                lay.content_left,
                lay.band_top[b],
                lay.left + lay.width - lay.content_left,
                lay.band_top[b + 1] - lay.band_top[b],
            )
            for lay in self.layouts
            for b in range(len(lay.band_lane))
        ]
        placed: list[Box] = []

        def score(box: Box, own: str) -> int:
            total = 0
            total += 1000 * sum(1 for n in nodes if n.id != own and box.overlaps(n.box, 2))
            total += 1000 * sum(1 for other in placed if box.overlaps(other, 2))
            total += 10 * sum(1 for _, a, b in segments if box.hit_by(a, b, 1))
            if not any(band.contains(box) for band in bands):
                total += 100
            return total

        def choose(candidates: list[Box], own: str, penalties: list[int] | None = None) -> Box:
            extra = penalties or [0] * len(candidates)
            best = min(range(len(candidates)), key=lambda i: (score(candidates[i], own) + extra[i], i))
            placed.append(candidates[best])
            return candidates[best]

        for item in sorted(nodes, key=lambda i: (i.order, i.id)):
            if not item.name or not (item.tag in EVENTS or item.tag in GATEWAYS or item.is_artifact):
                continue
            if item.tag == "textAnnotation":
                continue
            w, h = label_size(item.name)
            b = item.box
            below = Box(b.cx - w // 2, b.bottom + 5, w, h)
            above = Box(b.cx - w // 2, b.y - 5 - h, w, h)
            if item.host:
                host = next(lay.items[item.host].box for lay in self.layouts if item.host in lay.items)
                candidates = [
                    Box(b.right + 2, host.bottom + 2, w, h),
                    Box(b.x - 2 - w, host.bottom + 2, w, h),
                    below,
                    Box(b.right + 2, b.bottom + 12, w, h),
                    Box(b.x - 2 - w, b.bottom + 12, w, h),
                ]
            elif item.tag in GATEWAYS:
                candidates = [
                    above,
                    below,
                    Box(b.x - w, b.y - 5 - h, w, h),
                    Box(b.right, b.y - 5 - h, w, h),
                    Box(b.x - w, b.bottom + 5, w, h),
                    Box(b.right, b.bottom + 5, w, h),
                ]
            else:
                candidates = [
                    below,
                    above,
                    Box(b.x - w, b.bottom + 5, w, h),
                    Box(b.right, b.bottom + 5, w, h),
                    Box(b.x - w, b.y - 5 - h, w, h),
                    Box(b.right, b.y - 5 - h, w, h),
                ]
            far = [Box(c.x, c.y + dy, c.w, c.h) for c in candidates[:2] for dy in (-16, 16, -32, 32)]
            item.label = choose(candidates + far, item.id)
        for f in sorted(flows, key=lambda f: (f.tag != "sequenceFlow", f.order, f.id)):
            if not f.name or len(f.points) < 2:
                continue
            w, h = label_size(f.name)
            candidates = []
            penalties = []
            for a, b in pairwise(f.points):
                others = [(c, d) for g, c, d in segments if g != f.id and collinear_overlap((a, b), (c, d))]
                pieces = [(a, b, 5)] if others else []
                if others:  # a stretch left after running along other flows: label it near its own end
                    pieces = [(q, p, 0) for p, q in own_stretches(a, b, others)] + pieces
                else:
                    pieces = [(a, b, 0)]
                for p, q, penalty in pieces:
                    sizes = [(w, h)]
                    room = abs(q[0] - p[0]) - 12
                    if p[1] == q[1] and room < w:
                        sizes.append(label_size(f.name, max(40, room)))
                    for size in sizes:
                        for box in beside(p, q, *size):
                            candidates.append(box)
                            penalties.append(penalty)
            if candidates:
                f.label = choose(candidates, "", penalties)

    # -- output ------------------------------------------------------------------------------------

    def diagram(self) -> Diagram:
        d = Diagram(self.owner.get("id"))
        for pid, layout, box in self.pools:
            d.shapes.append((pid, box, None, {"isHorizontal": "true"}))
            for lane in layout.lanes if layout else []:
                d.shapes.append((lane.id, lane.box, None, {"isHorizontal": "true"}))
        for layout in self.layouts:
            for item in sorted(layout.items.values(), key=lambda i: i.order):
                attrs = {}
                if item.tag == "exclusiveGateway":
                    attrs["isMarkerVisible"] = "true"
                if item.tag in SUB_PROCESSES:
                    attrs["isExpanded"] = "false"
                d.shapes.append((item.id, item.box, item.label, attrs))
        for layout in self.layouts:
            for f in (*layout.flows, *layout.links):
                if len(f.points) >= 2:
                    d.edges.append((f.id, f.points, f.label))
        for m in self.messages:
            if len(m.points) >= 2:
                d.edges.append((m.id, m.points, m.label))
        return d


def plan_diagrams(root: etree._Element) -> list[Diagram]:
    """One diagram per collaboration, per process outside any collaboration, per sub-process."""
    owners: list[etree._Element] = []
    in_pool: set[str] = set()
    for collaboration in bpmn_children(root):
        if localname(collaboration) == "collaboration" and collaboration.get("id"):
            owners.append(collaboration)
            in_pool |= {
                p.get("processRef") for p in bpmn_children(collaboration) if localname(p) == "participant"
            }
    for process in bpmn_children(root):
        if localname(process) == "process" and process.get("id") not in in_pool:
            owners.append(process)
    for el in root.iter():
        if localname(el) in SUB_PROCESSES and el.get("id"):
            owners.append(el)
    return [PlaneLayout(root, owner).diagram() for owner in owners]


# --------------------------------------------------------------------------------------------------
# Writing the DI text into the file


def unique_id(wanted: str, taken: set[str]) -> str:
    candidate, n = wanted, 1
    while candidate in taken:
        n += 1
        candidate = f"{wanted}_{n}"
    taken.add(candidate)
    return candidate


def render(diagrams: list[Diagram], taken: set[str], indent: str) -> list[str]:
    """The BPMNDiagram elements as lines, indented one level below the root."""

    def bounds(box: Box) -> str:
        return f'<dc:Bounds x="{box.x}" y="{box.y}" width="{box.w}" height="{box.h}" />'

    lines: list[str] = []
    for n, d in enumerate(diagrams, start=1):
        i1, i2, i3, i4 = indent, indent * 2, indent * 3, indent * 4
        lines.append(f"{i1}<bpmndi:BPMNDiagram id={quoteattr(unique_id(f'BPMNDiagram_{n}', taken))}>")
        lines.append(
            f"{i2}<bpmndi:BPMNPlane id={quoteattr(unique_id(f'BPMNPlane_{n}', taken))} "
            f"bpmnElement={quoteattr(d.plane_element)}>"
        )
        for element_id, box, label, attrs in d.shapes:
            extra = "".join(f' {k}="{v}"' for k, v in attrs.items())
            lines.append(
                f"{i3}<bpmndi:BPMNShape id={quoteattr(unique_id(element_id + '_di', taken))} "
                f"bpmnElement={quoteattr(element_id)}{extra}>"
            )
            lines.append(f"{i4}{bounds(box)}")
            if label:
                lines += [
                    f"{i4}<bpmndi:BPMNLabel>",
                    f"{i4}{indent}{bounds(label)}",
                    f"{i4}</bpmndi:BPMNLabel>",
                ]
            lines.append(f"{i3}</bpmndi:BPMNShape>")
        for element_id, points, label in d.edges:
            lines.append(
                f"{i3}<bpmndi:BPMNEdge id={quoteattr(unique_id(element_id + '_di', taken))} "
                f"bpmnElement={quoteattr(element_id)}>"
            )
            lines += [f'{i4}<di:waypoint x="{x}" y="{y}" />' for x, y in points]
            if label:
                lines += [
                    f"{i4}<bpmndi:BPMNLabel>",
                    f"{i4}{indent}{bounds(label)}",
                    f"{i4}</bpmndi:BPMNLabel>",
                ]
            lines.append(f"{i3}</bpmndi:BPMNEdge>")
        lines += [f"{i2}</bpmndi:BPMNPlane>", f"{i1}</bpmndi:BPMNDiagram>"]
    return lines


class LayoutError(Exception):
    pass


def _tag_end(text: str, start: int) -> int:
    """Index just past the '>' closing the tag that opens at start (quotes respected)."""
    quote = None
    for i in range(start, len(text)):
        ch = text[i]
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == ">":
            return i + 1
    raise LayoutError("unterminated tag")


def _line_start(text: str, pos: int) -> int:
    """Where the whitespace before pos begins, including the preceding newline."""
    i = pos
    while i > 0 and text[i - 1] in " \t":
        i -= 1
    if i > 0 and text[i - 1] == "\n":
        i -= 1
        if i > 0 and text[i - 1] == "\r":
            i -= 1
    return i


def _remove_diagrams(text: str, expected: int) -> tuple[str, int | None]:
    spans = []
    for match in re.finditer(r"<(?:([\w.-]+):)?BPMNDiagram\b", text):
        end = _tag_end(text, match.start())
        if text[end - 2] != "/":
            prefix = f"{match.group(1)}:" if match.group(1) else ""
            close = re.compile(rf"</{re.escape(prefix)}BPMNDiagram\s*>").search(text, end)
            if not close:
                raise LayoutError("unterminated BPMNDiagram")
            end = close.end()
        spans.append((_line_start(text, match.start()), end))
    if len(spans) != expected:
        raise LayoutError("could not find the existing BPMNDiagram elements in the text")
    for start, end in reversed(spans):
        text = text[:start] + text[end:]
    return text, (spans[0][0] if spans else None)


def _root_start_tag(text: str, root: etree._Element) -> tuple[int, int]:
    qname = f"{root.prefix}:{etree.QName(root).localname}" if root.prefix else etree.QName(root).localname
    match = re.compile(rf"<{re.escape(qname)}[\s>]").search(text)
    if not match:
        raise LayoutError("root element not found")
    return match.start(), _tag_end(text, match.start())


def _add_namespaces(text: str, root: etree._Element) -> str:
    missing = []
    for prefix, uri in DI_NAMESPACES.items():
        bound = root.nsmap.get(prefix)
        if bound is None:
            missing.append(prefix)
        elif bound != uri:
            raise LayoutError(f"prefix {prefix!r} is bound to {bound}, not {uri}")
    if not missing:
        return text
    start, end = _root_start_tag(text, root)
    tag = text[start:end]
    declarations = list(re.finditer(r"(\s+)xmlns(?::[\w.-]+)?\s*=\s*(\"[^\"]*\"|'[^']*')", tag))
    wrapped = re.search(r"\r?\n[ \t]*", tag)  # attributes on lines of their own: add ours likewise
    separator = wrapped.group(0) if wrapped else " "
    at = start + declarations[-1].end() if declarations else end - (2 if tag.endswith("/>") else 1)
    added = "".join(f'{separator}xmlns:{p}="{DI_NAMESPACES[p]}"' for p in missing)
    return text[:at] + added + text[at:]


def _indent_unit(text: str, root: etree._Element) -> str:
    _, end = _root_start_tag(text, root)
    match = re.compile(r"\r?\n([ \t]+)<").match(text, end)
    return match.group(1) if match else "  "


def _semantic_c14n(root: etree._Element) -> bytes:
    copy = etree.fromstring(etree.tostring(root), make_parser())
    for d in copy.findall(f"{{{BPMNDI}}}BPMNDiagram"):
        copy.remove(d)
    for el in copy.iter():  # the indentation around the diagram is not part of the semantics
        if el.tail is not None and not el.tail.strip():
            el.tail = None
        if len(el) and el.text is not None and not el.text.strip():
            el.text = None
    return etree.tostring(copy, method="c14n", exclusive=True)


def read(path: Path) -> tuple[bytes, etree._Element]:
    raw = path.read_bytes()
    try:
        root = etree.fromstring(raw, make_parser())
    except etree.XMLSyntaxError as exc:
        raise LayoutError(f"not well-formed XML: {exc}") from exc
    if etree.QName(root).namespace != BPMN or localname(root) != "definitions":
        raise LayoutError("not a BPMN 2.0 definitions document")
    return raw, root


def layout_text(raw: bytes, root: etree._Element) -> bytes:
    """The file's bytes with its BPMNDiagram elements replaced by a fresh layout."""
    if raw.startswith(b"\xef\xbb\xbf") or (root.getroottree().docinfo.encoding or "UTF-8").upper() != "UTF-8":
        raise LayoutError("only UTF-8 files without a byte order mark are supported")
    text = raw.decode("utf-8")
    old = root.findall(f"{{{BPMNDI}}}BPMNDiagram")
    taken = {el.get("id") for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    taken -= {el.get("id") for d in old for el in d.iter() if isinstance(el.tag, str)}
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = render(plan_diagrams(root), taken, _indent_unit(text, root))
    text, at = _remove_diagrams(text, len(old))
    if at is None:
        close = list(re.finditer(r"</(?:[\w.-]+:)?definitions\s*>", text))
        if not close:
            raise LayoutError("closing definitions tag not found")
        at = _line_start(text, close[-1].start())
    block = "".join(newline + line for line in lines)
    text = _add_namespaces(text[:at] + block + text[at:], root)
    result = text.encode("utf-8")
    if _semantic_c14n(etree.fromstring(result, make_parser())) != _semantic_c14n(root):
        raise LayoutError("internal error: the semantic part would change")
    return result


# --------------------------------------------------------------------------------------------------
# Checking


def problems(root: etree._Element) -> list[str]:
    """Missing or incomplete DI, overlapping shapes and labels, nodes outside their lane."""
    diagrams = root.findall(f"{{{BPMNDI}}}BPMNDiagram")
    if not diagrams:
        return ["no BPMNDiagram"]
    found: list[str] = []
    pooled = {
        p.get("processRef")
        for c in bpmn_children(root)
        if localname(c) == "collaboration"
        for p in bpmn_children(c)
        if localname(p) == "participant"
    }
    required: dict[str, str] = {}
    attached: dict[str, str] = {}
    enclosing: dict[str, set[str]] = {}  # an expanded sub-process drawn around its content is fine
    for el in root.iter():
        tag = localname(el)
        if not el.get("id") or etree.QName(el).namespace != BPMN:
            continue
        if tag == "lane":
            process = next(a for a in el.iterancestors() if localname(a) == "process")
            if process.get("id") not in pooled:
                continue
        if tag in SHAPE_KINDS or tag in EDGE_KINDS:
            required[el.get("id")] = tag
        if tag == "boundaryEvent" and el.get("attachedToRef"):
            attached[el.get("id")] = el.get("attachedToRef")
        for ancestor in el.iterancestors():
            if localname(ancestor) in SUB_PROCESSES:
                enclosing.setdefault(el.get("id"), set()).add(ancestor.get("id"))
    shapes: dict[str, tuple[int, Box, Box | None]] = {}
    edges: dict[str, int] = {}
    edge_labels: list[tuple[str, int, Box]] = []

    def box_of(el: etree._Element | None) -> Box | None:
        if el is None:
            return None
        try:
            return Box(*(round(float(el.get(k))) for k in ("x", "y", "width", "height")))
        except (TypeError, ValueError):
            return None

    for plane_no, plane in enumerate(root.iter(f"{{{BPMNDI}}}BPMNPlane")):
        for shape in plane.iter(f"{{{BPMNDI}}}BPMNShape"):
            box = box_of(shape.find(f"{{{DC}}}Bounds"))
            label = box_of(shape.find(f"{{{BPMNDI}}}BPMNLabel/{{{DC}}}Bounds"))
            if box is None:
                found.append(f"shape {shape.get('bpmnElement')} has no valid bounds")
            else:
                shapes[shape.get("bpmnElement")] = (plane_no, box, label)
        for edge in plane.iter(f"{{{BPMNDI}}}BPMNEdge"):
            if len(edge.findall(f"{{{DI}}}waypoint")) < 2:
                found.append(f"edge {edge.get('bpmnElement')} has fewer than two waypoints")
            else:
                edges[edge.get("bpmnElement")] = plane_no
            label = box_of(edge.find(f"{{{BPMNDI}}}BPMNLabel/{{{DC}}}Bounds"))
            if label:
                edge_labels.append((edge.get("bpmnElement"), plane_no, label))
    missing = [i for i, tag in required.items() if (i not in edges if tag in EDGE_KINDS else i not in shapes)]
    if missing:
        found.append(f"no DI for {len(missing)} element(s): {', '.join(sorted(missing)[:8])}")
    unknown = sorted((set(shapes) | set(edges)) - set(required))
    if unknown:
        found.append(f"DI for unknown element(s): {', '.join(unknown[:8])}")
    solid = [
        (i, plane, box)
        for i, (plane, box, _) in shapes.items()
        if required.get(i) in FLOW_NODES or required.get(i) in ARTIFACT_SIZES
    ]
    labels = [(i, plane, label) for i, (plane, _, label) in shapes.items() if label] + edge_labels
    solid.sort()
    for n, (a, pa, ba) in enumerate(solid):
        for b, pb, bb in solid[n + 1 :]:
            related = attached.get(a) == b or attached.get(b) == a
            related = related or a in enclosing.get(b, ()) or b in enclosing.get(a, ())
            if pa == pb and ba.overlaps(bb) and not related:
                found.append(f"shapes {a} and {b} overlap")
    for n, (a, pa, la) in enumerate(labels):
        for b, pb, bb in solid:
            if pa == pb and a != b and la.overlaps(bb):
                found.append(f"label of {a} overlaps shape {b}")
        for b, pb, lb in labels[n + 1 :]:
            if pa == pb and la.overlaps(lb):
                found.append(f"labels of {a} and {b} overlap")
    for lane in root.iter(f"{{{BPMN}}}lane"):
        if lane.get("id") not in shapes:
            continue
        plane, lane_box, _ = shapes[lane.get("id")]
        for ref in refs(lane, "flowNodeRef"):
            if ref in shapes and ref not in attached and not lane_box.contains(shapes[ref][1]):
                found.append(f"{ref} lies outside its lane {lane.get('id')}")
    return found


# --------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE.bpmn")
    parser.add_argument(
        "--check",
        action="store_true",
        help="only report files whose DI is missing, incomplete or overlapping",
    )
    args = parser.parse_args(argv)
    status = 0
    for path in args.files:
        try:
            raw, root = read(path)
            if args.check:
                report = problems(root)
            else:
                new = layout_text(raw, root)
                if new != raw:
                    path.write_bytes(new)
                report = problems(etree.fromstring(new, make_parser()))
        except (OSError, LayoutError) as exc:
            report = [str(exc)]
        for line in report:
            print(f"{path}: {line}")
        status = status or int(bool(report))
    return status


if __name__ == "__main__":
    sys.exit(main())
