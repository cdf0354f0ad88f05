"""Hybrid retrieval: dense (embeddings) and lexical (BM25) rankings, fused.

Each ranker returns its best candidates; reciprocal-rank fusion (RRF) merges
them, so a passage that both find rises to the top, and one that only the
lexical side finds (an API name, an acronym) still gets in. Every hit carries
the cosine similarity of query and passage, which the grounding threshold is
calibrated on. Queries are cut to a token budget with a notice. This module
reads the index; it does not write to it or call a language model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from .config import Settings
from .errors import InputError
from .index import CourseIndex, where_filter
from .schemas import Hit
from .tokens import cut_to_tokens

Mode = Literal["hybrid", "dense", "lexical"]
RRF_K = 60


@dataclass
class SearchResult:
    hits: list[Hit]
    grounded: bool
    notices: list[str] = field(default_factory=list)
    query: str = ""


def rrf(rankings: list[list[str]], k: int = RRF_K) -> dict[str, float]:
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, cid in enumerate(ranking):
            scores[cid] = scores.get(cid, 0.0) + 1.0 / (k + rank + 1)
    return scores


class Retriever:
    def __init__(self, settings: Settings, index: CourseIndex) -> None:
        self.settings = settings
        self.index = index

    def prepare_query(self, query: str) -> tuple[str, list[str]]:
        query = (query or "").strip()
        if not query:
            raise InputError("The question is empty.", "Type a question about the course.")
        cut, was_cut = cut_to_tokens(query, self.settings.query_max_tokens)
        notices = []
        if was_cut:
            notices.append(
                f"The question was long; only its first {self.settings.query_max_tokens} tokens were used for the search."
            )
        return cut, notices

    def search(
        self,
        query: str,
        k: int | None = None,
        course: str | None = None,
        lang: str | None = None,
        mode: Mode = "hybrid",
    ) -> SearchResult:
        k = k or self.settings.top_k
        query, notices = self.prepare_query(query)
        if self.index.count() == 0:
            return SearchResult([], False, notices + ["The index is empty: ingest course files first."], query)
        pool = max(4 * k, 20)
        query_vector = np.asarray(self.index.embedder.embed_query([query])[0], dtype=np.float32)
        rankings: list[list[str]] = []
        dense: list[tuple[str, float]] = []
        if mode in ("hybrid", "dense"):
            dense = self.index.dense_query(query_vector, pool, where_filter(course, lang))
            rankings.append([cid for cid, _ in dense])
        lexical: list[tuple[str, float]] = []
        if mode in ("hybrid", "lexical"):
            lexical = self.index.lexical.search(query, pool, course=course, lang=lang)
            rankings.append([cid for cid, _ in lexical])
        fused = rrf(rankings)
        top = sorted(fused, key=lambda cid: -fused[cid])[:k]
        chunks, vectors = self.index.get(top, with_embeddings=True)
        dense_rank = {cid: r for r, (cid, _) in enumerate(dense)}
        lexical_rank = {cid: r for r, (cid, _) in enumerate(lexical)}
        hits = [
            Hit(
                chunk=chunk,
                score=fused[chunk.id],
                similarity=float(np.dot(vector, query_vector)),
                dense_rank=dense_rank.get(chunk.id),
                lexical_rank=lexical_rank.get(chunk.id),
            )
            for chunk, vector in zip(chunks, vectors)
        ]
        grounded = bool(hits) and max(h.similarity for h in hits) >= self.settings.grounding_threshold
        return SearchResult(hits, grounded, notices, query)
