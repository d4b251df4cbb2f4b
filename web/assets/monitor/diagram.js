// The monitor's diagrams (bpmn-js NavigatedViewer, read only, pan and zoom):
// - an instance: elements done, active and failed get markers, and the path taken is drawn;
// - a process version's heat map: each element is tinted by how long instances wait there, with an
//   overlay giving how many passed, the average wait in working days, and how many wait there now.
import NavigatedViewer from "bpmn-js/lib/NavigatedViewer";
import "bpmn-js/dist/assets/diagram-js.css";
import "bpmn-js/dist/assets/bpmn-js.css";
import "./monitor.css";

const persian = document.documentElement.lang === "fa";
const digits = (value) =>
  persian ? String(value).replace(/[0-9]/g, (d) => "۰۱۲۳۴۵۶۷۸۹"[d]).replace(".", "٫") : String(value);

function readJson(id) {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : null;
}

function markInstance(viewer, markers) {
  const canvas = viewer.get("canvas");
  const registry = viewer.get("elementRegistry");
  const known = (id) => registry.get(id) !== undefined;
  const reached = new Set([...markers.done, ...markers.active, ...markers.failed]);
  markers.done.filter(known).forEach((id) => canvas.addMarker(id, "ravand-done"));
  markers.active.filter(known).forEach((id) => canvas.addMarker(id, "ravand-active"));
  markers.failed.filter(known).forEach((id) => canvas.addMarker(id, "ravand-failed"));
  // Work inside a called process is not on this diagram: the call activity it came from is active.
  if (markers.active.some((id) => !known(id))) {
    registry
      .filter((element) => element.type === "bpmn:CallActivity" && !reached.has(element.id))
      .filter((element) => element.incoming.some((flow) => markers.done.includes(flow.source.id)))
      .forEach((element) => {
        canvas.addMarker(element.id, "ravand-active");
        reached.add(element.id);
      });
  }
  registry
    .filter((element) => element.type === "bpmn:SequenceFlow")
    .forEach((flow) => {
      const source = flow.businessObject.sourceRef?.id;
      const target = flow.businessObject.targetRef?.id;
      if (markers.done.includes(source) && reached.has(target)) canvas.addMarker(flow.id, "ravand-path");
    });
}

function heatLevel(value, max) {
  if (!value || !max) return 0;
  return Math.min(5, Math.max(1, Math.ceil((value / max) * 5)));
}

function showHeat(viewer, heat, text) {
  const canvas = viewer.get("canvas");
  const registry = viewer.get("elementRegistry");
  const overlays = viewer.get("overlays");
  const waits = Object.values(heat).map((s) => s.avg_wait_days || 0);
  const max = Math.max(0, ...waits);
  Object.values(heat).forEach((stat) => {
    const element = registry.get(stat.element_id);
    if (!element) return;
    const level = heatLevel(stat.avg_wait_days, max);
    canvas.addMarker(stat.element_id, `ravand-heat-${level}`);
    const badge = document.createElement("div");
    badge.className = `ravand-heat-badge ravand-heat-badge-${level}`;
    badge.dataset.element = stat.element_id;
    const parts = [`${text.passed} ${digits(stat.passed)}`];
    if (stat.avg_wait_days !== null) parts.push(`${text.wait} ${digits(stat.avg_wait_days)}`);
    if (stat.waiting_now) parts.push(`${text.now} ${digits(stat.waiting_now)}`);
    badge.textContent = parts.join(" · ");
    badge.title = stat.name || stat.element_id;
    // Above the shape; a boundary event's below it, away from the task it sits on.
    const below = element.type === "bpmn:BoundaryEvent";
    badge.classList.add(below ? "ravand-heat-below" : "ravand-heat-above");
    overlays.add(stat.element_id, { position: below ? { bottom: -2, left: 0 } : { top: -2, left: 0 }, html: badge });
  });
}

async function show(container) {
  const viewer = new NavigatedViewer({ container });
  const response = await fetch(container.dataset.bpmnUrl, { headers: { Accept: "application/xml" } });
  if (!response.ok) throw new Error(`diagram: ${response.status}`);
  await viewer.importXML(await response.text());
  viewer.get("canvas").zoom("fit-viewport", "auto");
  const markers = readJson("diagram-markers");
  if (markers) markInstance(viewer, markers);
  const heat = readJson("heat-data");
  if (heat) showHeat(viewer, heat.elements, heat.text);
  container.dataset.ready = "1";
}

document.querySelectorAll("[data-bpmn-url]").forEach((container) =>
  show(container).catch(() => {
    container.classList.add("ravand-diagram-missing");
    container.textContent = container.dataset.missing || "";
  }),
);
