"""Quizzes: the JSON schema the model fills, the prompt, and the conversion to ``Quiz``.

Each question's kind, Bloom level, objective and passage are fixed in the
schema position by position (``prefixItems``, see ``question_slots``), so the
embedded model's grammar produces exactly the requested mix, assesses every
objective and draws on different passages; true/false options are fixed too. A multiple-choice question is
drafted as its answer plus three wrong options, mixed by ``mix_options``, so a
generated answer is always among the options (the check still guards edits). Objectives come from a
lesson plan when one is given (copied verbatim through a ``const``), otherwise
the model writes them. ``parse_quiz`` maps passage and objective numbers to
ids and rejects numbers that point at nothing. ``generate_quiz`` runs
retrieval, the structured request with one repair, one request to rewrite
questions that repeat (``rewrite_repeats``), and the checks.
Saving is the caller's business.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from pydantic import BaseModel, Field

from tutor_app.core.i18n import LANGUAGE_NAMES
from tutor_app.core.schemas import TRUE_FALSE, LearningObjective, Quiz, QuizQuestion
from tutor_app.engine.models.prompts import FilePromptSource, PromptSource, chat_messages
from tutor_app.engine.models.structured import StructuredFailure, StructuredGenerator
from tutor_app.studio.checks import check_quiz, normalise
from tutor_app.studio.plan_writer import chunk_ids_for, objectives_schema, text_schema
from tutor_app.studio.shared import Generated, ShouldStop, Sources, StepReporter, StudioRequest, gather_sources, never


def _question_schema(kind: str, bloom: str, objective: int, passage: int) -> dict:
    if kind == "multiple_choice":
        wrong = {"type": "array", "items": text_schema(90), "minItems": 3, "maxItems": 3}
        answer = text_schema(90)
    elif kind == "true_false":
        wrong = {"const": []}
        answer = {"type": "string", "enum": TRUE_FALSE}
    else:
        wrong = {"const": []}
        answer = text_schema(160)
    properties = {
        "kind": {"const": kind},
        "bloom": {"const": bloom},
        "question": text_schema(200),
        "answer": answer,
        "wrong_options": wrong,
        "explanation": text_schema(200),
        "objective": {"const": objective},
        "passage": {"const": passage},
    }
    return {"type": "object", "properties": properties, "required": list(properties)}


@dataclass(frozen=True)
class Slot:
    """What one question must be: its kind and Bloom level (the educator's mix), the objective it
    assesses and the passage it comes from (0: none)."""

    kind: str
    bloom: str
    objective: int
    passage: int

    def line(self, number: int) -> str:
        return f"Q{number}: {self.kind}, {self.bloom}, objective {self.objective}" + (
            f", passage {self.passage}" if self.passage else ""
        )


def question_slots(mix: list[tuple[str, str]], objectives: int, passages: int) -> list[Slot]:
    """Objectives and passages in turn, so every objective is assessed and the questions draw on
    different passages (left to choose, the small model asks about objective 1 and passage 1 only,
    and repeats itself)."""
    return [Slot(kind, bloom, i % objectives + 1, i % passages + 1 if passages else 0) for i, (kind, bloom) in enumerate(mix)]


def _questions_schema(slots: list[Slot]) -> dict:
    return {
        "type": "array",
        "minItems": len(slots),
        "maxItems": len(slots),
        "prefixItems": [_question_schema(s.kind, s.bloom, s.objective, s.passage) for s in slots],
    }


def quiz_schema(mix: list[tuple[str, str]], objectives: int, passages: int, given: list[LearningObjective] | None = None) -> dict:
    if given:
        objective_schema: dict = {"const": [{"text": o.text, "bloom": o.bloom} for o in given]}
    else:
        objective_schema = objectives_schema(objectives)
    questions = _questions_schema(question_slots(mix, objectives, passages))
    properties = {"title": text_schema(90), "objectives": objective_schema, "questions": questions}
    return {"type": "object", "properties": properties, "required": list(properties)}


class _Objective(BaseModel):
    text: str = Field(min_length=1)
    bloom: str


class _Question(BaseModel):
    kind: str
    bloom: str
    question: str = Field(min_length=1)
    answer: str = Field(min_length=1)
    wrong_options: list[str] = Field(default_factory=list)
    explanation: str = ""
    objective: int
    passage: int = 0


class QuizDraft(BaseModel):
    title: str = Field(min_length=1)
    objectives: list[_Objective] = Field(min_length=1)
    questions: list[_Question] = Field(min_length=1)


def mix_options(answer: str, wrong: list[str], question: str) -> list[str]:
    """The correct answer placed among the wrong options at a position fixed by the question's text
    (so the answer is not always first, and a regeneration of the same question keeps its layout)."""
    options = [w.strip() for w in wrong if w.strip()]
    if not options:
        return []
    position = int(hashlib.sha1(question.encode("utf-8")).hexdigest(), 16) % (len(options) + 1)
    return options[:position] + [answer] + options[position:]


def objective_count(request: StudioRequest) -> int:
    return max(1, min(3, request.question_count // 2 or 1))


def _to_question(q: _Question, n: int, objectives: list[LearningObjective], sources: Sources) -> QuizQuestion:
    if not 1 <= q.objective <= len(objectives):
        raise ValueError(f"questions.{n}: objective {q.objective} does not exist (use 1 to {len(objectives)}).")
    chunk = chunk_ids_for([q.passage], sources, f"questions.{n}") if sources.passages else [""]
    options = TRUE_FALSE if q.kind == "true_false" else mix_options(q.answer.strip(), q.wrong_options, q.question)
    return QuizQuestion(
        kind=q.kind,
        question=q.question.strip(),
        options=options,
        answer=q.answer.strip(),
        explanation=q.explanation,
        bloom=q.bloom,
        objective_id=objectives[q.objective - 1].id,
        chunk_id=chunk[0],
    )


def parse_quiz(
    data: object, request: StudioRequest, sources: Sources, model: str = "", given: list[LearningObjective] | None = None
) -> Quiz:
    draft = QuizDraft.model_validate(data)
    objectives = given or [
        LearningObjective(id=f"O{i}", text=o.text.strip(), bloom=o.bloom) for i, o in enumerate(draft.objectives, 1)
    ]
    if len(draft.questions) != request.question_count:
        raise ValueError(f"questions: write exactly {request.question_count} questions, not {len(draft.questions)}.")
    questions = [_to_question(q, n, objectives, sources) for n, q in enumerate(draft.questions, 1)]
    return Quiz(
        title=draft.title,
        course=request.course or "",
        topic=sources.query,
        audience=request.audience,
        language=request.language,
        objectives=objectives,
        questions=questions,
        grounded=sources.grounded,
        model=model,
    )


def repeated_positions(quiz: Quiz) -> list[int]:
    """Positions (from 0) of questions that repeat an earlier question or list an option twice."""
    seen: set[str] = set()
    positions = []
    for i, question in enumerate(quiz.questions):
        key = normalise(question.question)
        options = [normalise(o) for o in question.options]
        if key in seen or len(set(options)) < len(options):
            positions.append(i)
        seen.add(key)
    return positions


class _Rewrite(BaseModel):
    questions: list[_Question] = Field(min_length=1)


def rewrite_repeats(
    quiz: Quiz,
    conversation: list[dict],
    request: StudioRequest,
    sources: Sources,
    chat,
    on_step: StepReporter = lambda s: None,
    should_stop: ShouldStop = never,
    prompts: PromptSource | None = None,
) -> tuple[Quiz, int]:
    """Ask once for new questions in the places that repeat; returns the quiz (changed only if the
    rewrite leaves fewer repeats) and how many questions were replaced. The model's looping draft is
    left out of the request (shown it, the small model repeats it again), and sampling is warmer."""
    positions = repeated_positions(quiz)
    if not positions:
        return quiz, 0
    slots = question_slots(request.question_mix(), len(quiz.objectives), len(sources.passages))
    schema = {
        "type": "object",
        "required": ["questions"],
        "properties": {"questions": _questions_schema([slots[i] for i in positions])},
    }
    ask = (
        (prompts or FilePromptSource())
        .get("educator_quiz_rewrite")
        .template()
        .format_messages(
            places=", ".join(f"Q{i + 1}" for i in positions),
            count=len(positions),
            asked="\n".join(f"- {q.question}" for q in quiz.questions),
            questions="\n".join(slots[i].line(i + 1) for i in positions),
            language=LANGUAGE_NAMES[request.language],
        )
    )
    messages = conversation + chat_messages(ask)

    def parse(data: object) -> list[QuizQuestion]:
        new = _Rewrite.model_validate(data).questions
        if len(new) != len(positions):
            raise ValueError(f"questions: write exactly {len(positions)} questions, not {len(new)}.")
        return [_to_question(q, i + 1, quiz.objectives, sources) for i, q in zip(positions, new)]

    try:
        result = StructuredGenerator(chat, max_tokens=120 + 220 * len(positions), temperature=0.7).run(
            messages, "quiz_rewrite", schema, parse, lambda step: on_step("rewriting"), should_stop
        )
    except StructuredFailure:
        return quiz, 0
    questions = list(quiz.questions)
    for i, question in zip(positions, result.value):
        questions[i] = question
    candidate = quiz.model_copy(update={"questions": questions})
    if len(repeated_positions(candidate)) >= len(positions):
        return quiz, 0
    return candidate, len(positions)


def quiz_messages(
    request: StudioRequest, sources: Sources, given: list[LearningObjective] | None, prompts: PromptSource | None = None
) -> list[dict]:
    if given:
        objectives = "\n".join(f"{i}. {o.text} ({o.bloom})" for i, o in enumerate(given, 1))
    else:
        objectives = f"Write {objective_count(request)}, each with a Bloom level."
    slots = question_slots(request.question_mix(), len(given) if given else objective_count(request), len(sources.passages))
    questions = "\n".join(slot.line(n) for n, slot in enumerate(slots, 1))
    messages = (
        (prompts or FilePromptSource())
        .get("educator_quiz")
        .template()
        .format_messages(
            language=LANGUAGE_NAMES[request.language],
            topic=sources.query,
            audience=request.audience,
            objectives=objectives,
            questions=questions,
            passages=sources.text,
        )
    )
    return chat_messages(messages)


def generate_quiz(
    request: StudioRequest,
    retriever,
    chat,
    *,
    budget_tokens: int,
    max_passages: int = 4,
    objectives: list[LearningObjective] | None = None,
    on_step: StepReporter = lambda s: None,
    should_stop: ShouldStop = never,
    prompts: PromptSource | None = None,
) -> Generated:
    """Retrieve, draft, validate (repairing once), check. ``objectives``: a lesson plan's, to assess those;
    ``prompts``: where the prompts come from (default: the files)."""
    request = request.validated()
    on_step("retrieving")
    sources = gather_sources(retriever, request, budget_tokens, max_passages)
    count = len(objectives) if objectives else objective_count(request)
    schema = quiz_schema(request.question_mix(), count, len(sources.passages), objectives)
    messages = quiz_messages(request, sources, objectives, prompts)
    result = StructuredGenerator(chat, max_tokens=300 + 220 * request.question_count).run(
        messages, "quiz", schema, lambda data: parse_quiz(data, request, sources, chat.label, objectives), on_step, should_stop
    )
    started = time.monotonic()
    quiz, rewritten = rewrite_repeats(result.value, messages, request, sources, chat, on_step, should_stop, prompts)
    on_step("checking")
    checks = check_quiz(quiz, {h.chunk.id: h.chunk for h in sources.passages})
    return Generated(
        quiz,
        checks,
        result.first_try,
        len(result.attempts),
        result.seconds + time.monotonic() - started,
        sources,
        result.attempts[0].errors,
        result.attempts[0].raw,
        rewritten,
    )
