"""Starter exercises for the bundled sample course, so a fresh install's coach and practice pages are not empty.

``add_sample_exercises`` stores the exercises of ``data/sample-exercises.yaml`` once, owned by the
administrator the first-run page creates, and only while the sample course has no exercise at all (an
educator's own exercises are never mixed with them, and a second call adds nothing). It does not install the
sample course itself (``engine.ingest.sample_course`` does) and adds nothing to other courses.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import func, select

from tutor_app.core.config import PROJECT_ROOT
from tutor_app.core.database import Database, Exercise, User
from tutor_app.engine.ingest.sample_course import SAMPLE_COURSE
from tutor_app.learning.items import add_exercise

SAMPLE_EXERCISES = PROJECT_ROOT / "data" / "sample-exercises.yaml"


def add_sample_exercises(db: Database, owner: User, path: Path = SAMPLE_EXERCISES) -> int:
    """Store the starter exercises for ``owner`` when the sample course has none; returns how many were added."""
    if not path.is_file():
        return 0
    with db.session() as s:
        if s.scalar(select(func.count()).select_from(Exercise).where(Exercise.course == SAMPLE_COURSE)):
            return 0
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    for entry in entries:
        add_exercise(
            db,
            owner,
            SAMPLE_COURSE,
            entry["question"],
            entry["key"],
            lesson_id=entry.get("lesson_id", ""),
            hints=entry.get("hints") or [],
            language=entry.get("language", "en"),
        )
    return len(entries)
