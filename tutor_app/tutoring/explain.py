"""The student tutor's "explain" mode: a grounded, cited answer to a question.

Retrieves passages and decides whether the course covers the question; when it
does not, says so without calling a model and names the two closest sections.
Then, by the answer style (``Settings.effective_answer_style``):
- extractive: quotes the best sentences of the passages in the learner's
  language (``extractive``), each with its [n]; no language model is called;
- generative: packs the passages within a token budget as delimited data (so
  instructions inside course files are not obeyed), asks the model through one
  streaming call, maps its [n] markers back to chunks, and lists the sentences
  the passages do not support (``claims``). When the model fails midway, the
  text that arrived is kept and the passages are still returned.
This module does not store conversations; the app does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tutor_app.core.config import Settings
from tutor_app.core.errors import ModelError, TutorError
from tutor_app.core.i18n import LANGUAGE_NAMES, t
from tutor_app.core.schemas import Answer, Hit
from tutor_app.engine.answers.claims import unsupported_sentences
from tutor_app.engine.answers.extractive import ExtractiveAnswerer
from tutor_app.engine.answers.passages import map_citations, pack_passages
from tutor_app.engine.models.chat import UNAVAILABLE_MODEL, ChatModel, StreamEnd, nothing_returned
from tutor_app.engine.models.prompts import FilePromptSource, PromptSource, chat_messages
from tutor_app.engine.search.retrieval import Retriever, SearchResult
from tutor_app.engine.text import detect_lang
from tutor_app.engine.tokens import count_tokens

EXTRACTIVE_MODEL = "course text (extractive)"
# A passage in the learner's language is preferred over a slightly closer one in the other language.
LANGUAGE_MARGIN = 0.03


@dataclass
class AnswerStream:
    """Iterate for the answer's text pieces; ``result`` is complete afterwards."""

    pieces: Iterator[str]
    result: Answer
    search: SearchResult
    passages: list[Hit] = field(default_factory=list)

    def __iter__(self) -> Iterator[str]:
        return self.pieces

    def text(self) -> str:
        return "".join(self)


def refusal(hits: list[Hit], lang: str) -> str:
    """The not-covered reply, naming the two closest lesson sections so the learner can rephrase; sections in the
    learner's language first (a question with no words of either language finds both)."""
    places: list[str] = []
    for hit in sorted(hits, key=lambda h: (h.chunk.lang != lang, -h.similarity)):
        place = (
            " › ".join(part for part in (hit.chunk.title, hit.chunk.heading) if part).replace(" > ", " › ") or hit.chunk.source
        )
        if f"“{place}”" not in places:
            places.append(f"“{place}”")
        if len(places) == 2:
            break
    if not places:
        return t("not_covered", lang)
    return t("not_covered_near", lang, sections=(" 和 " if lang == "zh" else " and ").join(places))


class Tutor:
    def __init__(
        self,
        settings: Settings,
        retriever: Retriever,
        model_factory,
        extractive: ExtractiveAnswerer | None = None,
        prompts: PromptSource | None = None,
    ) -> None:
        """``model_factory()`` returns a ChatModel; called lazily so retrieval works without one. ``prompts`` gives
        the prompt to use (default: the files; the app passes the prompt lab's active versions)."""
        self.settings = settings
        self.prompts = prompts or FilePromptSource()
        self.retriever = retriever
        self.model_factory = model_factory
        self.extractive = extractive or ExtractiveAnswerer(
            retriever.index.embedder, retriever.bilingual, Path(settings.home) / "cache"
        )

    def ask(
        self,
        question: str,
        course: str | None = None,
        history: list[dict] | None = None,
        lang: str | None = None,
        learner: str = "Not described; assume a beginner.",
    ) -> AnswerStream:
        """``learner`` describes the learner (``profile.profile_instructions``) for the prompt."""
        search = self.retriever.search(question, course=course)
        lang = lang or detect_lang(question)
        notices = [notice.text(lang) for notice in search.notices]
        style = self.settings.effective_answer_style
        result = Answer(question=search.query, answer="", model="", grounded=search.grounded, notices=notices, style=style)
        if not search.grounded:
            result.answer = refusal(self._near_sections(search, course, lang), lang)
            return AnswerStream(iter([result.answer]), result, search)
        if style == "extractive":
            return self._extractive(search, course, lang, result)
        embedded = self.settings.provider.is_embedded
        budget = self.settings.embedded_context_tokens if embedded else self.settings.context_tokens
        if embedded and search.hits and search.hits[0].chunk.lang == "zh":
            # Budgets count tiktoken (cl100k) tokens; the bundled model's tokenizer spends about 1.5 times as
            # many on Chinese lessons (1.04 times on English; measured on the sample course), and every
            # prompt token delays its first answer token.
            budget = int(budget / 1.5)
        passages_text, passages = pack_passages(search.hits, budget)
        messages = chat_messages(
            self.prompts.get("student_tutor")
            .template()
            .format_messages(
                language=LANGUAGE_NAMES[lang],
                passages=passages_text,
                question=search.query,
                history=history or [],
                learner=learner,
            )
        )
        stream = AnswerStream(iter(()), result, search, passages)
        stream.pieces = self._generate(messages, passages, result, lang)
        return stream

    def _near_sections(self, search: SearchResult, course: str | None, lang: str) -> list[Hit]:
        """The passages a refusal names: the search's, or the closest in the learner's language when it found none
        in it (a question of digits or one repeated letter lands anywhere)."""
        if any(h.chunk.lang == lang for h in search.hits):
            return search.hits
        try:
            return self.retriever.search(search.query, course=course, lang=lang).hits or search.hits
        except TutorError:
            return search.hits

    def _extractive(self, search: SearchResult, course: str | None, lang: str, result: Answer) -> AnswerStream:
        hits, other_language = self._hits_in_language(search, course, lang)
        composition = self.extractive.compose(search.query, hits, lang, other_language)
        if not composition.text:  # passages with no prose (only code or tables): quote the best one whole
            composition.text, composition.passages = f"{t('ans_lead', lang)}\n\n{hits[0].chunk.text} [1]", hits[:1]
        result.answer, result.citations = map_citations(composition.text, composition.passages)
        result.model = EXTRACTIVE_MODEL
        return AnswerStream(iter([result.answer]), result, search, composition.passages)

    def _hits_in_language(self, search: SearchResult, course: str | None, lang: str) -> tuple[list[Hit], bool]:
        """Passages in the learner's language when the course has them; else the others, flagged."""
        hits = search.hits
        same = [h for h in hits if h.chunk.lang == lang]
        if hits[0].chunk.lang == lang or (same and same[0].similarity >= hits[0].similarity - LANGUAGE_MARGIN):
            return same, False
        try:
            own = self.retriever.search(search.query, course=course, lang=lang).hits
        except TutorError:
            own = []
        if own and (
            own[0].chunk.lesson_id
            and own[0].chunk.lesson_id == hits[0].chunk.lesson_id
            or own[0].similarity >= hits[0].similarity - LANGUAGE_MARGIN
        ):
            return own, False
        return hits, True

    def _generate(self, messages: list[dict], passages: list[Hit], result: Answer, lang: str) -> Iterator[str]:
        received: list[str] = []
        try:
            model: ChatModel = self.model_factory()
        except ModelError as exc:
            end = StreamEnd(False, None, str(exc))
            result.model = UNAVAILABLE_MODEL
        else:
            result.model = model.label
            end = nothing_returned()
            for piece in model.stream(messages, self.settings.max_answer_tokens):
                if isinstance(piece, StreamEnd):
                    end = piece
                    break
                received.append(piece)
                yield piece
        text, result.citations = map_citations("".join(received), passages)
        result.answer = text
        result.unsupported = unsupported_sentences(
            text, [h.chunk.text for h in passages], self.extractive.vectors, self.retriever.bilingual
        )
        result.complete = end.complete
        result.prompt_tokens = end.prompt_tokens or sum(count_tokens(m["content"]) for m in messages)
        result.completion_tokens = end.completion_tokens or count_tokens(text)
        if not end.complete:
            result.error = end.error  # the detail (address, what to fix) for the CLI and the model log
            notice = end.student_message(lang)  # a learner reads no server address and no settings to fix
            result.notices.append(notice)
            yield ("\n\n" if received else "") + notice
