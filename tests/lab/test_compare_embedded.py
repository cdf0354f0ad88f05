"""Compare with the real embedded model (llama.cpp, SmolLM2-135M) beside a server on loopback."""

import importlib.util

import pytest

from tests.support.lab_servers import user_text
from tutor_app.core.endpoints import Endpoint
from tutor_app.lab.compare import compare, targets

pytestmark = pytest.mark.slow


def test_embedded_model_and_a_compatible_server_side_by_side(lab, servers):
    if importlib.util.find_spec("xllamacpp") is None:
        pytest.skip("the embedded model server (xllamacpp) is not installed")
    # Two slots, short answers, and patient waits: the two cores are shared with other test runs.
    update = {"embedded_parallel": 2, "max_answer_tokens": 48, "stream_idle_timeout_s": 120.0, "answer_deadline": 300.0}
    lab.settings = lab.settings.model_copy(update=update)
    server = servers("Worked examples come before the real input [1].", usage=(90, 11))
    runs = targets(
        [Endpoint(name="embedded", kind="embedded"), Endpoint(name="s", kind="compatible", base_url=server.url, model="m")]
    )
    pieces: dict[int, int] = {}
    result = compare(
        lab,
        "What does a few-shot prompt place before the real input?",
        runs,
        "demo",
        lambda i, _p: pieces.update({i: pieces.get(i, 0) + 1}),
    )
    local_rag, local_alone, remote_rag, remote_alone = result.results
    for run in (local_rag, local_alone):
        assert not run.error and run.answer.strip() and run.model.startswith("SmolLM2")
        assert run.first_token_s is not None and 0 < run.first_token_s <= run.total_s
        assert run.prompt_tokens > 0 and 0 < run.completion_tokens <= 48 and run.cost == 0.0
    assert pieces[0] > 1 and pieces[1] > 1  # streamed
    assert local_rag.prompt_tokens > local_alone.prompt_tokens  # the passages were in the prompt
    assert (remote_rag.prompt_tokens, remote_alone.completion_tokens) == (90, 11) and not remote_rag.tokens_counted
    assert ["<passage" in user_text(b) for b in server.requests].count(True) == 1
