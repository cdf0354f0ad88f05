"""Passages handed to a model, and the model's [n] markers mapped back to them.

``pack_passages`` numbers the retrieved passages and wraps each in a delimiter the
passage's own text cannot close, within a token budget, best first;
``map_citations`` keeps the answer's [n] markers that point at a passage and
turns them into citations. Used by every feature that quotes or prompts with
course passages (explain, coach, studio). Nothing here searches or calls a model.
"""

from __future__ import annotations

import re

from tutor_app.core.schemas import Citation, Hit
from tutor_app.engine.tokens import count_tokens, cut_to_tokens

_CITE = re.compile(r"\[(\d{1,2})\]")


def _escape(text: str) -> str:
    # A passage must not be able to close its own delimiter and speak as the user.
    return re.sub(r"</?\s*passage", lambda m: m.group(0).replace("passage", "passage\u200b"), text, flags=re.I)


def pack_passages(hits: list[Hit], budget_tokens: int) -> tuple[str, list[Hit]]:
    """Numbered, delimited passages that fit the budget, best first."""
    parts: list[str] = []
    used: list[Hit] = []
    remaining = budget_tokens
    for hit in hits:
        c = hit.chunk
        header = f'<passage n="{len(used) + 1}" lesson="{_escape(c.title)}" section="{_escape(c.heading)}">\n'
        body = _escape(c.text)
        cost = count_tokens(header) + count_tokens(body) + 4
        if cost > remaining:
            if remaining < 80 and used:
                break
            body, _ = cut_to_tokens(body, remaining - count_tokens(header) - 4)
            cost = remaining
        parts.append(f"{header}{body}\n</passage>")
        used.append(hit)
        remaining -= cost
    return "\n\n".join(parts), used


def map_citations(answer: str, passages: list[Hit]) -> tuple[str, list[Citation]]:
    """Citations for the [n] the answer uses; markers pointing at nothing are dropped."""
    cited: list[int] = []

    def keep(match: re.Match) -> str:
        n = int(match.group(1))
        if 1 <= n <= len(passages):
            if n not in cited:
                cited.append(n)
            return match.group(0)
        return ""

    cleaned = _CITE.sub(keep, answer)
    numbers = sorted(cited) or list(range(1, len(passages) + 1))
    citations = [
        Citation(
            number=n,
            chunk_id=passages[n - 1].chunk.id,
            source=passages[n - 1].chunk.source,
            heading=passages[n - 1].chunk.heading,
            title=passages[n - 1].chunk.title,
            text=passages[n - 1].chunk.text,
        )
        for n in numbers
    ]
    return cleaned, citations
