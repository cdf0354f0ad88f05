"""A course's learning objectives: parsed from uploaded YAML or CSV, and read from lessons' front matter.

``parse_objectives(data, name)`` turns an uploaded file into objectives (id,
text, Bloom level) or raises ``CurriculumError`` naming the line at fault.
``CurriculumStore`` keeps the uploaded set per course in the app database.
``course_objectives`` merges the lessons' front-matter objectives (stored with
every chunk) with the uploaded ones; one id with texts in several languages
becomes one objective with several texts. This module does not score coverage.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import yaml
from sqlalchemy import delete, select

from tutor_app.core.database import CurriculumObjective, Database
from tutor_app.core.errors import InputError
from tutor_app.core.i18n import t
from tutor_app.core.schemas import Objective
from tutor_app.engine.text import detect_lang

BLOOM_LEVELS = ("remember", "understand", "apply", "analyze", "evaluate", "create")
_BLOOM_ALIASES = {
    "analyse": "analyze",
    "remembering": "remember",
    "understanding": "understand",
    "applying": "apply",
    "analysing": "analyze",
    "analyzing": "analyze",
    "evaluating": "evaluate",
    "creating": "create",
}
MAX_OBJECTIVES = 2000


class CurriculumError(InputError):
    """An objectives file cannot be used; the message names the line."""


@dataclass
class CourseObjective:
    """One objective of a course, with its text in each language it was written in."""

    id: str
    text: str  # the first text seen (front matter of the first lesson, or the uploaded file)
    bloom: str
    source: str  # the lesson file whose front matter gave it first; "" when it was uploaded
    texts: list[str] = field(default_factory=list)

    @property
    def origin(self) -> str:
        """Where it came from, in English (exports and the command line)."""
        return f"front matter ({self.source})" if self.source else "uploaded"

    def origin_in(self, lang: str) -> str:
        return t("admin_origin_front_matter", lang, source=self.source) if self.source else t("admin_origin_uploaded", lang)

    def text_in(self, lang: str) -> str:
        """Its text in ``lang`` when one of its texts is written in it (a bilingual course), else its first text."""
        return next((text for text in self.texts if detect_lang(text) == lang), self.text)


def _bloom(value: object, where: str) -> str:
    level = str(value or "understand").strip().lower()
    level = _BLOOM_ALIASES.get(level, level)
    if level not in BLOOM_LEVELS:
        raise CurriculumError(f"{where}: '{value}' is not a Bloom level.", f"Use one of: {', '.join(BLOOM_LEVELS)}.")
    return level


def _check(objectives: list[Objective], lines: list[int], name: str) -> list[Objective]:
    seen: dict[str, int] = {}
    for objective, line in zip(objectives, lines):
        if objective.id in seen:
            raise CurriculumError(
                f"{name} line {line}: the id '{objective.id}' is used twice (first on line {seen[objective.id]}).",
                "Give every objective its own id.",
            )
        seen[objective.id] = line
    if not objectives:
        raise CurriculumError(f"{name}: no objectives found.", "List objectives with id, text and bloom (see the example).")
    if len(objectives) > MAX_OBJECTIVES:
        raise CurriculumError(
            f"{name}: {len(objectives)} objectives is over the limit of {MAX_OBJECTIVES}.", "Split the curriculum."
        )
    return objectives


def parse_yaml(text: str, name: str) -> list[Objective]:
    """A list of {id, text, bloom} mappings, or a mapping with an ``objectives`` list."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark else ""
        raise CurriculumError(
            f"{name}{line}: not valid YAML ({getattr(exc, 'problem', None) or exc}).",
            "Fix the YAML syntax on that line (indentation, quotes, colons).",
        ) from exc
    if isinstance(root, yaml.MappingNode):
        items = {k.value: v for k, v in root.value if isinstance(k, yaml.ScalarNode)}
        if "objectives" not in items:
            raise CurriculumError(
                f"{name} line {root.start_mark.line + 1}: expected a list of objectives or an 'objectives:' key.",
                "Start the file with 'objectives:' followed by '- id: ...' items.",
            )
        root = items["objectives"]
    if not isinstance(root, yaml.SequenceNode):
        line = root.start_mark.line + 1 if root is not None else 1
        raise CurriculumError(
            f"{name} line {line}: expected a list of objectives.", "Write each objective as '- id: ... text: ... bloom: ...'."
        )
    objectives, lines = [], []
    for node in root.value:
        line = node.start_mark.line + 1
        if not isinstance(node, yaml.MappingNode):
            raise CurriculumError(
                f"{name} line {line}: an objective must be a mapping with id, text and bloom.",
                "Write it as '- id: o1' then 'text: ...' and 'bloom: ...' indented below.",
            )
        values = {k.value: (v.value if isinstance(v, yaml.ScalarNode) else None) for k, v in node.value}
        for key in ("id", "text"):
            if not str(values.get(key) or "").strip():
                raise CurriculumError(f"{name} line {line}: the objective has no '{key}'.", f"Add a '{key}:' line to it.")
        objectives.append(
            Objective(
                id=str(values["id"]).strip(),
                text=" ".join(str(values["text"]).split()),
                bloom=_bloom(values.get("bloom"), f"{name} line {line}"),
            )
        )
        lines.append(line)
    return _check(objectives, lines, name)


def parse_csv(text: str, name: str) -> list[Objective]:
    """A header row with id, text and bloom (or bloom_level) columns, then one objective per row."""
    reader = csv.reader(io.StringIO(text), strict=True)  # strict: an unclosed quote is an error, not silently accepted
    objectives, lines = [], []
    start = 1  # the line the current record starts on: an unclosed quote is reported where it opened
    try:
        header = [h.strip().lower() for h in next(reader, [])]
        if not header:
            raise CurriculumError(f"{name}: the file is empty.", "Add a header row: id,text,bloom.")
        columns = {h: i for i, h in enumerate(header)}
        bloom_col = next((columns[h] for h in ("bloom", "bloom_level", "level") if h in columns), None)
        if "id" not in columns or "text" not in columns:
            raise CurriculumError(
                f"{name} line 1: the header must name the columns id, text and bloom (found: {', '.join(header)}).",
                "Make the first row: id,text,bloom.",
            )
        while True:
            start = reader.line_num + 1
            row = next(reader, None)
            if row is None:
                break
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise CurriculumError(
                    f"{name} line {line}: {len(row)} fields where the header has {len(header)}.",
                    'Quote text that contains commas, e.g. "Explain A, B and C".',
                )
            oid, body = row[columns["id"]].strip(), " ".join(row[columns["text"]].split())
            if not oid or not body:
                raise CurriculumError(
                    f"{name} line {line}: the objective has no {'id' if not oid else 'text'}.", "Fill in the missing cell."
                )
            bloom = _bloom(row[bloom_col] if bloom_col is not None else "", f"{name} line {line}")
            objectives.append(Objective(id=oid, text=body, bloom=bloom))
            lines.append(line)
    except csv.Error as exc:
        raise CurriculumError(
            f"{name} line {start}: malformed CSV ({exc}).", "Close the quote or remove the stray quote character."
        ) from exc
    return _check(objectives, lines, name)


def parse_objectives(data: bytes, name: str) -> list[Objective]:
    """Parse an uploaded objectives file; CSV when named .csv, otherwise YAML."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CurriculumError(f"{name}: not UTF-8 text (byte {exc.start}).", "Save the file as UTF-8.") from exc
    if not text.strip():
        raise CurriculumError(f"{name}: the file is empty.", "Add objectives, one per item or row.")
    if name.lower().endswith(".csv"):
        return parse_csv(text, name)
    return parse_yaml(text, name)


class CurriculumStore:
    """The uploaded objectives of each course (an upload replaces the course's previous set)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def replace(self, course: str, objectives: list[Objective]) -> int:
        with self.db.session() as s:
            s.execute(delete(CurriculumObjective).where(CurriculumObjective.course == course))
            s.add_all(
                CurriculumObjective(course=course, objective_id=o.id, text=o.text, bloom=o.bloom, position=n)
                for n, o in enumerate(objectives)
            )
        return len(objectives)

    def uploaded(self, course: str) -> list[Objective]:
        with self.db.session() as s:
            rows = s.scalars(
                select(CurriculumObjective).where(CurriculumObjective.course == course).order_by(CurriculumObjective.position)
            )
            return [Objective(id=r.objective_id, text=r.text, bloom=r.bloom) for r in rows]

    def clear(self, course: str) -> None:
        self.replace(course, [])


def course_objectives(index, db: Database | None, course: str) -> list[CourseObjective]:
    """Front-matter objectives of the course's lessons, then uploaded ones; one entry per id."""
    merged: dict[str, CourseObjective] = {}

    def add(objective: Objective, source: str) -> None:
        entry = merged.get(objective.id)
        if entry is None:
            merged[objective.id] = CourseObjective(objective.id, objective.text, objective.bloom, source, [objective.text])
        elif objective.text not in entry.texts:
            entry.texts.append(objective.text)

    seen_sources: set[str] = set()
    chunks = sorted(
        (c for part in index.iter_chunks(where={"course": course}) for c in part), key=lambda c: (c.source, c.position)
    )
    for chunk in chunks:
        if chunk.source in seen_sources:
            continue
        seen_sources.add(chunk.source)
        for n, objective in enumerate(chunk.objectives, 1):
            if not objective.id:  # a bare string in front matter: number it within its lesson
                objective = objective.model_copy(update={"id": f"{chunk.lesson_id or chunk.source}-{n}"})
            add(objective, chunk.source)
    if db is not None:
        for objective in CurriculumStore(db).uploaded(course):
            add(objective, "")
    return list(merged.values())


def text_langs(objective: CourseObjective) -> list[tuple[str, str]]:
    """(text, language) for each of the objective's texts."""
    return [(text, detect_lang(text)) for text in objective.texts]
