"""Where Ravand's data folders are: the checkout's top level, or ``ravand_data/`` in an installed wheel.

The repository keeps ``migrations/``, ``processes/`` and ``forms/`` at its top level; ``setup.py``
copies them into the wheel under ``ravand_data/`` next to the ``engine`` package.
"""

from __future__ import annotations

from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent


def resource_dir(name: str) -> Path:
    """The folder ``name`` (migrations, processes or forms) of this checkout or installation."""
    if (_ROOT / "setup.cfg").is_file() and (_ROOT / name).is_dir():
        return _ROOT / name
    return _ROOT / "ravand_data" / name
