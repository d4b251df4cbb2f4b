"""Ravand's deploy rules: every structural rule of BPMN 2.0 that SpiffWorkflow does not check, Ravand's
own (forms, lanes, sandboxed expressions), and what Ravand cannot run.

``RULES`` is the rule table: one entry per rule, with a stable code, the section of the BPMN 2.0.2
specification (formal/13-12-09) it enforces or "Ravand", and the function that finds its problems. The
rules read the bundle's lxml model (``engine.definitions.model``), so every element is checked —
reachable from a start event or not — and every rule runs: the check reports all problems at once.
"""

from __future__ import annotations

from dataclasses import replace

from engine.definitions.rules import (  # noqa: F401  (each module registers its rules in RULES)
    activities,
    collaboration,
    data,
    events,
    flows,
    gaps,
    gateways,
    ravand,
    references,
    reserved,
    timers,
)
from engine.definitions.rules.base import RULES, Checking, Rule
from engine.errors import Problem

__all__ = ["RULES", "Checking", "Rule", "run_rules"]


def run_rules(checking: Checking) -> list[Problem]:
    """Every problem every rule finds, each marked with the rule's code."""
    problems = []
    for entry in RULES.values():
        if entry.studio_only and not checking.studio:
            continue
        problems.extend(replace(p, rule=entry.code) for p in entry.check(checking))
    return problems
