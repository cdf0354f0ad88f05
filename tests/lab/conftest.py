"""The lab's tests: a two-lesson course in a real index (fast fake embedder) and the Lab over it."""

import pytest

from tests.support.lab_servers import LabServer
from tests.support.paths import write
from tutor_app.lab.compare import Lab

LESSON_PROMPTS = """---
id: lesson-prompts
title: Prompt basics
lang: en
---
# Prompt basics

## Few-shot prompts
A few-shot prompt places worked examples before the real input so the model copies their format.

## Temperature
Temperature sets how random the sampled tokens are; a low temperature gives repeatable answers.
"""
LESSON_TOKENS = """---
id: lesson-tokens
title: Tokens
lang: en
---
# Tokens

## Counting tokens
A tokenizer cuts text into tokens; the price of a request grows with the number of tokens it sends.
"""


@pytest.fixture
def lab(fake_services, tmp_path):
    write(tmp_path / "course" / "prompts.md", LESSON_PROMPTS)
    write(tmp_path / "course" / "tokens.md", LESSON_TOKENS)
    assert fake_services.ingestor.ingest_paths([tmp_path / "course"], "demo").ok
    made = Lab(fake_services.settings, fake_services.retriever)
    yield made
    made.close()


@pytest.fixture
def servers():
    started = []

    def start(*args, **kwargs) -> LabServer:
        started.append(LabServer(*args, **kwargs))
        return started[-1]

    yield start
    for server in started:
        server.close()
