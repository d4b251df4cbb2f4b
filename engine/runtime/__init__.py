"""The runtime on SpiffWorkflow: the unit of work, projections, serialization, jobs, timers, messages."""
