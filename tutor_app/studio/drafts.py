"""Which way a studio draft is made, and making it: built from the course, or written by the model.

``draft_style`` follows the tutor's answer style: where answers are quoted from
the course (the built-in small model), plans and quizzes are assembled from the
course too (``plan_builder``, ``quiz_builder``), because the small model cannot
be trusted to write them; on a capable model the model writes them
(``plan_writer``, ``quiz_writer``). The educator may ask for the built draft on any model.
Both return the same ``Generated`` with the same checks. ``draft`` is the one
entry point the page, the CLI and the benchmark call; it does not save or show.
"""

from __future__ import annotations

from typing import Literal

from tutor_app.studio.plan_builder import build_plan
from tutor_app.studio.plan_writer import generate_plan
from tutor_app.studio.quiz_builder import assessment_lines, build_quiz
from tutor_app.studio.quiz_writer import generate_quiz
from tutor_app.studio.shared import Generated, ShouldStop, StepReporter, StudioRequest, never, passage_budget

DraftStyle = Literal["built", "model"]
DRAFT_STYLES: tuple[str, ...] = ("auto", "built", "model")


def draft_style(settings, asked: str = "auto") -> DraftStyle:
    """``asked`` unless it is "auto"; then built when the tutor quotes the course, model otherwise."""
    if asked in ("built", "model"):
        return asked  # type: ignore[return-value]
    return "built" if settings.effective_answer_style == "extractive" else "model"


def draft(
    kind: str,
    request: StudioRequest,
    services,
    *,
    style: str = "auto",
    objectives=None,
    on_step: StepReporter = lambda step: None,
    should_stop: ShouldStop = never,
) -> Generated:
    """A checked plan (``kind`` "plan") or quiz. Raises NotCovered and StudioInputError; the model path also
    StructuredFailure, ModelError and Cancelled."""
    if draft_style(services.settings, style) == "built":
        if kind == "plan":
            return build_plan(
                request, services.retriever, progress=on_step, assessment=assessment_lines, answerer=services.tutor.extractive
            )
        return build_quiz(request, services.retriever, objectives=objectives, progress=on_step)
    budget, passages = passage_budget(services.settings)
    common = dict(budget_tokens=budget, max_passages=passages, on_step=on_step, should_stop=should_stop)
    chat = services.chat_model()
    if kind == "plan":
        return generate_plan(request, services.retriever, chat, prompts=services.prompts, **common)
    return generate_quiz(request, services.retriever, chat, objectives=objectives, prompts=services.prompts, **common)
