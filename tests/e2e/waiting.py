"""Waiting for a page state without ``page.wait_for_function``.

Playwright's ``wait_for_function`` evaluates its predicate with ``eval`` inside the page, which our
Content-Security-Policy (``script-src 'self'``) rightly forbids. ``page.evaluate`` goes through the
DevTools protocol, which the policy does not govern, so polling it tests the page as it is served.
"""

from __future__ import annotations

import time


def wait_until(page, expression: str, timeout: float = 15.0) -> None:
    """Poll a JavaScript expression (or arrow function) until it is truthy, or fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(100)
