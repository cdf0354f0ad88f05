"""Prompt files: YAML under ``prompts/``, validated, loaded as ChatPromptTemplates.

Each file names its role and task, declares its input variables, and lists
its messages. Templates use f-string syntax only (no Jinja from files, which
could run code), and the declared variables must equal those the messages use.
This module does not decide what goes into the variables; the use cases do.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from langchain_core.prompts import ChatPromptTemplate
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tutor_app.core.config import PROJECT_ROOT
from tutor_app.core.errors import ConfigError

PROMPTS_DIR = PROJECT_ROOT / "prompts"


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


def parse_prompt(text: str, origin: str) -> PromptFile:
    try:
        data = yaml.safe_load(text)
        prompt = PromptFile.model_validate(data)
    except (yaml.YAMLError, ValidationError) as exc:
        raise ConfigError(
            f"Prompt file {origin} is invalid: {exc}", "Fix the file; see prompts/README.md for the format."
        ) from exc
    used = set(prompt.template().input_variables) | {v for v in prompt.template().optional_variables}
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
