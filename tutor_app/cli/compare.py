"""The ``compare`` command of ``python -m tutor_app``: one question, or a question set, against several models.

``compare "QUESTION" --model NAME_OR_URL [--model ...] [--course C] [--no-retrieval] [--json]`` runs each
model with the course passages and without them (``--no-retrieval``: only without them), all at once, and
prints a Markdown table, or with ``--json`` a list of runs (``model``,
``retrieval``, ``answer``, ``first_token_s``, ``total_s``, ``prompt_tokens``, ``completion_tokens``,
``cost``, ``citations``, plus ``endpoint``, ``error``, ``unsupported`` and ``tokens_counted``).
A model is an endpoint name (``core.endpoints``: ``default``, ``embedded``, the configured ones) or a base
URL with the model id after ``#``. ``--batch FILE`` runs a question set (a ``data/questions`` YAML file or
a question,lesson,key[,lang] CSV) instead and prints one row per model and retrieval mode.
Runs are saved in the app database unless ``--no-save``. Exit codes: 0 at least one run answered,
3 every run failed, 2 an error (bad model name, bad question file). This module parses and prints only.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

EXIT_ALL_FAILED = 3


def add_commands(sub) -> None:
    p = sub.add_parser("compare", help="ask several models the same question, with and without the course passages")
    p.add_argument("question", nargs="?", default="", help="the question (omit with --batch)")
    p.add_argument(
        "--model",
        action="append",
        required=True,
        dest="models",
        help="an endpoint name (default, embedded, or one configured in [models] / TUTOR_MODELS) or a URL such as "
        "http://127.0.0.1:8080/v1#model-id; repeat for several",
    )
    p.add_argument("--course", help="course name (default: all courses)")
    p.add_argument("--no-retrieval", action="store_true", help="only the models alone, without the course passages")
    p.add_argument("--batch", help="a question set instead of one question: data/questions/*.yaml or a CSV file")
    p.add_argument("--limit", type=int, default=None, help="with --batch: run only the first N questions")
    p.add_argument("--no-save", action="store_true", help="do not save the runs in the app database")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_compare)


def _save(args, settings, results) -> None:
    if args.no_save:
        return
    from tutor_app.core.database import default_database_url, open_database
    from tutor_app.lab.runs import save_runs

    db = open_database(default_database_url(settings))
    try:
        save_runs(db, results)
    finally:
        db.close()


def cmd_compare(args, settings) -> int:
    from tutor_app.core.endpoints import load_endpoints, resolve
    from tutor_app.core.errors import InputError
    from tutor_app.lab.compare import Lab, compare, targets
    from tutor_app.lab.prompt_versions import database_prompts
    from tutor_app.lab.runs import markdown_table, results_markdown
    from tutor_app.services import build_services

    configured = load_endpoints(os.environ, None, settings)
    endpoints = [resolve(spec, configured, settings) for spec in args.models]
    retrieval = False if args.no_retrieval else None
    if not args.batch and not args.question.strip():
        raise InputError("No question was given.", "Write one in quotes, or use --batch FILE.")
    services = build_services(settings, prompts=database_prompts(settings))  # the active prompt versions
    lab = Lab(
        settings,
        services.retriever,
        lambda: services.prompts.get("student_tutor"),
        services.tutor.extractive.vectors,
        alone_prompt=lambda: services.prompts.get("lab_model_alone"),
    )
    try:
        if args.batch:
            from tutor_app.lab.batch import read_questions, run_batch

            questions = read_questions(Path(args.batch))[: args.limit]
            progress = None if args.json else lambda d, t, q: print(f"[{d}/{t}] {q[:70]}", file=sys.stderr, flush=True)
            report = run_batch(lab, questions, endpoints, retrieval, args.course, progress)
            results = report.results
            if args.json:
                print(json.dumps([vars(row) for row in report.rows], ensure_ascii=False, indent=2))
            else:
                headers = ["model", "retrieval", "questions", "answered", "right lesson", "key sentence", "median s"]
                headers += ["tokens in/out", "cost $"]
                rows = [
                    [
                        f"{r.endpoint} ({r.model})",
                        "on" if r.retrieval else "off",
                        r.questions,
                        r.answered,
                        "n/a" if r.right_lesson is None else r.right_lesson,
                        r.key,
                        "" if r.median_s is None else f"{r.median_s:.2f}",
                        f"{r.prompt_tokens}/{r.completion_tokens}",
                        "unknown" if r.cost is None else f"{r.cost:.6f}",
                    ]
                    for r in report.rows
                ]
                print(markdown_table(headers, rows))
        else:
            comparison = compare(lab, args.question, targets(endpoints, retrieval), args.course)
            results = comparison.results
            if args.json:
                print(json.dumps([r.to_json() for r in results], ensure_ascii=False, indent=2))
            else:
                if not comparison.grounded:
                    print("note: the tutor itself would not answer this: the course does not seem to cover it.", file=sys.stderr)
                print(results_markdown(results))
        _save(args, settings, results)
    finally:
        lab.close()
        services.close()
    return EXIT_ALL_FAILED if results and all(r.failed for r in results) else 0
