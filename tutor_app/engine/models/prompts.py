"""Prompt files: YAML under ``prompts/``, validated, loaded as ChatPromptTemplates.

Each file names its role and task, declares its input variables, and lists
its messages. Templates use f-string syntax only (no Jinja from files, which
could run code), and the declared variables must equal those the messages use.
A ``PromptSource`` hands a use case the prompt to run by name: ``FilePromptSource``
(the default) reads these files; the prompt lab's database source returns an
administrator's active version instead. Use cases take a source as an argument,
so nothing here is global. This module does not decide what goes into the
variables; the use cases do.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal, Protocol

import yaml
from langchain_core.prompts import ChatPromptTemplate
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tutor_app.core.config import PROJECT_ROOT
from tutor_app.core.errors import ConfigError

PROMPTS_DIR = PROJECT_ROOT / "prompts"
# Jinja's statement and comment openers, and a ``{{ name }}`` expression (an f-string reads that as literal braces,
# so a Jinja habit would silently send "{ name }" to the model instead of the value).
_JINJA = re.compile(r"\{%|\{#|\{\{\s*[A-Za-z_][\w.]*\s*(?:\|[^{}]*)?\}\}")


class PromptMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["system", "human", "ai", "placeholder"]
    content: str = Field(min_length=1)


class PromptFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    version: int = Field(ge=1)
    role: Literal["student", "educator", "administrator"]
    description: str
    description_zh: str = ""  # shown on the Prompts page to readers of Chinese
    input_variables: list[str]
    messages: list[PromptMessage] = Field(min_length=1)

    def template(self) -> ChatPromptTemplate:
        parts = []
        for message in self.messages:
            if message.role == "placeholder":
                parts.append(("placeholder", message.content))
            else:
                parts.append((message.role, message.content))
        return ChatPromptTemplate.from_messages(parts, template_format="f-string")


_OPENAI_ROLE = {"system": "system", "human": "user", "ai": "assistant"}


def chat_messages(messages) -> list[dict]:
    """Formatted prompt messages (langchain-core's) as the chat API's role/content dicts."""
    return [{"role": _OPENAI_ROLE[m.type], "content": m.content} for m in messages]


def jinja_blocks(prompt: PromptFile) -> list[str]:
    """The Jinja-looking pieces (``{%``, ``{#``, ``{{ name }}``) in the prompt's messages, in order."""
    return [match.group(0) for message in prompt.messages for match in _JINJA.finditer(message.content)]


def parse_prompt(text: str, origin: str) -> PromptFile:
    try:
        data = yaml.safe_load(text)
        prompt = PromptFile.model_validate(data)
    except (yaml.YAMLError, ValidationError) as exc:
        raise ConfigError(
            f"Prompt file {origin} is invalid: {exc}", "Fix the file; see prompts/README.md for the format."
        ) from exc
    jinja = jinja_blocks(prompt)
    if jinja:
        raise ConfigError(
            f"Prompt file {origin} uses Jinja syntax ({jinja[0]}).",
            "Templates are f-strings: write {name} for a variable and {{ or }} for a literal brace.",
        )
    try:
        template = prompt.template()
    except ValueError as exc:  # an unbalanced brace, {0}, {a.b}: not a valid f-string template
        raise ConfigError(
            f"Prompt file {origin} has a broken template: {exc}", "Write {name} for a variable and {{ or }} for a brace."
        ) from exc
    used = set(template.input_variables) | set(template.optional_variables)
    declared = set(prompt.input_variables)
    if used != declared:
        raise ConfigError(
            f"Prompt file {origin} declares {sorted(declared)} but its messages use {sorted(used)}.",
            "Make input_variables list exactly the {names} used in the messages.",
        )
    return prompt


@lru_cache(maxsize=32)
def load_prompt(name: str, folder: Path = PROMPTS_DIR) -> PromptFile:
    path = folder / f"{name}.yaml"
    if not path.is_file():
        raise ConfigError(f"Prompt file {path} is missing.", "Restore it from the repository.")
    return parse_prompt(path.read_text(encoding="utf-8"), str(path))


def all_prompt_files(folder: Path = PROMPTS_DIR) -> list[Path]:
    return sorted(folder.glob("*.yaml"))


class PromptSource(Protocol):
    """Where a use case gets the prompt it runs."""

    def get(self, name: str) -> PromptFile: ...


class FilePromptSource:
    """The prompt files in ``folder``: the default source, and version 0 of every prompt in the lab."""

    def __init__(self, folder: Path = PROMPTS_DIR) -> None:
        self.folder = folder

    def get(self, name: str) -> PromptFile:
        return load_prompt(name, self.folder)
