"""Data shapes shared across the engine: chunks, hits, citations, answers.

Plain pydantic models with no behaviour beyond validation and small helpers;
the use cases that fill them live elsewhere.
"""

from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel, Field

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
    def from_record(cls, chunk_id: str, text: str, metadata: dict) -> "Chunk":
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

    def to_json(self) -> dict:
        return self.model_dump(exclude={"prompt_tokens", "completion_tokens"}) | {
            "usage": {"prompt_tokens": self.prompt_tokens, "completion_tokens": self.completion_tokens}
        }
