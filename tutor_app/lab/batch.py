"""Batch comparison: a labelled question set against the chosen endpoints, summed up per endpoint.

A question set is a ``data/questions/*.yaml`` file (entries with ``question``, ``lang``, ``lesson`` and
``key`` or ``key_terms``; entries without a lesson, the off-topic ones, are left out) or an uploaded CSV
with the columns ``question,lesson,key`` and optionally ``lang``, parsed strictly (an unclosed quote is an
error, with its line number). Each question is compared across the endpoints at once (``compare``); per
endpoint and retrieval mode the summary counts the answered questions, those citing a passage of the
expected lesson (only with retrieval: without it nothing can be cited), and those whose answer holds the
key sentence (the answer-quality benchmark's rule: after removing [n] marks and emphasis, the key
sentence, or every key term, appears in the answer, ignoring case and spacing), with the median seconds,
the tokens and the cost. This module does not save runs (``runs``) or draw charts (the page does).
"""

from __future__ import annotations

import csv
import io
import re
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from tutor_app.core.config import PROJECT_ROOT
from tutor_app.core.endpoints import Endpoint
from tutor_app.core.errors import InputError
from tutor_app.core.i18n import t
from tutor_app.engine.answers.extractive import strip_citation_marks
from tutor_app.engine.text import detect_lang
from tutor_app.lab.compare import Lab, RunResult, compare, targets

QUESTIONS_DIR = PROJECT_ROOT / "data" / "questions"
MAX_QUESTIONS = 200
CSV_REQUIRED = ("question", "lesson", "key")
CSV_COLUMNS = (*CSV_REQUIRED, "lang")


@dataclass(frozen=True)
class LabelledQuestion:
    question: str
    lesson: str
    lang: str
    key: str = ""
    key_terms: tuple[str, ...] = ()


def question_sets(folder: Path = QUESTIONS_DIR) -> list[Path]:
    return sorted(folder.glob("*.yaml"))


def load_question_set(path: Path) -> list[LabelledQuestion]:
    """The labelled (in-course) questions of a YAML question file."""
    try:
        items = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []
    except (OSError, yaml.YAMLError) as exc:
        raise InputError.of("lab_compare_err_set", name=Path(path).name, problem=str(exc)[:200]) from exc
    if not isinstance(items, list):
        raise InputError.of("lab_compare_err_set", name=Path(path).name, problem="not a list of questions")
    out = []
    for item in items:
        if isinstance(item, dict) and item.get("question") and item.get("lesson"):
            text = str(item["question"])
            out.append(
                LabelledQuestion(
                    text,
                    str(item["lesson"]),
                    str(item.get("lang") or detect_lang(text)),
                    str(item.get("key") or ""),
                    tuple(str(term) for term in item.get("key_terms") or ()),
                )
            )
    return out


def parse_questions_csv(text: str) -> list[LabelledQuestion]:
    """question,lesson,key[,lang] rows; every problem names its line."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), strict=True)
    try:
        header = [h.strip().lower() for h in next(reader, [])]
    except csv.Error as exc:
        raise InputError.of("lab_compare_err_csv", line=reader.line_num, problem=str(exc)) from exc
    missing = [c for c in CSV_REQUIRED if c not in header]
    unknown = [c for c in header if c not in CSV_COLUMNS]
    if missing or unknown:
        problem = f"the header must be {','.join(CSV_REQUIRED)}[,lang]; got {','.join(header) or 'nothing'}"
        raise InputError.of("lab_compare_err_csv", line=1, problem=problem)
    out: list[LabelledQuestion] = []
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            line = reader.line_num
            if len(row) != len(header):
                problem = f"{len(row)} fields where the header has {len(header)}"
                raise InputError.of("lab_compare_err_csv", line=line, problem=problem)
            values = {name: cell.strip() for name, cell in zip(header, row)}
            empty = [c for c in CSV_REQUIRED if not values[c]]
            if empty:
                raise InputError.of("lab_compare_err_csv", line=line, problem=f"empty {', '.join(empty)}")
            lang = values.get("lang") or detect_lang(values["question"])
            if lang not in ("en", "zh"):
                raise InputError.of("lab_compare_err_csv", line=line, problem=f"lang {lang!r} is not en or zh")
            out.append(LabelledQuestion(values["question"], values["lesson"], lang, values["key"]))
            if len(out) > MAX_QUESTIONS:
                raise InputError.of("lab_compare_err_csv", line=line, problem=f"more than {MAX_QUESTIONS} questions")
    except csv.Error as exc:
        raise InputError.of("lab_compare_err_csv", line=reader.line_num, problem=str(exc)) from exc
    if not out:
        raise InputError.of("lab_compare_err_csv", line=reader.line_num, problem="no questions")
    return out


def read_questions(path: Path | None = None, csv_bytes: bytes | None = None) -> list[LabelledQuestion]:
    """An uploaded CSV's questions when given, else the question file at ``path`` (.csv or .yaml)."""
    if csv_bytes is None and path is not None and Path(path).suffix.lower() != ".csv":
        return load_question_set(Path(path))
    try:
        data = csv_bytes if csv_bytes is not None else Path(path).read_bytes()  # type: ignore[arg-type]
        return parse_questions_csv(data.decode("utf-8"))
    except OSError as exc:
        raise InputError.of("lab_compare_err_set", name=str(path), problem=exc.strerror or str(exc)) from exc
    except UnicodeDecodeError as exc:
        raise InputError.of("lab_compare_err_csv", line=data[: exc.start].count(b"\n") + 1, problem="not UTF-8 text") from exc


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", strip_citation_marks(text).replace("**", "").replace("*", "")).strip().lower()


def has_key(answer: str, question: LabelledQuestion) -> bool:
    """The benchmark's rule: the key sentence, or every key term, in the answer (marks, emphasis, case, spacing ignored)."""
    plain = _plain(answer)
    if question.key:
        return _plain(question.key) in plain
    return bool(question.key_terms) and all(term.lower() in plain for term in question.key_terms)


@dataclass
class BatchRow:
    """One endpoint in one retrieval mode over the whole set."""

    endpoint: str
    model: str
    retrieval: bool
    questions: int
    answered: int = 0
    right_lesson: int | None = 0  # None without retrieval: nothing can be cited
    key: int = 0
    median_s: float | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float | None = 0.0  # None when a model's price is unknown


@dataclass
class BatchReport:
    rows: list[BatchRow]
    results: list[RunResult]


def summarise(pairs: list[tuple[LabelledQuestion, RunResult]]) -> list[BatchRow]:
    groups: dict[tuple[str, bool], list[tuple[LabelledQuestion, RunResult]]] = {}
    for question, run in pairs:
        groups.setdefault((run.endpoint, run.retrieval), []).append((question, run))
    rows = []
    for (endpoint, retrieval), items in groups.items():
        runs = [run for _, run in items]
        row = BatchRow(endpoint, next((r.model for r in runs if r.model), ""), retrieval, len(items))
        done = [(q, r) for q, r in items if not r.failed and r.answer.strip()]
        row.answered = len(done)
        row.right_lesson = sum(any(c["lesson_id"] == q.lesson for c in r.citations) for q, r in done) if retrieval else None
        row.key = sum(has_key(r.answer, q) for q, r in done)
        row.median_s = statistics.median(r.total_s for _, r in done) if done else None
        row.prompt_tokens = sum(r.prompt_tokens for r in runs)
        row.completion_tokens = sum(r.completion_tokens for r in runs)
        row.cost = None if any(r.cost is None for r in runs) else sum(r.cost or 0.0 for r in runs)
        rows.append(row)
    return rows


def run_batch(
    lab: Lab,
    questions: list[LabelledQuestion],
    endpoints: list[Endpoint],
    retrieval: bool | None = None,
    course: str | None = None,
    on_progress: Callable[[int, int, str], None] | None = None,
) -> BatchReport:
    """Every question against every endpoint (retrieval on, off, or both); ``on_progress(done, total, question)``."""
    if not questions:
        raise InputError.of("lab_compare_err_no_questions")
    runs = targets(endpoints, retrieval)
    pairs: list[tuple[LabelledQuestion, RunResult]] = []
    for done, question in enumerate(questions[:MAX_QUESTIONS]):
        if on_progress:
            on_progress(done, len(questions), question.question)
        comparison = compare(lab, question.question, runs, course)
        pairs += [(question, result) for result in comparison.results]
    if on_progress:
        on_progress(len(questions), len(questions), "")
    return BatchReport(summarise(pairs), [result for _, result in pairs])


def report_table(rows: list[BatchRow], lang: str) -> list[dict]:
    """The summary as table rows with column names in ``lang`` (model, mode, questions, answered, right lesson,
    key sentence first: a chart plots the fourth to sixth columns)."""
    mode = {True: t("lab_compare_rag", lang), False: t("lab_compare_alone", lang)}
    return [
        {
            t("lab_compare_col_endpoint", lang): f"{r.endpoint} · {mode[r.retrieval]}",
            t("lab_compare_col_retrieval", lang): mode[r.retrieval],
            t("lab_compare_col_questions", lang): r.questions,
            t("lab_compare_col_answered", lang): r.answered,
            t("lab_compare_col_lesson", lang): r.right_lesson,
            t("lab_compare_col_key", lang): r.key,
            t("lab_compare_col_median", lang): None if r.median_s is None else round(r.median_s, 2),
            t("lab_compare_col_tokens", lang): f"{r.prompt_tokens}/{r.completion_tokens}",
            t("lab_compare_col_cost", lang): None if r.cost is None else round(r.cost, 6),
        }
        for r in rows
    ]
