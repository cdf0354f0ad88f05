"""Saved comparison runs: written to the app database's ``model_runs`` table, listed, exported as CSV and Markdown.

Runs made together (one question's comparison, or one batch) share a ``batch`` id. The exports are plain
text a person can open in a spreadsheet or paste into a report; answers are kept whole in CSV and cut
short in Markdown tables. ``run_lines`` words a run's figures for a page, in the reader's language.
This module does not run models (``compare``, ``batch``).
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select

from tutor_app.core.database import Database, ModelRun, utcnow
from tutor_app.core.i18n import t
from tutor_app.lab.compare import RunResult

CSV_COLUMNS = (
    "created_at",
    "batch",
    "question",
    "course",
    "endpoint",
    "model",
    "retrieval",
    "first_token_s",
    "total_s",
    "prompt_tokens",
    "completion_tokens",
    "cost_usd",
    "citations",
    "unsupported",
    "answer",
    "error",
)


def new_batch() -> str:
    return uuid.uuid4().hex[:16]


def save_runs(db: Database, results: Iterable[RunResult], batch: str | None = None, user_id: int | None = None) -> str:
    """Store the runs in one transaction; returns their batch id."""
    batch = batch or new_batch()
    now = utcnow()
    with db.session() as s:
        for r in results:
            s.add(
                ModelRun(
                    batch=batch,
                    user_id=user_id,
                    question=r.question,
                    course=r.course or "",
                    endpoint=r.endpoint[:100],
                    model=(r.model or "")[:200],
                    retrieval=r.retrieval,
                    answer=r.answer,
                    error=r.error,
                    first_token_s=r.first_token_s,
                    total_s=r.total_s,
                    prompt_tokens=r.prompt_tokens,
                    completion_tokens=r.completion_tokens,
                    cost_usd=r.cost,
                    citations=json.dumps(r.citations, ensure_ascii=False),
                    unsupported=json.dumps(r.unsupported, ensure_ascii=False),
                    created_at=now,
                )
            )
    return batch


def list_runs(db: Database, limit: int = 200, batch: str | None = None) -> list[dict]:
    """The newest saved runs first, as plain dicts with the CSV columns."""
    query = select(ModelRun).order_by(ModelRun.created_at.desc(), ModelRun.id.desc()).limit(limit)
    if batch:
        query = query.where(ModelRun.batch == batch)
    with db.session() as s:
        rows = list(s.scalars(query))
    return [_row(r) for r in rows]


def _row(run: ModelRun) -> dict:
    return {
        "created_at": run.created_at.strftime("%Y-%m-%d %H:%M:%S") if isinstance(run.created_at, datetime) else "",
        "batch": run.batch,
        "question": run.question,
        "course": run.course,
        "endpoint": run.endpoint,
        "model": run.model,
        "retrieval": run.retrieval,
        "first_token_s": None if run.first_token_s is None else round(run.first_token_s, 3),
        "total_s": round(run.total_s, 3),
        "prompt_tokens": run.prompt_tokens,
        "completion_tokens": run.completion_tokens,
        "cost_usd": None if run.cost_usd is None else round(run.cost_usd, 8),
        "citations": place_list(json.loads(run.citations or "[]")),
        "unsupported": " / ".join(json.loads(run.unsupported or "[]")),
        "answer": run.answer,
        "error": run.error,
    }


def place(citation: dict) -> str:
    """Where a citation points, as "[n] lesson › section"."""
    where = " › ".join(p for p in (citation.get("title") or citation.get("lesson_id"), citation.get("heading")) if p)
    return f"[{citation.get('number')}] {where.replace(' > ', ' › ') or citation.get('source', '')}"


def place_list(citations: list[dict]) -> str:
    return "; ".join(place(c) for c in citations)


def to_csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _cell(value: object, width: int | None = None) -> str:
    text = "" if value is None else str(value)
    text = " ".join(text.split()).replace("|", "\\|")
    return text if width is None or len(text) <= width else text[: width - 1] + "…"


def markdown_table(headers: list[str], rows: list[list[object]], answer_width: int = 80) -> str:
    """A GitHub Markdown table; long cells (answers) cut to ``answer_width`` characters."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_cell(v, answer_width) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def to_markdown(rows: list[dict]) -> str:
    """Saved runs as a Markdown table, one row a run."""
    headers = ["question", "endpoint", "model", "retrieval", "first token s", "total s", "tokens in/out", "cost $"]
    headers += ["citations", "unsupported", "answer", "error"]
    body = [
        [
            r["question"],
            r["endpoint"],
            r["model"],
            "on" if r["retrieval"] else "off",
            "" if r["first_token_s"] is None else f"{r['first_token_s']:.2f}",
            f"{r['total_s']:.2f}",
            f"{r['prompt_tokens']}/{r['completion_tokens']}",
            "unknown" if r["cost_usd"] is None else f"{r['cost_usd']:.6f}",
            r["citations"],
            r["unsupported"],
            r["answer"],
            r["error"],
        ]
        for r in rows
    ]
    return markdown_table(headers, body)


def results_markdown(results: list[RunResult]) -> str:
    """Runs just made (not yet read back) as a Markdown table: the CLI's plain output."""
    headers = ["model", "retrieval", "first token s", "total s", "prompt tokens", "completion tokens", "cost $"]
    headers += ["citations", "unsupported", "answer"]
    body = []
    for r in results:
        tokens_note = " (counted)" if r.tokens_counted else ""
        body.append(
            [
                f"{r.endpoint} ({r.model})" if r.model and r.model != r.endpoint else r.endpoint,
                "on" if r.retrieval else "off",
                "" if r.first_token_s is None else f"{r.first_token_s:.2f}",
                f"{r.total_s:.2f}",
                f"{r.prompt_tokens}{tokens_note}",
                f"{r.completion_tokens}{tokens_note}",
                "unknown" if r.cost is None else f"{r.cost:.6f}",
                place_list(r.citations),
                len(r.unsupported),
                f"FAILED: {r.error}" if r.failed else r.answer + (f" [cut short: {r.error}]" if r.error else ""),
            ]
        )
    return markdown_table(headers, body, answer_width=100)


def run_lines(run: RunResult, lang: str) -> dict[str, str]:
    """What a page shows under a run's answer, in ``lang``: ``failure`` (why it failed or was cut, "" if it
    finished), and for a run that answered ``figures``, ``citations`` and ``claims``."""
    lines = {"failure": ""}
    if run.error:
        reason = t(f"lab_compare_fail_{run.error_kind}", lang) if run.error_kind else run.error
        lines["failure"] = t("lab_compare_failed" if run.failed else "lab_compare_cut", lang, reason=reason)
    if run.failed:
        return lines
    lines["figures"] = t(
        "lab_compare_figures",
        lang,
        first="–" if run.first_token_s is None else f"{run.first_token_s:.2f}",
        total=f"{run.total_s:.2f}",
        prompt=run.prompt_tokens,
        completion=run.completion_tokens,
        counted=t("lab_compare_counted", lang) if run.tokens_counted else "",
        cost=t("lab_compare_cost_unknown", lang) if run.cost is None else f"${run.cost:.6f}",
    )
    places = place_list(run.citations)
    lines["citations"] = t("lab_compare_citations", lang, places=places) if places else t("lab_compare_no_citations", lang)
    lines["claims"] = t("lab_compare_unsupported", lang, count=len(run.unsupported))
    return lines


def saved_table(rows: list[dict], lang: str, answer_chars: int = 160) -> list[dict]:
    """Saved runs as the page shows them: translated headers, one tokens column, answers cut to a preview
    (the downloads keep everything)."""

    def preview(text: str) -> str:
        return text if len(text) <= answer_chars else text[: answer_chars - 1].rstrip() + "…"

    def col(name: str) -> str:
        return t(f"lab_compare_col_{name}", lang)

    return [
        {
            col("when"): row["created_at"],
            col("question"): preview(row["question"]),
            col("endpoint"): f"{row['endpoint']} ({row['model']})" if row["model"] else row["endpoint"],
            col("retrieval"): t("lab_compare_rag" if row["retrieval"] else "lab_compare_alone", lang),
            col("first"): "" if row["first_token_s"] is None else f"{row['first_token_s']:.2f}",
            col("total"): f"{row['total_s']:.2f}",
            col("tokens"): f"{row['prompt_tokens']} / {row['completion_tokens']}",
            col("cost"): t("lab_compare_cost_unknown", lang) if row["cost_usd"] is None else f"{row['cost_usd']:.6f}",
            col("citations"): row["citations"],
            col("answer"): preview(row["answer"]) if row["answer"] else t("lab_compare_failed", lang, reason=row["error"][:120]),
        }
        for row in rows
    ]
