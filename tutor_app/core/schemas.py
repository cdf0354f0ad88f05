"""Data shapes shared across the engine: chunks, hits, citations, answers.

Plain pydantic models with no behaviour beyond validation and small helpers;
the use cases that fill them live elsewhere.
"""

from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from tutor_app.core.i18n import t

Lang = Literal["en", "zh"]


class Objective(BaseModel):
    id: str
    text: str
    bloom: str = "understand"


class Chunk(BaseModel):
    """One retrievable passage of a course file, with where it came from."""

    id: str
    text: str
    course: str
    source: str
    heading: str = ""
    title: str = ""
    lang: Lang = "en"
    lesson_id: str = ""
    position: int = 0
    file_hash: str = ""
    objectives: list[Objective] = Field(default_factory=list)

    def embedding_text(self) -> str:
        """What the embedder sees: the passage with its lesson and section for context."""
        place = " > ".join(part for part in (self.title, self.heading) if part)
        return f"{place}\n{self.text}" if place else self.text

    def to_metadata(self) -> dict[str, str | int]:
        return {
            "course": self.course,
            "source": self.source,
            "heading": self.heading,
            "title": self.title,
            "lang": self.lang,
            "lesson_id": self.lesson_id,
            "position": self.position,
            "file_hash": self.file_hash,
            "objectives": json.dumps([o.model_dump() for o in self.objectives], ensure_ascii=False),
        }

    @classmethod
    def from_record(cls, chunk_id: str, text: str, metadata: dict) -> Chunk:
        meta = dict(metadata or {})
        objectives = json.loads(meta.pop("objectives", "[]") or "[]")
        return cls(id=chunk_id, text=text, objectives=objectives, **meta)


class Hit(BaseModel):
    """A chunk found for a query, with its scores."""

    chunk: Chunk
    score: float  # fused rank score, higher is better
    similarity: float  # cosine similarity of query and chunk embeddings
    dense_rank: int | None = None
    lexical_rank: int | None = None

    def to_json(self) -> dict:
        c = self.chunk
        return {
            "id": c.id,
            "source": c.source,
            "heading": c.heading,
            "title": c.title,
            "lesson_id": c.lesson_id,
            "course": c.course,
            "lang": c.lang,
            "score": round(self.score, 6),
            "similarity": round(self.similarity, 4),
            "text": c.text,
        }


class Citation(BaseModel):
    number: int
    chunk_id: str
    source: str
    heading: str
    title: str = ""
    text: str


class Answer(BaseModel):
    question: str
    answer: str
    citations: list[Citation] = Field(default_factory=list)
    model: str
    grounded: bool
    complete: bool = True
    notices: list[str] = Field(default_factory=list)
    error: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    style: Literal["extractive", "generative"] = "extractive"
    unsupported: list[str] = Field(default_factory=list)  # generated sentences the passages do not support

    def to_json(self) -> dict:
        exclude = {"prompt_tokens", "completion_tokens"} | ({"unsupported"} if self.style == "extractive" else set())
        return self.model_dump(exclude=exclude) | {
            "usage": {"prompt_tokens": self.prompt_tokens, "completion_tokens": self.completion_tokens}
        }


# =========================================================================== educator studio (issue 4)
# Lesson plans and quizzes as data. These models check shapes only (types, ranges, what each question
# kind needs); whether a plan hangs together (timings, coverage, duplicates, citations) is decided by
# ``studio.checks``, so an edited or half-wrong plan can still be loaded, shown and fixed.

BloomLevel = Literal["remember", "understand", "apply", "analyze", "evaluate", "create"]
BLOOM_LEVELS: tuple[str, ...] = ("remember", "understand", "apply", "analyze", "evaluate", "create")
QuestionKind = Literal["multiple_choice", "true_false", "short_answer"]
QUESTION_KINDS: tuple[str, ...] = ("multiple_choice", "true_false", "short_answer")
TRUE_FALSE = ["True", "False"]  # stored as is in every language; shown with ``true_false_label``


def true_false_label(value: str, lang: str) -> str:
    """A true/false question's stored "True"/"False" as ``lang`` writes it ("True", "正确"); other text unchanged."""
    return t(f"studio_quiz_{value.lower()}", lang).capitalize() if value in TRUE_FALSE else value


class LearningObjective(BaseModel):
    id: str = Field(min_length=1, max_length=20)  # "O1", "O2" ... referred to by activities and questions
    text: str = Field(min_length=1)
    bloom: BloomLevel = "understand"


class Material(BaseModel):
    title: str = Field(min_length=1)
    description: str = ""
    chunk_ids: list[str] = Field(default_factory=list)  # the course chunks it comes from


class Activity(BaseModel):
    title: str = Field(min_length=1)
    minutes: int = Field(ge=1, le=600)
    description: str = ""
    objective_ids: list[str] = Field(default_factory=list)
    chunk_ids: list[str] = Field(default_factory=list)


class LessonPlan(BaseModel):
    """A lesson for one audience and duration, grounded in course chunks."""

    title: str = Field(min_length=1)
    course: str = ""
    topic: str = ""
    audience: str = ""
    duration_minutes: int = Field(ge=1, le=600)
    language: Lang = "en"
    objectives: list[LearningObjective] = Field(min_length=1)
    prerequisites: list[str] = Field(default_factory=list)
    materials: list[Material] = Field(default_factory=list)
    activities: list[Activity] = Field(min_length=1)
    formative_assessment: str = ""
    support_weaker: str = ""  # differentiation for learners who need more help
    challenge_stronger: str = ""  # differentiation for learners who are ahead
    homework: str = ""
    grounded: bool = True  # False: the educator chose a plan without course citations
    model: str = ""


class QuizQuestion(BaseModel):
    kind: QuestionKind
    question: str = Field(min_length=1)
    options: list[str] = Field(default_factory=list)  # empty for short answers; ["True", "False"] for true/false
    answer: str = Field(min_length=1)
    explanation: str = ""
    bloom: BloomLevel = "understand"
    objective_id: str = ""
    chunk_id: str = ""  # the course chunk the question comes from ("" only in an ungrounded quiz)

    @model_validator(mode="after")
    def _options_fit_the_kind(self) -> QuizQuestion:
        if self.kind == "multiple_choice" and len(self.options) < 2:
            raise ValueError("a multiple-choice question needs at least two options")
        if self.kind == "true_false" and self.options != TRUE_FALSE:
            raise ValueError('a true/false question has exactly the options ["True", "False"]')
        if self.kind == "short_answer" and self.options:
            raise ValueError("a short-answer question has no options")
        return self


class Quiz(BaseModel):
    """Questions that assess a set of objectives, each traced to a course chunk."""

    title: str = Field(min_length=1)
    course: str = ""
    topic: str = ""
    audience: str = ""
    language: Lang = "en"
    objectives: list[LearningObjective] = Field(min_length=1)
    questions: list[QuizQuestion] = Field(min_length=1)
    grounded: bool = True
    model: str = ""
