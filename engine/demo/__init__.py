"""Demo data: the demo organisation and a simulated month of work."""
