// The studio (BPMN, forms, decisions); the diff of a deployed version is diff_page.js.
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import '@bpmn-io/properties-panel/dist/assets/properties-panel.css';
import 'bpmn-js-bpmnlint/dist/assets/css/bpmn-js-bpmnlint.css';
import '@bpmn-io/form-js-editor/dist/assets/form-js-editor.css';
import '@bpmn-io/form-js-viewer/dist/assets/form-js.css';
import 'dmn-js/dist/assets/dmn-js-shared.css';
import 'dmn-js/dist/assets/dmn-js-decision-table.css';
import 'dmn-js/dist/assets/dmn-js-decision-table-controls.css';
import 'dmn-js/dist/assets/dmn-js-drd.css';
import 'dmn-js/dist/assets/dmn-js-literal-expression.css';
import './designer.css';
// The icon fonts' CSS names .eot/.svg files beside the embedded woff; as text, the build leaves them alone.
import bpmnFont from 'bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css' with { type: 'text' };
import dmnFont from 'dmn-js/dist/assets/dmn-font/css/dmn-embedded.css' with { type: 'text' };
import { startStudio } from './studio';

for (const css of [bpmnFont, dmnFont]) {
  const style = document.createElement('style');
  style.textContent = css.replace(/url\('\.\.\/font\/[^)]*\)( format\('[^']*'\))?,?/g, '');
  document.head.appendChild(style);
}

const studio = document.getElementById('designer-studio');
if (studio) startStudio(studio);
