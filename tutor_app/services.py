"""Composition root: builds the engine's parts from settings, once.

The CLI, the Streamlit app and the tests all get their collaborators here, so
each use case runs the same everywhere. Nothing is built at import time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tutor_app.core.config import Settings
from tutor_app.core.logs import setup_model_log
from tutor_app.engine.ingest.pipeline import Ingestor
from tutor_app.engine.models.chat import make_chat_model
from tutor_app.engine.models.prompts import FilePromptSource, PromptSource
from tutor_app.engine.search.bilingual import default_bilingual
from tutor_app.engine.search.index import CourseIndex
from tutor_app.engine.search.retrieval import Retriever
from tutor_app.tutoring.explain import Tutor


@dataclass
class Services:
    settings: Settings
    index: CourseIndex
    retriever: Retriever
    ingestor: Ingestor
    tutor: Tutor
    prompts: PromptSource = field(default_factory=FilePromptSource)  # the prompt each use case runs
    _server: object = field(default=None, repr=False)

    def chat_model(self):
        if self.settings.provider.is_embedded and self._server is None:
            from tutor_app.engine.models.server import EmbeddedServer

            self._server = EmbeddedServer(self.settings)
        return make_chat_model(self.settings, self._server)

    def close(self) -> None:
        if self._server is not None:
            self._server.stop()


def build_services(settings: Settings, embedder=None, prompts: PromptSource | None = None) -> Services:
    """Everything the use cases need; ``prompts`` is where their prompts come from (default: the files; the app
    and the CLI pass the prompt lab's active versions, ``lab.prompt_versions.DatabasePromptSource``). Raises ``IndexStoreError`` when the index cannot be opened (a read-only
    folder, another embedder); nothing of a failed build is kept, so a later call works once the cause is fixed."""
    setup_model_log(settings.home)  # model failures -> TUTOR_HOME/logs/models.jsonl
    # The glossary's words must reach the segmenter before the index reads or writes terms.
    bilingual = default_bilingual() if settings.bilingual_search else None
    index = CourseIndex(settings, embedder)
    retriever = Retriever(settings, index, bilingual)
    prompts = prompts or FilePromptSource()
    services = Services(settings, index, retriever, Ingestor(settings, index), None, prompts)  # type: ignore[arg-type]
    services.tutor = Tutor(settings, retriever, services.chat_model, prompts=prompts)
    return services
