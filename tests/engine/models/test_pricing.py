"""Cost estimates: per-1M-token prices, the free embedded server, unknown models."""

import pytest

from tutor_app.engine.models.pricing import DEFAULT_PRICES, estimate_cost, price_known


def test_gpt_4o_mini_default_price():
    # 1M input at $0.15 + 1M output at $0.60
    assert estimate_cost("gpt-4o-mini", "openai", 1_000_000, 1_000_000) == pytest.approx(0.75)
    assert estimate_cost("gpt-4o-mini", "openai", 1200, 300) == pytest.approx((1200 * 0.15 + 300 * 0.60) / 1e6)


def test_gpt_4o_default_price():
    assert estimate_cost("gpt-4o", "azure", 2000, 500) == pytest.approx((2000 * 2.50 + 500 * 10.00) / 1e6)


def test_embedded_provider_is_free_and_known():
    assert estimate_cost("SmolLM2-135M-Instruct", "embedded", 5000, 5000) == 0.0
    assert estimate_cost("gpt-4o", "embedded", 5000, 5000) == 0.0
    assert price_known("SmolLM2-135M-Instruct", "embedded")


def test_unknown_model_costs_nothing_but_is_flagged():
    assert estimate_cost("llama3.1:8b", "openai", 1000, 1000) == 0.0
    assert not price_known("llama3.1:8b", "openai")
    assert price_known("gpt-4o-mini", "openai")


def test_dated_snapshot_takes_its_base_price_and_other_variants_do_not():
    assert estimate_cost("gpt-4o-mini-2024-07-18", "openai", 1_000_000, 1_000_000) == pytest.approx(0.75)
    assert estimate_cost("gpt-4o-2024-08-06", "openai", 0, 1_000_000) == pytest.approx(10.0)
    assert not price_known("gpt-4o-audio-preview", "openai")


def test_custom_prices_replace_the_defaults_in_either_shape():
    prices = {"my-deployment": (1.0, 2.0), "other": {"input": 3.0, "output": 4.0}}
    assert estimate_cost("my-deployment", "azure", 1_000_000, 1_000_000, prices) == pytest.approx(3.0)
    assert estimate_cost("other", "openai", 1_000_000, 1_000_000, prices) == pytest.approx(7.0)
    assert estimate_cost("gpt-4o", "openai", 1000, 1000, prices) == 0.0
    assert not price_known("gpt-4o", "openai", prices)


def test_names_match_ignoring_case_and_spaces():
    assert estimate_cost(" GPT-4o-Mini ", "openai", 1_000_000, 1_000_000) == pytest.approx(0.75)


def test_zero_tokens_cost_nothing_and_negative_counts_are_refused():
    assert estimate_cost("gpt-4o", "openai", 0, 0) == 0.0
    with pytest.raises(ValueError):
        estimate_cost("gpt-4o", "openai", -1, 0)


def test_defaults_cannot_be_changed_by_accident():
    with pytest.raises(TypeError):
        DEFAULT_PRICES["gpt-4o"] = (0, 0)  # type: ignore[index]


def test_a_request_that_got_no_answer_costs_nothing():
    """The tutor counts the prompt's tokens itself when a request fails, so no completion tokens means no answer."""
    assert estimate_cost("gpt-4o-mini", "openai", 1200, 0) == 0.0
    assert estimate_cost("gpt-4o-mini", "openai", 1200, 1) > 0.0
