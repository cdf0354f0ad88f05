"""Prompt files: every file is valid, declares exactly what it uses, and renders as recorded."""

import pytest

from tests.support.paths import ROOT
from tutor_app.core.errors import ConfigError
from tutor_app.engine.models.prompts import all_prompt_files, load_prompt, parse_prompt

GOLDEN = ROOT / "tests" / "fixtures" / "golden"


@pytest.mark.parametrize("path", all_prompt_files(), ids=lambda p: p.name)
def test_every_prompt_file_is_valid(path):
    prompt = parse_prompt(path.read_text(encoding="utf-8"), str(path))
    assert prompt.name == path.stem
    template = prompt.template()
    assert set(template.input_variables) | set(template.optional_variables) == set(prompt.input_variables)


def test_student_tutor_renders_as_recorded():
    messages = (
        load_prompt("student_tutor")
        .template()
        .format_messages(
            language="English",
            passages='<passage n="1" lesson="L" section="S">\ntext\n</passage>',
            question="What is RAG?",
            history=[],
            learner="Not described; assume a beginner.",
        )
    )
    rendered = "\n---\n".join(f"{m.type}: {m.content}" for m in messages)
    assert rendered == (GOLDEN / "student_tutor.txt").read_text(encoding="utf-8")


def test_the_model_alone_prompt_renders_as_recorded_with_no_passages():
    messages = load_prompt("lab_model_alone").template().format_messages(language="Simplified Chinese", question="What is RAG?")
    rendered = "\n---\n".join(f"{m.type}: {m.content}" for m in messages)
    assert rendered == (GOLDEN / "lab_model_alone.txt").read_text(encoding="utf-8")
    assert "passage" not in rendered and "Answer in Simplified Chinese." in rendered


def test_unknown_keys_are_refused():
    text = "name: x\nversion: 1\nrole: student\ndescription: d\ninput_variables: []\nmessages:\n  - role: system\n    content: hi\nsurprise: 1\n"
    with pytest.raises(ConfigError, match="invalid"):
        parse_prompt(text, "x.yaml")


def test_declared_variables_must_match_used():
    text = "name: x\nversion: 1\nrole: student\ndescription: d\ninput_variables: [a]\nmessages:\n  - role: human\n    content: '{a} {b}'\n"
    with pytest.raises(ConfigError, match="declares"):
        parse_prompt(text, "x.yaml")


def test_jinja_is_not_an_option():
    text = "name: x\nversion: 1\nrole: student\ndescription: d\ninput_variables: []\ntemplate_format: jinja2\nmessages:\n  - role: system\n    content: hi\n"
    with pytest.raises(ConfigError):
        parse_prompt(text, "x.yaml")
