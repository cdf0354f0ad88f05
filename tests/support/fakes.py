"""Fakes for unit tests only: a fast deterministic embedder and a scripted chat model.

Integration tests use the real e5 embedder and the real llama.cpp server.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

from tutor_app.engine.models.chat import ChatModel, StreamEnd
from tutor_app.engine.search.lexical import terms


@register_embedding_function
class HashEmbedding(EmbeddingFunction[Documents]):
    """Bag of hashed terms, L2-normalised: texts sharing words are similar."""

    def __init__(self, dimensions: int = 64) -> None:
        self.dimensions = dimensions

    def __call__(self, input: Documents) -> Embeddings:
        out = []
        for text in input:
            vector = np.zeros(self.dimensions, dtype=np.float32)
            for term in terms(text) or ["empty"]:
                vector[int(hashlib.md5(term.encode()).hexdigest(), 16) % self.dimensions] += 1.0
            out.append(vector / np.linalg.norm(vector))
        return out

    @staticmethod
    def name() -> str:
        return "test-hash"

    def default_space(self) -> str:
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine"]

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> HashEmbedding:
        return HashEmbedding(int(config.get("dimensions", 64)))

    def get_config(self) -> dict[str, Any]:
        return {"dimensions": self.dimensions}


class ScriptedChat(ChatModel):
    """A chat model that yields given pieces, then a given ending; records what it was sent."""

    label = "scripted"
    provider = "test"

    def __init__(self, pieces: list[str], end: StreamEnd | None = None) -> None:
        self.pieces = pieces
        self.end = end or StreamEnd(True, "stop")
        self.calls: list[list[dict]] = []

    def stream(self, messages: list[dict], max_tokens: int) -> Iterator[str | StreamEnd]:
        self.calls.append(messages)
        yield from self.pieces
        yield self.end
