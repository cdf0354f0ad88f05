"""The grounding rule ("does the course cover this question?") on synthetic numbers and a tiny course.

The decision is pinned without the bench index: ``decide`` on hand-made numbers, and the
retriever with the fast fake embedder on a small bilingual course with its own anchor questions.
Also checks the answer-key labels of the held-out question files.
"""

from pathlib import Path

import numpy as np
import pytest
import yaml

from tests.support.paths import ROOT, SAMPLES, write
from tutor_app.engine.search.lexical import terms
from tutor_app.engine.search.retrieval import Retriever, content_terms, decide, load_anchors

QUESTIONS = ROOT / "data" / "questions"
LESSON_EN = """---
id: sampling
lang: en
---
# Sampling

## Temperature
Temperature controls how random the next token is: a low temperature gives steady answers, a high temperature varied answers.

## Few-shot prompts
A few-shot prompt shows the model two or three worked examples before the real task.
"""
LESSON_ZH = """---
id: sampling
lang: zh
---
# 采样

## 温度
温度控制下一个词元的随机程度：温度低时回答稳定，温度高时回答多样。

## 少样本提示
少样本提示在真正的任务之前给模型两三个示例。
"""
ANCHORS = {
    "en": ["How long should I boil an egg?", "Who won the football world cup?", "How do I change a flat tyre?"],
    "zh": ["红烧肉怎么做才不油腻？", "世界杯冠军是哪支球队？", "备胎应该怎么换？"],
}
# Numbers for the fake bag-of-words embedder, whose similarities live on another scale than e5's.
FAKE_RULE = {
    "grounding_threshold": 0.99,
    "grounding_floor": 0.0,
    "grounding_margin": 0.2,
    "grounding_coverage_weight": 0.1,
    "cross_grounding_threshold": 0.99,
    "cross_grounding_floor": 0.0,
    "cross_grounding_margin": 0.2,
}


def rule(settings, **numbers):
    return settings.model_copy(update=numbers)


# --- the decision on measured numbers -------------------------------------------------------------


def test_a_close_passage_is_enough_by_itself(settings):
    s = rule(settings, grounding_threshold=0.93, grounding_floor=0.8, grounding_margin=0.05)
    grounded, reason = decide(0.94, evidence=0.94, reference=0.99, cross=False, settings=s)
    assert grounded and "close in meaning" in reason


def test_below_the_floor_nothing_else_counts(settings):
    s = rule(settings, grounding_threshold=0.93, grounding_floor=0.8, grounding_margin=0.05)
    grounded, reason = decide(0.79, evidence=1.5, reference=0.5, cross=False, settings=s)
    assert not grounded and "too far" in reason


@pytest.mark.parametrize("evidence, grounded", [(0.9, True), (0.8999, False)])
def test_between_floor_and_threshold_the_margin_over_the_off_topic_level_decides(settings, evidence, grounded):
    s = rule(settings, grounding_threshold=0.93, grounding_floor=0.8, grounding_margin=0.05)
    decision, reason = decide(0.85, evidence=evidence, reference=0.85, cross=False, settings=s)
    assert decision is grounded and "off-topic level 0.850" in reason


def test_cross_language_matches_use_their_own_numbers(settings):
    s = rule(
        settings,
        grounding_threshold=0.93,
        grounding_floor=0.8,
        grounding_margin=0.05,
        cross_grounding_threshold=0.87,
        cross_grounding_floor=0.75,
        cross_grounding_margin=0.03,
    )
    assert decide(0.88, 0.88, 0.9, cross=True, settings=s)[0] and not decide(0.88, 0.88, 0.9, cross=False, settings=s)[0]
    assert decide(0.77, 0.9, 0.86, cross=True, settings=s)[0] and not decide(0.77, 0.9, 0.86, cross=False, settings=s)[0]


@pytest.mark.parametrize("value, grounded", [(0.0, True), (0.999, False)])
def test_threshold_and_floor_still_switch_the_rule_fully_on_or_off(settings, value, grounded):
    """What TUTOR_GROUNDING_THRESHOLD / _FLOOR (and the cross_ pair) meant before: 0 covers all, 0.999 nothing."""
    s = rule(settings, **{f"{p}grounding_{k}": value for p in ("", "cross_") for k in ("threshold", "floor")})
    for cross in (False, True):
        assert decide(0.5, evidence=0.5, reference=2.0, cross=cross, settings=s)[0] is grounded
        assert decide(0.95, evidence=1.5, reference=0.0, cross=cross, settings=s)[0] is grounded


@pytest.mark.parametrize(
    "question, dropped, kept",
    [
        ("模型在挑下一个词的时候，永远都选概率最大的那个吗？", {"词", "选"}, {"模型", "概率", "最大"}),
        ("哪几个办法能让模型只根据资料来回答？", {"哪几", "哪几个", "几个", "只", "来"}, {"办法", "模型", "资料", "回答"}),
        ("What is a few-shot prompt?", set(), {"few-shot", "prompt"}),
    ],
)
def test_content_terms_drop_question_words_and_single_chinese_characters(question, dropped, kept):
    own = terms(question)
    content = set(content_terms(own))
    assert kept <= content and not dropped & content and content <= set(own)


def test_a_question_of_question_words_only_keeps_its_terms():
    assert content_terms(["哪", "几个"]) == ["哪", "几个"]


# --- the retriever on a tiny bilingual course (fake embedder) -----------------------------------


def course_retriever(services, folder: Path) -> Retriever:
    write(folder / "en" / "sampling.md", LESSON_EN)
    write(folder / "zh" / "sampling.md", LESSON_ZH)
    assert services.ingestor.ingest_paths([folder], "demo").ok
    return Retriever(rule(services.settings, **FAKE_RULE), services.index, services.retriever.bilingual, ANCHORS)


@pytest.fixture
def retriever(fake_services, tmp_path):
    return course_retriever(fake_services, tmp_path / "course")


@pytest.mark.parametrize(
    "question, covered",
    [
        ("What does a low temperature do to the answers?", True),
        ("温度低的时候回答会怎样？", True),
        ("How do I bake sourdough bread at home?", False),
        ("怎么在家烤面包？", False),
    ],
)
def test_on_topic_questions_are_covered_and_off_topic_ones_refused(retriever, question, covered):
    result = retriever.search(question, course="demo")
    g = result.grounding
    assert result.grounded is g.grounded is covered
    assert g.margin == pytest.approx(g.evidence - g.reference)
    assert g.evidence == pytest.approx(g.similarity + 0.1 * g.coverage)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_off_topic_level_is_the_mean_evidence_of_the_anchors_in_the_questions_language(retriever, lang):
    question = {"en": "What is a few-shot prompt?", "zh": "什么是少样本提示？"}[lang]
    g = retriever.search(question, course="demo").grounding
    measures = retriever.anchor_measures("demo", None, lang)
    assert set(measures) == set(ANCHORS[lang])
    assert g.reference == pytest.approx(np.mean([s + 0.1 * c for s, c in measures.values()]))


def test_the_off_topic_level_is_measured_again_when_the_course_changes(fake_services, tmp_path):
    retriever = course_retriever(fake_services, tmp_path / "course")
    before = retriever.search("What is temperature?", course="demo").grounding.reference
    # A lesson that shares words with the anchor questions raises the course's off-topic level.
    write(
        tmp_path / "more" / "cars.md",
        "# Cars\n\n## Tyres\nTo change a flat tyre, loosen the nuts, lift the car and fit the spare tyre.\n",
    )
    assert fake_services.ingestor.ingest_paths([tmp_path / "more"], "demo").ok
    after = retriever.search("What is temperature?", course="demo").grounding.reference
    assert after > before


def test_without_anchor_questions_a_fixed_level_is_used(fake_services, tmp_path):
    write(tmp_path / "course" / "en" / "sampling.md", LESSON_EN)
    assert fake_services.ingestor.ingest_paths([tmp_path / "course"], "demo").ok
    bare = Retriever(rule(fake_services.settings, grounding_anchors=tmp_path / "missing.yaml"), fake_services.index)
    g = bare.search("What is temperature?", course="demo").grounding
    assert bare.anchors() == {} and g.reference == pytest.approx(0.87)


# --- the data the rule and its benchmark rely on --------------------------------------------------


def test_the_anchor_file_holds_both_languages():
    anchors = load_anchors(QUESTIONS / "off-topic.yaml")
    assert len(anchors["en"]) == 20 and len(anchors["zh"]) == 20


def test_the_held_out_off_topic_set_is_new_and_bilingual():
    held = yaml.safe_load((QUESTIONS / "off-topic-heldout.yaml").read_text(encoding="utf-8"))
    calibration = {q["question"] for q in yaml.safe_load((QUESTIONS / "off-topic.yaml").read_text(encoding="utf-8"))}
    assert sum(q["lang"] == "en" for q in held) >= 20 and sum(q["lang"] == "zh" for q in held) >= 20
    assert all(q["lesson"] is None and q["question"] not in calibration for q in held)


def test_the_development_near_misses_are_apart_from_the_calibration_and_held_out_sets():
    def questions(name):
        return yaml.safe_load((QUESTIONS / name).read_text(encoding="utf-8"))

    development = questions("off-topic-dev.yaml")
    others = {q["question"] for name in ("off-topic.yaml", "off-topic-heldout.yaml") for q in questions(name)}
    assert sum(q["lang"] == "en" for q in development) >= 15 and sum(q["lang"] == "zh" for q in development) >= 15
    assert all(q["lesson"] is None and q["question"] not in others for q in development)


@pytest.mark.parametrize("name", ["lessons-05-08.yaml", "composer-dev.yaml"])
def test_every_key_is_a_sentence_of_its_own_lesson(name):
    for q in yaml.safe_load((QUESTIONS / name).read_text(encoding="utf-8")):
        [lesson] = (ROOT / "data" / "course" / q["lang"]).glob(f"{q['lesson'].removeprefix('genai-')}-*.md")
        assert q["key"] in lesson.read_text(encoding="utf-8"), q["question"]


def test_every_key_term_occurs_in_its_shared_lesson():
    questions = yaml.safe_load((QUESTIONS / "course-samples.yaml").read_text(encoding="utf-8"))
    assert all(2 <= len(q["key_terms"]) <= 4 for q in questions)
    if not SAMPLES.is_dir():
        pytest.skip(f"{SAMPLES} is absent: the key terms cannot be checked against the shared lessons")
    for q in questions:
        text = Path(SAMPLES / q["lang"] / f"{q['lesson']}.md").read_text(encoding="utf-8")
        assert all(term in text for term in q["key_terms"]), q["question"]
