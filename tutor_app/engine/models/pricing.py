"""What an answer cost, estimated from its token counts: pure functions, no I/O.

Prices are US dollars per 1 million tokens, input and output, keyed by model
name. A dated snapshot (``gpt-4o-mini-2024-07-18``) takes the price of its
undated name. The embedded llama.cpp server is free. A request that brought
back no answer (no completion tokens: it failed before the first one) is
recorded at 0.0. A model with no known price costs 0.0 here, and
``price_known`` says so, so a page can show "price unknown" instead of a
misleading $0.00.

This module does not fetch prices, store costs or count tokens.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType

from tutor_app.core.config import Provider

# USD per 1M tokens (input, output), OpenAI's list prices.
DEFAULT_PRICES: Mapping[str, tuple[float, float]] = MappingProxyType(
    {
        "gpt-4o-mini": (0.15, 0.60),
        "gpt-4o": (2.50, 10.00),
    }
)
FREE_PROVIDERS = frozenset({Provider.EMBEDDED})
_DATED = re.compile(r"-\d{4}(-\d{2}-\d{2})?$")

Price = Sequence[float] | Mapping[str, float]  # (input, output) or {"input": .., "output": ..}


def estimate_cost(
    model: str,
    provider: str,
    prompt_tokens: int,
    completion_tokens: int,
    prices: Mapping[str, Price] | None = None,
) -> float:
    """Estimated cost in USD; 0.0 for the embedded provider, for models without a price, and for a request
    that got no answer (``completion_tokens`` 0: the prompt tokens a caller counted itself were never answered)."""
    if prompt_tokens < 0 or completion_tokens < 0:
        raise ValueError("token counts cannot be negative")
    if provider in FREE_PROVIDERS or completion_tokens == 0:
        return 0.0
    price = _price_for(model, DEFAULT_PRICES if prices is None else prices)
    if price is None:
        return 0.0
    per_input, per_output = price
    return (prompt_tokens * per_input + completion_tokens * per_output) / 1_000_000


def price_known(model: str, provider: str, prices: Mapping[str, Price] | None = None) -> bool:
    """False when ``estimate_cost`` returns 0.0 only because the model has no price."""
    return provider in FREE_PROVIDERS or _price_for(model, DEFAULT_PRICES if prices is None else prices) is not None


def _price_for(model: str, prices: Mapping[str, Price]) -> tuple[float, float] | None:
    name = (model or "").strip().lower()
    table = {key.lower(): value for key, value in prices.items()}
    if name in table:
        return _pair(table[name])
    # Only a dated snapshot inherits a price: "gpt-4o-audio-preview" is priced differently from "gpt-4o".
    base = _DATED.sub("", name)
    return _pair(table[base]) if base != name and base in table else None


def _pair(price: Price) -> tuple[float, float]:
    if isinstance(price, Mapping):
        return float(price["input"]), float(price["output"])
    per_input, per_output = price
    return float(per_input), float(per_output)
