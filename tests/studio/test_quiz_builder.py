"""Quizzes built from the sample course's own text (data/course, English and Chinese), without a model.

The index holds the real bilingual sample course with the fast fake embedder and the grounding
thresholds at zero (retrieval quality is not under test here; which sentences become questions is).
Every quiz must pass every check, and the tests also look at the questions directly: the requested
count, kinds and language, citations in that language, answers found in the cited passage, wrong
options that do not fit, no template leftovers, objectives from the lessons' front matter, the same
quiz for the same request, and under a second on a warm index.
"""

from __future__ import annotations

import re
import time

import pytest

from tests.support.fakes import HashEmbedding
from tests.support.paths import write
from tutor_app.core.config import PROJECT_ROOT, load_settings
from tutor_app.core.i18n import t
from tutor_app.core.schemas import LearningObjective
from tutor_app.engine.text import CJK
from tutor_app.services import build_services
from tutor_app.studio.checks import (
    QUIZ_CHECKS,
    answer_supported,
    check_quiz,
    normalise,
    option_fits,
    statement_stated,
    strip_frames,
)
from tutor_app.studio.quiz_builder import assessment_lines, build_quiz, quiz_items
from tutor_app.studio.shared import BUILT_LABEL, NotCovered, Sources, StudioInputError, StudioRequest

TOPICS = [("few-shot prompting", "en"), ("temperature", "en"), ("少样本提示", "zh"), ("提示注入", "zh")]
LEFTOVERS = re.compile(
    r"\bQ\d|true_false|multiple_choice|short_answer|TrueFalse|[{}]|\*\*|\[\d\]|\((?:remember|"
    r"understand|apply|analy[sz]e|evaluate|create)\)",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    zero = {f"{p}grounding_{k}": 0.0 for p in ("", "cross_") for k in ("threshold", "floor")}
    settings = load_settings(env={}, home=tmp_path_factory.mktemp("quiz-builder"), **zero)
    services = build_services(settings, embedder=HashEmbedding())
    assert services.ingestor.ingest_paths([PROJECT_ROOT / "data" / "course"], "genai").ok
    yield services
    services.close()


@pytest.fixture(scope="module")
def quizzes(services):
    """One five-question quiz per topic (the default mix), built once for the module."""
    return {
        topic: build_quiz(StudioRequest(course="genai", topic=topic, language=lang), services.retriever) for topic, lang in TOPICS
    }


def passage_of(services, chunk_id):
    [chunk], _ = services.index.get([chunk_id])
    return chunk


def quoted_sentence(explanation: str, lang: str) -> str:
    """The course sentence an explanation quotes ("The lesson says: “…”")."""
    before, after = t("studio_quiz_explain_source", lang, sentence="\0").split("\0")
    assert explanation.startswith(before) and explanation.endswith(after), explanation
    return explanation[len(before) : len(explanation) - len(after)]


def texts_of(quiz):
    """Every learner-facing text of a quiz (true/false options are the schema's fixed "True"/"False")."""
    out = [quiz.title] + [o.text for o in quiz.objectives]
    for q in quiz.questions:
        out += [q.question, q.explanation] + ([] if q.kind == "true_false" else [q.answer, *q.options])
    return out


@pytest.mark.parametrize("topic,lang", TOPICS)
def test_quiz_passes_every_check_with_the_requested_count_kinds_and_title(quizzes, topic, lang):
    result = quizzes[topic]
    quiz = result.document
    assert [c.name for c in result.checks] == list(QUIZ_CHECKS)
    assert result.passed, {c.name: c.messages("en") for c in result.checks if not c.passed}
    request = StudioRequest(topic=topic, language=lang)
    assert [q.kind for q in quiz.questions] == [kind for kind, _ in request.question_mix()]
    assert quiz.language == lang and quiz.grounded and quiz.course == "genai"
    assert quiz.title == t("studio_quiz_title", lang, topic=topic) == {"en": f"Quiz: {topic}", "zh": f"测验：{topic}"}[lang]
    assert quiz.model == BUILT_LABEL and result.first_try and result.attempts == 0


@pytest.mark.parametrize("topic,lang", TOPICS)
def test_questions_are_in_the_requested_language_and_cite_passages_in_it(services, quizzes, topic, lang):
    quiz = quizzes[topic].document
    for q in quiz.questions:
        assert passage_of(services, q.chunk_id).lang == lang
        assert bool(CJK.search(q.question)) == (lang == "zh"), q.question
    for text in texts_of(quiz):
        assert not LEFTOVERS.search(text), text


@pytest.mark.parametrize("topic,lang", TOPICS)
def test_every_answer_is_found_in_its_cited_passage(services, quizzes, topic, lang):
    quiz = quizzes[topic].document
    quoted = []
    for q in quiz.questions:
        chunk = passage_of(services, q.chunk_id)
        sentence = quoted_sentence(q.explanation, lang)
        assert normalise(sentence) in normalise(chunk.text), (sentence, chunk.text)
        quoted.append(sentence)
        if q.kind == "true_false":
            statement = strip_frames(q.question)
            assert (normalise(statement) == normalise(sentence)) == (q.answer == "True")
            if q.answer == "False":  # the same sentence with one term swapped, which the passage does not say
                assert not statement_stated(statement, chunk.text)
        else:
            assert answer_supported(q.answer, chunk.text), (q.answer, chunk.text)
    assert len(set(quoted)) == len(quoted)  # no two questions on the same sentence


@pytest.mark.parametrize("topic,lang", TOPICS)
def test_no_wrong_option_fits_the_question_anywhere_in_its_lesson(services, quizzes, topic, lang):
    quiz = quizzes[topic].document
    for q in (q for q in quiz.questions if q.kind == "multiple_choice"):
        assert q.answer in q.options and len(q.options) >= 3 and len(set(q.options)) == len(q.options)
        lesson = passage_of(services, q.chunk_id).lesson_id
        sections = [c for batch in services.index.iter_chunks({"lesson_id": lesson}) for c in batch if c.lang == lang]
        assert option_fits(q.question, q.answer, passage_of(services, q.chunk_id).text) or "_____" not in q.question
        for wrong in (o for o in q.options if o != q.answer):
            assert not any(option_fits(q.question, wrong, c.text) for c in sections), (q.question, wrong)


@pytest.mark.parametrize("topic,lang", TOPICS)
def test_objectives_are_the_cited_lessons_own_and_each_is_assessed(services, quizzes, topic, lang):
    quiz = quizzes[topic].document
    ids = [o.id for o in quiz.objectives]
    assert len(set(ids)) == len(ids) and {q.objective_id for q in quiz.questions} == set(ids)
    for q in quiz.questions:
        chunk = passage_of(services, q.chunk_id)
        [own] = [o for o in chunk.objectives if o.id == q.objective_id]  # from the lesson's front matter
        assert next(o for o in quiz.objectives if o.id == own.id).text == own.text


@pytest.mark.parametrize("topic,lang", TOPICS)
def test_bloom_levels_follow_the_pattern(quizzes, topic, lang):
    frames = {
        key: t(key, lang, sentence="", term="", example="", statement="").strip()
        for key in ("studio_quiz_q_cloze_choice", "studio_quiz_q_cloze_fill", "studio_quiz_q_example")
    }
    for q in quizzes[topic].document.questions:
        if q.question.startswith(frames["studio_quiz_q_example"]):
            assert q.bloom == "apply"
        elif q.question.startswith((frames["studio_quiz_q_cloze_choice"], frames["studio_quiz_q_cloze_fill"])):
            assert q.bloom == "remember" and "_____" in q.question
        elif q.kind == "true_false":
            assert q.bloom in ("remember", "understand")


def test_the_few_shot_quiz_asks_about_few_shot_prompts(quizzes):
    quiz = quizzes["few-shot prompting"].document
    assert sum("few-shot" in (q.question + q.answer + q.explanation).lower() for q in quiz.questions) >= 2
    zh = quizzes["少样本提示"].document
    assert sum("少样本" in q.question + q.answer + q.explanation for q in zh.questions) >= 2


@pytest.mark.parametrize("topic,lang", [("few-shot prompting", "en"), ("提示注入", "zh")])
def test_same_request_same_quiz_and_fast_on_a_warm_index(services, quizzes, topic, lang):
    started = time.monotonic()
    again = build_quiz(StudioRequest(course="genai", topic=topic, language=lang), services.retriever)
    assert time.monotonic() - started < 1.0
    assert again.document == quizzes[topic].document


def test_twelve_questions_all_different_and_passing(services):
    result = build_quiz(StudioRequest(course="genai", topic="temperature", question_count=12), services.retriever)
    questions = result.document.questions
    assert len(questions) == 12 and result.passed, {c.name: c.messages() for c in result.checks if not c.passed}
    assert len({normalise(q.question) for q in questions}) == 12


def test_a_lesson_request_cites_the_lesson_in_the_requested_language(services):
    result = build_quiz(StudioRequest(course="genai", lessons=["genai-05"], language="zh", question_count=4), services.retriever)
    chunks = [passage_of(services, q.chunk_id) for q in result.document.questions]
    assert {c.lesson_id for c in chunks} == {"genai-05"} and {c.lang for c in chunks} == {"zh"}
    assert result.passed, {c.name: c.messages() for c in result.checks if not c.passed}
    assert all(o.id.startswith("genai-05-") for o in result.document.objectives)


def test_given_objectives_are_each_assessed(services):
    given = [
        LearningObjective(id="O1", text="Explain what temperature controls", bloom="understand"),
        LearningObjective(id="O2", text="Use few-shot examples in a prompt", bloom="apply"),
    ]
    request = StudioRequest(course="genai", topic="temperature", question_count=4)
    quiz = build_quiz(request, services.retriever, objectives=given).document
    assert quiz.objectives == given and {q.objective_id for q in quiz.questions} == {"O1", "O2"}


def test_progress_reports_the_steps(services):
    steps: list[str] = []
    build_quiz(StudioRequest(course="genai", topic="temperature"), services.retriever, progress=steps.append)
    assert steps == ["retrieving", "drafting", "checking"]


def test_quiz_items_for_a_plan_come_from_the_given_sources(services):
    request = StudioRequest(course="genai", topic="few-shot prompting")
    hits = services.retriever.search("few-shot prompting", k=4, course="genai", lang="en").hits
    sources = Sources(hits, "", True, "few-shot prompting")
    items = quiz_items(request, sources, 3, "en")
    assert len(items) == 3 and {q.chunk_id for q in items} <= {h.chunk.id for h in hits}
    assert all(re.fullmatch(r"genai-0\d-o\d", q.objective_id) for q in items)
    known = {h.chunk.id: h.chunk for h in hits}
    for q in items:
        assert answer_supported(q.explanation if q.kind == "true_false" else q.answer, known[q.chunk_id].text)


@pytest.mark.parametrize("topic,lang", [("temperature", "en"), ("少样本提示", "zh")])
def test_assessment_lines_for_a_plan_carry_their_answers(services, topic, lang):
    request = StudioRequest(course="genai", topic=topic, language=lang)
    hits = services.retriever.search(topic, k=4, course="genai", lang=lang).hits
    lines = assessment_lines(request, Sources(hits, "", True, topic))
    assert len(lines) == 3 and all(line.endswith(")" if lang == "en" else "）") for line in lines)
    assert all(bool(CJK.search(line)) == (lang == "zh") and not LEFTOVERS.search(line) for line in lines)


class _OffTopic:
    """A retriever that finds nothing: the course does not cover the topic."""

    settings = load_settings(env={})
    index = None

    def search(self, query, k, course=None, lang=None):
        from tutor_app.engine.search.retrieval import SearchResult

        return SearchResult(hits=[], grounded=False)


def test_a_topic_the_course_does_not_cover_is_refused():
    with pytest.raises(NotCovered):
        build_quiz(StudioRequest(topic="medieval falconry"), _OffTopic())
    with pytest.raises(StudioInputError) as refused:  # confirmed, but there is no course text to build on
        build_quiz(StudioRequest(topic="medieval falconry", allow_ungrounded=True), _OffTopic())
    assert refused.value.key == "studio_err_no_items"


def test_checks_of_a_built_quiz_catch_an_edit_that_breaks_it(services, quizzes):
    quiz = quizzes["few-shot prompting"].document.model_copy(deep=True)
    mc = next(q for q in quiz.questions if q.kind == "multiple_choice")
    mc.options[mc.options.index(mc.answer)] = mc.answer = "A kind of GPU"
    known = {q.chunk_id: passage_of(services, q.chunk_id) for q in quiz.questions}
    failing = {c.name for c in check_quiz(quiz, known) if not c.passed}
    assert failing == {"supported"}


def test_a_course_without_objectives_gets_one_per_section(tmp_path):
    zero = {f"{p}grounding_{k}": 0.0 for p in ("", "cross_") for k in ("threshold", "floor")}
    services = build_services(load_settings(env={}, home=tmp_path / "home", **zero), embedder=HashEmbedding())
    write(
        tmp_path / "c" / "sampling.md",
        "# Sampling\n\n## Temperature and top-p\n**Temperature** is a setting that "
        "controls how random the token choices are. **Top-p** is a setting that keeps only the most likely tokens "
        "whose probabilities add up to p. A **seed** is a number that makes a random run repeatable. A low "
        "temperature gives repeatable answers, and a high temperature gives varied answers.\n",
    )
    assert services.ingestor.ingest_paths([tmp_path / "c"], "demo").ok
    result = build_quiz(StudioRequest(course="demo", topic="temperature", question_count=3), services.retriever)
    services.close()
    assert result.passed, {c.name: c.messages() for c in result.checks if not c.passed}
    assert [(o.id, o.text) for o in result.document.objectives] == [("O1", "Recall the key terms of “Temperature and top-p”")]


def test_the_index_says_which_languages_a_course_has(services):
    assert services.index.languages("genai") == {"en", "zh"}
    assert services.index.languages("no-such-course") == set()
