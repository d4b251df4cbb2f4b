"""Ravand's BPMN runtime: a plain Python library on SpiffWorkflow, with no web imports."""
