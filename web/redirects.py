"""Where a form may send the browser next: only a path on this site.

Browsers drop tabs and newlines from a URL and read ``\\`` as ``/``, so ``/\\t/evil.example`` and
``/\\evil.example`` are both ``//evil.example`` to them; a control character would make the
``Location`` header itself invalid. Anything but a plain local path is replaced by the default.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def local_target(target: str | None, default: str) -> str:
    if not target or not target.startswith("/") or "\\" in target:
        return default
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F or ch.isspace() for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return default
    return target
