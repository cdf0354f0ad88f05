"""Compare: one question against OpenAI-compatible servers on loopback, with and without the course passages."""

import pytest

from tests.support.lab_servers import dead_url, user_text
from tutor_app.core.endpoints import Endpoint
from tutor_app.core.errors import InputError
from tutor_app.lab.compare import compare, targets

QUESTION = "What does a few-shot prompt put before the real input?"
GOOD = "A few-shot prompt places worked examples before the real input so the model copies their format [1]."
MADE_UP = "Quantum annealing hardware accelerates every spreadsheet macro overnight."


def _endpoint(name, server_url, model="model-x", **extra) -> Endpoint:
    return Endpoint(name=name, kind="compatible", base_url=server_url, model=model, **extra)


def test_two_servers_with_and_without_retrieval(lab, servers):
    first = servers(GOOD, usage=(120, 30))
    second = servers(MADE_UP)
    pieces: dict[int, list[str]] = {}
    finished = []
    runs = targets([_endpoint("first", first.url, "first-model"), _endpoint("second", second.url)])
    result = compare(
        lab,
        QUESTION,
        runs,
        "demo",
        on_piece=lambda i, p: pieces.setdefault(i, []).append(p),
        on_result=lambda i, r: finished.append(i),
    )
    assert sorted(finished) == [0, 1, 2, 3] and not result.all_failed
    by = {(r.endpoint, r.retrieval): r for r in result.results}
    assert [(r.endpoint, r.retrieval) for r in result.results] == [
        ("first", True),
        ("first", False),
        ("second", True),
        ("second", False),
    ]
    # What each server received: the tutor's prompt with the course passage, or the model-alone prompt without one.
    with_context = [b for b in first.requests if "<passage" in user_text(b)]
    without = [b for b in first.requests if "<passage" not in user_text(b)]
    assert len(with_context) == 1 and len(without) == 1 and "worked examples" in user_text(with_context[0])
    assert "Answer only from the numbered course passages" in with_context[0]["messages"][0]["content"]
    alone_system = without[0]["messages"][0]["content"]
    assert "Answer from your own knowledge" in alone_system and "course passages" not in alone_system
    assert "worked examples" not in user_text(without[0]) and QUESTION in user_text(without[0])
    assert {b["model"] for b in first.requests} == {"first-model"} and {b["model"] for b in second.requests} == {"model-x"}
    assert all(b["stream_options"] == {"include_usage": True} for b in first.requests + second.requests)
    # Streamed in pieces, figures measured.
    good = by[("first", True)]
    assert "".join(pieces[0]) == GOOD == good.answer and len(pieces[0]) > 1
    assert good.first_token_s is not None and good.total_s >= good.first_token_s >= 0
    assert (good.prompt_tokens, good.completion_tokens, good.tokens_counted) == (120, 30, False)
    assert good.citations and good.citations[0]["lesson_id"] == "lesson-prompts" and good.citations[0]["number"] == 1
    assert good.unsupported == []
    # No usage from the second server: counted here and said so.
    made_up = by[("second", True)]
    assert made_up.tokens_counted and made_up.prompt_tokens > 50 and 5 < made_up.completion_tokens < 20
    assert made_up.citations == [] and made_up.unsupported == [MADE_UP]
    # Without retrieval the answer is checked against the passages retrieval would have given, and cites nothing.
    alone = by[("first", False)]
    assert alone.citations == [] and alone.unsupported == [] and alone.answer == GOOD
    assert by[("second", False)].unsupported == [MADE_UP]


def test_an_unreachable_endpoint_is_one_failed_run(lab, servers):
    alive = servers(GOOD)
    runs = targets([_endpoint("alive", alive.url), _endpoint("gone", dead_url())], retrieval=True)
    result = compare(lab, QUESTION, runs, "demo")
    ok, gone = result.results
    assert ok.answer == GOOD and not ok.error
    assert gone.failed and gone.error_kind == "connection" and "Cannot reach the model server" in gone.error
    assert gone.answer == "" and gone.cost == 0.0 and not result.all_failed


def test_a_refused_key_is_one_failed_run(lab, servers):
    refusing = servers(GOOD, status=401)
    alive = servers(GOOD)
    runs = targets([_endpoint("bad-key", refusing.url, api_key="fake-wrong"), _endpoint("alive", alive.url)], retrieval=False)
    bad, ok = compare(lab, QUESTION, runs, "demo").results
    assert bad.failed and bad.error_kind == "auth" and ok.answer == GOOD
    assert refusing.requests[0]["authorization"] == "Bearer fake-wrong"


def test_every_run_failing_is_reported_as_such(lab):
    result = compare(lab, QUESTION, targets([_endpoint("gone", dead_url())]), "demo")
    assert result.all_failed and len(result.results) == 2


def test_cost_uses_the_endpoints_own_prices(lab, servers):
    server = servers(GOOD, usage=(1_000_000, 500_000))
    priced = _endpoint("priced", server.url, "house-model", input_price=2.0, output_price=8.0)
    unpriced = _endpoint("unpriced", server.url, "house-model")
    listed = _endpoint("listed", server.url, "gpt-4o-mini")  # no prices configured: OpenAI's list price
    runs = targets([priced, unpriced, listed], retrieval=True)
    by = {r.endpoint: r for r in compare(lab, QUESTION, runs, "demo").results}
    assert by["priced"].cost == pytest.approx(2.0 + 4.0)
    assert by["unpriced"].cost is None
    assert by["listed"].cost == pytest.approx(0.15 + 0.30)


def test_a_prompt_version_can_be_given(lab, servers):
    from tutor_app.engine.models.prompts import load_prompt

    server = servers(GOOD)
    base = load_prompt("student_tutor")
    changed = base.model_copy(
        update={"messages": [base.messages[0].model_copy(update={"content": "VERSION TWO"}), *base.messages[1:]]}
    )
    lab.prompt = lambda: changed
    compare(lab, QUESTION, targets([_endpoint("s", server.url)], retrieval=True), "demo")
    assert server.requests[0]["messages"][0]["content"] == "VERSION TWO"


@pytest.mark.parametrize("count", [0, 9])
def test_run_count_is_bounded(lab, servers, count):
    server = servers(GOOD)
    with pytest.raises(InputError):
        compare(lab, QUESTION, targets([_endpoint(f"e{n}", server.url) for n in range(count)], retrieval=True), "demo")
    assert server.requests == []
