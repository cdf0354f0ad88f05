"""Lesson plans: the JSON schema the model fills, the prompt, and the conversion to ``LessonPlan``.

The model fills a small draft (objectives without ids, passages by number);
``parse_plan`` turns it into a ``LessonPlan`` with objective ids ``O1``... and
real chunk ids, rejecting numbers that point at nothing, so the repair request
can name them. ``generate_plan`` runs retrieval, the structured request with
one repair, and the checks, reporting each step. ``fit_timings`` is the one
deterministic fix offered to the educator. Saving is the caller's business.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from tutor_app.core.i18n import LANGUAGE_NAMES
from tutor_app.core.schemas import BLOOM_LEVELS, Activity, LearningObjective, LessonPlan, Material
from tutor_app.engine.models.prompts import FilePromptSource, PromptSource, chat_messages
from tutor_app.engine.models.structured import StructuredGenerator
from tutor_app.studio.checks import check_plan
from tutor_app.studio.shared import Generated, ShouldStop, Sources, StepReporter, StudioRequest, gather_sources, never


def objectives_for(duration: int) -> int:
    return 2 if duration <= 30 else 3


def text_schema(limit: int) -> dict:
    return {"type": "string", "minLength": 1, "maxLength": limit}


def objectives_schema(count: int) -> dict:
    """Exactly ``count`` learning objectives, each a text and its Bloom level (plans and quizzes alike)."""
    objective = {"text": text_schema(140), "bloom": {"type": "string", "enum": list(BLOOM_LEVELS)}}
    return {
        "type": "array",
        "minItems": count,
        "maxItems": count,
        "items": {"type": "object", "properties": objective, "required": list(objective)},
    }


def _refs(count: int, low: int, high: int) -> dict:
    return {"type": "array", "items": {"type": "integer", "enum": list(range(1, count + 1))}, "minItems": low, "maxItems": high}


def suggested_minutes(duration: int, objectives: int) -> list[int]:
    """A time split for the opening, one activity per objective and the closing that adds up to
    ``duration``: a sixth each for opening and closing, the rest shared."""
    edge = max(1, round(duration / 6))
    middle = duration - 2 * edge
    share, extra = divmod(middle, objectives)
    return [edge] + [share + (1 if i < extra else 0) for i in range(objectives)] + [edge]


def activities_schema(objectives: int, cite: dict, duration: int | None = None) -> dict:
    """An opening, one activity per objective (its objective fixed), and a closing that may assess
    any: the shape of the worked example, so every objective is taught (left free, the small model
    tags every activity with objective 1). With ``duration``, each activity's minutes are fixed to
    ``suggested_minutes`` (told the split in the prompt, the small model still wrote sums that
    missed the duration in 9 of 10 plans); the educator edits them, and the timings check guards edits."""
    minutes = suggested_minutes(duration, objectives) if duration else [None] * (objectives + 2)

    def activity(objective_refs: dict, fixed_minutes: int | None) -> dict:
        properties = {
            "title": text_schema(80),
            "minutes": {"const": fixed_minutes} if fixed_minutes else {"type": "integer", "minimum": 1, "maximum": 240},
            "description": text_schema(220),
            "objectives": objective_refs,
            "passages": cite,
        }
        return {"type": "object", "properties": properties, "required": list(properties)}

    free = _refs(objectives, 1, objectives)
    refs = [free] + [{"const": [n]} for n in range(1, objectives + 1)] + [free]
    items = [activity(r, m) for r, m in zip(refs, minutes)]
    return {"type": "array", "prefixItems": items, "minItems": len(items), "maxItems": len(items)}


def plan_schema(objectives: int, passages: int, duration: int | None = None) -> dict:
    """The draft's JSON schema; passage and objective numbers are limited to those that exist, and
    with ``duration`` the activities' minutes are fixed to a split that adds up to it."""
    cite = _refs(passages, 1, 2) if passages else {"type": "array", "items": {"type": "integer"}, "maxItems": 0}
    properties = {
        "title": text_schema(90),
        "objectives": objectives_schema(objectives),
        "prerequisites": {"type": "array", "items": text_schema(120), "minItems": 1, "maxItems": 3},
        "materials": {
            "type": "array",
            "minItems": 1,
            "maxItems": 3,
            "items": {
                "type": "object",
                "properties": {"title": text_schema(80), "description": text_schema(160), "passages": cite},
                "required": ["title", "description", "passages"],
            },
        },
        "activities": activities_schema(objectives, cite, duration),
        "formative_assessment": text_schema(220),
        "support_weaker": text_schema(200),
        "challenge_stronger": text_schema(200),
        "homework": text_schema(200),
    }
    return {"type": "object", "properties": properties, "required": list(properties)}


class _Objective(BaseModel):
    text: str = Field(min_length=1)
    bloom: str


class _Material(BaseModel):
    title: str = Field(min_length=1)
    description: str = ""
    passages: list[int] = Field(default_factory=list)


class _Activity(BaseModel):
    title: str = Field(min_length=1)
    minutes: int
    description: str = ""
    objectives: list[int] = Field(default_factory=list)
    passages: list[int] = Field(default_factory=list)


class PlanDraft(BaseModel):
    title: str = Field(min_length=1)
    objectives: list[_Objective] = Field(min_length=1)
    prerequisites: list[str] = Field(default_factory=list)
    materials: list[_Material] = Field(default_factory=list)
    activities: list[_Activity] = Field(min_length=1)
    formative_assessment: str = ""
    support_weaker: str = ""
    challenge_stronger: str = ""
    homework: str = ""


def chunk_ids_for(numbers: list[int], sources: Sources, where: str) -> list[str]:
    ids = []
    for n in numbers:
        if not 1 <= n <= len(sources.passages):
            raise ValueError(f"{where}: passage {n} does not exist (use 1 to {len(sources.passages)}).")
        ids.append(sources.passages[n - 1].chunk.id)
    return list(dict.fromkeys(ids))


def parse_plan(data: object, request: StudioRequest, sources: Sources, model: str = "") -> LessonPlan:
    draft = PlanDraft.model_validate(data)
    objectives = [LearningObjective(id=f"O{i}", text=o.text.strip(), bloom=o.bloom) for i, o in enumerate(draft.objectives, 1)]
    activities = []
    for n, a in enumerate(draft.activities, 1):
        bad = [k for k in a.objectives if not 1 <= k <= len(objectives)]
        if bad:
            raise ValueError(f"activities.{n}: objective {bad[0]} does not exist (use 1 to {len(objectives)}).")
        activities.append(
            Activity(
                title=a.title,
                minutes=a.minutes,
                description=a.description,
                objective_ids=[f"O{k}" for k in dict.fromkeys(a.objectives)],
                chunk_ids=chunk_ids_for(a.passages, sources, f"activities.{n}"),
            )
        )
    materials = [
        Material(title=m.title, description=m.description, chunk_ids=chunk_ids_for(m.passages, sources, f"materials.{n}"))
        for n, m in enumerate(draft.materials, 1)
    ]
    return LessonPlan(
        title=draft.title,
        course=request.course or "",
        topic=sources.query,
        audience=request.audience,
        duration_minutes=request.duration_minutes,
        language=request.language,
        objectives=objectives,
        prerequisites=[p for p in draft.prerequisites if p.strip()],
        materials=materials,
        activities=activities,
        formative_assessment=draft.formative_assessment,
        support_weaker=draft.support_weaker,
        challenge_stronger=draft.challenge_stronger,
        homework=draft.homework,
        grounded=sources.grounded,
        model=model,
    )


def plan_messages(request: StudioRequest, sources: Sources, prompts: PromptSource | None = None) -> list[dict]:
    objectives = objectives_for(request.duration_minutes)
    minutes = suggested_minutes(request.duration_minutes, objectives)
    messages = (
        (prompts or FilePromptSource())
        .get("educator_lesson_plan")
        .template()
        .format_messages(
            language=LANGUAGE_NAMES[request.language],
            course=request.course or "(any)",
            topic=sources.query,
            audience=request.audience,
            duration=request.duration_minutes,
            objectives_count=objectives,
            minutes=", ".join(map(str, minutes)),
            passages=sources.text,
        )
    )
    return chat_messages(messages)


def fit_timings(plan: LessonPlan) -> LessonPlan:
    """Scale the activities' minutes so they add up to the duration (each at least 1, rounding kept fair)."""
    total = sum(a.minutes for a in plan.activities) or 1
    target = plan.duration_minutes
    if len(plan.activities) > target:
        return plan
    scaled = [max(1, round(a.minutes * target / total)) for a in plan.activities]
    order = sorted(range(len(scaled)), key=lambda i: -scaled[i])
    step = 0
    while sum(scaled) != target:
        i = order[step % len(order)]
        if sum(scaled) > target and scaled[i] > 1:
            scaled[i] -= 1
        elif sum(scaled) < target:
            scaled[i] += 1
        step += 1
    activities = [a.model_copy(update={"minutes": m}) for a, m in zip(plan.activities, scaled)]
    return plan.model_copy(update={"activities": activities})


def generate_plan(
    request: StudioRequest,
    retriever,
    chat,
    *,
    budget_tokens: int,
    max_passages: int = 4,
    on_step: StepReporter = lambda s: None,
    should_stop: ShouldStop = never,
    prompts: PromptSource | None = None,
) -> Generated:
    """Retrieve, draft, validate (repairing once), check. ``prompts``: where the prompt comes from (default: the
    files). Raises NotCovered, StructuredFailure, ModelError, Cancelled."""
    request = request.validated()
    on_step("retrieving")
    sources = gather_sources(retriever, request, budget_tokens, max_passages)
    schema = plan_schema(objectives_for(request.duration_minutes), len(sources.passages), request.duration_minutes)
    result = StructuredGenerator(chat, max_tokens=1400).run(
        plan_messages(request, sources, prompts),
        "lesson_plan",
        schema,
        lambda data: parse_plan(data, request, sources, chat.label),
        on_step,
        should_stop,
    )
    plan = result.value
    checks = check_plan(plan, {h.chunk.id: h.chunk for h in sources.passages})
    return Generated(
        plan,
        checks,
        result.first_try,
        len(result.attempts),
        result.seconds,
        sources,
        result.attempts[0].errors,
        result.attempts[0].raw,
    )
