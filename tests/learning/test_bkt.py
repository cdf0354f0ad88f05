"""BKT updates against values computed by hand from the published equations."""

import pytest

from tutor_app.learning.bkt import BKTParams, posterior, trace, update


def test_one_correct_answer_from_the_default_prior():
    # P(L|right) = 0.2*0.9 / (0.2*0.9 + 0.8*0.2) = 0.18/0.34; then + (1 - that) * 0.15 = 0.6 exactly.
    assert posterior(0.2, True) == pytest.approx(0.18 / 0.34)
    assert update(0.2, True) == pytest.approx(0.6)


def test_one_wrong_answer_from_the_default_prior():
    # P(L|wrong) = 0.2*0.1 / (0.2*0.1 + 0.8*0.8) = 0.02/0.66 = 0.030303; + 0.969697*0.15 = 0.175758
    assert posterior(0.2, False) == pytest.approx(0.02 / 0.66)
    assert update(0.2, False) == pytest.approx(0.02 / 0.66 + (1 - 0.02 / 0.66) * 0.15)
    assert update(0.2, False) == pytest.approx(0.1757576, abs=1e-7)


def test_a_sequence_with_other_parameters():
    params = BKTParams(prior=0.3, learn=0.1, slip=0.2, guess=0.25)
    # right: 0.3*0.8=0.24, 0.7*0.25=0.175 -> 0.24/0.415=0.578313; +0.421687*0.1 -> 0.620482
    # wrong: 0.620482*0.2=0.1240964, 0.379518*0.75=0.2846385 -> 0.1240964/0.4087349=0.303611; +0.696389*0.1 -> 0.373250
    first, second = trace([True, False], params)
    assert first == pytest.approx(0.620482, abs=1e-6)
    assert second == pytest.approx(0.373250, abs=1e-6)


def test_mastery_rises_with_right_answers_and_stays_a_probability():
    values = trace([True] * 8)
    assert values == sorted(values) and 0 < values[0] < values[-1] < 1
    assert values[-1] > 0.95


@pytest.mark.parametrize("bad", [dict(prior=1.5), dict(learn=-0.1), dict(slip=0.6, guess=0.5)])
def test_nonsense_parameters_are_refused(bad):
    with pytest.raises(ValueError):
        BKTParams(**bad)
