"""Hybrid retrieval: dense (embeddings) and lexical (BM25) rankings, fused, and the grounding decision.

Each ranker returns its best candidates; reciprocal-rank fusion (RRF) merges
them, so a passage that both find rises to the top, and one that only the
lexical side finds (an API name, an acronym) still gets in. Every hit carries
the cosine similarity of query and passage. Queries are cut to a token budget
with a notice.

Grounding (does the course cover the question?) weighs two kinds of evidence:
the best passage's cosine similarity and the share of the question's content
terms found in the top passages. Their sum is compared with the same sum for a
fixed set of off-topic anchor questions searched in the same course: e5
similarities run at a different level in every course and language, so the
rule asks "how far above this course's off-topic level?", not "above 0.88?".
The numbers are in ``config.Settings`` and were chosen by
``benchmarks/grounding.py --calibrate`` on calibration sets only.
This module reads the index (before a search it lets ``index.catch_up`` re-copy
a lagging keyword index from Chroma); it does not write chunks or call a language model.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import yaml

from tutor_app.core.config import Settings
from tutor_app.core.errors import InputError
from tutor_app.core.i18n import Notice
from tutor_app.core.schemas import Hit
from tutor_app.engine.search.index import CourseIndex, where_filter
from tutor_app.engine.search.lexical import terms
from tutor_app.engine.text import CJK_RUN, detect_lang
from tutor_app.engine.tokens import cut_to_tokens

Mode = Literal["hybrid", "dense", "lexical"]
RRF_K = 60
# Grounding reads the top few fused passages whatever k the caller asked for, so a
# caller that wants 12 passages gets the same decision as one that wants 5.
GROUNDING_HITS = 5
# jieba's search mode also emits question words (哪几个, 什么样, 怎么办) and single
# characters (靠, 选); a course rarely "contains" them, so they would only dilute coverage.
_QUESTION_CHARS = set("哪么吗呢吧啊些几谁怎咋")
# The off-topic level used when no anchor questions can be read: the mean anchor evidence
# measured on the two bench courses (benchmarks/grounding.py), rounded.
_FALLBACK_REFERENCE = 0.87


@dataclass(frozen=True)
class Grounding:
    """Why a question was (not) taken as covered; every number the decision used."""

    similarity: float  # the best passage's cosine similarity
    coverage: float  # share of the question's content terms in the top passages (directly or translated)
    evidence: float  # similarity + weight x coverage
    reference: float  # the same evidence for off-topic anchor questions in this course (their mean)
    cross: bool  # the best passage is in another language than the question
    grounded: bool
    reason: str

    @property
    def margin(self) -> float:
        return self.evidence - self.reference


@dataclass
class SearchResult:
    hits: list[Hit]
    grounded: bool
    notices: list[Notice] = field(default_factory=list)
    query: str = ""
    coverage: float = 0.0  # share of the query's terms found in the hits (directly or translated)
    grounding: Grounding | None = None


def term_coverage(query_terms: list[str], found: set[str], bilingual=None) -> float:
    """Share of the query's distinct terms among ``found`` (the hits' terms), in either language."""
    wanted = list(dict.fromkeys(query_terms))
    if not wanted or not found:
        return 0.0

    def present(term: str) -> bool:
        return term in found or bool(bilingual and any(t in found for t in bilingual.translations(term)))

    return sum(present(t) for t in wanted) / len(wanted)


def content_terms(query_terms: list[str]) -> list[str]:
    """The terms that say what a question is about: Chinese question words and single characters dropped."""
    kept = [t for t in query_terms if not CJK_RUN.search(t) or (len(t) >= 2 and not set(t) & _QUESTION_CHARS)]
    return kept or query_terms


def decide(similarity: float, evidence: float, reference: float, cross: bool, settings: Settings) -> tuple[bool, str]:
    """The grounding rule on measured numbers; pure, so tests and benchmarks can replay it."""
    s = settings
    threshold, floor, margin = (
        (s.cross_grounding_threshold, s.cross_grounding_floor, s.cross_grounding_margin)
        if cross
        else (s.grounding_threshold, s.grounding_floor, s.grounding_margin)
    )
    if similarity >= threshold:
        return True, f"the best passage is close in meaning ({similarity:.3f} >= {threshold})"
    if similarity < floor:
        return False, f"the best passage is too far in meaning ({similarity:.3f} < {floor})"
    verdict = f"evidence {evidence:.3f} is {evidence - reference:+.3f} from the course's off-topic level {reference:.3f}"
    if evidence - reference >= margin:
        return True, f"{verdict} (needs {margin:+.3f})"
    return False, f"{verdict}, short of {margin:+.3f}"


def load_anchors(path: Path | None) -> dict[str, list[str]]:
    """Off-topic anchor questions by language ({"en": [...], "zh": [...]}); empty when the file is absent."""
    if path is None or not Path(path).is_file():
        return {}
    out: dict[str, list[str]] = {}
    for item in yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []:
        out.setdefault(str(item.get("lang", "en")), []).append(str(item["question"]))
    return out


def rrf(rankings: list[list[str]], k: int = RRF_K) -> dict[str, float]:
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, cid in enumerate(ranking):
            scores[cid] = scores.get(cid, 0.0) + 1.0 / (k + rank + 1)
    return scores


@dataclass
class _Ranked:
    dense: list[tuple[str, float]]
    lexical: list[tuple[str, float]]
    fused: dict[str, float]

    def top(self, k: int) -> list[str]:
        return sorted(self.fused, key=lambda cid: -self.fused[cid])[:k]


class Retriever:
    def __init__(
        self, settings: Settings, index: CourseIndex, bilingual=None, anchors: dict[str, list[str]] | None = None
    ) -> None:
        """``bilingual`` (optional) adds the other language's terms to keyword queries;
        ``anchors`` (default: the file named by ``settings.grounding_anchors``) are off-topic questions by language."""
        self.settings = settings
        self.index = index
        self.bilingual = bilingual
        self._anchors = anchors
        self._anchor_vectors: dict[str, np.ndarray] = {}
        self._measures: dict[tuple, dict[str, tuple[float, float]]] = {}
        self._lock = threading.Lock()

    def prepare_query(self, query: str) -> tuple[str, list[Notice]]:
        query = (query or "").strip()
        if not query:
            raise InputError.of("err_question_empty")
        cut, was_cut = cut_to_tokens(query, self.settings.query_max_tokens)
        notices = []
        if was_cut:
            notices.append(Notice("query_cut", (("tokens", self.settings.query_max_tokens),)))
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
        if self.index.catch_up(total):  # another app server may have written to a shared collection
            self._measures = {}  # a replacement can keep the count the measures are keyed by
        if total == 0:
            return SearchResult([], False, notices + [Notice("index_empty")], query)
        query_vector = np.asarray(self.index.embedder.embed_query([query])[0], dtype=np.float32)
        ranked = self._rank(query, query_vector, max(4 * k, 20), course, lang, total, mode)
        top = ranked.top(max(k, GROUNDING_HITS))
        chunks, vectors = self.index.get(top, with_embeddings=True)
        dense_rank = {cid: r for r, (cid, _) in enumerate(ranked.dense)}
        lexical_rank = {cid: r for r, (cid, _) in enumerate(ranked.lexical)}
        hits = [
            Hit(
                chunk=chunk,
                score=ranked.fused[chunk.id],
                similarity=float(np.dot(vector, query_vector)),
                dense_rank=dense_rank.get(chunk.id),
                lexical_rank=lexical_rank.get(chunk.id),
            )
            for chunk, vector in zip(chunks, vectors)
        ]
        own_terms = terms(query)
        coverage = term_coverage(own_terms, self.index.lexical.stored_terms([h.chunk.id for h in hits[:k]]), self.bilingual)
        grounding = self._grounding(query, own_terms, ranked, hits, course, lang, total)
        return SearchResult(hits[:k], grounding.grounded, notices, query, coverage, grounding)

    def _rank(
        self, query: str, vector: np.ndarray, pool: int, course: str | None, lang: str | None, total: int, mode: Mode = "hybrid"
    ) -> _Ranked:
        dense: list[tuple[str, float]] = []
        lexical: list[tuple[str, float]] = []
        rankings: list[list[str]] = []
        if mode in ("hybrid", "dense"):
            dense = self.index.dense_query(vector, pool, where_filter(course, lang), total)
            rankings.append([cid for cid, _ in dense])
        if mode in ("hybrid", "lexical"):
            keyword_terms = terms(query) + (self.bilingual.expand(query) if self.bilingual else [])
            lexical = self.index.lexical.search(keyword_terms, pool, course=course, lang=lang)
            rankings.append([cid for cid, _ in lexical])
        return _Ranked(dense, lexical, rrf(rankings))

    def _coverage(self, own_terms: list[str], top_ids: list[str]) -> float:
        return term_coverage(content_terms(own_terms), self.index.lexical.stored_terms(top_ids), self.bilingual)

    def _grounding(
        self, query: str, own_terms: list[str], ranked: _Ranked, hits: list[Hit], course: str | None, lang: str | None, total: int
    ) -> Grounding:
        query_lang = detect_lang(query)
        if not hits:
            return Grounding(0.0, 0.0, 0.0, 0.0, False, False, "no passages found")
        if ranked.dense:
            best_id, similarity = ranked.dense[0]
            best_lang = next((h.chunk.lang for h in hits if h.chunk.id == best_id), None)
            if best_lang is None:  # the nearest passage did not make the fused top
                found, _ = self.index.get([best_id])
                best_lang = found[0].lang if found else hits[0].chunk.lang
        else:  # a lexical-only search: the best similarity among the passages it found
            best = max(hits, key=lambda h: h.similarity)
            similarity, best_lang = best.similarity, best.chunk.lang
        coverage = self._coverage(own_terms, [h.chunk.id for h in hits[:GROUNDING_HITS]])
        evidence = similarity + self.settings.grounding_coverage_weight * coverage
        reference = self.reference(course, lang, query_lang, total)
        cross = best_lang != query_lang
        grounded, reason = decide(similarity, evidence, reference, cross, self.settings)
        return Grounding(similarity, coverage, evidence, reference, cross, grounded, reason)

    def anchors(self) -> dict[str, list[str]]:
        if self._anchors is None:
            self._anchors = load_anchors(self.settings.grounding_anchors)
        return self._anchors

    def anchor_measures(
        self, course: str | None, lang: str | None, query_lang: str, total: int | None = None
    ) -> dict[str, tuple[float, float]]:
        """(similarity, coverage) of each off-topic anchor question in ``query_lang``, searched like a learner's
        question in the same course; cached until the index changes."""
        total = self.index.count() if total is None else total
        key = (course, lang, query_lang, total)
        if key in self._measures:
            return self._measures[key]
        questions = self.anchors().get(query_lang) or self.anchors().get("en") or []
        if not questions:
            return {}
        with self._lock:
            vectors = self._anchor_vectors.get(query_lang)
            if vectors is None:
                vectors = np.asarray(self.index.embedder.embed_query(questions), dtype=np.float32)
                self._anchor_vectors[query_lang] = vectors
        out: dict[str, tuple[float, float]] = {}
        for question, vector in zip(questions, vectors):
            ranked = self._rank(question, vector, 20, course, lang, total)
            if ranked.dense:
                coverage = self._coverage(terms(question), ranked.top(GROUNDING_HITS))
                out[question] = (ranked.dense[0][1], coverage)
        with self._lock:
            # A changed index makes every older measure stale.
            self._measures = {k: v for k, v in self._measures.items() if k[3] == total}
            self._measures[key] = out
        return out

    def reference(self, course: str | None, lang: str | None, query_lang: str, total: int) -> float:
        """The course's off-topic level: the mean evidence of the anchor questions."""
        measures = self.anchor_measures(course, lang, query_lang, total).values()
        weight = self.settings.grounding_coverage_weight
        return float(np.mean([s + weight * c for s, c in measures])) if measures else _FALLBACK_REFERENCE
