// The diff page of a deployed version: the two diagrams and what changed, with the viewers only (not
// the studio's modeler, forms or decision editors).
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import './designer.css';
import bpmnFont from 'bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css' with { type: 'text' };
import { startDiff } from './diff';

const style = document.createElement('style');
style.textContent = bpmnFont.replace(/url\('\.\.\/font\/[^)]*\)( format\('[^']*'\))?,?/g, '');
document.head.appendChild(style);

const diffPage = document.getElementById('designer-diff');
if (diffPage) startDiff(diffPage).catch((error) => {
  diffPage.querySelector('#diff-list').textContent = error.message;
});
