"""The prompt test bench: worked examples change the messages sent; two versions run side by side on real servers."""

from __future__ import annotations

import pytest

from tests.support.scripted_server import ScriptedServer
from tutor_app.core.config import load_settings
from tutor_app.core.endpoints import load_endpoints
from tutor_app.lab import prompt_bench as bench
from tutor_app.lab import prompt_versions as pv

FILE_RULE = "4. Keep it short and clear for a beginner, in the language the user message asks for."
TUTOR = pv.content_of(None, "student_tutor", 0)
EXAMPLES = "- human: What is a token?\n  ai: A piece of text [1].\n- human: What is temperature?\n  ai: Randomness [1].\n"


@pytest.fixture
def settings(tmp_path):
    return load_settings(env={"TUTOR_MAX_RETRIES": "0"}, secrets_file=tmp_path / "none.toml", home=tmp_path / "home")


@pytest.fixture
def servers():
    started = []

    def start(*answers: str) -> ScriptedServer:
        started.append(ScriptedServer(list(answers)))
        return started[-1]

    yield start
    for server in started:
        server.close()


def tutor_variant(version: int = 0, content: str = TUTOR, examples: str = EXAMPLES) -> bench.Variant:
    return bench.Variant(version, pv.validate("student_tutor", content), pv.parse_examples(examples))


def test_the_file_version_ships_worked_examples_and_sample_inputs():
    variant = bench.load_variant(None, "student_tutor", 0)
    assert 2 <= len(variant.examples) <= 3
    inputs = bench.sample_inputs("student_tutor")
    assert set(inputs) == set(variant.prompt.input_variables) and "<passage" in inputs["passages"]
    assert bench.sample_inputs("coverage_explain")["objective"] == "(objective)"  # no examples file: neutral values


@pytest.mark.parametrize("shots,pairs", [(0, 0), (1, 1), (-1, 2)])
def test_zero_one_or_several_examples_go_before_the_final_question(shots, pairs):
    inputs = bench.sample_inputs("student_tutor")
    messages = bench.render(tutor_variant().prompt, inputs, tutor_variant().examples, shots)
    assert [m["role"] for m in messages] == ["system"] + ["user", "assistant"] * pairs + ["user"]
    assert "Why does a low temperature" in messages[-1]["content"]
    assert [m["content"] for m in messages[1:-1:2]] == ["What is a token?", "What is temperature?"][:pairs]


def test_examples_come_after_the_conversation_so_far():
    inputs = {**bench.sample_inputs("student_tutor"), "history": [["human", "Hello"], ["ai", "Hi! Ask away."]]}
    messages = bench.render(tutor_variant().prompt, inputs, tutor_variant().examples, 1)
    assert [m["content"] for m in messages[1:5]] == ["Hello", "Hi! Ask away.", "What is a token?", "A piece of text [1]."]


def test_missing_sample_inputs_are_named():
    inputs = bench.sample_inputs("student_tutor")
    del inputs["question"], inputs["learner"]
    with pytest.raises(pv.PromptLabError) as caught:
        bench.render(tutor_variant().prompt, inputs, [], 0)
    assert "lack learner, question" in caught.value.message("en")
    with pytest.raises(pv.PromptLabError, match="not a YAML mapping"):
        bench.parse_inputs("- a list\n")


def test_two_versions_side_by_side_on_two_servers(settings, servers):
    edited = TUTOR.replace(FILE_RULE, "4. Reply in one sentence.")
    first, second = servers("file answer on one", "edited answer on one"), servers("file answer on two", "edited on two")
    endpoints = [bench.url_endpoint(settings, first.url, "model-a"), bench.url_endpoint(settings, second.url, "model-b")]
    variants = [tutor_variant(0), tutor_variant(3, edited, "")]
    runs = bench.run_bench(variants, endpoints, bench.sample_inputs("student_tutor"), shots=1)
    assert [(r.version, r.endpoint.split(" @ ")[0], r.text) for r in runs] == [
        (0, "model-a", "file answer on one"),
        (3, "model-a", "edited answer on one"),
        (0, "model-b", "file answer on two"),
        (3, "model-b", "edited on two"),
    ]
    for server in (first, second):
        sent_file, sent_edited = (request["messages"] for request in server.requests)
        assert FILE_RULE in sent_file[0]["content"] and "Reply in one sentence" in sent_edited[0]["content"]
        assert len(sent_file) == 4 and len(sent_edited) == 2  # one worked example for the file; version 3 has none
    assert [r["model"] for r in second.requests] == ["model-b", "model-b"]
    for run in runs:
        assert not run.error and run.seconds > 0
        assert run.estimated and run.prompt_tokens > 50 and 0 < run.completion_tokens < 10  # no usage sent: counted


def test_an_unreachable_endpoint_is_one_failed_column(settings, servers):
    alive = servers("still answers")
    endpoints = [bench.url_endpoint(settings, "http://127.0.0.1:9/v1", "gone"), bench.url_endpoint(settings, alive.url, "m")]
    runs = bench.run_bench([tutor_variant()], endpoints, bench.sample_inputs("student_tutor"), shots=0)
    assert runs[0].error and not runs[0].text
    assert runs[1].text == "still answers" and not runs[1].error
    with pytest.raises(pv.PromptLabError, match="base URL"):
        bench.url_endpoint(settings, "localhost:8080", "m")


def test_named_endpoints_and_urls_become_bench_endpoints(settings, servers):
    from tutor_app.lab.compare import Lab

    server = servers("from the url")
    configured = load_endpoints(env={}, secrets_file=settings.home / "none.toml", settings=settings)
    made = []
    lab = Lab(settings, retriever=None)
    endpoints = bench.configured_endpoints(
        ["default", f"{server.url}#served-model"], configured, lab, lambda: made.append(1), settings
    )
    assert endpoints[0].label == "default"
    endpoints[0].factory()
    assert made == [1]  # "default" is the app's own model (its embedded server is shared, not started again)
    [run] = bench.run_bench([tutor_variant()], endpoints[1:], bench.sample_inputs("student_tutor"), shots=0)
    assert run.text == "from the url" and server.requests[0]["model"] == "served-model"
    lab.close()


def test_the_bench_can_take_its_passages_from_the_course(fake_services, tmp_path):
    from tests.support.paths import write

    lesson = "# Settings\n\n## Temperature\nTemperature changes how random the chosen tokens are.\n"
    assert fake_services.ingestor.ingest_paths([write(tmp_path / "c" / "t.md", lesson)], "demo").ok
    inputs = bench.passages_from_course(bench.sample_inputs("student_tutor"), fake_services.retriever, "demo")
    assert "how random the chosen tokens are" in inputs["passages"]
