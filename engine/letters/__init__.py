"""The letter registry: registry numbers and Jalali dates for the letters processes produce."""
