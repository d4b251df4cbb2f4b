"""The Jalali working-day calendar: dates, digits, holidays and closures."""
