"""Educator studio: how often the embedded model produces valid, checked lesson plans and quizzes.

Generates 10 lesson plans and 10 quizzes on topics of the sample course
(English and Chinese) with the configured model — by default the embedded
llama.cpp server with SmolLM2-135M — through the same code the app and the CLI
use, and prints for each kind: valid on the first try, valid after the one
repair, not valid at all, how many quizzes had repeated questions rewritten,
how many documents failed each deterministic check (after that rewrite), and
the median and total time. Nothing is saved.

Run: .venv/bin/python benchmarks/studio_generation.py [--home DIR] [--n 10] [--start 0] [--only plan|quiz]
On a busy machine, run shards in parallel (``--start 5 --n 5``) with their stderr in files, then
``--from-logs FILE...`` prints the combined figures from the progress lines.
Progress goes to stderr; results go to stdout.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tutor_app.config import load_settings  # noqa: E402
from tutor_app.errors import TutorError  # noqa: E402
from tutor_app.planner import generate_plan  # noqa: E402
from tutor_app.quiz import generate_quiz  # noqa: E402
from tutor_app.services import build_services  # noqa: E402
from tutor_app.structured import StructuredFailure  # noqa: E402
from tutor_app.studio import StudioRequest, passage_budget  # noqa: E402
from tutor_app.studio_checks import PLAN_CHECKS, QUIZ_CHECKS  # noqa: E402

COURSE = "genai-beginners"
TOPICS = [  # (topic, language of the material)
    ("few-shot prompts", "en"), ("temperature", "en"), ("retrieval-augmented generation", "en"),
    ("hallucination", "en"), ("prompt injection", "en"), ("embeddings", "en"), ("responsible AI", "en"),
    ("少样本提示", "zh"), ("提示注入", "zh"), ("向量数据库", "zh"),
]
AUDIENCES = ["high-school beginners", "first-year university students", "adult learners new to AI"]


def run(kind: str, services, chat, n: int, start: int = 0) -> dict:
    budget, passages = passage_budget(services.settings)
    outcome: Counter = Counter()
    failed_checks: Counter = Counter()
    seconds: list[float] = []
    for i in range(start, start + n):
        topic, lang = TOPICS[i % len(TOPICS)]
        request = StudioRequest(course=COURSE, topic=topic, language=lang, audience=AUDIENCES[i % len(AUDIENCES)],
                                duration_minutes=(30, 45, 60)[i % 3], question_count=4)
        generate = generate_plan if kind == "plan" else generate_quiz
        started = time.monotonic()
        try:
            result = generate(request, services.retriever, chat, budget_tokens=budget, max_passages=passages)
        except StructuredFailure as exc:
            outcome["invalid"] += 1
            detail = exc.errors[0] if exc.errors else ""
            print(f"  {kind} {i + 1}/{n} {topic!r}: not valid after repair ({detail[:80]}) ({time.monotonic() - started:.0f} s)",
                  file=sys.stderr)
        except TutorError as exc:
            outcome["error"] += 1
            print(f"  {kind} {i + 1}/{n} {topic!r}: error: {str(exc)[:120]}", file=sys.stderr)
        else:
            outcome["first" if result.first_try else "repaired"] += 1
            failing = [c.name for c in result.checks if not c.passed]
            failed_checks.update(failing)
            if not failing:
                outcome["all_checks"] += 1
            if result.rewritten:
                outcome["rewrites"] += 1
                outcome["rewritten"] += result.rewritten
            rewrote = f", rewrote {result.rewritten} question(s)" if result.rewritten else ""
            print(f"  {kind} {i + 1}/{n} {topic!r}: {'first try' if result.first_try else 'after repair'}, "
                  f"failed checks: {failing or 'none'}{rewrote} ({time.monotonic() - started:.0f} s)", file=sys.stderr)
        seconds.append(time.monotonic() - started)
    return {"outcome": outcome, "checks": failed_checks, "seconds": seconds}


LINE = re.compile(r"^\s+(plan|quiz) (\d+)/\d+ '.*': (first try|after repair|not valid after repair|error)"
                  r"(?:, failed checks: (none|\[.*?\]))?.*?(?:\((\d+) s\))?$")


def from_logs(paths: list[str]) -> dict[str, dict]:
    """Figures rebuilt from the progress lines of several runs (shards run in parallel on a busy machine).
    Lines carry no time when generation failed; those runs count in the outcomes but not in the median."""
    figures = {k: {"outcome": Counter(), "checks": Counter(), "seconds": [], "seen": set()} for k in ("plan", "quiz")}
    for path in paths:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            match = LINE.match(line)
            if not match:
                continue
            kind, number, how, checks, secs = match.groups()
            f = figures[kind]
            if number in f["seen"]:
                continue
            f["seen"].add(number)
            key = {"first try": "first", "after repair": "repaired", "not valid after repair": "invalid", "error": "error"}[how]
            f["outcome"][key] += 1
            failing = [] if checks in (None, "none") else [c.strip(" '") for c in checks.strip("[]").split(",")]
            f["checks"].update(failing)
            if key in ("first", "repaired") and not failing:
                f["outcome"]["all_checks"] += 1
            rewrote = re.search(r", rewrote (\d+) question", line)
            if rewrote:
                f["outcome"]["rewrites"] += 1
                f["outcome"]["rewritten"] += int(rewrote.group(1))
            if secs:
                f["seconds"].append(float(secs))
    return figures


def report(kind: str, figures: dict, n: int, names: tuple[str, ...]) -> None:
    o = figures["outcome"]
    print(f"\n{kind} ({n} generated)")
    print(f"  valid on the first try:     {o['first']}/{n}")
    print(f"  valid after one repair:     {o['repaired']}/{n}")
    print(f"  not valid after repair:     {o['invalid']}/{n}")
    if o["error"]:
        print(f"  model or input errors:      {o['error']}/{n}")
    valid = o["first"] + o["repaired"]
    if kind == "quizzes":
        print(f"  repeats rewritten (one extra request): {o['rewrites']}/{n} quizzes, {o['rewritten']} question(s)")
    print(f"  valid and passing every check: {o['all_checks']}/{n}")
    print(f"  failures by check (of {valid} valid):")
    for name in names:
        print(f"    {name:<22} {figures['checks'][name]}")
    if figures["seconds"]:
        print(f"  median time: {statistics.median(figures['seconds']):.1f} s; total {sum(figures['seconds']):.0f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", default=os.environ.get("TUTOR_BENCH_HOME", str(Path.home() / ".cache" / "open-tutor" / "bench-studio")))
    parser.add_argument("--n", type=int, default=10)
    parser.add_argument("--start", type=int, default=0, help="first topic index (to split a run into parallel shards)")
    parser.add_argument("--only", choices=["plan", "quiz"])
    parser.add_argument("--from-logs", nargs="+", metavar="STDERR_FILE",
                        help="print the figures from the progress lines of earlier runs instead of generating")
    args = parser.parse_args()
    if args.from_logs:
        figures = from_logs(args.from_logs)
        for kind, names in (("plan", PLAN_CHECKS), ("quiz", QUIZ_CHECKS)):
            total = len(figures[kind]["seen"])
            if total:
                report({"plan": "lesson plans", "quiz": "quizzes"}[kind], figures[kind], total, names)
        return 0
    settings = load_settings(home=args.home)
    services = build_services(settings)
    print("ingesting data/course (idempotent)…", file=sys.stderr)
    services.ingestor.ingest_paths([ROOT / "data" / "course"], COURSE)
    chat = services.chat_model()
    print(f"model: {chat.label} ({settings.provider}); machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"load average at start {os.getloadavg()[0]:.1f}")
    try:
        for kind, names in (("plan", PLAN_CHECKS), ("quiz", QUIZ_CHECKS)):
            if args.only in (None, kind):
                report({"plan": "lesson plans", "quiz": "quizzes"}[kind], run(kind, services, chat, args.n, args.start),
                       args.n, names)
    finally:
        services.close()
    print(f"\nload average at end {os.getloadavg()[0]:.1f} (other work shared these cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
