"""Bayesian Knowledge Tracing: the chance a learner knows an objective, updated per graded answer.

The standard four-parameter model (Corbett & Anderson, 1995): ``prior`` is the
chance the skill is known before any practice, ``learn`` the chance of learning
it at each opportunity, ``slip`` the chance of a wrong answer although known,
``guess`` the chance of a right answer although not known. ``update`` applies
Bayes' rule to one observation, then the learning transition.
This module is pure arithmetic: it stores nothing and knows nothing of pages.
"""

from __future__ import annotations

from dataclasses import dataclass

MASTERED = 0.95  # the usual BKT mastery threshold


@dataclass(frozen=True)
class BKTParams:
    prior: float = 0.2
    learn: float = 0.15
    slip: float = 0.1
    guess: float = 0.2

    def __post_init__(self) -> None:
        for name in ("prior", "learn", "slip", "guess"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"BKT {name} must be between 0 and 1, not {value}")
        if self.slip + self.guess >= 1.0:
            # Otherwise a right answer would be evidence of *not* knowing.
            raise ValueError("BKT slip + guess must stay below 1")


DEFAULT = BKTParams()


def posterior(p_known: float, correct: bool, params: BKTParams = DEFAULT) -> float:
    """P(known | this answer), before the learning transition."""
    if correct:
        known, unknown = p_known * (1 - params.slip), (1 - p_known) * params.guess
    else:
        known, unknown = p_known * params.slip, (1 - p_known) * (1 - params.guess)
    total = known + unknown
    return known / total if total > 0 else p_known


def update(p_known: float, correct: bool, params: BKTParams = DEFAULT) -> float:
    """P(known) after one graded answer and the chance to learn from it."""
    after = posterior(p_known, correct, params)
    return after + (1 - after) * params.learn


def trace(answers: list[bool], params: BKTParams = DEFAULT) -> list[float]:
    """Mastery after each answer in turn, starting from the prior."""
    p, out = params.prior, []
    for correct in answers:
        p = update(p, correct, params)
        out.append(p)
    return out
