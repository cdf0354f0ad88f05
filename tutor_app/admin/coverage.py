"""The coverage matrix: how well each lesson of a course teaches each learning objective.

No language model is needed. Each objective's text (in every language it was
written in) is embedded as a query and compared with the stored vectors of the
lesson's chunks; the best cosine similarity, plus the number of chunks that
reach the "introduced" threshold, rate the cell none / introduced / developed /
mastered, and the supporting chunks are kept so a page can show them.
Thresholds were calibrated with the bundled e5 embedder on the sample course
against the hand labels in data/coverage_labels.yaml (benchmarks/coverage.py
prints precision and recall). A different embedder needs its own calibration.

Objectives no lesson covers are gaps; objectives developed by many lessons are
flagged as redundant. ``explain_cell`` may ask a model for one sentence, when
one is available. This module reads the index; it does not write anything.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass, field

import numpy as np

from tutor_app.admin.curriculum import CourseObjective, course_objectives, text_langs
from tutor_app.core.errors import InputError, ModelError

LEVELS = ("none", "introduced", "developed", "mastered")


@dataclass(frozen=True)
class Thresholds:
    """Cosine similarities (e5-small, objective as query vs passage) that rate a cell; see the module docstring.

    e5 scores differ by language (sample course, objectives vs their own lesson, medians: English 0.887,
    Chinese 0.920, across the two 0.83), so similarities are first put on the English scale: Chinese-Chinese
    pairs get ``same_language_offsets`` and pairs across languages ``cross_language_offset``. A passage
    is compared with the objective's text in its own language when the objective has one, and with its
    other texts (cross-language) only when it does not.
    """

    introduced: float = 0.85
    developed: float = 0.87
    mastered: float = 0.89
    mastered_support: int = 2  # chunks at or above `introduced` needed for "mastered"
    same_language_offsets: tuple[tuple[str, float], ...] = (("zh", -0.04),)
    cross_language_offset: float = 0.035
    redundant_lessons: int = 3  # objectives developed by at least this many lessons are flagged
    max_links: int = 3  # supporting chunks kept per cell
    score_floor: float = 0.81  # the calibrated score maps [floor, ceiling] to [0, 1]
    score_ceiling: float = 0.91


@dataclass
class Lesson:
    id: str
    title: str
    sources: list[str]
    chunks: int


@dataclass
class Cell:
    lesson: str
    objective: str
    level: str
    score: float  # 0..1, from the best similarity (see Thresholds.score_floor)
    similarity: float  # the best chunk's cosine similarity (language-adjusted)
    support: int  # chunks at or above the "introduced" threshold
    chunk_ids: list[str] = field(default_factory=list)  # the best supporting chunks, best first


@dataclass
class CoverageReport:
    course: str
    lessons: list[Lesson]
    objectives: list[CourseObjective]
    cells: list[Cell]
    gaps: list[str]  # objective ids with no evidence in any lesson
    redundant: list[str]  # objective ids developed by many lessons

    def cell(self, lesson: str, objective: str) -> Cell:
        return next(c for c in self.cells if c.lesson == lesson and c.objective == objective)

    def rows(self) -> list[dict]:
        """One flat row per cell, for tables, charts, CSV and JSON."""
        titles = {lesson.id: lesson.title for lesson in self.lessons}
        texts = {o.id: o.text for o in self.objectives}
        return [
            {
                "lesson": c.lesson,
                "lesson_title": titles.get(c.lesson, ""),
                "objective": c.objective,
                "objective_text": texts.get(c.objective, ""),
                "level": c.level,
                "score": round(c.score, 3),
                "similarity": round(c.similarity, 4),
                "support": c.support,
                "chunk_ids": " ".join(c.chunk_ids),
                "gap": c.objective in self.gaps,
                "redundant": c.objective in self.redundant,
            }
            for c in self.cells
        ]

    def to_json(self) -> dict:
        return {
            "course": self.course,
            "levels": list(LEVELS),
            "lessons": [asdict(lesson) for lesson in self.lessons],
            "objectives": [{"id": o.id, "text": o.text, "bloom": o.bloom, "origin": o.origin} for o in self.objectives],
            "cells": [asdict(c) for c in self.cells],
            "gaps": self.gaps,
            "redundant": self.redundant,
        }

    def to_csv(self) -> str:
        out = io.StringIO()
        rows = self.rows()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else ["lesson", "objective", "level"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue()


def _normalise(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms)


_QUERY_CACHE: dict[tuple[str, str], np.ndarray] = {}  # (embedder, objective text) -> vector
_QUERY_CACHE_SIZE = 20_000


def _embed_queries(embedder, texts: list[str]) -> np.ndarray:
    """Objective vectors; cached by text, since objectives change far less often than the matrix is viewed."""
    from tutor_app.engine.search.embeddings import embedder_id

    config = getattr(embedder, "get_config", dict)()
    who = f"{embedder_id(embedder)}:{sorted(config.items()) if isinstance(config, dict) else config}"
    missing = list(dict.fromkeys(t for t in texts if (who, t) not in _QUERY_CACHE))
    if missing:
        embed = getattr(embedder, "embed_query", None) or embedder
        if len(_QUERY_CACHE) + len(missing) > _QUERY_CACHE_SIZE:
            _QUERY_CACHE.clear()
        _QUERY_CACHE.update({(who, t): np.asarray(v, dtype=np.float32) for t, v in zip(missing, embed(missing))})
    return np.stack([_QUERY_CACHE[(who, t)] for t in texts])


def rate(similarity: float, support: int, thresholds: Thresholds) -> str:
    if similarity < thresholds.introduced:
        return "none"
    if similarity >= thresholds.mastered and support >= thresholds.mastered_support:
        return "mastered"
    return "developed" if similarity >= thresholds.developed else "introduced"


def compute_matrix(
    course: str,
    chunks: list,
    vectors,
    objectives: list[CourseObjective],
    query_vectors,
    query_langs: list[str],
    query_owner: list[int],
    thresholds: Thresholds = Thresholds(),
) -> CoverageReport:
    """The pure part: chunks with their vectors, objectives with their texts' vectors -> the report.

    ``query_owner[k]`` is the index in ``objectives`` of query row ``k`` (an objective may have several texts).
    """
    by_lesson: dict[str, list[int]] = {}
    for k, chunk in enumerate(chunks):
        by_lesson.setdefault(chunk.lesson_id or chunk.source, []).append(k)
    lessons = [
        Lesson(lid, chunks[ks[0]].title, sorted({chunks[k].source for k in ks}), len(ks)) for lid, ks in sorted(by_lesson.items())
    ]
    cells: list[Cell] = []
    if chunks and objectives:
        similarity = _normalise(np.asarray(query_vectors, dtype=np.float32)) @ _normalise(np.asarray(vectors, dtype=np.float32)).T
        chunk_langs = np.array([c.lang for c in chunks])
        same_offsets = dict(thresholds.same_language_offsets)
        same = np.full((len(objectives), len(chunks)), -np.inf, dtype=np.float32)  # best same-language text
        cross = np.full((len(objectives), len(chunks)), -np.inf, dtype=np.float32)  # best other-language text
        for row, (owner, lang) in enumerate(zip(query_owner, query_langs)):
            here = chunk_langs == lang
            shifted = np.where(here, similarity[row] + same_offsets.get(lang, 0.0), -np.inf)
            np.maximum(same[owner], shifted, out=same[owner])
            shifted = np.where(here, -np.inf, similarity[row] + thresholds.cross_language_offset)
            np.maximum(cross[owner], shifted, out=cross[owner])
        per_objective = np.where(np.isfinite(same), same, cross)
        span = thresholds.score_ceiling - thresholds.score_floor
        for lesson in lessons:
            ks = np.asarray(by_lesson[lesson.id])
            block = per_objective[:, ks]
            order = np.argsort(-block, axis=1)[:, : thresholds.max_links]
            for o, objective in enumerate(objectives):
                best = float(block[o, order[o, 0]])
                support = int((block[o] >= thresholds.introduced).sum())
                level = rate(best, support, thresholds)
                links = [chunks[ks[j]].id for j in order[o] if block[o, j] >= thresholds.introduced]
                cells.append(
                    Cell(
                        lesson.id,
                        objective.id,
                        level,
                        float(np.clip((best - thresholds.score_floor) / span, 0, 1)),
                        best,
                        support,
                        links,
                    )
                )
    covered = {c.objective for c in cells if c.level != "none"}
    developed: dict[str, int] = {}
    for c in cells:
        if c.level in ("developed", "mastered"):
            developed[c.objective] = developed.get(c.objective, 0) + 1
    return CoverageReport(
        course,
        lessons,
        objectives,
        cells,
        gaps=[o.id for o in objectives if o.id not in covered],
        redundant=[o.id for o in objectives if developed.get(o.id, 0) >= thresholds.redundant_lessons],
    )


def build_coverage(index, db, course: str, thresholds: Thresholds = Thresholds()) -> CoverageReport:
    """Read the course's chunks, vectors and objectives from the index (and the app database) and rate every cell."""
    ids = [c.id for part in index.iter_chunks(where={"course": course}) for c in part]
    if not ids:
        raise InputError(f"The course '{course}' has no indexed documents.", "Upload course files in the Library page first.")
    chunks, vectors = index.get(ids, with_embeddings=True)
    objectives = course_objectives(index, db, course)
    queries, langs, owners = [], [], []
    for n, objective in enumerate(objectives):
        for text, lang in text_langs(objective):
            queries.append(text)
            langs.append(lang)
            owners.append(n)
    query_vectors = _embed_queries(index.embedder, queries) if queries else np.zeros((0, 1))
    return compute_matrix(course, chunks, vectors, objectives, query_vectors, langs, owners, thresholds)


def explain_cell(chat_model, report: CoverageReport, cell: Cell, index, language: str = "English", prompts=None) -> str:
    """One sentence from a language model on why the cell has its rating (optional; needs a model).
    ``prompts``: a ``PromptSource`` (default: the prompt files)."""
    from tutor_app.engine.models.prompts import FilePromptSource, chat_messages

    chunks, _ = index.get(cell.chunk_ids[:2])
    passages = (
        "\n\n".join(f'<passage heading="{c.heading}">\n{c.text[:800]}\n</passage>' for c in chunks)
        or "(no passage reaches the threshold)"
    )
    objective = next(o for o in report.objectives if o.id == cell.objective)
    messages = (
        (prompts or FilePromptSource())
        .get("coverage_explain")
        .template()
        .format_messages(language=language, objective=objective.text, level=cell.level, passages=passages)
    )
    answer = chat_model.complete(chat_messages(messages), 80)
    text = answer.text.strip()
    if not text:
        raise ModelError(
            f"The model gave no explanation ({answer.error or 'empty answer'}).",
            "Check the model settings in the sidebar; the rating itself needs no model.",
        )
    return text


def score_against_labels(report: CoverageReport, labels: dict) -> dict:
    """Precision and recall of "any evidence" against hand labels {match: {lesson: [objective ids]}, no_match: {...}}."""

    def pairs(key: str) -> set[tuple[str, str]]:
        return {(lesson, objective) for lesson, ids in (labels.get(key) or {}).items() for objective in ids}

    found = {(c.lesson, c.objective) for c in report.cells if c.level != "none"}
    positives, negatives = pairs("match"), pairs("no_match")
    tp, fn = len(positives & found), len(positives - found)
    fp, tn = len(negatives & found), len(negatives - found)
    return {
        "precision": tp / (tp + fp) if tp + fp else 0.0,
        "recall": tp / (tp + fn) if tp + fn else 0.0,
        "true_positive": tp,
        "false_negative": fn,
        "false_positive": fp,
        "true_negative": tn,
        "missed": sorted(positives - found),
        "wrong": sorted(negatives & found),
    }
