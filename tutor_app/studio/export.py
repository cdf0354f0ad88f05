"""Export a lesson plan or quiz as Markdown, Word (.docx) or JSON, in the document's language.

Headings come from the message tables, so a Chinese plan exports with Chinese
headings. Citations are printed as the passage's file and section when the
caller passes ``sources`` (chunk id → label), else as chunk ids. The JSON is
the schema's own dump and loads back with ``LessonPlan``/``Quiz``; given the
cited course passages it also carries each passage's text beside its chunk id
(``passage`` on a question, ``passages`` on a material or activity, and a
top-level ``passages`` map), so a reader can check an answer without the index
(the schema ignores these extra fields when the file is loaded back). This
module only formats; it reads no database or index and calls no model.
"""

from __future__ import annotations

import io
import json
import re

from tutor_app.core.i18n import t
from tutor_app.core.schemas import Chunk, LessonPlan, Quiz, true_false_label


def filename(document: LessonPlan | Quiz, extension: str) -> str:
    stem = re.sub(r"[^\w\-]+", "-", document.title, flags=re.UNICODE).strip("-").lower()[:60] or "document"
    return f"{'plan' if isinstance(document, LessonPlan) else 'quiz'}-{stem}.{extension}"


def passage_record(chunk: Chunk) -> dict[str, str]:
    """What a reader needs of a cited course passage: its text and where it comes from."""
    return {"text": chunk.text, "source": chunk.source, "heading": chunk.heading, "title": chunk.title, "lang": chunk.lang}


def document_json(document: LessonPlan | Quiz, chunks: dict[str, Chunk] | None = None) -> dict:
    """The document as JSON data; with ``chunks`` (chunk id → passage) each citation gets its passage's text beside it.

    A cited id missing from ``chunks`` gets an empty text (``passage: ""``), so the gap shows instead of hiding.
    """
    data = document.model_dump(mode="json")
    if chunks is None:
        return data
    text = lambda chunk_id: chunks[chunk_id].text if chunk_id in chunks else ""  # noqa: E731
    for question in data.get("questions", []):
        question["passage"] = text(question["chunk_id"]) if question["chunk_id"] else ""
    for item in data.get("materials", []) + data.get("activities", []):
        item["passages"] = [text(chunk_id) for chunk_id in item["chunk_ids"]]
    cited = [q["chunk_id"] for q in data.get("questions", [])] + [
        chunk_id for item in data.get("materials", []) + data.get("activities", []) for chunk_id in item["chunk_ids"]
    ]
    data["passages"] = {chunk_id: passage_record(chunks[chunk_id]) for chunk_id in dict.fromkeys(cited) if chunk_id in chunks}
    return data


def to_json(document: LessonPlan | Quiz, chunks: dict[str, Chunk] | None = None) -> str:
    return json.dumps(document_json(document, chunks), ensure_ascii=False, indent=2)


def _cite(ids: list[str], sources: dict[str, str] | None) -> str:
    return "; ".join((sources or {}).get(i, i) for i in ids if i)


def _blocks(document: LessonPlan | Quiz, sources: dict[str, str] | None) -> list[tuple[str, str]]:
    """The document as (style, text) blocks: h1, h2, p, li. Markdown and Word both render these."""
    lang = document.language
    tr = lambda key, **v: t(key, lang, **v)  # noqa: E731
    out: list[tuple[str, str]] = [("h1", document.title)]
    meta = [
        f"{tr('studio_x_audience')}: {document.audience}" if document.audience else "",
        f"{tr('studio_topic')}: {document.topic}" if document.topic else "",
    ]
    if isinstance(document, LessonPlan):
        meta.append(f"{tr('studio_duration')}: {document.duration_minutes}")
    out += [("p", line) for line in meta if line]
    if not document.grounded:
        out.append(("p", tr("studio_ungrounded_note")))
    out.append(("h2", tr("studio_objectives")))
    out += [("li", f"{o.id} ({tr('studio_bloom_' + o.bloom)}): {o.text}") for o in document.objectives]
    if isinstance(document, LessonPlan):
        if document.prerequisites:
            out.append(("h2", tr("studio_x_prerequisites")))
            out += [("li", p) for p in document.prerequisites]
        if document.materials:
            out.append(("h2", tr("studio_materials")))
            for m in document.materials:
                cited = _cite(m.chunk_ids, sources)
                out.append(("li", f"{m.title}: {m.description}" + (f" [{cited}]" if cited else "")))
        out.append(("h2", tr("studio_activities")))
        for a in document.activities:
            cited = _cite(a.chunk_ids, sources)
            out.append(
                (
                    "li",
                    f"{a.title} ({a.minutes} {tr('studio_x_minutes')}; {', '.join(a.objective_ids)}): "
                    f"{a.description}" + (f" [{cited}]" if cited else ""),
                )
            )
        for key, text in (
            ("studio_assessment", document.formative_assessment),
            ("studio_support", document.support_weaker),
            ("studio_challenge", document.challenge_stronger),
            ("studio_homework", document.homework),
        ):
            if text:
                out += [("h2", tr(key)), ("p", text)]
        return out
    out.append(("h2", tr("studio_questions_table")))
    for n, q in enumerate(document.questions, 1):
        out.append(("h3", f"{n}. {q.question}"))
        out.append(("p", f"{tr('studio_kind_' + q.kind)} · {tr('studio_bloom_' + q.bloom)} · {q.objective_id}"))
        letters = "ABCDEFGH"
        shown = (lambda text: true_false_label(text, lang)) if q.kind == "true_false" else str
        out += [("li", f"{letters[i] if i < len(letters) else i + 1}. {shown(option)}") for i, option in enumerate(q.options)]
        out.append(("p", f"{tr('studio_x_answer')}: {shown(q.answer)}"))
        if q.explanation:
            out.append(("p", f"{tr('studio_x_explanation')}: {q.explanation}"))
        if q.chunk_id:
            out.append(("p", f"{tr('studio_x_source')}: {_cite([q.chunk_id], sources)}"))
    return out


def to_markdown(document: LessonPlan | Quiz, sources: dict[str, str] | None = None) -> str:
    prefix = {"h1": "# ", "h2": "\n## ", "h3": "\n### ", "li": "- ", "p": ""}
    lines = []
    for style, text in _blocks(document, sources):
        flat = " ".join(text.split())
        lines.append(prefix[style] + flat + ("\n" if style == "p" else ""))
    return "\n".join(lines).rstrip() + "\n"


def to_docx(document: LessonPlan | Quiz, sources: dict[str, str] | None = None) -> bytes:
    from docx import Document  # imported here: only the export needs python-docx

    word = Document()
    word.core_properties.title = document.title
    word.core_properties.language = "zh-CN" if document.language == "zh" else "en"
    for style, text in _blocks(document, sources):
        if style in ("h1", "h2", "h3"):
            word.add_heading(text, level=int(style[1]))
        elif style == "li":
            word.add_paragraph(text, style="List Bullet")
        else:
            word.add_paragraph(text)
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()
