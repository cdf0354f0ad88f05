"""The learner profile: level, language, style and goal, set by the student, read by every tutor prompt.

``load_profile`` returns the saved profile or a default that follows the
account's interface language; ``save_profile`` validates and stores it.
``profile_instructions`` turns a profile into the few plain sentences the
prompts include, so the explain and coach modes adapt the same way.
This module does not draw anything and does not call a model.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from tutor_app.core.database import Database, LearnerProfile, User, utcnow
from tutor_app.core.errors import InputError
from tutor_app.core.i18n import LANGUAGE_NAMES

Level = Literal["beginner", "intermediate", "advanced"]
Style = Literal["concise", "detailed", "examples"]
LEVELS: tuple[str, ...] = ("beginner", "intermediate", "advanced")
STYLES: tuple[str, ...] = ("concise", "detailed", "examples")
MAX_GOAL = 300

_LEVEL_TEXT = {
    "beginner": "a beginner: avoid jargon, define every new term, use everyday comparisons",
    "intermediate": "at an intermediate level: knows the basic terms, wants the reasons behind them",
    "advanced": "advanced: be precise and technical, skip the basics",
}
_STYLE_TEXT = {
    "concise": "Keep replies short: two or three sentences.",
    "detailed": "Explain step by step, in full sentences.",
    "examples": "Use a small concrete example for each idea.",
}


class Profile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    level: Level = "beginner"
    language: Literal["en", "zh"] = "en"
    style: Style = "detailed"
    goal: str = Field(default="", max_length=MAX_GOAL)

    @field_validator("goal")
    @classmethod
    def _clean_goal(cls, value: str) -> str:
        return " ".join((value or "").split())


def load_profile(db: Database, user_id: int) -> Profile:
    """The student's saved profile, or a default in their interface language."""
    with db.session() as s:
        row = s.get(LearnerProfile, user_id)
        if row is not None:
            try:
                return Profile(level=row.level, language=row.language, style=row.style, goal=row.goal)
            except ValidationError:
                pass  # an old or hand-edited row: fall back to the default rather than fail every page
        user = s.get(User, user_id)
        return Profile(language=user.language if user is not None and user.language in ("en", "zh") else "en")


def saved_profile(db: Database, user_id: int) -> Profile | None:
    """The profile the student saved, or None if they never set one (callers keep their own defaults)."""
    with db.session() as s:
        if s.get(LearnerProfile, user_id) is None:
            return None
    return load_profile(db, user_id)


def save_profile(db: Database, user_id: int, **values) -> Profile:
    """Validate and store the profile. Raises ``InputError`` saying what to change."""
    try:
        profile = Profile(**values)
    except ValidationError as exc:
        problem = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise InputError.of("err_profile", problem=problem, limit=MAX_GOAL) from exc
    with db.session() as s:
        row = s.get(LearnerProfile, user_id) or LearnerProfile(user_id=user_id)
        row.level, row.language, row.style, row.goal = profile.level, profile.language, profile.style, profile.goal
        row.updated_at = utcnow()
        s.add(row)
    return profile


def profile_instructions(profile: Profile | None, with_language: bool = True) -> str:
    """What the prompts say about the learner (the goal is the learner's own words, quoted as data)."""
    if profile is None:
        return "Not described; assume a beginner."
    lines = [f"The learner is {_LEVEL_TEXT[profile.level]}.", _STYLE_TEXT[profile.style]]
    if with_language:
        lines.append(f"Write in {LANGUAGE_NAMES[profile.language]}.")
    if profile.goal:
        lines.append(f'The learner\'s goal, in their words: "{profile.goal.replace(chr(34), chr(39))}"')
    return " ".join(lines)
