"""Retrieval quality: lesson hit@5 and MRR for hybrid, dense-only and lexical-only.

Three groups: English (English question, English lessons), Chinese (Chinese
question, Chinese lessons) and cross-language (the question's language differs
from the lessons searched: Chinese question over English lessons and back).
Also reports how well the grounding threshold separates on-topic questions
from off-topic ones. Run: .venv/bin/python benchmarks/retrieval_quality.py
"""

from __future__ import annotations

import sys
import time

from common import SAMPLES, bench_services, load_questions

MODES = ("hybrid", "dense", "lexical")


def lesson_of(hit) -> str:
    return hit.chunk.lesson_id


def evaluate(services, cases):
    table = {}
    for mode in MODES:
        for group in ("en", "zh", "cross"):
            ranks = []
            for q in (c for c in cases if c["group"] == group):
                hits = services.retriever.search(q["question"], k=5, course=q["course"], lang=q["target_lang"], mode=mode).hits
                lessons = [lesson_of(h) for h in hits]
                ranks.append(lessons.index(q["lesson"]) + 1 if q["lesson"] in lessons else None)
            if ranks:
                hit5 = sum(r is not None for r in ranks) / len(ranks)
                mrr = sum(1 / r for r in ranks if r) / len(ranks)
                table[(mode, group)] = (hit5, mrr, len(ranks))
    return table


def build_cases():
    cases = []
    for course, files in (
        ("genai-beginners", ("lessons-01-04.yaml", "lessons-05-08.yaml")),
        ("course-samples", ("course-samples.yaml",)),
    ):
        if course == "course-samples" and not SAMPLES.is_dir():
            print("note: ../shared/course-samples is absent; only the sample course is measured", file=sys.stderr)
            continue
        for q in load_questions(*files):
            base = {"question": q["question"], "lesson": q["lesson"], "course": course}
            cases.append(base | {"group": q["lang"], "target_lang": q["lang"]})
            cases.append(base | {"group": "cross", "target_lang": "zh" if q["lang"] == "en" else "en"})
    return cases


def grounding(services):
    """How often the tutor's grounding rule keeps on-topic questions and refuses off-topic ones.

    The rule was calibrated on the sample course's questions; the course-samples rows are held out.
    "cross" rows search only the other language's lessons (an English-only course for a Chinese learner).
    """
    off = load_questions("off-topic.yaml")
    sets = [("genai-beginners", load_questions("lessons-01-04.yaml", "lessons-05-08.yaml"), "calibration set")]
    if SAMPLES.is_dir():
        sets.append(("course-samples", load_questions("course-samples.yaml"), "held out"))
    rows = []
    for course, on, label in sets:
        for cross in (False, True):

            def grounded(q):
                lang = ("zh" if q["lang"] == "en" else "en") if cross else None
                return services.retriever.search(q["question"], k=5, course=course, lang=lang).grounded

            kept = sum(grounded(q) for q in on)
            refused = sum(not grounded(q) for q in off)
            rows.append((course, label, "cross" if cross else "same", kept, len(on), refused, len(off)))
    return rows


def main() -> None:
    started = time.perf_counter()
    services = bench_services()
    print(f"index ready: {services.index.count()} chunks ({time.perf_counter() - started:.1f} s)")
    cases = build_cases()
    table = evaluate(services, cases)
    print(f"\n{'ranker':<8} {'group':<6} {'n':>4} {'hit@5':>6} {'MRR':>6}")
    for (mode, group), (hit5, mrr, n) in table.items():
        print(f"{mode:<8} {group:<6} {n:>4} {hit5:>6.3f} {mrr:>6.3f}")
    print(f"\n{'course':<16} {'questions':<16} {'search':<6} {'on-topic kept':>14} {'off-topic refused':>18}")
    for course, label, kind, kept, n_on, refused, n_off in grounding(services):
        print(
            f"{course:<16} {label:<16} {kind:<6} {kept:>6}/{n_on:<3} ({kept / n_on:.2f}) {refused:>8}/{n_off:<3} ({refused / n_off:.2f})"
        )
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
