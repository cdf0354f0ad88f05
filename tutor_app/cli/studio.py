"""The ``plan`` and ``quiz`` commands of ``python -m tutor_app``.

``plan "TOPIC"`` and ``quiz "TOPIC"`` make a checked lesson plan or quiz
(built from the course text on the built-in model, written by a configured
provider's model; ``--draft`` chooses) and print it as Markdown (or, with ``--json``, one
JSON object: the document, its checks, attempts, seconds and model, with each
cited course passage's text beside its chunk id and a ``passages`` map of the
passages' text and origin, so a reader can verify an answer without the index).
``--out`` also writes a .md, .docx or .json file (the JSON file carries the
passages' text too). Exit codes: 0 every check passed,
1 valid but some check failed (the problems are printed), 2 an error or a
topic the course does not cover (``--allow-uncited`` makes a plan without
citations instead, with ``--draft model``). Nothing is saved to the app database. This module
parses arguments and prints; the work happens in ``studio.drafts``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tutor_app.core.schemas import BLOOM_LEVELS, QUESTION_KINDS


def _csv(allowed):
    def parse(text: str) -> list[str]:
        values = [v.strip() for v in text.split(",") if v.strip()]
        bad = [v for v in values if v not in allowed]
        if bad:
            raise ValueError(bad)
        return values

    return parse


def add_commands(sub) -> None:
    for name, help_text in (
        ("plan", "generate a checked lesson plan from the course"),
        ("quiz", "generate a checked quiz from the course"),
    ):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("topic", nargs="?", default="", help="a short topic from the course")
        p.add_argument("--course", help="course name (default: all courses)")
        p.add_argument("--lesson", action="append", default=[], dest="lessons", help="a lesson id; repeat for several")
        p.add_argument("--audience", default="beginners", help="age or grade and prior knowledge")
        p.add_argument("--lang", choices=["en", "zh"], default="en", help="language of the material")
        p.add_argument(
            "--allow-uncited",
            action="store_true",
            help="when the course does not cover the topic, make it anyway without citations",
        )
        p.add_argument(
            "--draft",
            choices=("auto", "built", "model"),
            default="auto",
            help="built: assembled from the course text; model: written by the model; auto (default): "
            "built on the built-in model, written by a configured provider",
        )
        p.add_argument("--out", help="also write the result to a .md, .docx or .json file")
        p.add_argument("--json", action="store_true")
        if name == "plan":
            p.add_argument("--minutes", type=int, default=45, help="lesson duration in minutes")
        else:
            p.add_argument("--questions", type=int, default=5, help="number of questions")
            p.add_argument(
                "--kinds",
                type=_csv(QUESTION_KINDS),
                default=list(QUESTION_KINDS),
                help="comma-separated: " + ",".join(QUESTION_KINDS),
            )
            p.add_argument(
                "--bloom",
                type=_csv(BLOOM_LEVELS),
                default=["remember", "understand", "apply"],
                help="comma-separated Bloom levels to mix: " + ",".join(BLOOM_LEVELS),
            )
        p.set_defaults(func=cmd_generate, kind=name)


def cmd_generate(args, settings) -> int:
    from tutor_app.services import build_services
    from tutor_app.studio.checks import cited_chunk_ids
    from tutor_app.studio.drafts import draft, draft_style
    from tutor_app.studio.export import document_json, to_docx, to_json, to_markdown
    from tutor_app.studio.shared import StudioInputError, StudioRequest, known_chunk_ids

    fields = dict(
        course=args.course,
        lessons=args.lessons,
        topic=args.topic,
        audience=args.audience,
        language=args.lang,
        allow_ungrounded=args.allow_uncited,
    )
    if args.kind == "plan":
        fields["duration_minutes"] = args.minutes
    else:
        fields.update(question_count=args.questions, kinds=args.kinds, bloom_levels=args.bloom)
    request = StudioRequest(**fields)
    services = build_services(settings)
    style = draft_style(settings, args.draft)
    try:
        progress = (lambda step: None) if args.json else (lambda step: print(f"… {step}", file=sys.stderr, flush=True))
        try:
            result = draft(args.kind, request, services, style=style, on_step=progress)
        except StudioInputError as exc:
            hint = (
                (" Or pass --allow-uncited --draft model." if style == "built" else " Or pass --allow-uncited.")
                if exc.key == "studio_err_not_covered"
                else ""
            )
            print(
                f"error: {exc.message('en').replace(' or confirm below to get material without course citations', '')}{hint}",
                file=sys.stderr,
            )
            return 2
        chunks = known_chunk_ids(services.index, cited_chunk_ids(result.document))  # their texts go into the JSON
    finally:
        services.close()
    document = result.document
    labels = {h.chunk.id: f"{h.chunk.source} › {h.chunk.heading}" for h in result.sources.passages}
    if args.out:
        out = Path(args.out)
        writers = {
            ".md": lambda: out.write_text(to_markdown(document, labels), encoding="utf-8"),
            ".docx": lambda: out.write_bytes(to_docx(document, labels)),
            ".json": lambda: out.write_text(to_json(document, chunks), encoding="utf-8"),
        }
        if out.suffix not in writers:
            print("error: --out must end in .md, .docx or .json", file=sys.stderr)
            return 2
        writers[out.suffix]()
    if args.json:
        data = document_json(document, chunks)
        cited_passages = data.pop("passages")  # printed beside the document, not inside it
        print(
            json.dumps(
                {
                    args.kind: data,
                    "passages": cited_passages,
                    "checks": [c.to_json() for c in result.checks],
                    "first_try": result.first_try,
                    "attempts": result.attempts,
                    "rewritten": result.rewritten,
                    "seconds": round(result.seconds, 1),
                    "model": document.model,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        print(to_markdown(document, labels))
        for check in result.checks:
            print(f"[{'ok' if check.passed else 'FAILED'}] {check.name}" + "".join(f"\n    {m}" for m in check.messages("en")))
        print(f"({document.model}; {result.attempts} attempt(s), {result.seconds:.1f} s)")
    return 0 if result.passed else 1
