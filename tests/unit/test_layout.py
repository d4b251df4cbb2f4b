"""Tests for tools/bpmn_layout.py: the diagram it writes is complete, tidy and valid, on real lxml."""

from __future__ import annotations

import functools
import http.server
import importlib.util
import re
import shutil
import sys
import threading
from itertools import combinations, pairwise
from pathlib import Path

import pytest
from lxml import etree
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("bpmn_layout", ROOT / "tools" / "bpmn_layout.py")
bpmn_layout = sys.modules.setdefault("bpmn_layout", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(bpmn_layout)

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
}
VIEWER_JS = ROOT / "node_modules" / "bpmn-js" / "dist" / "bpmn-viewer.development.js"

# Two lanes; an exclusive gateway whose "no" branch loops back; a parallel split and join;
# a non-interrupting boundary timer whose flow goes to the other lane.
SAMPLE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  id="sample_definitions" targetNamespace="http://ravand.tehran.ir/bpmn/tests">
  <bpmn:collaboration id="sample_collaboration">
    <bpmn:participant id="sample_participant" name="درخواست نمونه" processRef="sample" />
  </bpmn:collaboration>
  <bpmn:process id="sample" name="نمونه" isExecutable="true">
    <bpmn:laneSet id="sample_lanes">
      <bpmn:lane id="lane_expert" name="کارشناس هماهنگی">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>register</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>revise</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>notify</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>remind</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>reminded</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="lane_manager" name="مدیر">
        <bpmn:flowNodeRef>review</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>overdue</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>approved</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>split</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>archive</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>join</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>done</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" name="درخواست رسید"><bpmn:outgoing>f_start</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="register" name="ثبت درخواست">
      <bpmn:incoming>f_start</bpmn:incoming><bpmn:outgoing>f_register</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:userTask id="review" name="بررسی مدیر">
      <bpmn:incoming>f_register</bpmn:incoming><bpmn:incoming>f_revised</bpmn:incoming>
      <bpmn:outgoing>f_review</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:boundaryEvent id="overdue" name="سه روز گذشت" attachedToRef="review" cancelActivity="false">
      <bpmn:outgoing>f_overdue</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>"P3D"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:scriptTask id="remind" name="یادآوری به مدیر">
      <bpmn:incoming>f_overdue</bpmn:incoming><bpmn:outgoing>f_remind</bpmn:outgoing>
      <bpmn:script>reminded = True</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:endEvent id="reminded" name="یادآوری شد"><bpmn:incoming>f_remind</bpmn:incoming></bpmn:endEvent>
    <bpmn:exclusiveGateway id="approved" name="تأیید شد؟" default="f_no">
      <bpmn:incoming>f_review</bpmn:incoming><bpmn:outgoing>f_yes</bpmn:outgoing><bpmn:outgoing>f_no</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:userTask id="revise" name="اصلاح درخواست">
      <bpmn:incoming>f_no</bpmn:incoming><bpmn:outgoing>f_revised</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:parallelGateway id="split"><bpmn:incoming>f_yes</bpmn:incoming>
      <bpmn:outgoing>f_split_notify</bpmn:outgoing><bpmn:outgoing>f_split_archive</bpmn:outgoing>
    </bpmn:parallelGateway>
    <bpmn:userTask id="notify" name="اطلاع به متقاضی">
      <bpmn:incoming>f_split_notify</bpmn:incoming><bpmn:outgoing>f_notify</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:userTask id="archive" name="بایگانی">
      <bpmn:incoming>f_split_archive</bpmn:incoming><bpmn:outgoing>f_archive</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:parallelGateway id="join">
      <bpmn:incoming>f_notify</bpmn:incoming><bpmn:incoming>f_archive</bpmn:incoming>
      <bpmn:outgoing>f_join</bpmn:outgoing>
    </bpmn:parallelGateway>
    <bpmn:endEvent id="done" name="پایان"><bpmn:incoming>f_join</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f_start" sourceRef="start" targetRef="register" />
    <bpmn:sequenceFlow id="f_register" sourceRef="register" targetRef="review" />
    <bpmn:sequenceFlow id="f_review" sourceRef="review" targetRef="approved" />
    <bpmn:sequenceFlow id="f_yes" name="بله" sourceRef="approved" targetRef="split">
      <bpmn:conditionExpression>approved</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_no" name="خیر، اصلاح شود" sourceRef="approved" targetRef="revise" />
    <bpmn:sequenceFlow id="f_revised" sourceRef="revise" targetRef="review" />
    <bpmn:sequenceFlow id="f_overdue" sourceRef="overdue" targetRef="remind" />
    <bpmn:sequenceFlow id="f_remind" sourceRef="remind" targetRef="reminded" />
    <bpmn:sequenceFlow id="f_split_notify" sourceRef="split" targetRef="notify" />
    <bpmn:sequenceFlow id="f_split_archive" sourceRef="split" targetRef="archive" />
    <bpmn:sequenceFlow id="f_notify" sourceRef="notify" targetRef="join" />
    <bpmn:sequenceFlow id="f_archive" sourceRef="archive" targetRef="join" />
    <bpmn:sequenceFlow id="f_join" sourceRef="join" targetRef="done" />
  </bpmn:process>
</bpmn:definitions>
"""

# Two pools joined by a message flow; the second process has no lanes.
TWO_POOLS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs"
                  targetNamespace="http://ravand.tehran.ir/bpmn/tests">
  <bpmn:message id="msg_request" name="request" />
  <bpmn:collaboration id="collab">
    <bpmn:participant id="p_office" name="دفتر" processRef="office" />
    <bpmn:participant id="p_unit" name="واحد" processRef="unit" />
    <bpmn:messageFlow id="m_request" name="درخواست" sourceRef="send" targetRef="receive" />
  </bpmn:collaboration>
  <bpmn:process id="office" isExecutable="true">
    <bpmn:laneSet id="office_lanes">
      <bpmn:lane id="office_lane" name="head"><bpmn:flowNodeRef>o_start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>send</bpmn:flowNodeRef><bpmn:flowNodeRef>o_end</bpmn:flowNodeRef></bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="o_start" />
    <bpmn:sendTask id="send" name="ارسال" messageRef="msg_request" />
    <bpmn:endEvent id="o_end" />
    <bpmn:sequenceFlow id="o1" sourceRef="o_start" targetRef="send" />
    <bpmn:sequenceFlow id="o2" sourceRef="send" targetRef="o_end" />
  </bpmn:process>
  <bpmn:process id="unit" isExecutable="true">
    <bpmn:startEvent id="receive" name="درخواست رسید">
      <bpmn:messageEventDefinition messageRef="msg_request" />
    </bpmn:startEvent>
    <bpmn:userTask id="handle" name="رسیدگی" />
    <bpmn:endEvent id="u_end" />
    <bpmn:sequenceFlow id="u1" sourceRef="receive" targetRef="handle" />
    <bpmn:sequenceFlow id="u2" sourceRef="handle" targetRef="u_end" />
  </bpmn:process>
</bpmn:definitions>
"""


def bounds(el: etree._Element) -> tuple[float, float, float, float]:
    b = el.find("dc:Bounds", NS)
    return tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))


def overlap(a, b) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def inside(inner, outer) -> bool:
    return (
        outer[0] <= inner[0]
        and outer[1] <= inner[1]
        and inner[0] + inner[2] <= outer[0] + outer[2]
        and inner[1] + inner[3] <= outer[1] + outer[3]
    )


def write(tmp_path: Path, text: str, name: str = "sample.bpmn") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


@pytest.fixture
def laid_out(tmp_path):
    """The sample after one run of the tool: (path, parsed root, shapes by element, edges by element)."""
    path = write(tmp_path, SAMPLE)
    assert bpmn_layout.main([str(path)]) == 0
    root = etree.fromstring(path.read_bytes())
    shapes = {s.get("bpmnElement"): s for s in root.iterfind(".//bpmndi:BPMNShape", NS)}
    edges = {e.get("bpmnElement"): e for e in root.iterfind(".//bpmndi:BPMNEdge", NS)}
    return path, root, shapes, edges


def flow_nodes(root: etree._Element) -> list[etree._Element]:
    process = root.find("bpmn:process", NS)
    return [
        el
        for el in process
        if isinstance(el.tag, str) and etree.QName(el).localname in bpmn_layout.FLOW_NODES
    ]


def test_every_flow_node_flow_pool_and_lane_has_a_shape_or_edge(laid_out):
    _, root, shapes, edges = laid_out
    nodes = {el.get("id") for el in flow_nodes(root)}
    flows = {el.get("id") for el in root.iterfind(".//bpmn:sequenceFlow", NS)}
    assert nodes | {"sample_participant", "lane_expert", "lane_manager"} == set(shapes)
    assert flows == set(edges)
    for edge in edges.values():
        points = [(float(p.get("x")), float(p.get("y"))) for p in edge.iterfind("di:waypoint", NS)]
        assert len(points) >= 2
        for a, b in pairwise(points):
            assert a[0] == b[0] or a[1] == b[1], f"{edge.get('bpmnElement')} is not orthogonal"
    for element in ("sample_participant", "lane_expert", "lane_manager"):
        assert shapes[element].get("isHorizontal") == "true"
    assert shapes["approved"].get("isMarkerVisible") == "true"
    plane = root.find(".//bpmndi:BPMNPlane", NS)
    assert plane.get("bpmnElement") == "sample_collaboration"


def test_sizes_are_the_bpmn_js_defaults(laid_out):
    _, _, shapes, _ = laid_out
    assert bounds(shapes["review"])[2:] == (100, 80)
    assert bounds(shapes["start"])[2:] == (36, 36)
    assert bounds(shapes["approved"])[2:] == (50, 50)


def test_no_two_node_shapes_or_labels_overlap(laid_out):
    _, root, shapes, edges = laid_out
    nodes = [el.get("id") for el in flow_nodes(root)]
    attached = {el.get("id"): el.get("attachedToRef") for el in root.iterfind(".//bpmn:boundaryEvent", NS)}
    for a, b in combinations(nodes, 2):
        if attached.get(a) == b or attached.get(b) == a:
            continue
        assert not overlap(bounds(shapes[a]), bounds(shapes[b])), f"{a} overlaps {b}"
    labels = {
        key: bounds(el.find("bpmndi:BPMNLabel", NS))
        for key, el in (*shapes.items(), *edges.items())
        if el.find("bpmndi:BPMNLabel", NS) is not None
    }
    assert {"start", "approved", "overdue", "done", "f_yes", "f_no"} <= set(labels)
    for key, label in labels.items():
        for node in nodes:
            assert not overlap(label, bounds(shapes[node])), f"label of {key} lies on {node}"
    for (a, la), (b, lb) in combinations(labels.items(), 2):
        assert not overlap(la, lb), f"labels of {a} and {b} overlap"


def test_each_node_lies_in_its_lane_and_the_lanes_fill_the_pool(laid_out):
    _, root, shapes, _ = laid_out
    pool = bounds(shapes["sample_participant"])
    lanes = [bounds(shapes[lane.get("id")]) for lane in root.iterfind(".//bpmn:lane", NS)]
    for lane in root.iterfind(".//bpmn:lane", NS):
        lane_box = bounds(shapes[lane.get("id")])
        assert lane_box[0] == pool[0] + 30 and lane_box[0] + lane_box[2] == pool[0] + pool[2]
        assert lane_box[3] >= 140
        for ref in lane.iterfind("bpmn:flowNodeRef", NS):
            assert inside(bounds(shapes[ref.text]), lane_box), f"{ref.text} is outside {lane.get('id')}"
    assert sum(lane[3] for lane in lanes) == pool[3]
    assert lanes[0][1] == pool[1] and lanes[0][1] + lanes[0][3] == lanes[1][1]


def test_boundary_event_sits_on_its_hosts_bottom_edge(laid_out):
    _, _, shapes, edges = laid_out
    x, y, w, h = bounds(shapes["overdue"])
    hx, hy, hw, hh = bounds(shapes["review"])
    assert y + h / 2 == hy + hh
    assert hx <= x + w / 2 <= hx + hw
    first = edges["f_overdue"].find("di:waypoint", NS)
    assert (float(first.get("x")), float(first.get("y"))) == (x + w / 2, y + h)


def test_flow_reads_left_to_right_and_the_loop_runs_below(laid_out):
    _, _, shapes, edges = laid_out

    def cx(element):
        x, _, w, _ = bounds(shapes[element])
        return x + w / 2

    order = ["start", "register", "review", "approved", "split", "notify", "join", "done"]
    assert [cx(e) for e in order] == sorted(cx(e) for e in order)
    assert cx("archive") == cx("notify")  # the parallel branches share a column
    assert cx("remind") > cx("review")  # reached only from the boundary event: after its host
    points = [(float(p.get("x")), float(p.get("y"))) for p in edges["f_revised"].iterfind("di:waypoint", NS)]
    review = bounds(shapes["review"])
    lowest = max(y for _, y in points)
    assert lowest > review[1] + review[3] + 18  # below the review task and its boundary event
    assert points[-1][1] == review[1] + review[3]  # enters the review task from below
    assert review[0] < points[-1][0] < review[0] + review[2]


def test_spiff_parser_with_its_xsd_validator_accepts_the_result(laid_out):
    path, *_ = laid_out
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_str(path.read_bytes(), filename=path.name)
    spec = parser.get_spec("sample")
    assert "review" in spec.task_specs


def test_second_run_gives_identical_bytes_and_semantics_stay_byte_for_byte(laid_out, tmp_path):
    path, *_ = laid_out
    first = path.read_bytes()
    assert bpmn_layout.main([str(path)]) == 0
    assert path.read_bytes() == first
    text = first.decode("utf-8")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    assert "درخواست نمونه" in text and "&#" not in text
    stripped = re.sub(r"\n  <bpmndi:BPMNDiagram .*</bpmndi:BPMNDiagram>", "", text, flags=re.S)
    stripped = re.sub(r'\s+xmlns:(bpmndi|dc|di)="[^"]+"', "", stripped)
    assert stripped == SAMPLE
    other = write(tmp_path, SAMPLE, "copy.bpmn")
    assert bpmn_layout.main([str(other)]) == 0
    assert other.read_bytes() == first


def test_existing_diagram_is_replaced_not_kept(laid_out):
    path, *_ = laid_out
    fresh = path.read_bytes()
    moved = re.sub(rb'x="(\d+)"', lambda m: b'x="%d"' % (int(m.group(1)) + 7), fresh)
    path.write_bytes(moved.replace(b"BPMNDiagram_1", b"Hand_drawn"))
    assert bpmn_layout.main([str(path)]) == 0
    assert path.read_bytes() == fresh


def test_check_reports_missing_and_overlapping_diagrams(tmp_path, capsys):
    bare = write(tmp_path, SAMPLE, "bare.bpmn")
    assert bpmn_layout.main(["--check", str(bare)]) == 1
    assert "bare.bpmn: no BPMNDiagram" in capsys.readouterr().out

    good = write(tmp_path, SAMPLE, "good.bpmn")
    bpmn_layout.main([str(good)])
    capsys.readouterr()
    assert bpmn_layout.main(["--check", str(good)]) == 0
    assert capsys.readouterr().out == ""

    root = etree.fromstring(good.read_bytes())
    register = root.find(".//bpmndi:BPMNShape[@bpmnElement='register']/dc:Bounds", NS)
    review = root.find(".//bpmndi:BPMNShape[@bpmnElement='review']/dc:Bounds", NS)
    register.set("x", review.get("x"))
    register.set("y", review.get("y"))
    edge = root.find(".//bpmndi:BPMNEdge[@bpmnElement='f_join']", NS)
    edge.getparent().remove(edge)
    broken = tmp_path / "broken.bpmn"
    broken.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    assert bpmn_layout.main(["--check", str(broken)]) == 1
    out = capsys.readouterr().out
    assert "shapes register and review overlap" in out
    assert "no DI for 1 element(s): f_join" in out


def test_process_without_collaboration_has_no_pool_or_lanes(tmp_path):
    fixture = ROOT / "tests" / "fixtures" / "reminder" / "reminder.bpmn"
    path = tmp_path / "reminder.bpmn"
    shutil.copyfile(fixture, path)
    assert bpmn_layout.main([str(path)]) == 0
    root = etree.fromstring(path.read_bytes())
    plane = root.find(".//bpmndi:BPMNPlane", NS)
    assert plane.get("bpmnElement") == "reminder"
    shapes = {s.get("bpmnElement") for s in plane.iterfind("bpmndi:BPMNShape", NS)}
    assert shapes == {"start", "review", "overdue", "escalated", "escalated_end", "wait_confirmation", "done"}
    assert bpmn_layout.main(["--check", str(path)]) == 0


def test_several_pools_are_stacked_and_message_flows_drawn(tmp_path):
    path = write(tmp_path, TWO_POOLS, "pools.bpmn")
    assert bpmn_layout.main([str(path)]) == 0
    root = etree.fromstring(path.read_bytes())
    shapes = {s.get("bpmnElement"): bounds(s) for s in root.iterfind(".//bpmndi:BPMNShape", NS)}
    office, unit = shapes["p_office"], shapes["p_unit"]
    assert office[0] == unit[0] and office[2] == unit[2]
    assert office[1] + office[3] < unit[1]
    assert inside(shapes["send"], office) and inside(shapes["handle"], unit)
    message = root.find(".//bpmndi:BPMNEdge[@bpmnElement='m_request']", NS)
    points = [(float(p.get("x")), float(p.get("y"))) for p in message.iterfind("di:waypoint", NS)]
    send, receive = shapes["send"], shapes["receive"]
    assert points[0][1] == send[1] + send[3] and points[-1][1] == receive[1]
    assert message.find("bpmndi:BPMNLabel", NS) is not None
    assert bpmn_layout.main(["--check", str(path)]) == 0


CATALOG = sorted((ROOT / "processes").glob("**/*.bpmn"))


@pytest.mark.parametrize("source", CATALOG, ids=[p.name for p in CATALOG])
def test_every_catalog_file_gets_a_complete_stable_layout(source, tmp_path, capsys):
    """Whatever the catalog authors write, the tool lays it out cleanly (on a copy)."""
    path = tmp_path / source.name
    shutil.copyfile(source, path)
    assert bpmn_layout.main([str(path)]) == 0, capsys.readouterr().out
    first = path.read_bytes()
    assert bpmn_layout.main([str(path)]) == 0
    assert path.read_bytes() == first


# ------------------------------------------------------------------------------------------ bpmn-js

PAGE = b"""<!doctype html><html><head><meta charset="utf-8">
<style>html, body, #canvas { margin: 0; width: 100%; height: 100%; }</style></head>
<body><div id="canvas"></div><script src="/bpmn-viewer.js"></script></body></html>"""

# Imports the XML and lists pairs of drawn elements (shapes, and labels by their rendered text)
# whose boxes overlap by more than a pixel; a boundary event on its host is not an overlap.
IMPORT_AND_MEASURE = """async (xml) => {
  const viewer = new BpmnJS({container: '#canvas'});
  const result = await viewer.importXML(xml);
  viewer.get('canvas').zoom('fit-viewport');
  const registry = viewer.get('elementRegistry');
  const boxes = [];
  for (const e of registry.getAll()) {
    if (e.waypoints || !e.parent || ['bpmn:Participant', 'bpmn:Lane'].includes(e.type)) continue;
    let box = {x: e.x, y: e.y, w: e.width, h: e.height};
    if (e.type === 'label') {
      const text = registry.getGraphics(e).querySelector('text');
      const b = text.getBBox();
      box = {x: e.x + b.x, y: e.y + b.y, w: b.width, h: b.height};
    }
    let root = e;
    while (root.parent) root = root.parent;
    boxes.push({id: e.id, root: root.id, host: e.host ? e.host.id : null, ...box});
  }
  const overlaps = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], b = boxes[j];
    if (a.root !== b.root || a.host === b.id || b.host === a.id) continue;
    const dx = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
    const dy = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
    if (dx > 1 && dy > 1) overlaps.push(a.id + ' / ' + b.id);
  }
  return {warnings: result.warnings.map(w => w.message), overlaps, drawn: boxes.length};
}"""


@pytest.fixture
def viewer_page(browser):
    """A Chromium page serving bpmn-js's viewer bundle from a local HTTP server."""
    if not VIEWER_JS.exists():
        pytest.skip("needs bpmn-js: run `npm ci` in the repository")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = VIEWER_JS.read_bytes() if self.path == "/bpmn-viewer.js" else PAGE
            kind = "text/javascript" if self.path == "/bpmn-viewer.js" else "text/html; charset=utf-8"
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=functools.partial(server.serve_forever, 0.05), daemon=True).start()
    page = browser.new_page(viewport={"width": 1600, "height": 900})
    page.goto(f"http://127.0.0.1:{server.server_port}/")
    yield page
    page.close()
    server.shutdown()


@pytest.mark.browser
def test_bpmn_js_imports_without_warnings_and_draws_nothing_on_top_of_anything(
    laid_out, viewer_page, tmp_path
):
    path, root, _, _ = laid_out
    result = viewer_page.evaluate(IMPORT_AND_MEASURE, path.read_text(encoding="utf-8"))
    viewer_page.screenshot(path=str(tmp_path / "sample.png"))
    assert result["warnings"] == []
    assert result["overlaps"] == []
    assert result["drawn"] >= len(flow_nodes(root)) + 6  # nodes and the labels of named events/gateways
