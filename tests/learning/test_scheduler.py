"""SM-2 intervals and easiness factors against the published algorithm, worked by hand."""

from datetime import datetime

import pytest

from tutor_app.learning.scheduler import ReviewState, next_due, quality_from_grade, review


def run(grades, state=ReviewState()):
    out = []
    for q in grades:
        state = review(state, q)
        out.append(state)
    return out


def test_perfect_recall_gives_1_6_16_45_days():
    # EF 2.5 -> 2.6 -> 2.7 -> 2.8; I(3) = round(6 * 2.7) = 16; I(4) = round(16 * 2.8) = 45 (44.8).
    states = run([5, 5, 5, 5])
    assert [s.interval_days for s in states] == [1, 6, 16, 45]
    assert [s.easiness for s in states] == pytest.approx([2.6, 2.7, 2.8, 2.9])
    assert [s.repetitions for s in states] == [1, 2, 3, 4]


def test_grade_four_keeps_the_easiness_and_three_lowers_it():
    assert run([4])[0].easiness == pytest.approx(2.5)  # 0.1 - 1*(0.08 + 0.02) = 0
    assert run([3])[0].easiness == pytest.approx(2.36)  # 0.1 - 2*(0.08 + 0.04) = -0.14
    states = run([3, 3, 3])
    # EF 2.36, 2.22, 2.08; intervals 1, 6, round(6 * 2.22) = 13
    assert [s.interval_days for s in states] == [1, 6, 13]


def test_a_failure_restarts_the_repetitions_and_lowers_the_easiness():
    states = run([5, 5, 1])
    assert states[-1].repetitions == 0 and states[-1].interval_days == 1
    # 2.7 + (0.1 - 4*(0.08 + 0.08)) = 2.7 - 0.54 = 2.16
    assert states[-1].easiness == pytest.approx(2.16)


def test_easiness_never_drops_below_1_3():
    states = run([0] * 6)
    assert states[-1].easiness == pytest.approx(1.3)
    assert all(s.interval_days == 1 for s in states)


def test_due_date_and_grade_mapping():
    assert next_due(ReviewState(2, 6, 2.5), datetime(2026, 1, 1)) == datetime(2026, 1, 7)
    assert quality_from_grade(True, 1.0) == 5 and quality_from_grade(True, 0.6) == 3
    assert quality_from_grade(False, 0.5) == 2 and quality_from_grade(False, 0.0) == 1
    assert quality_from_grade(False, 0.0, empty=True) == 0
    with pytest.raises(ValueError):
        review(ReviewState(), 6)
