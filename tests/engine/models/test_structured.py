"""Structured generation through the real openai client against a scripted OpenAI-compatible server on loopback."""

from __future__ import annotations

import openai
import pytest
from pydantic import BaseModel

from tests.support.scripted_server import ScriptedServer
from tutor_app.core.config import Provider
from tutor_app.engine.models.chat import CHAT_REPEAT_PENALTY, STRUCTURED_REPEAT_PENALTY, OpenAIChat
from tutor_app.engine.models.structured import Cancelled, StructuredFailure, StructuredGenerator, extract_json, response_format


class Thing(BaseModel):
    name: str
    count: int


def Chat(url: str, provider: str) -> OpenAIChat:
    """A chat model at ``url``, set up as make_chat_model sets up ``provider``'s (a repeat penalty for the embedded one)."""
    penalty = CHAT_REPEAT_PENALTY if Provider(provider).is_embedded else None
    client = openai.OpenAI(api_key="k", base_url=url, max_retries=0, timeout=10)
    return OpenAIChat(client, "m", "m", provider, repeat_penalty=penalty)


@pytest.fixture
def serve():
    servers = []

    def start(answers, **kw):
        servers.append(ScriptedServer(answers, **kw))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


SCHEMA = Thing.model_json_schema()


def test_valid_json_on_the_first_try_sends_the_schema_to_the_embedded_server(serve):
    server = serve(['{"name": "kite", "count": 2}'])
    steps = []
    result = StructuredGenerator(Chat(server.url, "embedded")).run(
        [{"role": "user", "content": "go"}], "thing", SCHEMA, Thing.model_validate, steps.append
    )
    assert result.value == Thing(name="kite", count=2) and result.first_try
    assert server.requests[0]["response_format"]["json_schema"]["schema"] == SCHEMA
    assert server.requests[0]["stream"] is True
    assert server.requests[0]["repeat_penalty"] == STRUCTURED_REPEAT_PENALTY
    assert steps == ["drafting", "checking"]


def test_openai_providers_get_a_json_schema_response_format(serve):
    server = serve(['{"name": "kite", "count": 2}'])
    StructuredGenerator(Chat(server.url, "openai")).run(
        [{"role": "user", "content": "go"}], "thing", SCHEMA, Thing.model_validate
    )
    sent = server.requests[0]["response_format"]
    assert "repeat_penalty" not in server.requests[0]
    assert sent["type"] == "json_schema" and sent["json_schema"]["name"] == "thing" and sent["json_schema"]["schema"] == SCHEMA


def test_prose_is_repaired_once_with_the_error_sent_back(serve):
    server = serve(["Sure! Here is a kite, two of them.", 'Fixed: {"name": "kite", "count": 2}'])
    steps = []
    result = StructuredGenerator(Chat(server.url, "embedded")).run(
        [{"role": "user", "content": "go"}], "thing", SCHEMA, Thing.model_validate, steps.append
    )
    assert result.value.count == 2 and not result.first_try and len(result.attempts) == 2
    assert result.attempts[0].errors == ["The model answered in prose instead of JSON."]
    repair = server.requests[1]["messages"]
    assert repair[-2] == {"role": "assistant", "content": "Sure! Here is a kite, two of them."}
    assert "prose instead of JSON" in repair[-1]["content"]
    assert steps == ["drafting", "checking", "repairing", "checking"]


def test_validation_errors_name_the_field_and_failure_after_repair_keeps_the_raw_text(serve):
    server = serve(['{"name": "kite", "count": "many"}', '{"name": "kite"}'])
    with pytest.raises(StructuredFailure) as caught:
        StructuredGenerator(Chat(server.url, "embedded")).run(
            [{"role": "user", "content": "go"}], "thing", SCHEMA, Thing.model_validate
        )
    assert "count" in server.requests[1]["messages"][-1]["content"]  # the first error went back to the model
    assert caught.value.raw == '{"name": "kite"}'
    assert any("count" in e and "required" in e.lower() for e in caught.value.errors)
    assert "stronger model" in str(caught.value) and "更强的模型" in caught.value.message("zh")


def test_a_server_that_refuses_response_format_is_asked_again_without_it(serve):
    server = serve(['{"name": "kite", "count": 1}'], refuse_formats=True)
    result = StructuredGenerator(Chat(server.url, "openai")).run(
        [{"role": "user", "content": "go"}], "thing", SCHEMA, Thing.model_validate
    )
    assert result.value.count == 1
    assert "response_format" in server.requests[0] and "response_format" not in server.requests[1]


def test_cancel_stops_before_anything_is_returned(serve):
    server = serve(['{"name": "kite", "count": 2}'])
    with pytest.raises(Cancelled):
        StructuredGenerator(Chat(server.url, "embedded")).run(
            [{"role": "user", "content": "go"}], "thing", SCHEMA, Thing.model_validate, should_stop=lambda: True
        )


@pytest.mark.parametrize(
    "text,expected",
    [
        ('{"a": 1}', {"a": 1}),
        ('```json\n{"a": 1}\n```', {"a": 1}),
        ('Here it is: {"a": {"b": 2}} hope it helps', {"a": {"b": 2}}),
    ],
)
def test_extract_json_finds_the_object(text, expected):
    assert extract_json(text) == expected


@pytest.mark.parametrize("text,message", [("", "nothing"), ("no json here", "prose"), ('{"a": 1', "malformed or cut off")])
def test_extract_json_says_what_is_wrong(text, message):
    with pytest.raises(ValueError, match=message):
        extract_json(text)


def test_response_format_is_a_json_schema():
    assert response_format("n", {"type": "object"}) == {
        "type": "json_schema",
        "json_schema": {"name": "n", "schema": {"type": "object"}, "strict": False},
    }
