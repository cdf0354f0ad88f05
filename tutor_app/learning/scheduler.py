"""SM-2 spaced repetition: when to review an item again, from how well it was recalled.

The published SuperMemo-2 algorithm (Wozniak, 1990), in the form most
implementations use: a grade ``q`` from 0 (blackout) to 5 (perfect); a grade of
3 or more is a success, which sets the interval to 1 day, then 6 days, then the
previous interval times the easiness factor (rounded); a failure restarts the
repetitions at 1 day. After every grade the easiness factor moves by
``0.1 - (5 - q) * (0.08 + (5 - q) * 0.02)`` and never drops below 1.3.
This module is pure: it stores nothing; ``practice`` keeps the review queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

MIN_EASINESS = 1.3


@dataclass(frozen=True)
class ReviewState:
    repetitions: int = 0
    interval_days: int = 0
    easiness: float = 2.5


def review(state: ReviewState, quality: int) -> ReviewState:
    """The state after one review graded ``quality`` (0–5)."""
    if not 0 <= quality <= 5:
        raise ValueError(f"an SM-2 grade is 0 to 5, not {quality}")
    if quality >= 3:
        if state.repetitions == 0:
            interval = 1
        elif state.repetitions == 1:
            interval = 6
        else:
            interval = round(state.interval_days * state.easiness)
        repetitions = state.repetitions + 1
    else:
        repetitions, interval = 0, 1
    easiness = state.easiness + (0.1 - (5 - quality) * (0.08 + (5 - quality) * 0.02))
    return ReviewState(repetitions, interval, max(MIN_EASINESS, round(easiness, 6)))


def next_due(state: ReviewState, reviewed_at: datetime) -> datetime:
    return reviewed_at + timedelta(days=state.interval_days)


def quality_from_grade(correct: bool, score: float, empty: bool = False) -> int:
    """Map an automatic grade to SM-2's 0–5 scale (there is no self-rating in practice)."""
    if empty:
        return 0
    if correct:
        return 5 if score >= 0.9 else 4 if score >= 0.75 else 3
    return 2 if score >= 0.4 else 1
