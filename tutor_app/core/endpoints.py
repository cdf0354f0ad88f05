"""Model endpoints for the lab: a named list of models to compare, read from secrets and the environment.

Sources, later ones replacing an entry of the same name:
- ``.streamlit/secrets.toml``: ``[models.NAME]`` sub-tables, or a ``[[models]]`` array whose entries carry ``name``;
- ``TUTOR_MODELS``: a JSON list of the same objects, or the short form ``name=URL#model-id,name2=URL2#model-id``
  (OpenAI-compatible servers without a key).
Each entry: ``kind`` (``openai``, ``azure``, ``compatible`` or ``embedded``; ``compatible`` when only a
``base_url`` is given), ``base_url``, ``model``, a key as ``api_key`` or as ``api_key_env`` (the NAME of an
environment variable, so the list itself holds no secret), ``api_version`` (Azure), and prices in US dollars per
1M tokens (``input_price``, ``output_price``). Two endpoints always exist: ``default`` (the app's own
configured model) and ``embedded`` (the built-in model). ``resolve`` turns a command-line ``--model`` value (a name,
or ``http://host:port/v1#model-id``) into an endpoint. Every mistake is a ``ConfigError`` naming the entry.
This module reads configuration only; it does not connect to any server (``lab.compare`` does).
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

from tutor_app.core.config import PROJECT_ROOT, Provider, Settings
from tutor_app.core.errors import ConfigError

Kind = Literal["openai", "azure", "compatible", "embedded"]
DEFAULT_NAME = "default"
EMBEDDED_NAME = "embedded"
RESERVED = (DEFAULT_NAME, EMBEDDED_NAME)
ENV_NAME = "TUTOR_MODELS"
_FIX = "See the [models] part of .streamlit/secrets.toml.example and README (Settings, model endpoints)."


class Endpoint(BaseModel):
    """One model to ask: where it is, which model, how it is paid for."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/#@-]{0,99}$")
    kind: Kind
    base_url: str | None = None
    model: str = ""
    api_key: SecretStr | None = None
    api_version: str | None = None
    input_price: float | None = Field(default=None, ge=0)  # USD per 1M prompt tokens
    output_price: float | None = Field(default=None, ge=0)  # USD per 1M completion tokens

    @model_validator(mode="after")
    def _complete(self) -> Endpoint:
        if self.base_url is not None and not re.match(r"^https?://[^\s/]+", self.base_url):
            raise ValueError(f"base_url {self.base_url!r} must start with http:// or https://")
        if self.kind in ("compatible", "azure") and not self.base_url:
            raise ValueError(f"a {self.kind} endpoint needs a base_url")
        if self.kind == "azure" and not (self.api_key and self.model):
            raise ValueError("an azure endpoint needs api_key (or api_key_env) and model (the deployment name)")
        if self.kind == "openai" and not self.api_key:
            raise ValueError("an openai endpoint needs api_key (or api_key_env)")
        if self.kind != "embedded" and not self.model:
            raise ValueError("model (the model id the server serves) is missing")
        if (self.input_price is None) != (self.output_price is None):
            raise ValueError("give both input_price and output_price, or neither")
        return self

    @property
    def prices(self) -> dict[str, tuple[float, float]] | None:
        """A price table for ``pricing.estimate_cost``; None: the built-in list prices."""
        if self.input_price is None or self.output_price is None:
            return None
        return {self.model: (self.input_price, self.output_price)}

    @property
    def where(self) -> str:
        return self.base_url or self.kind


def _entry(raw: object, origin: str, env: Mapping[str, str], name: str | None = None) -> Endpoint:
    """One endpoint from a table or JSON object; ``origin`` says where it was written."""
    if not isinstance(raw, Mapping):
        raise ConfigError(f"The model entry {origin} is not a table of settings.", _FIX)
    data = dict(raw)
    if name is not None:
        data.setdefault("name", name)
    label = f"{origin} ({data.get('name', 'no name')})"
    if not data.get("name"):
        raise ConfigError(f"The model entry {origin} has no name.", 'Add name = "..." to it. ' + _FIX)
    if str(data["name"]) in RESERVED:
        raise ConfigError(
            f"The model entry {label} uses a built-in name.",
            f"Choose another name: {', '.join(RESERVED)} are the app's own model and the built-in model.",
        )
    key_env = data.pop("api_key_env", None)
    if key_env:
        if not env.get(str(key_env)):
            raise ConfigError(
                f"The model entry {label} reads its key from the environment variable {key_env}, which is not set.",
                f"Set {key_env}, or remove api_key_env from the entry.",
            )
        data["api_key"] = env[str(key_env)]
    if "kind" not in data and data.get("base_url"):
        data["kind"] = "compatible"
    try:
        return Endpoint.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'entry'}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"The model entry {label} is invalid: {problems}.", _FIX) from None


def _from_secrets(path: Path, env: Mapping[str, str]) -> list[Endpoint]:
    if not path.is_file():
        return []
    try:
        models = tomllib.loads(path.read_text(encoding="utf-8")).get("models")
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"Cannot read {path}: {exc}.", "Fix the TOML syntax (see .streamlit/secrets.toml.example).") from exc
    if models is None:
        return []
    if isinstance(models, list):  # [[models]] with a name each
        return [_entry(item, f"[[models]] number {n} in {path.name}", env) for n, item in enumerate(models, 1)]
    if isinstance(models, Mapping):  # [models.NAME]
        return [_entry(item, f"[models.{name}] in {path.name}", env, name) for name, item in models.items()]
    raise ConfigError(f"models in {path.name} must be [models.NAME] tables or a [[models]] array.", _FIX)


def parse_short(spec: str, name: str, default_model: str = "", origin: str = "") -> Endpoint:
    """``URL#model-id`` (or just ``URL``, then ``default_model``) as a keyless OpenAI-compatible endpoint."""
    url, _, model = spec.strip().partition("#")
    if not (model.strip() or default_model):
        raise ConfigError(f"{origin or repr(spec)} has no model id.", "Write name=URL#model-id.")
    return _entry(
        {"name": name, "kind": "compatible", "base_url": url.strip().rstrip("/"), "model": model.strip() or default_model},
        origin or repr(spec),
        {},
    )


def _from_environment(env: Mapping[str, str]) -> list[Endpoint]:
    text = (env.get(ENV_NAME) or "").strip()
    if not text:
        return []
    if text.startswith("["):
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(
                f"{ENV_NAME} is not valid JSON: {exc}.", "Write a JSON list of objects, or name=URL#model,..."
            ) from None
        if not isinstance(items, list):
            raise ConfigError(f"{ENV_NAME} must be a JSON list.", _FIX)
        return [_entry(item, f"{ENV_NAME} item {n}", env) for n, item in enumerate(items, 1)]
    endpoints = []
    for n, part in enumerate(p for p in text.split(",") if p.strip()):
        name, sep, spec = part.partition("=")
        if not sep or not name.strip() or not spec.strip():
            raise ConfigError(f"{ENV_NAME} entry {n + 1} ({part.strip()!r}) is not name=URL#model-id.", _FIX)
        endpoints.append(parse_short(spec, name.strip(), origin=f"{ENV_NAME} entry {name.strip()!r}"))
    return endpoints


def default_endpoint(settings: Settings) -> Endpoint:
    """The app's own configured model as an endpoint (its key stays a secret)."""
    provider = settings.provider
    if provider is Provider.AZURE:
        return Endpoint(
            name=DEFAULT_NAME,
            kind="azure",
            base_url=settings.azure_openai_endpoint,
            model=settings.azure_openai_deployment or settings.chat_model,
            api_key=settings.azure_openai_api_key,
            api_version=settings.azure_openai_api_version,
        )
    if provider is Provider.OPENAI:
        kind = "compatible" if settings.openai_base_url else "openai"
        return Endpoint(
            name=DEFAULT_NAME,
            kind=kind,
            base_url=settings.openai_base_url,
            model=settings.chat_model,
            api_key=settings.openai_api_key,
        )
    return Endpoint(name=DEFAULT_NAME, kind="embedded")


def load_endpoints(
    env: Mapping[str, str] | None = None, secrets_file: Path | None = None, settings: Settings | None = None
) -> dict[str, Endpoint]:
    """Every endpoint by name: ``default``, ``embedded``, then the secrets file's, then ``TUTOR_MODELS``'s."""
    env = os.environ if env is None else env
    secrets_file = secrets_file or PROJECT_ROOT / ".streamlit" / "secrets.toml"
    settings = settings or Settings()
    found: dict[str, Endpoint] = {
        DEFAULT_NAME: default_endpoint(settings),
        EMBEDDED_NAME: Endpoint(name=EMBEDDED_NAME, kind="embedded"),
    }
    for source in (_from_secrets(secrets_file, env), _from_environment(env)):
        seen: set[str] = set()
        for endpoint in source:
            if endpoint.name in seen:
                raise ConfigError(f"The model name {endpoint.name!r} is configured twice in one place.", "Rename one of them.")
            seen.add(endpoint.name)
            found[endpoint.name] = endpoint  # the environment replaces the secrets file's entry of the same name
    return found


def resolve(spec: str, endpoints: Mapping[str, Endpoint], settings: Settings | None = None) -> Endpoint:
    """A ``--model`` value: an endpoint name, or a base URL with an optional ``#model-id`` (else the chat model setting)."""
    spec = (spec or "").strip()
    if spec in endpoints:
        return endpoints[spec]
    if re.match(r"^https?://", spec):
        return parse_short(spec, spec.split("://", 1)[1][:100], (settings or Settings()).chat_model)
    raise ConfigError(
        f"No model endpoint is named {spec!r}.",
        f"Use one of {', '.join(sorted(endpoints))}, or a URL such as http://127.0.0.1:8080/v1#model-id.",
    )


def configured_prices(endpoints: Mapping[str, Endpoint]) -> dict[str, tuple[float, float]]:
    """The prices the configured endpoints carry, by model id (for the tokens page's cost table)."""
    table: dict[str, tuple[float, float]] = {}
    for endpoint in endpoints.values():
        table.update(endpoint.prices or {})
    return table
