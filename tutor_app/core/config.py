"""Settings for the tutor, loaded once and passed to whoever needs them.

Values come, highest priority first, from explicit arguments, the process
environment (``TUTOR_*`` plus the usual OpenAI / Azure OpenAI variables), and
``.streamlit/secrets.toml``. Nothing here reads the environment at import time,
and secrets are ``SecretStr`` so they never show up in reprs or logs.
This module does not create clients or folders; see ``engine.models.chat`` and
``engine.search.index``.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from tutor_app.core.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_HOME = PROJECT_ROOT / ".tutor"

# Environment names that are not prefixed with TUTOR_ (the ecosystem's usual names).
_PLAIN_ENV = {
    "openai_api_key": "OPENAI_API_KEY",
    "openai_base_url": "OPENAI_BASE_URL",
    "azure_openai_api_key": "AZURE_OPENAI_API_KEY",
    "azure_openai_endpoint": "AZURE_OPENAI_ENDPOINT",
    "azure_openai_api_version": "OPENAI_API_VERSION",
    "azure_openai_deployment": "AZURE_OPENAI_DEPLOYMENT",
}


class Provider(StrEnum):
    """Who answers. String-valued, so it compares, prints and serialises as its name."""

    AZURE = "azure"
    OPENAI = "openai"  # OpenAI itself, or any compatible server at openai_base_url
    EMBEDDED = "embedded"  # the llama.cpp server the app starts itself

    @property
    def is_embedded(self) -> bool:
        return self is Provider.EMBEDDED


class Settings(BaseModel):
    """Every knob of the tutor, with defaults that work offline."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    home: Path = DEFAULT_HOME
    # --- language model ---
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    azure_openai_api_key: SecretStr | None = None
    azure_openai_endpoint: str | None = None
    azure_openai_api_version: str = "2024-10-21"
    azure_openai_deployment: str | None = None
    chat_model: str = "gpt-4o-mini"
    embedded_model_path: Path | None = None  # a GGUF file; default: SmolLM2-135M-Instruct, unpacked by set-up
    # The embedded server answers embedded_parallel requests at once (continuous batching), each in
    # its own slot of embedded_context tokens. Measured on 2 cores (benchmarks/model_server.py):
    # 8 slots give 8 learners their first token in under a second where 4 slots make half of
    # them wait ~2.5 s, for ~630 MB in all with SmolLM2-135M. Lower it for a bigger GGUF model.
    embedded_context: int = Field(default=2048, ge=512)
    embedded_parallel: int = Field(default=8, ge=1, le=32)
    embedded_threads: int = Field(default=0, ge=0, le=256)  # 0: one per core
    embedded_port: int = Field(default=0, ge=0, le=65535)  # 0: pick a free port
    embedded_start_timeout_s: float = Field(default=60.0, gt=0)
    # Bounded waits (engine/models/transport.py, ``make_client``). The SDK gives every attempt the same
    # timeouts and retries timeouts too, so a server that accepts the connection and sends nothing
    # fails after (max_retries + 1) x stream_idle_timeout_s plus the backoff (at most 0.5 s before
    # the first retry): 2 x 9 + 0.5 = 18.5 s, within the 20 s a learner should wait to hear the model is down.
    connect_timeout_s: float = Field(default=5.0, gt=0)
    read_timeout_s: float = Field(default=60.0, gt=0)  # unused: stream_idle_timeout_s is the read timeout
    stream_idle_timeout_s: float = Field(default=9.0, gt=0)  # for the first byte and between streamed chunks
    max_retries: int = Field(default=1, ge=0, le=6)
    # The whole answer, first byte to last token, in seconds (TUTOR_ANSWER_DEADLINE): past it the
    # stream is closed and the text so far is kept, marked as cut by the deadline. A timer closes the
    # connection at the deadline itself, so a slow server cannot stretch it by a chunk's wait.
    answer_deadline: float = Field(default=90.0, gt=0)
    max_answer_tokens: int = Field(default=512, ge=16)
    temperature: float = Field(default=0.2, ge=0, le=2)
    # How answers are written: "extractive" quotes the course's own sentences (nothing the language
    # model wrote reaches the learner), "generative" lets the model write, with a claim check.
    # "auto": extractive on the built-in small model, generative on a configured provider or a
    # GGUF file of the user's own (TUTOR_EMBEDDED_MODEL_PATH).
    answer_style: Literal["auto", "extractive", "generative"] = "auto"
    # --- retrieval ---
    embedder: Literal["auto", "e5", "openai"] = "auto"
    openai_embedding_model: str = "text-embedding-3-small"
    chroma_url: str | None = None  # e.g. http://chroma.internal:8000 -> HttpClient
    collection: str = "course"
    chunk_tokens: int = Field(default=350, ge=50, le=2000)
    chunk_overlap: int = Field(default=50, ge=0)
    top_k: int = Field(default=5, ge=1, le=50)
    bilingual_search: bool = True  # add glossary/dictionary translations to keyword queries
    # Grounding (tutor_app/retrieval.py): evidence = the best passage's cosine similarity +
    # grounding_coverage_weight x the share of the question's content terms in the top 5 passages.
    # The course's off-topic level is the mean evidence of the anchor questions in
    # grounding_anchors (same language as the question) searched in the same course. Covered when
    # the similarity reaches grounding_threshold, or reaches grounding_floor while the evidence is
    # at least grounding_margin above the off-topic level. cross_*: the best passage is in the other
    # language. Chosen by `benchmarks/grounding.py --calibrate` on lessons-01-04.yaml and
    # off-topic.yaml only (held-out figures: README, "Grounding calibration").
    grounding_threshold: float = Field(default=0.93, ge=0, le=1)
    grounding_floor: float = Field(default=0.80, ge=0, le=1)
    grounding_margin: float = Field(default=0.052, ge=-1, le=1)
    grounding_coverage_weight: float = Field(default=0.1, ge=0, le=1)
    cross_grounding_threshold: float = Field(default=0.87, ge=0, le=1)
    cross_grounding_floor: float = Field(default=0.75, ge=0, le=1)
    cross_grounding_margin: float = Field(default=0.036, ge=-1, le=1)
    grounding_anchors: Path | None = PROJECT_ROOT / "data" / "questions" / "off-topic.yaml"
    context_tokens: int = Field(default=1800, ge=200)
    # The embedded model reads prompts at about 230 tokens/s on 2 cores: a short context keeps the
    # first token under 2 s. Every retrieved passage is still shown to the learner as a source.
    embedded_context_tokens: int = Field(default=200, ge=100)
    query_max_tokens: int = Field(default=256, ge=16)
    # --- app database ---
    # Any SQLAlchemy URL (postgresql+psycopg://user:password@host/db for several app servers);
    # unset means an SQLite file in TUTOR_HOME. Secret, because a URL may carry a password.
    database_url: SecretStr | None = None
    # --- sign-in ---
    # "local": accounts with passwords in the app database. "oidc": Streamlit's st.login with the
    # identity provider configured under [auth] in .streamlit/secrets.toml (local sign-in stays
    # available for the administrator created at first run).
    sign_in: Literal["local", "oidc"] = "local"
    oidc_provider: str | None = None  # a named provider, [auth.<name>]; None uses [auth] itself
    # --- first start ---
    sample_course: bool = True  # index data/course in the background when the app starts on an empty index
    # --- safety ---
    # The help lines named in the caring reply to a self-harm disclosure, per language (YAML). The
    # bundled file holds defaults the school must check and replace with its own.
    help_lines_file: Path = PROJECT_ROOT / "data" / "safety" / "help_lines.yaml"
    # --- privacy ---
    # Conversations with no activity for this many days are deleted (with their messages and ratings)
    # when the app starts and by `python -m tutor_app purge-conversations`. 0 keeps them forever.
    conversation_retention_days: int = Field(default=0, ge=0)
    # --- input limits ---
    max_file_mb: float = Field(default=20.0, gt=0)

    @field_validator("chunk_overlap")
    @classmethod
    def _overlap_below_size(cls, value: int, info) -> int:
        size = info.data.get("chunk_tokens", 350)
        if value >= size:
            raise ValueError(f"chunk_overlap ({value}) must be smaller than chunk_tokens ({size})")
        return value

    @property
    def provider(self) -> Provider:
        """Azure OpenAI settings win, then an OpenAI key, then the embedded server."""
        if self.azure_openai_api_key and self.azure_openai_endpoint:
            return Provider.AZURE
        if self.openai_api_key:
            return Provider.OPENAI
        return Provider.EMBEDDED

    @property
    def effective_answer_style(self) -> Literal["extractive", "generative"]:
        if self.answer_style != "auto":
            return self.answer_style
        return "extractive" if self.provider.is_embedded and self.embedded_model_path is None else "generative"

    @property
    def embedder_kind(self) -> Literal["e5", "openai"]:
        if self.embedder == "auto":
            # A compatible server (Ollama, vLLM) may not serve OpenAI's embedding models,
            # so "auto" only picks OpenAI embeddings for OpenAI itself.
            return "openai" if self.provider is Provider.OPENAI and not self.openai_base_url else "e5"
        return self.embedder

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    def with_home(self, home: Path | str) -> Settings:
        return self.model_copy(update={"home": Path(home)})


def _read_secrets_file(path: Path) -> dict[str, object]:
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(
            f"Cannot read {path}: {exc}.",
            "Fix the TOML syntax (see .streamlit/secrets.toml.example) or remove the file.",
        ) from exc
    # Accept both flat keys and a [tutor] table; key names match Settings fields or env names.
    flat = {k: v for k, v in data.items() if not isinstance(v, dict)}
    flat.update(data.get("tutor", {}) if isinstance(data.get("tutor"), dict) else {})
    return {k.lower(): v for k, v in flat.items()}


def _from_environment(env: Mapping[str, str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for field in Settings.model_fields:
        name = "TUTOR_" + field.upper()
        if env.get(name):
            values[field] = env[name]
    for field, name in _PLAIN_ENV.items():
        if env.get(name) and field not in values:
            values[field] = env[name]
    return values


def load_settings(
    env: Mapping[str, str] | None = None,
    secrets_file: Path | None = None,
    **overrides: object,
) -> Settings:
    """Build Settings from secrets.toml < environment < explicit overrides."""
    env = os.environ if env is None else env
    secrets_file = secrets_file or PROJECT_ROOT / ".streamlit" / "secrets.toml"
    values: dict[str, object] = {}
    for key, value in _read_secrets_file(secrets_file).items():
        field = next((f for f, n in _PLAIN_ENV.items() if n.lower() == key), key.removeprefix("tutor_"))
        if field in Settings.model_fields:
            values[field] = value
    values.update(_from_environment(env))
    values.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return Settings(**values)
    except ValueError as exc:
        raise ConfigError(f"Invalid settings: {exc}", "Correct the TUTOR_* variable or secrets.toml entry named above.") from exc
