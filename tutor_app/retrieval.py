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
from .lexical import terms
from .loaders import detect_lang
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
    coverage: float = 0.0  # share of the query's terms found in the hits (directly or translated)


def term_coverage(query_terms: list[str], found: set[str], bilingual=None) -> float:
    """Share of the query's distinct terms among ``found`` (the hits' terms), in either language."""
    wanted = list(dict.fromkeys(query_terms))
    if not wanted or not found:
        return 0.0

    def present(term: str) -> bool:
        return term in found or bool(bilingual and any(t in found for t in bilingual.translations(term)))
    return sum(present(t) for t in wanted) / len(wanted)


def rrf(rankings: list[list[str]], k: int = RRF_K) -> dict[str, float]:
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, cid in enumerate(ranking):
            scores[cid] = scores.get(cid, 0.0) + 1.0 / (k + rank + 1)
    return scores


class Retriever:
    def __init__(self, settings: Settings, index: CourseIndex, bilingual=None) -> None:
        """``bilingual`` (optional) adds the other language's terms to keyword queries."""
        self.settings = settings
        self.index = index
        self.bilingual = bilingual

    def prepare_query(self, query: str) -> tuple[str, list[str]]:
        query = (query or "").strip()
        if not query:
            raise InputError.of("err_question_empty")
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
        total = self.index.count()
        if total == 0:
            return SearchResult([], False, notices + ["The index is empty: ingest course files first."], query)
        pool = max(4 * k, 20)
        own_terms = terms(query)
        query_vector = np.asarray(self.index.embedder.embed_query([query])[0], dtype=np.float32)
        rankings: list[list[str]] = []
        dense: list[tuple[str, float]] = []
        if mode in ("hybrid", "dense"):
            dense = self.index.dense_query(query_vector, pool, where_filter(course, lang), total)
            rankings.append([cid for cid, _ in dense])
        lexical: list[tuple[str, float]] = []
        if mode in ("hybrid", "lexical"):
            keyword_terms = own_terms + (self.bilingual.expand(query) if self.bilingual else [])
            lexical = self.index.lexical.search(keyword_terms, pool, course=course, lang=lang)
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
        coverage = term_coverage(own_terms, self.index.lexical.stored_terms([h.chunk.id for h in hits]), self.bilingual)
        return SearchResult(hits, self.is_grounded(hits, coverage, detect_lang(query)), notices, query, coverage)

    def is_grounded(self, hits: list[Hit], coverage: float, query_lang: str) -> bool:
        """Covered when the best passage is close in meaning, or fairly close and sharing the question's terms."""
        if not hits:
            return False
        best = max(hits, key=lambda h: h.similarity)
        s = self.settings
        if best.chunk.lang == query_lang:
            threshold, floor, needed = s.grounding_threshold, s.grounding_floor, s.grounding_coverage
        else:
            threshold, floor, needed = s.cross_grounding_threshold, s.cross_grounding_floor, s.cross_grounding_coverage
        return best.similarity >= threshold or (best.similarity >= floor and coverage >= needed)
