"""The prompt test bench: render a prompt version with worked examples, run it on model endpoints, side by side.

``render`` fills a prompt with sample inputs and puts zero, one or several
worked examples (human/ai pairs) just before the final human message, which is
how a few-shot prompt shows the model the answer wanted. ``run_bench`` sends
each version's messages to each endpoint (one or two: a base URL + model +
optional key, or the app's own model) and returns every output with its prompt
and completion tokens (the server's count, else tiktoken's, marked estimated)
and seconds. A failing endpoint is a failed run with its reason, not an error.
Nothing here stores a version or changes what learners see; ``prompt_versions``
does that, and only on activation.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import openai
import yaml

from tutor_app.core.config import Settings
from tutor_app.core.database import Database
from tutor_app.core.endpoints import DEFAULT_NAME, resolve
from tutor_app.core.errors import TutorError
from tutor_app.engine.answers.passages import pack_passages
from tutor_app.engine.models.chat import ChatModel, OpenAIChat
from tutor_app.engine.models.prompts import FilePromptSource, PromptFile, chat_messages
from tutor_app.engine.tokens import count_tokens
from tutor_app.lab.prompt_versions import (
    ExamplesFile,
    PromptLabError,
    WorkedExample,
    content_of,
    examples_file,
    examples_of,
    parse_examples,
    validate,
)

MAX_TOKENS = 300
# Which sample input says what the passages should be about, in the order tried.
_TOPIC_INPUTS = ("question", "topic", "objective", "exercise")


@dataclass(frozen=True)
class Variant:
    """One prompt version on the bench: its number (0: the file), the prompt and its worked examples."""

    version: int
    prompt: PromptFile
    examples: list[WorkedExample]


@dataclass(frozen=True)
class Endpoint:
    """A model to run on: a label for the page and a factory (called once per bench run) for the chat model."""

    label: str
    factory: Callable[[], ChatModel]


@dataclass
class BenchRun:
    version: int
    endpoint: str
    text: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    error: str = ""
    estimated: bool = False  # the server sent no usage: tokens counted with tiktoken (cl100k)
    messages: list[dict] | None = None


def load_variant(db: Database, name: str, version: int, files: FilePromptSource | None = None) -> Variant:
    """Version ``version`` of prompt ``name`` (0: the file) with its examples, validated as on saving."""
    files = files or FilePromptSource()
    prompt = validate(name, content_of(db, name, version, files), files)
    return Variant(version, prompt, parse_examples(examples_of(db, name, version, files)))


def sample_inputs(name: str, files: FilePromptSource | None = None) -> dict:
    """The bench's starting inputs for ``name``: from ``prompts/examples/<name>.yaml``, else neutral values."""
    files = files or FilePromptSource()
    return default_inputs(files.get(name), examples_file(name, files.folder))


def parse_inputs(text: str) -> dict:
    """Sample inputs typed in the page: a YAML mapping of variable to value."""
    try:
        data = yaml.safe_load(text or "") or {}
    except yaml.YAMLError as exc:
        raise PromptLabError.of("lab_prompts_err_inputs_yaml", detail=" ".join(str(exc).split())[:200]) from exc
    if not isinstance(data, dict):
        raise PromptLabError.of("lab_prompts_err_inputs_yaml", detail="not a mapping")
    return {str(key): value for key, value in data.items()}


def default_inputs(prompt: PromptFile, examples: ExamplesFile) -> dict:
    """Sample inputs for every variable: the examples file's, else a neutral value (history: none)."""
    values = {}
    for name in prompt.input_variables:
        if name in examples.inputs:
            values[name] = examples.inputs[name]
        elif name == "history":
            values[name] = []
        elif name == "language":
            values[name] = "English"
        else:
            values[name] = f"({name})"
    return values


def passages_from_course(inputs: dict, retriever, course: str | None, budget_tokens: int = 600) -> dict:
    """``inputs`` with ``passages`` retrieved from the course for its question (or topic...); unchanged without one."""
    query = next((str(inputs[k]) for k in _TOPIC_INPUTS if str(inputs.get(k) or "").strip()), "")
    if "passages" not in inputs or not query:
        return inputs
    hits = retriever.search(query, course=course).hits
    if not hits:
        return inputs
    text, _ = pack_passages(hits, budget_tokens)
    return {**inputs, "passages": text}


def render(prompt: PromptFile, inputs: dict, examples: list[WorkedExample], shots: int) -> list[dict]:
    """The chat messages of ``prompt`` filled with ``inputs``, with the first ``shots`` examples (-1: all) before
    the last human message (after the system message and any history)."""
    missing = sorted(set(prompt.input_variables) - set(inputs))
    if missing:
        raise PromptLabError.of("lab_prompts_err_inputs", names=", ".join(missing))
    values = {name: inputs[name] for name in prompt.input_variables}
    if "history" in values:
        values["history"] = [tuple(turn) for turn in values["history"] or []]
    try:
        messages = chat_messages(prompt.template().format_messages(**values))
    except (ValueError, TypeError, KeyError) as exc:
        raise PromptLabError.of("lab_prompts_err_template", detail=str(exc)[:300]) from exc
    last_human = max((i for i, m in enumerate(messages) if m["role"] == "user"), default=len(messages))
    pairs = [
        message
        for example in (examples if shots < 0 else examples[:shots])
        for message in ({"role": "user", "content": example.human}, {"role": "assistant", "content": example.ai})
    ]
    return messages[:last_human] + pairs + messages[last_human:]


def url_endpoint(settings: Settings, base_url: str, model: str, key: str = "") -> Endpoint:
    """Any OpenAI-compatible server, with the app's timeouts and retries (the key may be empty for local servers)."""
    base_url, model = base_url.strip(), model.strip()
    if not base_url.startswith(("http://", "https://")) or not model:
        raise PromptLabError.of("lab_prompts_err_endpoint")

    def factory() -> ChatModel:
        timeout = openai.Timeout(connect=settings.connect_timeout_s, read=settings.stream_idle_timeout_s, write=30.0, pool=10.0)
        client = openai.OpenAI(
            api_key=key.strip() or "no-key", base_url=base_url, timeout=timeout, max_retries=settings.max_retries
        )
        return OpenAIChat(client, model, model, "openai-compatible", settings.temperature, deadline_s=settings.answer_deadline)

    return Endpoint(f"{model} @ {base_url}", factory)


def app_endpoint(label: str, chat_model: Callable[[], ChatModel]) -> Endpoint:
    """The app's own model (``Services.chat_model``)."""
    return Endpoint(label, chat_model)


def configured_endpoints(
    specs: list[str], configured: dict, lab, app_chat_model: Callable[[], ChatModel], settings: Settings | None = None
) -> list[Endpoint]:
    """Named endpoints (``core.endpoints``) or ``URL#model-id`` specs as bench endpoints: "default" is the app's own
    model (sharing its embedded server), the others are built by the compare ``Lab`` (close it after the run)."""
    found = []
    for spec in specs:
        endpoint = resolve(spec, configured, settings)
        if endpoint.name == DEFAULT_NAME:
            found.append(app_endpoint(DEFAULT_NAME, app_chat_model))
        else:
            found.append(Endpoint(endpoint.name, lambda e=endpoint: lab.chat_model(e)))
    return found


def run_bench(
    variants: list[Variant], endpoints: list[Endpoint], inputs: dict, shots: int, max_tokens: int = MAX_TOKENS
) -> list[BenchRun]:
    """Every variant on every endpoint, in that order (rendering errors raise before any model is called)."""
    rendered = [(variant, render(variant.prompt, inputs, variant.examples, shots)) for variant in variants]
    runs = []
    for endpoint in endpoints:
        try:
            model = endpoint.factory()
        except TutorError as exc:
            runs += [BenchRun(v.version, endpoint.label, error=str(exc), messages=m) for v, m in rendered]
            continue
        for variant, messages in rendered:
            began = time.monotonic()
            answer = model.complete(messages, max_tokens)
            run = BenchRun(variant.version, endpoint.label, answer.text, messages=messages)
            run.seconds = time.monotonic() - began
            run.error = "" if answer.complete else answer.error or "the answer was cut short"
            run.prompt_tokens, run.completion_tokens = answer.prompt_tokens, answer.completion_tokens
            if not run.prompt_tokens:
                run.estimated = True
                run.prompt_tokens = sum(count_tokens(m["content"]) for m in messages)
                run.completion_tokens = count_tokens(answer.text)
            runs.append(run)
    return runs
