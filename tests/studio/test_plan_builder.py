"""Lesson plans built from the course text (no model) on the real bilingual sample course: they pass every
plan check, their minutes add up, their objectives are the lessons' own, their activities are distinct,
filled from the patterns and quote the course, they cite only passages in the plan's language, and the
same request gives the same plan. The pattern library's loader refuses a broken file, naming the key.

The index uses the fast fake embedder with grounding thresholds at zero (retrieval is not under test)."""

from __future__ import annotations

import re

import pytest

from tests.support.fakes import HashEmbedding
from tests.support.paths import ROOT, write
from tutor_app.core.config import load_settings
from tutor_app.core.errors import ConfigError
from tutor_app.core.schemas import BLOOM_LEVELS
from tutor_app.services import build_services
from tutor_app.studio.activity_patterns import ACTIVITY_FIELDS, PATTERNS_FILE, load_patterns, parse_patterns
from tutor_app.studio.checks import PLAN_CHECKS, artefacts, in_language, normalise, plain
from tutor_app.studio.plan_builder import build_plan
from tutor_app.studio.shared import BUILT_LABEL, STEPS, NotCovered, StudioRequest

TOPICS = [
    ("few-shot prompting", "en"),
    ("temperature", "en"),
    ("retrieval-augmented generation", "en"),
    ("少样本提示", "zh"),
    ("向量数据库", "zh"),
]
NO_GROUNDING = {f"{p}grounding_{k}": 0.0 for p in ("", "cross_") for k in ("threshold", "floor")}


def _services(home, course_folder):
    settings = load_settings(env={}, secrets_file=home / "no-secrets.toml", home=home, **NO_GROUNDING)
    services = build_services(settings, embedder=HashEmbedding())
    assert services.ingestor.ingest_paths([course_folder], "genai").ok
    return services


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    services = _services(tmp_path_factory.mktemp("plan-home"), ROOT / "data" / "course")
    yield services
    services.close()


@pytest.fixture(scope="module")
def built(sample):
    """One 45-minute plan per topic, built once for the module."""
    return {
        topic: build_plan(StudioRequest(course="genai", topic=topic, language=lang), sample.retriever) for topic, lang in TOPICS
    }


def _chunks(services, ids):
    chunks, _ = services.index.get(sorted(set(ids)))
    return {c.id: c for c in chunks}


def _first_sentence(quote: str) -> str:
    """A quoted course sentence as the course writes it (nested quotes were made single)."""
    return re.split(r"(?<=[。！？.!?])\s*", quote.replace("‘", "“").replace("’", "”"))[0]


def _texts(plan) -> list[str]:
    return (
        [plan.title, plan.formative_assessment, plan.support_weaker, plan.challenge_stronger, plan.homework]
        + [o.text for o in plan.objectives]
        + [m.title for m in plan.materials]
        + [m.description for m in plan.materials]
        + [a.title for a in plan.activities]
        + [a.description for a in plan.activities]
    )


@pytest.mark.parametrize("topic,lang", TOPICS)
def test_a_built_plan_passes_every_plan_check(built, topic, lang):
    generated = built[topic]
    plan = generated.document
    assert [c.name for c in generated.checks] == list(PLAN_CHECKS)
    assert generated.passed, [c.to_json() for c in generated.checks if not c.passed]
    assert (generated.first_try, generated.attempts, plan.model) == (True, 0, BUILT_LABEL)
    assert plan.language == lang and plan.topic == topic and plan.audience == "beginners" and plan.grounded
    assert topic in plan.title


@pytest.mark.parametrize("minutes,objectives", [(30, {2}), (45, {2, 3}), (60, {2, 3}), (5, {2})])
@pytest.mark.parametrize("topic,lang", [TOPICS[0], TOPICS[3]])
def test_minutes_add_up_with_an_opening_a_closing_and_one_activity_per_objective(sample, topic, lang, minutes, objectives):
    plan = build_plan(StudioRequest(topic=topic, language=lang, duration_minutes=minutes), sample.retriever).document
    assert sum(a.minutes for a in plan.activities) == minutes and min(a.minutes for a in plan.activities) >= 1
    assert len(plan.objectives) in objectives and len(plan.activities) == len(plan.objectives) + 2
    assert [a.objective_ids for a in plan.activities[1:-1]] == [[o.id] for o in plan.objectives]


@pytest.mark.parametrize("topic,lang", TOPICS)
def test_objectives_are_the_cited_lessons_own_front_matter_objectives(built, sample, topic, lang):
    plan = built[topic].document
    cited = _chunks(sample, [i for a in plan.activities for i in a.chunk_ids])
    own = {(o.text, o.bloom) for c in cited.values() for o in c.objectives}
    assert [o.id for o in plan.objectives] == [f"O{n}" for n in range(1, len(plan.objectives) + 1)]
    assert {(o.text, o.bloom) for o in plan.objectives} <= own
    order = [BLOOM_LEVELS.index(o.bloom) for o in plan.objectives]
    assert order == sorted(order)  # from lower to higher levels
    for objective, activity in zip(plan.objectives, plan.activities[1:-1]):
        lessons = {cited[i].lesson_id for i in activity.chunk_ids}
        assert any(
            (objective.text, objective.bloom) in {(o.text, o.bloom) for o in cited[i].objectives} for i in activity.chunk_ids
        ), (objective, lessons)


def test_the_objectives_are_the_ones_closest_to_the_topic(built):
    few_shot = [o.text for o in built["few-shot prompting"].document.objectives]
    assert "Apply zero-shot and few-shot prompting, delimiters and output formats to get more useful answers" in few_shot
    temperature = [o.text for o in built["temperature"].document.objectives]
    assert any("temperature" in text for text in temperature)
    assert any("向量" in o.text for o in built["向量数据库"].document.objectives)


@pytest.mark.parametrize("topic,lang", TOPICS)
def test_activities_are_distinct_filled_and_quote_their_sections(built, sample, topic, lang):
    plan = built[topic].document
    descriptions = [normalise(a.description) for a in plan.activities]
    assert len(set(descriptions)) == len(descriptions) and all(descriptions)
    assert len({a.title for a in plan.activities}) == len(plan.activities)
    for text in _texts(plan):
        assert "{" not in text and "}" not in text, text
        assert not list(artefacts(text)), (text, list(artefacts(text)))
        assert not re.search(r"\bO\d\b|multiple_choice|true_false|short_answer|\bbloom\b", text), text
    for activity in plan.activities[1:-1]:
        assert activity.chunk_ids
        course_text = " ".join(plain(c.text) for c in _chunks(sample, activity.chunk_ids).values())
        quoted = [_first_sentence(q) for q in re.findall(r"“([^”]{12,})”", activity.description)]
        assert any(q in course_text for q in quoted if len(q) >= 8), activity.description


@pytest.mark.parametrize("topic,lang", TOPICS)
def test_materials_are_the_cited_sections_with_a_course_sentence(built, sample, topic, lang):
    plan = built[topic].document
    activity_ids = {i for a in plan.activities for i in a.chunk_ids}
    assert plan.materials and {i for m in plan.materials for i in m.chunk_ids} == activity_ids
    for material in plan.materials:
        chunks = _chunks(sample, material.chunk_ids)
        assert material.title.startswith(next(iter(chunks.values())).title + " › ")
        assert _first_sentence(material.description) in " ".join(plain(c.text) for c in chunks.values())


@pytest.mark.parametrize("topic,lang", TOPICS)
def test_a_plan_cites_only_passages_in_its_language(built, sample, topic, lang):
    generated = built[topic]
    cited = {i for a in generated.document.activities for i in a.chunk_ids} | {
        i for m in generated.document.materials for i in m.chunk_ids
    }
    assert cited <= set(generated.sources.chunk_ids)
    assert {c.lang for c in _chunks(sample, cited).values()} == {lang}
    assert {h.chunk.lang for h in generated.sources.passages} == {lang}


@pytest.mark.parametrize("topic", ["少样本提示", "向量数据库"])
def test_a_chinese_plan_is_written_in_chinese(built, topic):
    plan = built[topic].document
    for text in _texts(plan):
        assert in_language(text, "zh"), text
    assert plan.title.startswith("教案") and "课堂上" in plan.formative_assessment


def test_an_english_plan_on_a_chinese_topic_word_is_still_english(sample):
    plan = build_plan(StudioRequest(topic="向量数据库", language="en"), sample.retriever).document
    assert all(in_language(text, "en") for text in _texts(plan))
    assert {c.lang for c in _chunks(sample, [i for m in plan.materials for i in m.chunk_ids]).values()} == {"en"}


def test_the_same_request_gives_the_same_plan_quickly(sample, built):
    request = StudioRequest(course="genai", topic="few-shot prompting", language="en")
    again = build_plan(request, sample.retriever)
    assert again.document == built["few-shot prompting"].document
    assert again.seconds < 1.0  # warm: no model, sentence vectors cached


def test_progress_names_the_studio_steps(sample):
    steps = []
    build_plan(StudioRequest(topic="temperature"), sample.retriever, progress=steps.append)
    assert steps == ["retrieving", "drafting", "checking"] and set(steps) <= set(STEPS)


def test_formative_assessment_asks_about_the_terms_the_course_defines(built):
    assert "few-shot" in built["few-shot prompting"].document.formative_assessment
    assert "?" in built["few-shot prompting"].document.formative_assessment
    assert "？" in built["少样本提示"].document.formative_assessment


def test_formative_assessment_uses_the_given_question_maker(sample):
    seen = []

    def questions(request, sources):
        seen.append((request.topic, sources.chunk_ids))
        return ["Which part of a few-shot prompt shows the format?", "  "]

    plan = build_plan(StudioRequest(topic="few-shot prompting"), sample.retriever, assessment=questions).document
    assert "Which part of a few-shot prompt shows the format?" in plan.formative_assessment
    assert "mean, in your own words" not in plan.formative_assessment
    assert seen and seen[0][0] == "few-shot prompting" and seen[0][1]


def test_picked_lessons_without_a_topic_give_a_plan_from_those_lessons(sample):
    generated = build_plan(
        StudioRequest(course="genai", lessons=["genai-07"], language="zh", duration_minutes=30), sample.retriever
    )
    plan = generated.document
    assert generated.passed, [c.to_json() for c in generated.checks if not c.passed]
    cited = _chunks(sample, [i for m in plan.materials for i in m.chunk_ids])
    assert {(c.lesson_id, c.lang) for c in cited.values()} == {("genai-07", "zh")}
    assert plan.title.startswith("教案")


def test_a_topic_the_course_does_not_cover_is_refused_even_when_confirmed(sample):
    strict = sample.retriever.settings
    sample.retriever.settings = strict.model_copy(update={k: 1.1 for k in NO_GROUNDING})
    try:
        for confirmed in (False, True):
            with pytest.raises(NotCovered):
                build_plan(StudioRequest(topic="sourdough bread baking", allow_ungrounded=confirmed), sample.retriever)
    finally:
        sample.retriever.settings = strict


LESSON_WITHOUT_OBJECTIVES = """---
id: bread-1
title: Baking bread
lang: en
---
# Baking bread

## Kneading
**Kneading** is the stretching and folding of dough that builds gluten. Knead for about ten minutes until the dough is smooth.

## Proving
**Proving** is the rest that lets yeast fill the dough with gas. A warm room makes the dough rise faster, for example in an hour instead of two.
"""


def test_a_course_without_front_matter_objectives_gets_objectives_from_the_patterns(tmp_path):
    write(tmp_path / "bread" / "bread.md", LESSON_WITHOUT_OBJECTIVES)
    services = _services(tmp_path / "home", tmp_path / "bread")
    try:
        generated = build_plan(StudioRequest(topic="kneading dough", duration_minutes=30), services.retriever)
    finally:
        services.close()
    plan = generated.document
    assert generated.passed, [c.to_json() for c in generated.checks if not c.passed]
    assert [o.bloom for o in plan.objectives] == ["remember", "understand"]  # the request's levels, in turn
    assert all("{" not in o.text and ("Kneading" in o.text or "Proving" in o.text) for o in plan.objectives)


# --------------------------------------------------------------------------- the pattern library


def test_every_level_has_patterns_and_every_text_fills_without_leftovers():
    patterns = load_patterns()
    assert set(patterns.levels) == set(BLOOM_LEVELS)
    values = {name: f"<{name}>" for name in ACTIVITY_FIELDS | {"term", "questions"}}
    texts = [
        patterns.title,
        patterns.support_weaker,
        patterns.challenge_stronger,
        patterns.homework,
        patterns.assessment_lead,
        patterns.term_question,
        patterns.section_question,
        patterns.opening.title,
        patterns.opening.description,
        patterns.closing.title,
        patterns.closing.description,
    ]
    for level in patterns.levels.values():
        texts += [level.objective] + [t for p in level.activities for t in (p.title, p.description)]
        assert any(not p.needs_example for p in level.activities)
    for text in texts:
        for lang in ("en", "zh"):
            filled = text.fill(lang, **values)
            assert "{" not in filled and "}" not in filled
            assert all(f"<{name}>" in filled for name in text.fields if f"{{{name}}}" in getattr(text, lang))
        assert text.en != text.zh


def _broken(old: str, new: str) -> str:
    text = PATTERNS_FILE.read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    "old,new,key",
    [
        ('  zh: "教案：{topic}"\n', "", "title.zh is missing"),
        ("  evaluate:\n", "  evaluation:\n", "levels.evaluate is missing"),
        (
            '          en: "Retrieval practice: {section}"',
            '          en: "Retrieval practice: {chapter}"',
            "levels.remember.activities[0].title.en uses {chapter}",
        ),
        (
            '          en: "Retrieval practice: {section}"',
            '          en: "Retrieval practice: {0}"',
            "levels.remember.activities[0].title.en uses {0}",
        ),
        (
            '          en: "Retrieval practice: {section}"',
            '          en: "Retrieval practice: {section"',
            "levels.remember.activities[0].title.en is not a valid template",
        ),
        ("homework:\n", "homework_task:\n", "homework is missing"),
        ('  en: "Lesson plan: {topic}"', '  en: ""', "title.en must be a non-empty text"),
    ],
)
def test_a_broken_pattern_file_is_refused_naming_the_file_and_the_key(tmp_path, old, new, key):
    with pytest.raises(ConfigError) as caught:
        parse_patterns(_broken(old, new), "broken.yaml")
    assert "broken.yaml" in str(caught.value) and key in str(caught.value)
    path = write(tmp_path / "patterns.yaml", _broken(old, new))
    with pytest.raises(ConfigError, match=re.escape(str(path))):
        load_patterns(path)


def test_a_level_whose_every_pattern_needs_an_example_is_refused():
    text = _broken('          en: "Practice task: {section}"', '          en: "Practice task: {section} {example}"')
    with pytest.raises(ConfigError, match=r"levels\.apply\.activities needs one pattern without \{example\}"):
        parse_patterns(text, "broken.yaml")


def test_a_missing_pattern_file_says_so(tmp_path):
    with pytest.raises(ConfigError, match="is missing"):
        load_patterns(tmp_path / "nothing.yaml")
