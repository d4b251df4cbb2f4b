"""The files of a new process made from the template: a pool with one lane, a start event, one user
task with its form, and an end event, laid out."""

from __future__ import annotations

import json

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
INSTRUCTIONS = "درخواست را بررسی و نتیجه را ثبت کنید."


def template_files(key: str, name: str, role: str) -> dict[str, str]:
    """The files of a new process: laid out, with a lane naming ``role`` and a first form."""
    form_name = f"{key}_request.json"
    bpmn = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="{BPMN_NS}"
                  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
                  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
                  xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
                  xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
                  id="{key}_definitions" targetNamespace="http://ravand.tehran.ir/bpmn">
  <bpmn:collaboration id="{key}_collaboration">
    <bpmn:participant id="{key}_participant" name="{_xml(name)}" processRef="{key}" />
  </bpmn:collaboration>
  <bpmn:process id="{key}" name="{_xml(name)}" isExecutable="true">
    <bpmn:laneSet id="{key}_lanes">
      <bpmn:lane id="lane_{role}" name="{role}">
        <bpmn:flowNodeRef>started</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>review</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>done</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="started" name="شروع">
      <bpmn:outgoing>f_start</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:userTask id="review" name="بررسی درخواست">
      <bpmn:extensionElements>
        <spiffworkflow:instructionsForEndUser>{INSTRUCTIONS}</spiffworkflow:instructionsForEndUser>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formKey" value="{form_name}" />
          <spiffworkflow:property name="dueInWorkingDays" value="3" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>f_start</bpmn:incoming>
      <bpmn:outgoing>f_reviewed</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="done" name="پایان">
      <bpmn:incoming>f_reviewed</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="f_start" sourceRef="started" targetRef="review" />
    <bpmn:sequenceFlow id="f_reviewed" sourceRef="review" targetRef="done" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="{key}_diagram">
    <bpmndi:BPMNPlane id="{key}_plane" bpmnElement="{key}_collaboration">
      <bpmndi:BPMNShape id="{key}_participant_di" bpmnElement="{key}_participant" isHorizontal="true">
        <dc:Bounds x="120" y="80" width="600" height="200" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="lane_{role}_di" bpmnElement="lane_{role}" isHorizontal="true">
        <dc:Bounds x="150" y="80" width="570" height="200" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="started_di" bpmnElement="started">
        <dc:Bounds x="212" y="162" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="review_di" bpmnElement="review">
        <dc:Bounds x="350" y="140" width="100" height="80" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="done_di" bpmnElement="done">
        <dc:Bounds x="562" y="162" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="f_start_di" bpmnElement="f_start">
        <di:waypoint x="248" y="180" />
        <di:waypoint x="350" y="180" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f_reviewed_di" bpmnElement="f_reviewed">
        <di:waypoint x="450" y="180" />
        <di:waypoint x="562" y="180" />
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""
    form = {
        "type": "default",
        "id": f"{key}_request",
        "schemaVersion": 16,
        "components": [
            {
                "type": "textarea",
                "key": "review_note",
                "label": "نتیجه بررسی",
                "validate": {"required": True},
            },
        ],
    }
    return {f"{key}.bpmn": bpmn, form_name: json.dumps(form, ensure_ascii=False, indent=2)}


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
