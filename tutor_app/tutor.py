"""The student tutor's "explain" mode: a grounded, cited answer to a question.

Retrieves passages, decides whether the course covers the question, packs the
passages within a token budget as delimited data (so instructions inside
course files are not obeyed), asks the model through one streaming call, and
maps the answer's [n] markers back to chunks. When the course does not cover
the question it says so without calling the model. When the model fails
midway, the text that arrived is kept and the passages are still returned.
This module does not store conversations; the app does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator

from .config import Settings
from .errors import ModelError
from .i18n import LANGUAGE_NAMES, t
from .llm import ChatModel, StreamEnd, end_message
from .loaders import detect_lang
from .prompts import load_prompt
from .retrieval import Retriever, SearchResult
from .schemas import Answer, Citation, Hit
from .tokens import count_tokens, cut_to_tokens

_CITE = re.compile(r"\[(\d{1,2})\]")
_ROLE = {"system": "system", "human": "user", "ai": "assistant"}


def _escape(text: str) -> str:
    # A passage must not be able to close its own delimiter and speak as the user.
    return re.sub(r"</?\s*passage", lambda m: m.group(0).replace("passage", "passage\u200b"), text, flags=re.I)


def pack_passages(hits: list[Hit], budget_tokens: int) -> tuple[str, list[Hit]]:
    """Numbered, delimited passages that fit the budget, best first."""
    parts: list[str] = []
    used: list[Hit] = []
    remaining = budget_tokens
    for hit in hits:
        c = hit.chunk
        header = f'<passage n="{len(used) + 1}" lesson="{_escape(c.title)}" section="{_escape(c.heading)}">\n'
        body = _escape(c.text)
        cost = count_tokens(header) + count_tokens(body) + 4
        if cost > remaining:
            if remaining < 80 and used:
                break
            body, _ = cut_to_tokens(body, remaining - count_tokens(header) - 4)
            cost = remaining
        parts.append(f"{header}{body}\n</passage>")
        used.append(hit)
        remaining -= cost
    return "\n\n".join(parts), used


def map_citations(answer: str, passages: list[Hit]) -> tuple[str, list[Citation]]:
    """Citations for the [n] the answer uses; markers pointing at nothing are dropped."""
    cited: list[int] = []

    def keep(match: re.Match) -> str:
        n = int(match.group(1))
        if 1 <= n <= len(passages):
            if n not in cited:
                cited.append(n)
            return match.group(0)
        return ""

    cleaned = _CITE.sub(keep, answer)
    numbers = sorted(cited) or list(range(1, len(passages) + 1))
    citations = [
        Citation(number=n, chunk_id=passages[n - 1].chunk.id, source=passages[n - 1].chunk.source,
                 heading=passages[n - 1].chunk.heading, title=passages[n - 1].chunk.title, text=passages[n - 1].chunk.text)
        for n in numbers
    ]
    return cleaned, citations


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


class Tutor:
    def __init__(self, settings: Settings, retriever: Retriever, model_factory) -> None:
        """``model_factory()`` returns a ChatModel; called lazily so retrieval works without one."""
        self.settings = settings
        self.retriever = retriever
        self.model_factory = model_factory

    def ask(self, question: str, course: str | None = None, history: list[dict] | None = None, lang: str | None = None,
            learner: str = "Not described; assume a beginner.") -> AnswerStream:
        """``learner`` describes the learner (``profile.profile_instructions``) for the prompt."""
        search = self.retriever.search(question, course=course)
        lang = lang or detect_lang(question)
        notices = list(search.notices)
        result = Answer(question=search.query, answer="", model="", grounded=search.grounded, notices=notices)
        if not search.grounded:
            result.answer = t("not_covered", lang)
            return AnswerStream(iter([result.answer]), result, search)
        budget = self.settings.embedded_context_tokens if self.settings.provider == "embedded" else self.settings.context_tokens
        if self.settings.provider == "embedded" and search.hits and search.hits[0].chunk.lang == "zh":
            # Budgets count tiktoken (cl100k) tokens; the bundled model's tokenizer spends about 1.5 times as
            # many on Chinese lessons (1.04 times on English; measured on the sample course), and every
            # prompt token delays its first answer token.
            budget = int(budget / 1.5)
        passages_text, passages = pack_passages(search.hits, budget)
        messages = [
            {"role": _ROLE[m.type], "content": m.content}
            for m in load_prompt("student_tutor").template().format_messages(
                language=LANGUAGE_NAMES[lang], passages=passages_text, question=search.query, history=history or [],
                learner=learner,
            )
        ]
        stream = AnswerStream(iter(()), result, search, passages)
        stream.pieces = self._generate(messages, passages, result, lang)
        return stream

    def _generate(self, messages: list[dict], passages: list[Hit], result: Answer, lang: str) -> Iterator[str]:
        received: list[str] = []
        try:
            model: ChatModel = self.model_factory()
        except ModelError as exc:
            end = StreamEnd(False, None, str(exc))
            result.model = "(unavailable)"
        else:
            result.model = model.label
            end = StreamEnd(False, None, t("model_error_empty", "en"), error_kind="empty")
            for piece in model.stream(messages, self.settings.max_answer_tokens):
                if isinstance(piece, StreamEnd):
                    end = piece
                    break
                received.append(piece)
                yield piece
        text, result.citations = map_citations("".join(received), passages)
        result.answer = text
        result.complete = end.complete
        result.prompt_tokens = end.prompt_tokens or sum(count_tokens(m["content"]) for m in messages)
        result.completion_tokens = end.completion_tokens or count_tokens(text)
        if not end.complete:
            result.error = end.error
            notice = t("model_failed", lang, error=end_message(end, lang))
            result.notices.append(notice)
            yield ("\n\n" if received else "") + notice
