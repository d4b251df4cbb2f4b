// Shows a process diagram with bpmn-js (read only, pan and zoom) and marks the task's current step.
import NavigatedViewer from "bpmn-js/lib/NavigatedViewer";
import "bpmn-js/dist/assets/diagram-js.css";
import "bpmn-js/dist/assets/bpmn-js.css";
import "./diagram.css";

async function show(container) {
  const viewer = new NavigatedViewer({ container });
  const response = await fetch(container.dataset.bpmnUrl, { headers: { Accept: "application/xml" } });
  if (!response.ok) {
    container.remove();
    return;
  }
  await viewer.importXML(await response.text());
  const canvas = viewer.get("canvas");
  canvas.zoom("fit-viewport", "auto");
  const current = container.dataset.current;
  if (current && viewer.get("elementRegistry").get(current)) {
    canvas.addMarker(current, "ravand-current");
    container.dataset.marked = current;
  }
}

document.querySelectorAll("[data-bpmn-url]").forEach((container) =>
  show(container).catch(() => container.remove()),
);
