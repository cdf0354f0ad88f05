"""Grounding: how often the tutor answers in-course questions and refuses off-topic ones, on held-out material.

Sets (data/questions/):
  calibration  lessons-01-04.yaml (sample course) + off-topic.yaml; the only sets the numbers in
               config.py were chosen on (``--calibrate`` prints how). off-topic.yaml also holds the
               rule's anchor questions, so each of its questions is scored against the other anchors
               (leave-one-out).
  development  composer-dev.yaml, course-samples-dev.yaml (in course) and off-topic-dev.yaml (near
               misses): where candidate features were compared (README: the ones tried and not kept);
               no number is fitted on them.
  held out     lessons-05-08.yaml (sample course), course-samples.yaml (../shared/course-samples,
               read at run time), off-topic-heldout.yaml (searched in each held-out set's course).

Rows are per question language. "same" searches the whole course, as the tutor does; "cross" (for
information) searches only the other language's lessons, as for a course that exists in one language.
Also checks the answer-key labels of lessons-05-08.yaml and course-samples.yaml. It does not change
any setting. Run: .venv/bin/python benchmarks/grounding.py [--calibrate] [--same-only]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import dataclass

import numpy as np
from common import ROOT, SAMPLES, bench_services, load_questions

from tutor_app.engine.search.retrieval import decide
from tutor_app.engine.text import detect_lang

OWN = "genai-beginners"
SHARED = "course-samples"
CALIBRATION = [("lessons-01-04.yaml", OWN)]
HELD_OUT = [("lessons-05-08.yaml", OWN), ("course-samples.yaml", SHARED)]
DEVELOPMENT = [("composer-dev.yaml", OWN), ("course-samples-dev.yaml", SHARED)]
CAL_OFF, DEV_OFF, HELD_OFF = "off-topic.yaml", "off-topic-dev.yaml", "off-topic-heldout.yaml"
WEIGHTS = [round(0.02 * i, 2) for i in range(16)]


@dataclass
class Measure:
    question: str
    lang: str
    similarity: float
    coverage: float
    cross: bool
    anchors: dict[str, tuple[float, float]]  # this course's anchor measures, the question itself left out

    def reference(self, weight: float) -> float:
        return float(np.mean([s + weight * c for s, c in self.anchors.values()]))

    def margin(self, weight: float) -> float:
        return self.similarity + weight * self.coverage - self.reference(weight)

    def grounded(self, settings) -> bool:
        weight = settings.grounding_coverage_weight
        return decide(self.similarity, self.similarity + weight * self.coverage, self.reference(weight), self.cross, settings)[0]


def other(lang: str) -> str:
    return "en" if lang == "zh" else "zh"


def measure(retriever, question: dict, course: str, cross: bool) -> Measure:
    lang_filter = other(question["lang"]) if cross else None
    grounding = retriever.search(question["question"], k=5, course=course, lang=lang_filter).grounding
    query_lang = detect_lang(question["question"])
    anchors = dict(retriever.anchor_measures(course, lang_filter, query_lang))
    anchors.pop(question["question"], None)  # leave-one-out for the anchor questions themselves
    return Measure(question["question"], question["lang"], grounding.similarity, grounding.coverage, grounding.cross, anchors)


def measure_sets(retriever, cross: bool, calibration_only: bool = False) -> dict:
    """{(label, kind): [Measure]} with kind "in" or "off"."""
    out = {
        ("calibration", "in"): [
            measure(retriever, q, course, cross) for name, course in CALIBRATION for q in load_questions(name)
        ]
    }
    out[("calibration", "off")] = [
        measure(retriever, q, c, cross) for c in (OWN, SHARED) if c != SHARED or SAMPLES.is_dir() for q in load_questions(CAL_OFF)
    ]
    if calibration_only:
        return out
    courses = [c for c in (OWN, SHARED) if c != SHARED or SAMPLES.is_dir()]
    out[("development", "in")] = [
        measure(retriever, q, c, cross) for name, c in DEVELOPMENT if c in courses for q in load_questions(name)
    ]
    out[("development", "off")] = [measure(retriever, q, c, cross) for c in courses for q in load_questions(DEV_OFF)]
    for name, course in HELD_OUT:
        if course == SHARED and not SAMPLES.is_dir():
            print(f"note: {SAMPLES} is absent; {name} is skipped", file=sys.stderr)
            continue
        out[(name, "in")] = [measure(retriever, q, course, cross) for q in load_questions(name)]
        out[(name, "off")] = [measure(retriever, q, course, cross) for q in load_questions(HELD_OFF)]
    return out


def report(title: str, measured: dict, settings) -> None:
    print(f"\n{title}")
    print(f"{'set':<22} {'lang':<5} {'in-course answered':>20} {'off-topic refused':>20}")
    labels = dict.fromkeys(label for label, _ in measured)
    for label in labels:
        for lang in ("en", "zh"):
            on = [m for m in measured[(label, "in")] if m.lang == lang]
            off = [m for m in measured[(label, "off")] if m.lang == lang]
            kept = sum(m.grounded(settings) for m in on)
            refused = sum(not m.grounded(settings) for m in off)
            print(
                f"{label:<22} {lang:<5} {kept:>10}/{len(on):<3} ({kept / len(on):.2f}) {refused:>10}/{len(off):<3} ({refused / len(off):.2f})"
            )
    held = [label for label in labels if label not in ("calibration", "development")]
    for lang in ("en", "zh"):
        on = [m for label in held for m in measured[(label, "in")] if m.lang == lang]
        off = [m for label in held for m in measured[(label, "off")] if m.lang == lang]
        if on:
            kept, refused = sum(m.grounded(settings) for m in on), sum(not m.grounded(settings) for m in off)
            print(
                f"{'all held out':<22} {lang:<5} {kept:>10}/{len(on):<3} ({kept / len(on):.2f}) {refused:>10}/{len(off):<3} ({refused / len(off):.2f})"
            )


def separation(a: np.ndarray, b: np.ndarray) -> float:
    return float((a.mean() - b.mean()) / math.sqrt((a.var() + b.var()) / 2))


def equal_z(a: np.ndarray, b: np.ndarray) -> float:
    """The cut as many standard deviations below the in-course mean as above the off-topic mean."""
    return float((b.mean() * a.std() + a.mean() * b.std()) / (a.std() + b.std()))


def calibrate(same: dict, cross: dict) -> None:
    """Print the settings the calibration sets call for; nothing held out is read here."""
    on, off = same[("calibration", "in")], same[("calibration", "off")]

    def margins(ms, weight, lang=None):
        return np.array([m.margin(weight) for m in ms if lang in (None, m.lang)])

    print("\ncalibration (lessons-01-04.yaml + off-topic.yaml, same-language search)")
    print(f"{'weight':>6} {'separation en':>14} {'zh':>6}")
    scores = {}
    for weight in WEIGHTS:
        per_lang = [separation(margins(on, weight, lang), margins(off, weight, lang)) for lang in ("en", "zh")]
        scores[weight] = sum(per_lang) / 2
        print(f"{weight:>6.2f} {per_lang[0]:>14.2f} {per_lang[1]:>6.2f}")
    weight = max(scores, key=scores.get)
    cuts = {lang: equal_z(margins(on, weight, lang), margins(off, weight, lang)) for lang in ("en", "zh")}
    print(f"coverage weight {weight} (best mean separation); equal-z margin en {cuts['en']:.4f}, zh {cuts['zh']:.4f}")
    suggest = {
        "grounding_coverage_weight": weight,
        "grounding_margin": round(equal_z(margins(on, weight), margins(off, weight)), 3),
        "grounding_floor": math.floor((min(m.similarity for m in on) - 0.03) * 100) / 100,
        "grounding_threshold": math.ceil((max(m.similarity for m in off) + 0.05) * 100) / 100,
    }
    if cross:
        c_on, c_off = cross[("calibration", "in")], cross[("calibration", "off")]
        suggest |= {
            "cross_grounding_margin": round(equal_z(margins(c_on, weight), margins(c_off, weight)), 3),
            "cross_grounding_floor": math.floor((min(m.similarity for m in c_on) - 0.03) * 100) / 100,
            "cross_grounding_threshold": math.ceil((max(m.similarity for m in c_off) + 0.05) * 100) / 100,
        }
    print("suggested settings:", ", ".join(f"{k}={v}" for k, v in suggest.items()))


def check_labels() -> list[str]:
    """Every ``key`` is a sentence of its lesson file; every ``key_terms`` entry occurs in its shared lesson."""
    problems = []
    for q in load_questions("lessons-05-08.yaml"):
        files = list((ROOT / "data" / "course" / q["lang"]).glob(f"{q['lesson'].removeprefix('genai-')}-*.md"))
        if not q.get("key") or not files or q["key"] not in files[0].read_text(encoding="utf-8"):
            problems.append(f"lessons-05-08.yaml: key not found in {q['lesson']} ({q['lang']}): {q['question']}")
    if not SAMPLES.is_dir():
        print(f"note: {SAMPLES} is absent; key_terms of course-samples.yaml not checked", file=sys.stderr)
        return problems
    for q in load_questions("course-samples.yaml"):
        terms_ = q.get("key_terms") or []
        texts = [(SAMPLES / lang / f"{q['lesson']}.md") for lang in (q["lang"], "en")]
        text = next((p.read_text(encoding="utf-8") for p in texts if p.is_file()), "")
        missing = [t for t in terms_ if t not in text]
        if not 2 <= len(terms_) <= 4 or missing:
            problems.append(f"course-samples.yaml: key_terms {missing or terms_} for: {q['question']}")
    return problems


def settings_line(s) -> str:
    return (
        f"weight {s.grounding_coverage_weight}; same language: threshold {s.grounding_threshold}, floor {s.grounding_floor}, "
        f"margin {s.grounding_margin}; cross: threshold {s.cross_grounding_threshold}, floor {s.cross_grounding_floor}, "
        f"margin {s.cross_grounding_margin}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calibrate", action="store_true", help="print the settings the calibration sets call for")
    parser.add_argument("--same-only", action="store_true", help="skip the cross-language rows")
    args = parser.parse_args()
    started = time.perf_counter()
    services = bench_services()
    retriever, settings = services.retriever, services.settings
    print(f"index ready: {services.index.count()} chunks ({time.perf_counter() - started:.1f} s)")
    print(f"settings in use: {settings_line(settings)}")
    print(
        "numbers chosen on: lessons-01-04.yaml + off-topic.yaml (calibration); features compared on the development sets; the rest is held out"
    )
    same = measure_sets(retriever, cross=False, calibration_only=args.calibrate)
    cross = {} if args.same_only else measure_sets(retriever, cross=True, calibration_only=args.calibrate)
    if args.calibrate:
        calibrate(same, cross)
    else:
        report("same-language search (the tutor's case)", same, settings)
        if cross:
            report("cross-language search (only the other language's lessons; for information)", cross, settings)
        problems = check_labels()
        print(f"\nanswer-key labels: {'all found' if not problems else f'{len(problems)} problem(s)'}")
        for problem in problems:
            print("  " + problem)
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
