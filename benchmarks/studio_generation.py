"""Educator studio: how often lesson plans and quizzes come out valid and pass every check, and how fast.

Drafts 10 lesson plans and 10 quizzes on topics of the sample course (7 English,
3 Chinese), then 8 of each on the real lessons in ../shared/course-samples when present, through ``studio_drafts.draft``, the code the page and the CLI use.
The draft style follows the settings as in the app (on the embedded default:
built from the course, no model call); ``--style model`` asks the configured
model to write them instead (slow on the embedded model: minutes per document).
Prints per kind: valid, passing every check, failures by check, quiz answers
supported by their cited passage, template artefacts found, and the median and
maximum seconds per document. Nothing is saved.

Run: .venv/bin/python benchmarks/studio_generation.py [--style auto|built|model] [--n 10] [--only plan|quiz]
Progress goes to stderr; results go to stdout.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections import Counter

from common import BENCH_HOME, ROOT, SAMPLES, bench_services

from tutor_app.core.errors import TutorError
from tutor_app.engine.models.structured import StructuredFailure
from tutor_app.studio.checks import PLAN_CHECKS, QUIZ_CHECKS
from tutor_app.studio.drafts import DRAFT_STYLES, draft, draft_style
from tutor_app.studio.shared import StudioRequest

COURSE = "genai-beginners"
TOPICS = [  # (topic, language of the draft)
    ("few-shot prompts", "en"),
    ("temperature", "en"),
    ("retrieval-augmented generation", "en"),
    ("hallucination", "en"),
    ("prompt injection", "en"),
    ("embeddings", "en"),
    ("responsible AI", "en"),
    ("少样本提示", "zh"),
    ("提示注入", "zh"),
    ("向量数据库", "zh"),
]
# The real lessons in ../shared/course-samples (no front-matter objectives; partly untranslated sections):
# material the builders were not written against. One plan failure seen here was fixed afterwards
# (an untranslated section cited by a Chinese plan), so this row is no longer fully blind.
SAMPLES_COURSE = "course-samples"
SAMPLES_TOPICS = [
    ("prompt engineering", "en"),
    ("tokenization", "en"),
    ("responsible AI principles", "en"),
    ("chat applications", "en"),
    ("transformers", "en"),
    ("提示工程", "zh"),
    ("负责任的人工智能", "zh"),
    ("聊天应用", "zh"),
]
AUDIENCES = ["high-school beginners", "first-year university students", "adult learners new to AI"]


def run(kind: str, services, style: str, n: int, course: str = COURSE, topics=TOPICS) -> dict:
    figures = {"valid": 0, "passed": 0, "checks": Counter(), "questions": 0, "unsupported": 0, "artefacts": 0, "seconds": []}
    for i in range(n):
        topic, lang = topics[i % len(topics)]
        request = StudioRequest(
            course=course,
            topic=topic,
            language=lang,
            audience=AUDIENCES[i % len(AUDIENCES)],
            duration_minutes=(30, 45, 60)[i % 3],
            question_count=5,
        )
        started = time.perf_counter()
        try:
            result = draft(kind, request, services, style=style)
        except (StructuredFailure, TutorError) as exc:
            print(f"  {kind} {i + 1}/{n} {topic!r}: no valid draft: {str(exc)[:120]}", file=sys.stderr)
            continue
        seconds = time.perf_counter() - started
        figures["seconds"].append(seconds)
        figures["valid"] += 1
        failing = {c.name: c for c in result.checks if not c.passed}
        figures["checks"].update(failing)
        figures["passed"] += not failing
        figures["artefacts"] += len(failing["artefacts"].problems) if "artefacts" in failing else 0
        if kind == "quiz":
            figures["questions"] += len(result.document.questions)
            figures["unsupported"] += len(failing["supported"].problems) if "supported" in failing else 0
        detail = "; ".join(m for c in failing.values() for m in c.messages("en"))[:300]
        print(
            f"  {kind} {i + 1}/{n} {topic!r}: {'all checks pass' if not failing else 'FAILED: ' + detail} ({seconds:.2f} s)",
            file=sys.stderr,
        )
    return figures


def report(kind: str, f: dict, n: int, names: tuple[str, ...]) -> None:
    print(f"\n{kind} ({n} drafted)")
    print(f"  valid:                         {f['valid']}/{n}")
    print(f"  valid and passing every check: {f['passed']}/{n}")
    print("  failures by check: " + ", ".join(f"{name} {f['checks'][name]}" for name in names))
    if f["questions"]:
        print(f"  answers supported by their passage: {f['questions'] - f['unsupported']}/{f['questions']} questions")
    print(f"  template artefacts found:      {f['artefacts']}")
    if f["seconds"]:
        print(f"  seconds per draft: median {statistics.median(f['seconds']):.2f}, max {max(f['seconds']):.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--style", choices=DRAFT_STYLES, default="auto")
    parser.add_argument("--n", type=int, default=10)
    parser.add_argument("--only", choices=["plan", "quiz"])
    args = parser.parse_args()
    services = bench_services()
    style = draft_style(services.settings, args.style)
    label = "built from the course (no model)" if style == "built" else f"written by {services.chat_model().label}"
    print(f"drafts {label}; index {BENCH_HOME}; course {ROOT / 'data' / 'course'}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load average at start {os.getloadavg()[0]:.1f}")
    # The first query pays for loading the embedder; warm it so the figures are per draft.
    services.retriever.search("warm up", k=1, course=COURSE)
    sets = [(COURSE, TOPICS, args.n)]
    if SAMPLES.is_dir():
        sets.append((SAMPLES_COURSE, SAMPLES_TOPICS, len(SAMPLES_TOPICS)))
    else:
        print(f"note: {SAMPLES} is absent; the course-samples rows are skipped")
    try:
        for course, topics, n in sets:
            for kind, names in (("plan", PLAN_CHECKS), ("quiz", QUIZ_CHECKS)):
                if args.only in (None, kind):
                    label = {"plan": "lesson plans", "quiz": "quizzes"}[kind] + f" on {course}"
                    report(label, run(kind, services, style, n, course, topics), n, names)
    finally:
        services.close()
    print(f"\nload average at end {os.getloadavg()[0]:.1f} (other work shared these cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
