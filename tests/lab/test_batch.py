"""Batch mode: labelled question sets (YAML and strict CSV) run against endpoints and summed up per endpoint."""

import pytest

from tests.support.lab_servers import dead_url, user_text
from tutor_app.core.endpoints import Endpoint
from tutor_app.core.errors import InputError
from tutor_app.lab.batch import LabelledQuestion, has_key, load_question_set, parse_questions_csv, question_sets, run_batch

KEY_PROMPTS = "A few-shot prompt places worked examples before the real input so the model copies their format."
KEY_TOKENS = "the price of a request grows with the number of tokens it sends"
CSV_TEXT = (
    "question,lesson,key\n"
    f'"What goes before the real input in a few-shot prompt?",lesson-prompts,"{KEY_PROMPTS}"\n'
    f"Why do more tokens cost more?,lesson-tokens,{KEY_TOKENS}\n"
)


def knows_prompts_only(body: dict) -> str:
    """A model that answers the few-shot question well (citing [1]) and the token question badly, citing nothing."""
    if "few-shot" in user_text(body).split("Question:")[-1]:
        return f"**{KEY_PROMPTS}** [1]"
    return "Tokens are small animals."


def test_batch_figures_per_endpoint_and_retrieval(lab, servers):
    server = servers(knows_prompts_only, usage=(100, 10))
    endpoints = [
        Endpoint(name="smart", kind="compatible", base_url=server.url, model="m", input_price=1.0, output_price=2.0),
        Endpoint(name="gone", kind="compatible", base_url=dead_url(), model="m"),
    ]
    progress = []
    report = run_batch(lab, parse_questions_csv(CSV_TEXT), endpoints, None, "demo", lambda d, t, q: progress.append((d, t)))
    assert progress == [(0, 2), (1, 2), (2, 2)] and len(report.results) == 8
    rows = {(r.endpoint, r.retrieval): r for r in report.rows}
    rag, alone = rows[("smart", True)], rows[("smart", False)]
    assert (rag.questions, rag.answered, rag.right_lesson, rag.key) == (2, 2, 1, 1)
    assert (alone.answered, alone.right_lesson, alone.key) == (2, None, 1)  # without passages nothing is cited
    assert (rag.prompt_tokens, rag.completion_tokens) == (200, 20) and rag.cost == pytest.approx(2 * (100 + 20) / 1e6)
    assert rag.median_s is not None and rag.median_s >= 0
    dead = rows[("gone", True)]
    assert (dead.answered, dead.right_lesson, dead.key, dead.median_s, dead.cost) == (0, 0, 0, None, 0.0)


def test_key_rule_is_the_benchmarks():
    question = LabelledQuestion("q", "l", "en", key="Temperature sets how random the tokens are.")
    assert has_key("As the lesson says, **temperature** sets how  random the tokens are [2]. Done.", question)
    assert not has_key("Temperature is heat.", question)
    terms = LabelledQuestion("q", "l", "en", key_terms=("knowledge base", "keywords"))
    assert has_key("It used a Knowledge Base triggered by keywords.", terms) and not has_key("a knowledge base", terms)


def test_the_projects_question_sets_load():
    names = [p.name for p in question_sets()]
    assert "lessons-01-04.yaml" in names
    questions = load_question_set(next(p for p in question_sets() if p.name == "lessons-01-04.yaml"))
    assert questions and all(q.lesson and (q.key or q.key_terms) and q.lang in ("en", "zh") for q in questions)
    assert load_question_set(next(p for p in question_sets() if p.name == "off-topic.yaml")) == []  # no lessons: left out


@pytest.mark.parametrize(
    "text,message",
    [
        ("question,lesson\nq,l\n", "line 1: the header must be question,lesson,key[,lang]"),
        ("question,lesson,key,colour\nq,l,k,red\n", "line 1: the header must be"),
        ('question,lesson,key\nq,l,k\n"unclosed,l,k\n', "line 3"),
        ("question,lesson,key\nq,l,k\nq2,l2\n", "line 3: 2 fields where the header has 3"),
        ("question,lesson,key\nq,,k\n", "line 2: empty lesson"),
        ("question,lesson,key,lang\nq,l,k,fr\n", "line 2: lang 'fr' is not en or zh"),
        ("question,lesson,key\n", "no questions"),
    ],
)
def test_csv_errors_name_the_line(text, message):
    with pytest.raises(InputError) as caught:
        parse_questions_csv(text)
    assert message in str(caught.value)


def test_csv_language_is_read_or_detected():
    questions = parse_questions_csv("question,lesson,key,lang\n什么是词元？,l,k,\nWhat is a token?,l,k,en\n")
    assert [q.lang for q in questions] == ["zh", "en"]


def test_uploads_and_files_are_read_with_clear_errors(tmp_path):
    from tutor_app.lab.batch import read_questions

    assert [q.lesson for q in read_questions(None, CSV_TEXT.encode())] == ["lesson-prompts", "lesson-tokens"]
    with pytest.raises(InputError, match="line 2: not UTF-8 text"):
        read_questions(None, b"question,lesson,key\n" + "q,l,é\n".encode("latin-1"))
    with pytest.raises(InputError, match="The question set .*missing.yaml cannot be read"):
        read_questions(tmp_path / "missing.yaml")
