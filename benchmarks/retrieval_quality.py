"""Retrieval quality: lesson hit@5 and MRR for hybrid, dense-only and lexical-only.

Three groups: English (English question, English lessons), Chinese (Chinese
question, Chinese lessons) and cross-language (the question's language differs
from the lessons searched: Chinese question over English lessons and back).
Also reports how well the grounding threshold separates on-topic questions
from off-topic ones. Run: .venv/bin/python benchmarks/retrieval_quality.py
"""

from __future__ import annotations

import statistics
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
    for course, files in (("genai-beginners", ("lessons-01-04.yaml", "lessons-05-08.yaml")), ("course-samples", ("course-samples.yaml",))):
        if course == "course-samples" and not SAMPLES.is_dir():
            print("note: ../shared/course-samples is absent; only the sample course is measured", file=sys.stderr)
            continue
        for q in load_questions(*files):
            base = {"question": q["question"], "lesson": q["lesson"], "course": course}
            cases.append(base | {"group": q["lang"], "target_lang": q["lang"]})
            cases.append(base | {"group": "cross", "target_lang": "zh" if q["lang"] == "en" else "en"})
    return cases


def grounding(services, threshold: float):
    on = [q for q in load_questions("lessons-01-04.yaml", "lessons-05-08.yaml")]
    off = load_questions("off-topic.yaml")
    def top(q):
        return services.retriever.search(q["question"], k=5, course="genai-beginners").hits[0].similarity
    on_s = [top(q) for q in on]
    off_s = [top(q) for q in off]
    return on_s, off_s


def main() -> None:
    started = time.perf_counter()
    services = bench_services()
    print(f"index ready: {services.index.count()} chunks ({time.perf_counter() - started:.1f} s)")
    cases = build_cases()
    table = evaluate(services, cases)
    print(f"\n{'ranker':<8} {'group':<6} {'n':>4} {'hit@5':>6} {'MRR':>6}")
    for (mode, group), (hit5, mrr, n) in table.items():
        print(f"{mode:<8} {group:<6} {n:>4} {hit5:>6.3f} {mrr:>6.3f}")
    on_s, off_s = grounding(services, services.settings.grounding_threshold)
    t = services.settings.grounding_threshold
    print(f"\ngrounding threshold {t:.3f}: on-topic kept {sum(s >= t for s in on_s)}/{len(on_s)}, "
          f"off-topic refused {sum(s < t for s in off_s)}/{len(off_s)}")
    print(f"top similarity on-topic: min {min(on_s):.3f} median {statistics.median(on_s):.3f}; "
          f"off-topic: median {statistics.median(off_s):.3f} max {max(off_s):.3f}")
    best = max((sum(s >= x for s in on_s) + sum(s < x for s in off_s), x) for x in sorted(on_s + off_s))
    print(f"best single threshold on this set: {best[1]:.3f} ({best[0]}/{len(on_s) + len(off_s)} correct)")


if __name__ == "__main__":
    main()
