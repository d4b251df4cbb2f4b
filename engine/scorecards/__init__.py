"""Scorecards of the units and their PR managers, computed from the cases for a Jalali period."""
