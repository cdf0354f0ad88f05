"""Answer quality per language and answer style, on the composer's development sets and on held-out questions.

Sets (the grounding rule's calibration sets are listed by benchmarks/grounding.py):
- the sample course's questions, each labelled with the lesson and the `key` sentence that answers it.
  DEVELOPMENT sets of the answer composer (tutor_app/engine/answers/extractive.py; their per-question failures were read
  and its rules and weights chosen on them): composer-dev.yaml (all eight lessons) and lessons-05-08.yaml
  (read while fixing the sentence splitter and choosing how many passages to quote from). BLIND for the
  composer: lessons-01-04.yaml (only its aggregate rows are looked at; it is the grounding rule's
  calibration set);
- ../shared/course-samples (labelled with the lesson and `key_terms`, short words of the answering sentence;
  skipped with a note when ../shared is absent): course-samples-dev.yaml is a DEVELOPMENT set written
  apart from course-samples.yaml, which stays BLIND;
- off-topic questions (data/questions/off-topic-heldout.yaml when present, else off-topic.yaml).

For each question the tutor answers as a learner whose language is the question's. Columns:
answered (in-course questions not refused), refused (off-topic questions refused), right lesson (a
citation from the labelled lesson), key (the key sentence, or every key term, in the answer), language
(the answer's own words in the learner's language), echo (answers sharing an 8-word or 12-character run
with any prompt file), first text (seconds from the question to the first piece of text, warm), sents
(mean sentences quoted per answered extractive answer: the composer must stay short).

Run: .venv/bin/python benchmarks/answer_quality.py [--styles extractive,generative] [--sets dev,05-08] [--limit N] [--misses]
(--misses prints the failed in-course questions of development sets only; off-topic ones are held out.)
The generative rows use the configured model (the embedded SmolLM2-135M by default) and take minutes.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import SAMPLES, bench_services, load_questions  # noqa: E402
from tutor_app.engine.answers.extractive import strip_citation_marks  # noqa: E402
from tutor_app.engine.text import CJK, detect_lang  # noqa: E402

_WORD = re.compile(r"[A-Za-z0-9']+")


def prompt_runs() -> tuple[set[tuple[str, ...]], set[str]]:
    """8-word runs and 12-character CJK runs of every prompt file."""
    words: set[tuple[str, ...]] = set()
    chars: set[str] = set()
    for path in sorted((ROOT / "prompts").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        tokens = [w.lower() for w in _WORD.findall(text)]
        words |= {tuple(tokens[i : i + 8]) for i in range(len(tokens) - 7)}
        cjk = "".join(CJK.findall(text))
        chars |= {cjk[i : i + 12] for i in range(len(cjk) - 11)}
    return words, chars


def echoes(answer: str, runs: tuple[set, set]) -> bool:
    words, chars = runs
    tokens = [w.lower() for w in _WORD.findall(answer)]
    if any(tuple(tokens[i : i + 8]) in words for i in range(len(tokens) - 7)):
        return True
    cjk = "".join(CJK.findall(answer))
    return any(cjk[i : i + 12] in chars for i in range(len(cjk) - 11))


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", strip_citation_marks(text).replace("**", "").replace("*", "")).strip()


def answer_body(answer: str, lead_lines: int = 1) -> str:
    """The quoted or generated part, without the lead-in and closing templates (which are always in the learner's language)."""
    parts = [p for p in answer.split("\n\n") if p.strip()]
    return "\n\n".join(parts[lead_lines:-1]) if len(parts) > 2 else answer


def has_key(answer: str, question: dict) -> bool:
    plain = _plain(answer).lower()
    if question.get("key"):
        return _plain(question["key"]).lower() in plain
    terms = question.get("key_terms") or []
    return bool(terms) and all(term.lower() in plain for term in terms)


# name -> (label, course, question file); course-samples needs ../shared.
SETS = {
    "dev": ("composer dev", "genai-beginners", "composer-dev.yaml"),
    "05-08": ("sample 05-08 dev", "genai-beginners", "lessons-05-08.yaml"),
    "01-04": ("sample 01-04", "genai-beginners", "lessons-01-04.yaml"),
    "samples-dev": ("samples dev", "course-samples", "course-samples-dev.yaml"),
    "samples": ("course-samples", "course-samples", "course-samples.yaml"),
}
# Only development sets may print their per-question failures: a blind set stays blind.
DEVELOPMENT = {"dev", "05-08", "samples-dev"}


def quoted_sentences(answer: str) -> int:
    """Sentences an extractive answer quotes: the paragraphs ending with their [n]."""
    return sum(bool(re.search(r"\[\d{1,2}\]\s*$", part)) for part in answer.split("\n\n"))


def run(services, questions: list[dict], runs, show_misses: bool = False) -> dict:
    rows = []
    for q in questions:
        started = time.perf_counter()
        stream = services.tutor.ask(q["question"], course=q.get("course"), lang=q["lang"])
        first = None
        pieces = []
        for piece in stream:
            if first is None:
                first = time.perf_counter() - started
            pieces.append(piece)
        answer = "".join(pieces)
        result = stream.result
        lessons = {
            stream.passages[c.number - 1].chunk.lesson_id for c in result.citations if 0 < c.number <= len(stream.passages)
        }
        body = answer_body(answer) if result.style == "extractive" else answer
        rows.append(
            {
                "in_course": q.get("lesson") is not None,
                "answered": result.grounded,
                "lesson": q.get("lesson") in lessons,
                "key": has_key(answer, q),
                "language": detect_lang(_plain(body)) == q["lang"],
                "echo": echoes(answer, runs),
                "first": first or 0.0,
                "sentences": quoted_sentences(answer) if result.style == "extractive" else 0,
            }
        )
        row = rows[-1]
        # The off-topic questions come from a held-out file: their misses stay unprinted, like a blind set's.
        if show_misses and row["in_course"] and not (row["answered"] and row["lesson"] and row["key"]):
            print(f"--- miss: {q['question']}\n    wanted: {q.get('lesson')} {q.get('key') or q.get('key_terms')}")
            print("    " + answer.replace("\n", "\n    "))
    return summarise(rows)


def summarise(rows: list[dict]) -> dict:
    covered = [r for r in rows if r["in_course"]]
    answered = [r for r in covered if r["answered"]]
    off = [r for r in rows if not r["in_course"]]
    shown = [r for r in rows if r["answered"]]

    def share(items, key):
        return (sum(r[key] for r in items), len(items))

    return {
        "answered": share(covered, "answered"),
        "refused": (sum(not r["answered"] for r in off), len(off)),
        "lesson": share(answered, "lesson"),
        "key": share(answered, "key"),
        "language": share(shown, "language"),
        "echo": (sum(r["echo"] for r in rows), len(rows)),
        "first": statistics.median([r["first"] for r in rows]) if rows else 0.0,
        "first_max": max((r["first"] for r in rows), default=0.0),
        "sentences": statistics.mean([r["sentences"] for r in answered]) if answered else 0.0,
    }


def fmt(pair) -> str:
    n, total = pair
    return f"{n}/{total} {n / total:.2f}" if total else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--styles", default="extractive,generative")
    parser.add_argument("--sets", default=",".join(SETS), help=f"comma-separated, of {', '.join(SETS)}")
    parser.add_argument("--limit", type=int, default=0, help="at most N questions per set (0: all)")
    parser.add_argument("--misses", action="store_true", help="print the failed questions of development sets")
    args = parser.parse_args()
    unknown = set(args.sets.split(",")) - set(SETS)
    if unknown:
        parser.error(f"unknown set(s): {', '.join(sorted(unknown))}")

    off_topic_file = (
        "off-topic-heldout.yaml" if (ROOT / "data" / "questions" / "off-topic-heldout.yaml").exists() else "off-topic.yaml"
    )
    sets = []
    for name in args.sets.split(","):
        label, course, file = SETS[name]
        if course == "course-samples" and not SAMPLES.is_dir():
            print("note: ../shared/course-samples is absent; its rows are skipped", file=sys.stderr)
            continue
        sets.append((label, course, load_questions(file), name in DEVELOPMENT))
    off_topic = load_questions(off_topic_file)
    runs = prompt_runs()
    print(
        f"off-topic set: {off_topic_file}; targets on the embedded default (extractive): answered >= 0.95, refused >= 0.95, "
        "right lesson >= 0.9, key >= 0.7, language >= 0.95, echo 0, first text < 1 s warm"
    )
    print(
        f"{'style':<11} {'set':<16} {'lang':<4} {'answered':>12} {'refused':>12} {'lesson':>12} {'key':>12} "
        f"{'language':>12} {'echo':>6} {'first p50':>9} {'max':>6} {'sents':>5}"
    )
    for style in args.styles.split(","):
        services = bench_services(answer_style=style)
        services.tutor.ask("warm up: what is a token?", course="genai-beginners", lang="en").text()
        for label, course, questions, development in sets:
            for lang in ("en", "zh"):
                cut = slice(0, args.limit or None)
                chosen = [q | {"course": course} for q in questions if q["lang"] == lang][cut]
                chosen += [q | {"course": course} for q in off_topic if q["lang"] == lang][cut]
                m = run(services, chosen, runs, show_misses=args.misses and development)
                print(
                    f"{style:<11} {label:<16} {lang:<4} {fmt(m['answered']):>12} {fmt(m['refused']):>12} "
                    f"{fmt(m['lesson']):>12} {fmt(m['key']):>12} {fmt(m['language']):>12} {m['echo'][0]:>6} "
                    f"{m['first']:>8.3f}s {m['first_max']:>5.2f}s {m['sentences']:>5.2f}",
                    flush=True,
                )
        services.close()


if __name__ == "__main__":
    main()
