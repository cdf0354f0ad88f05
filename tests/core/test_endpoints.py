"""Model endpoints from secrets.toml and TUTOR_MODELS: both table forms, the short form, key names, clear errors."""

import json

import pytest

from tests.support.paths import write
from tutor_app.core.config import load_settings
from tutor_app.core.endpoints import load_endpoints, resolve
from tutor_app.core.errors import ConfigError

SUBTABLES = """
[tutor]
top_k = 5

[models.local-qwen]
base_url = "http://127.0.0.1:11434/v1"
model = "qwen2.5:0.5b"

[models.gpt]
kind = "openai"
model = "gpt-4o-mini"
api_key_env = "LAB_TEST_KEY"
input_price = 0.15
output_price = 0.6
"""

ARRAY = """
[[models]]
name = "local-qwen"
base_url = "http://127.0.0.1:11434/v1"
model = "qwen2.5:0.5b"

[[models]]
name = "azure-mini"
kind = "azure"
base_url = "https://example-resource.openai.azure.com"
model = "mini-deployment"
api_key = "fake-azure"
"""


def _settings(tmp_path, env=None):
    return load_settings(env=env or {}, secrets_file=tmp_path / "none.toml", home=tmp_path)


def test_builtin_endpoints_are_always_there(tmp_path):
    endpoints = load_endpoints({}, tmp_path / "none.toml", _settings(tmp_path))
    assert set(endpoints) == {"default", "embedded"}
    assert endpoints["default"].kind == "embedded" and endpoints["embedded"].kind == "embedded"


def test_default_is_the_apps_configured_model(tmp_path):
    settings = _settings(tmp_path, {"OPENAI_API_KEY": "fake-key-1", "OPENAI_BASE_URL": "http://h:1/v1", "TUTOR_CHAT_MODEL": "m1"})
    default = load_endpoints({}, tmp_path / "none.toml", settings)["default"]
    assert (default.kind, default.base_url, default.model) == ("compatible", "http://h:1/v1", "m1")
    assert default.api_key.get_secret_value() == "fake-key-1" and "fake-key-1" not in repr(default)


def test_subtables_with_a_key_named_by_an_environment_variable(tmp_path):
    secrets = write(tmp_path / "secrets.toml", SUBTABLES)
    endpoints = load_endpoints({"LAB_TEST_KEY": "fake-env"}, secrets, _settings(tmp_path))
    local, gpt = endpoints["local-qwen"], endpoints["gpt"]
    assert (local.kind, local.model, local.api_key) == ("compatible", "qwen2.5:0.5b", None)
    assert gpt.api_key.get_secret_value() == "fake-env"
    assert gpt.prices == {"gpt-4o-mini": (0.15, 0.6)}


def test_array_form(tmp_path):
    secrets = write(tmp_path / "secrets.toml", ARRAY)
    endpoints = load_endpoints({}, secrets, _settings(tmp_path))
    assert endpoints["azure-mini"].kind == "azure" and endpoints["local-qwen"].kind == "compatible"


def test_environment_json_and_short_forms(tmp_path):
    items = [{"name": "vllm", "base_url": "http://10.0.0.5:8000/v1", "model": "llama", "input_price": 1, "output_price": 2}]
    endpoints = load_endpoints({"TUTOR_MODELS": json.dumps(items)}, tmp_path / "none.toml", _settings(tmp_path))
    assert endpoints["vllm"].prices == {"llama": (1.0, 2.0)}
    short = "a=http://127.0.0.1:9001/v1#model-a, b=http://127.0.0.1:9002/v1#model-b"
    endpoints = load_endpoints({"TUTOR_MODELS": short}, tmp_path / "none.toml", _settings(tmp_path))
    assert [(endpoints[n].base_url, endpoints[n].model) for n in "ab"] == [
        ("http://127.0.0.1:9001/v1", "model-a"),
        ("http://127.0.0.1:9002/v1", "model-b"),
    ]


def test_environment_replaces_the_secrets_entry_of_the_same_name(tmp_path):
    secrets = write(tmp_path / "secrets.toml", ARRAY)
    env = {"TUTOR_MODELS": "local-qwen=http://127.0.0.1:9999/v1#other"}
    assert load_endpoints(env, secrets, _settings(tmp_path))["local-qwen"].model == "other"


@pytest.mark.parametrize(
    "toml,env,message",
    [
        ('[models.x]\nmodel = "m"\n', {}, "[models.x] in secrets.toml (x) is invalid: kind"),
        ('[models.x]\nbase_url = "ftp://h"\nmodel = "m"\n', {}, "must start with http://"),
        ('[models.x]\nbase_url = "http://h/v1"\n', {}, "model (the model id"),
        (
            '[models.x]\nkind = "openai"\nmodel = "m"\napi_key_env = "NOPE_KEY"\n',
            {},
            "environment variable NOPE_KEY, which is not set",
        ),
        ('[models.x]\nbase_url = "http://h/v1"\nmodel = "m"\ninput_price = 1\n', {}, "both input_price and output_price"),
        ('[models.default]\nbase_url = "http://h/v1"\nmodel = "m"\n', {}, "uses a built-in name"),
        ('[[models]]\nbase_url = "http://h/v1"\nmodel = "m"\n', {}, "[[models]] number 1 in secrets.toml has no name"),
        ('[models.x]\nbase_url = "http://h/v1"\nmodel = "m"\ncolour = "red"\n', {}, "colour: Extra inputs"),
        ("", {"TUTOR_MODELS": "[{"}, "TUTOR_MODELS is not valid JSON"),
        ("", {"TUTOR_MODELS": "just-a-name"}, "TUTOR_MODELS entry 1 ('just-a-name') is not name=URL#model-id"),
        ("", {"TUTOR_MODELS": "a=http://h/v1"}, "TUTOR_MODELS entry 'a' has no model id"),
        ("", {"TUTOR_MODELS": "a=http://h/v1#m,a=http://g/v1#m"}, "'a' is configured twice"),
    ],
)
def test_bad_entries_name_themselves(tmp_path, toml, env, message):
    secrets = write(tmp_path / "secrets.toml", toml)
    with pytest.raises(ConfigError) as caught:
        load_endpoints(env, secrets, _settings(tmp_path))
    assert message in str(caught.value)


def test_resolve_names_and_urls(tmp_path):
    settings = _settings(tmp_path)
    endpoints = load_endpoints({}, tmp_path / "none.toml", settings)
    assert resolve("embedded", endpoints, settings).kind == "embedded"
    adhoc = resolve("http://127.0.0.1:8080/v1#tiny-model", endpoints, settings)
    assert (adhoc.kind, adhoc.base_url, adhoc.model) == ("compatible", "http://127.0.0.1:8080/v1", "tiny-model")
    assert resolve("http://127.0.0.1:8080/v1", endpoints, settings).model == settings.chat_model
    with pytest.raises(ConfigError, match="No model endpoint is named 'nope'. Use one of default, embedded"):
        resolve("nope", endpoints, settings)
