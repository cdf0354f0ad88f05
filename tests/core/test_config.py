"""Settings: provider order, sources and their priority, secrets kept secret."""

import pytest

from tutor_app.core.config import load_settings
from tutor_app.core.errors import ConfigError


def test_embedded_is_the_default_without_keys(tmp_path):
    s = load_settings(env={}, secrets_file=tmp_path / "none.toml")
    assert s.provider == "embedded"
    assert s.embedder_kind == "e5"


def test_openai_key_selects_openai_and_its_embeddings(tmp_path):
    s = load_settings(env={"OPENAI_API_KEY": "sk-abc"}, secrets_file=tmp_path / "none.toml")
    assert s.provider == "openai"
    assert s.embedder_kind == "openai"


def test_compatible_base_url_keeps_bundled_embeddings(tmp_path):
    env = {"OPENAI_API_KEY": "ollama", "OPENAI_BASE_URL": "http://127.0.0.1:11434/v1"}
    s = load_settings(env=env, secrets_file=tmp_path / "none.toml")
    assert s.provider == "openai" and s.embedder_kind == "e5"


def test_azure_wins_over_openai(tmp_path):
    env = {"OPENAI_API_KEY": "sk-abc", "AZURE_OPENAI_API_KEY": "az", "AZURE_OPENAI_ENDPOINT": "https://x.openai.azure.com"}
    assert load_settings(env=env, secrets_file=tmp_path / "none.toml").provider == "azure"


def test_secrets_file_is_read_and_environment_overrides_it(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('OPENAI_API_KEY = "placeholder-from-file"\n[tutor]\ntop_k = 7\nchunk_tokens = 200\n')
    s = load_settings(env={"TUTOR_TOP_K": "3"}, secrets_file=secrets)
    assert s.openai_api_key.get_secret_value() == "placeholder-from-file"
    assert s.top_k == 3 and s.chunk_tokens == 200


def test_secrets_never_appear_in_repr_or_dump(tmp_path):
    s = load_settings(env={"OPENAI_API_KEY": "placeholder-secret-value"}, secrets_file=tmp_path / "none.toml")
    assert "placeholder-secret-value" not in repr(s)
    assert "placeholder-secret-value" not in str(s.model_dump())
    assert "placeholder-secret-value" not in s.model_dump_json()


@pytest.mark.parametrize(
    "env",
    [{"TUTOR_TOP_K": "0"}, {"TUTOR_CHUNK_TOKENS": "100", "TUTOR_CHUNK_OVERLAP": "100"}, {"TUTOR_GROUNDING_THRESHOLD": "abc"}],
)
def test_invalid_values_say_what_to_fix(tmp_path, env):
    with pytest.raises(ConfigError, match="Correct the TUTOR_"):
        load_settings(env=env, secrets_file=tmp_path / "none.toml")


def test_broken_secrets_file_is_reported(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text("OPENAI_API_KEY = \n")
    with pytest.raises(ConfigError, match="secrets.toml"):
        load_settings(env={}, secrets_file=secrets)


def test_conversation_retention_keeps_forever_by_default_and_reads_its_variable(tmp_path):
    none = tmp_path / "none.toml"
    assert load_settings(env={}, secrets_file=none).conversation_retention_days == 0
    assert load_settings(env={"TUTOR_CONVERSATION_RETENTION_DAYS": "30"}, secrets_file=none).conversation_retention_days == 30
    with pytest.raises(ConfigError, match="conversation_retention_days"):
        load_settings(env={"TUTOR_CONVERSATION_RETENTION_DAYS": "-1"}, secrets_file=none)


def test_home_from_environment_and_override(tmp_path):
    s = load_settings(env={"TUTOR_HOME": str(tmp_path / "a")}, secrets_file=tmp_path / "none.toml")
    assert s.home == tmp_path / "a"
    assert (
        load_settings(env={"TUTOR_HOME": str(tmp_path / "a")}, secrets_file=tmp_path / "none.toml", home=tmp_path / "b").home
        == tmp_path / "b"
    )


def test_answer_deadline_defaults_to_90_seconds_and_reads_its_variable(tmp_path):
    none = tmp_path / "none.toml"
    assert load_settings(env={}, secrets_file=none).answer_deadline == 90.0
    assert load_settings(env={"TUTOR_ANSWER_DEADLINE": "45"}, secrets_file=none).answer_deadline == 45.0
    with pytest.raises(ConfigError, match="answer_deadline"):
        load_settings(env={"TUTOR_ANSWER_DEADLINE": "0"}, secrets_file=none)


def test_default_waits_detect_a_silent_server_within_20_seconds(tmp_path):
    """Every attempt waits the read timeout; the SDK's backoff before the one retry is at most 0.5 s."""
    s = load_settings(env={}, secrets_file=tmp_path / "none.toml")
    assert (s.max_retries + 1) * s.stream_idle_timeout_s + 0.5 * s.max_retries <= 20
    assert (s.max_retries + 1) * s.connect_timeout_s + 0.5 * s.max_retries <= 20
