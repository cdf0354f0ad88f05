"""Coverage matrix: time on the sample course and on a synthetic 200 lessons x 100 objectives course,
plus precision and recall against the hand labels in data/coverage_labels.yaml.

Uses the bundled e5 embedder and a cached bench index (ingestion is idempotent,
so only the first run pays for embedding the lessons). Besides the full sample
course (English + Chinese), the same labels are scored on English-only and
Chinese-only copies: the thresholds were calibrated on the full course, so the
single-language figures show how well they carry over.
Run: .venv/bin/python benchmarks/coverage.py
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from pathlib import Path

import yaml
from common import BENCH_HOME, ROOT

from tutor_app.admin.coverage import build_coverage, compute_matrix, score_against_labels
from tutor_app.admin.curriculum import CurriculumStore
from tutor_app.core.config import load_settings
from tutor_app.core.database import default_database_url, open_database
from tutor_app.core.schemas import Objective
from tutor_app.services import build_services

LABELS = yaml.safe_load((ROOT / "data" / "coverage_labels.yaml").read_text(encoding="utf-8"))
TOPICS = [
    "tokens",
    "temperature",
    "embeddings",
    "vector search",
    "prompt templates",
    "few-shot examples",
    "chain of thought",
    "fine-tuning",
    "retrieval",
    "hallucinations",
    "bias",
    "privacy",
    "rate limits",
    "streaming",
    "context windows",
    "prompt injection",
    "jailbreaks",
    "secrets",
    "logging",
    "evaluation",
    "licences",
    "latency",
    "cost",
    "chunking",
    "reranking",
    "safety filters",
    "system messages",
    "JSON output",
    "function calling",
    "agents",
]
VERBS = ["Explain", "Apply", "Compare", "Evaluate", "Describe", "Design", "Identify", "Analyse"]


def timed(fn, repeat: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def synthetic_course(folder: Path, lessons: int = 200, rng: random.Random = random.Random(7)) -> None:
    for n in range(lessons):
        picked = rng.sample(TOPICS, 3)
        sections = "\n\n".join(
            f"## {topic.capitalize()}\nThis part of lesson {n} explains {topic} with an example, "
            f"and shows how {topic} relates to {rng.choice(TOPICS)} in a small chat application."
            for topic in picked
        )
        (folder / f"lesson-{n:03d}.md").write_text(
            f"---\nid: syn-{n:03d}\n---\n# Lesson {n}: {', '.join(picked)}\n\n{sections}\n", encoding="utf-8"
        )


def synthetic_objectives(count: int = 100, rng: random.Random = random.Random(11)) -> list[Objective]:
    return [
        Objective(
            id=f"obj-{n:03d}",
            text=f"{rng.choice(VERBS)} {rng.choice(TOPICS)} and {rng.choice(TOPICS)} in a real application",
            bloom="understand",
        )
        for n in range(count)
    ]


def main() -> None:
    settings = load_settings(env={}, home=BENCH_HOME / "coverage")
    services = build_services(settings)
    db = open_database(default_database_url(settings))
    started = time.perf_counter()
    services.ingestor.ingest_paths([ROOT / LABELS["folder"]], LABELS["course"])
    services.ingestor.ingest_paths([ROOT / LABELS["folder"] / "en"], "sample-en-only")
    services.ingestor.ingest_paths([ROOT / LABELS["folder"] / "zh"], "sample-zh-only")
    print(f"set-up: sample course indexed in {time.perf_counter() - started:.1f} s (cached after the first run)")

    print("\n== sample course (8 lessons x 36 objectives, English + Chinese) ==")
    cold, report = timed(lambda: build_coverage(services.index, db, LABELS["course"]), repeat=1)
    warm, report = timed(lambda: build_coverage(services.index, db, LABELS["course"]))
    print(
        f"coverage: {cold * 1000:.0f} ms first (embeds the 72 objective texts), {warm * 1000:.0f} ms again (median of 3; "
        f"objective vectors cached); {len(report.lessons)} lessons x {len(report.objectives)} objectives, "
        f"{sum(lesson.chunks for lesson in report.lessons)} chunks"
    )
    for course in (LABELS["course"], "sample-en-only", "sample-zh-only"):
        scores = score_against_labels(build_coverage(services.index, db, course), LABELS)
        print(
            f"{course:>16}: precision {scores['precision']:.3f}  recall {scores['recall']:.3f}  "
            f"(TP {scores['true_positive']}, FN {scores['false_negative']}, FP {scores['false_positive']}, TN {scores['true_negative']})"
        )
        if scores["missed"] or scores["wrong"]:
            print(f"{'':>18}missed {scores['missed']}; wrongly matched {scores['wrong']}")
    levels = {level: sum(c.level == level for c in report.cells) for level in ("none", "introduced", "developed", "mastered")}
    print(f"cells by level: {levels}; gaps {report.gaps}; redundant {report.redundant}")

    print("\n== synthetic course (200 lessons x 100 objectives) ==")
    with tempfile.TemporaryDirectory() as tmp:
        synthetic_course(Path(tmp))
        started = time.perf_counter()
        ingest = services.ingestor.ingest_paths([Path(tmp)], "synthetic-200")
        print(f"ingest: {time.perf_counter() - started:.1f} s ({ingest.summary()})")
    CurriculumStore(db).replace("synthetic-200", synthetic_objectives())
    cold, report = timed(lambda: build_coverage(services.index, db, "synthetic-200"), repeat=1)
    warm, report = timed(lambda: build_coverage(services.index, db, "synthetic-200"))
    chunks = sum(lesson.chunks for lesson in report.lessons)
    print(
        f"coverage end to end: {cold:.2f} s first, {warm:.2f} s again (median of 3): {len(report.lessons)} lessons x "
        f"{len(report.objectives)} objectives = {len(report.cells)} cells over {chunks} chunks"
    )
    ids = [c.id for part in services.index.iter_chunks(where={"course": "synthetic-200"}) for c in part]
    read, (chunk_list, vectors) = timed(lambda: services.index.get(ids, with_embeddings=True))
    queries = [o.texts[0] for o in report.objectives]
    embed, query_vectors = timed(lambda: services.index.embedder.embed_query(queries), repeat=1)  # uncached
    matrix, _ = timed(
        lambda: compute_matrix(
            "synthetic-200",
            chunk_list,
            vectors,
            report.objectives,
            query_vectors,
            ["en"] * len(queries),
            list(range(len(queries))),
        )
    )
    print(f"  of which: read chunks+vectors {read:.2f} s, embed 100 objectives {embed:.2f} s, rate 20,000 cells {matrix:.2f} s")
    print(f"  gaps {len(report.gaps)}, redundant {len(report.redundant)}; CSV {len(report.to_csv()) / 1024:.0f} KB")


if __name__ == "__main__":
    main()
