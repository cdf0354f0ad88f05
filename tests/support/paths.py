"""Where the tests find the project and the shared course samples, and how they write a file to read back.

Only paths and one writer: fixtures live in the conftest files, app plumbing in ``apptest.py``.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT.parent / "shared" / "course-samples"


def write(path: Path, text: str | bytes) -> Path:
    """Write ``text`` to ``path``, creating its folders; returns ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path
