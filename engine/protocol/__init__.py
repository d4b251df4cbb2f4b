"""The protocol department's tools: the mayor's calendar of occasions, with its clashes."""
