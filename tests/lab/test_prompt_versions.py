"""Prompt versions in the app database: save, number, diff, activate, roll back, export, validate; the app's source.

Runs on SQLite and, with TUTOR_TEST_POSTGRES_URL set, on PostgreSQL too (the ``db`` fixture).
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from tests.support.fakes import HashEmbedding
from tests.support.paths import write
from tests.support.scripted_server import ScriptedServer
from tutor_app.accounts.users import create_user
from tutor_app.core.config import load_settings
from tutor_app.core.database import PromptVersion
from tutor_app.core.i18n import t
from tutor_app.engine.models.prompts import FilePromptSource, parse_prompt
from tutor_app.lab import prompt_versions as pv
from tutor_app.services import build_services

FILE_RULE = "4. Keep it short and clear for a beginner, in the language the user message asks for."
TUTOR = pv.content_of(None, "student_tutor", 0)


def edited(old: str = FILE_RULE, new: str = "4. Answer in at most three sentences, in the language asked for.") -> str:
    assert old in TUTOR
    return TUTOR.replace(old, new)


def active_rows(db, name: str = "student_tutor") -> list[int]:
    with db.session() as s:
        return list(s.scalars(select(PromptVersion.version).where(PromptVersion.name == name, PromptVersion.active)))


@pytest.fixture
def admin(db):
    return create_user(db, "ada", "correct horse battery", "administrator")


def test_saving_numbers_versions_per_prompt_and_changes_nothing_live(db, admin):
    first = pv.save(db, "student_tutor", edited(), note="shorter answers", author_id=admin.id)
    second = pv.save(db, "student_tutor", edited(new="4. Be brief."), note="even shorter", author_id=admin.id)
    coach = pv.save(db, "student_coach", pv.content_of(db, "student_coach", 0) + "\n", author_id=admin.id)
    assert (first.version, second.version, coach.version) == (1, 2, 1)
    assert (first.previous, second.previous) == (0, 1)
    assert pv.active_version(db, "student_tutor") == 0 and active_rows(db) == []
    history = pv.history(db, "student_tutor")
    assert [(v.version, v.note, v.author, v.active) for v in history] == [
        (2, "even shorter", "ada", False),
        (1, "shorter answers", "ada", False),
        (0, "", "", True),
    ]
    summary = {p.name: p for p in pv.list_prompts(db)}
    assert set(summary) == {
        "student_tutor",
        "student_coach",
        "educator_lesson_plan",
        "educator_quiz",
        "educator_quiz_rewrite",
        "coverage_explain",
        "lab_model_alone",
    }
    assert (summary["student_tutor"].versions, summary["student_tutor"].active_version) == (2, 0)


def test_a_save_shows_the_unified_diff_against_the_previous_version(db, admin):
    first = pv.save(db, "student_tutor", edited(), author_id=admin.id)
    assert first.diff.startswith("--- student_tutor v0\n+++ student_tutor v1\n")
    assert f"-      {FILE_RULE}\n" in first.diff
    assert "+      4. Answer in at most three sentences, in the language asked for.\n" in first.diff
    second = pv.save(db, "student_tutor", edited(new="4. Be brief."), "- human: hi\n  ai: hello\n", author_id=admin.id)
    assert "--- student_tutor v1\n+++ student_tutor v2\n" in second.diff
    assert "-      4. Answer in at most three" in second.diff and "+      4. Be brief.\n" in second.diff
    assert "+++ student_tutor v2 examples\n" in second.diff and "+- human: hi\n" in second.diff
    # any two versions, either way round; a version against itself has no diff
    assert "+      4. Be brief.\n" in pv.diff(db, "student_tutor", 0, 2)
    assert f"+      {FILE_RULE}\n" in pv.diff(db, "student_tutor", 2, 0)
    assert pv.diff(db, "student_tutor", 1, 1) == ""


def test_activate_roll_back_to_an_older_version_and_to_the_file(db, admin):
    for note in ("one", "two", "three"):
        pv.save(db, "student_tutor", edited(new=f"4. Rule {note}."), note=note, author_id=admin.id)
    pv.activate(db, "student_tutor", 3)
    assert active_rows(db) == [3] and pv.active_version(db, "student_tutor") == 3
    pv.activate(db, "student_tutor", 1)  # roll back to an older version
    assert active_rows(db) == [1]
    assert [v.version for v in pv.history(db, "student_tutor") if v.active] == [1]
    assert next(v for v in pv.history(db, "student_tutor") if v.version == 1).activated_at is not None
    pv.activate(db, "student_tutor", 0)  # back to the file
    assert active_rows(db) == [] and pv.active_version(db, "student_tutor") == 0
    assert [v.version for v in pv.history(db, "student_tutor") if v.active] == [0]
    with pytest.raises(pv.PromptLabError, match="no version 9"):
        pv.activate(db, "student_tutor", 9)
    assert active_rows(db) == []


def test_activations_racing_each_other_leave_exactly_one_active_version(db, admin):
    for n in range(1, 4):
        pv.save(db, "student_tutor", edited(new=f"4. Rule {n}."), author_id=admin.id)
    failures = []

    def keep_activating(version: int) -> None:
        try:
            for _ in range(8):
                pv.activate(db, "student_tutor", version)
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=keep_activating, args=(v,)) for v in (1, 2, 3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert len(active_rows(db)) == 1


def test_export_gives_the_version_back_as_a_prompt_file(db, admin):
    pv.save(db, "student_tutor", edited(), author_id=admin.id)
    exported = pv.export_yaml(db, "student_tutor", 1)
    assert exported == edited()
    assert "Answer in at most three sentences" in parse_prompt(exported, "export").messages[0].content
    assert pv.export_yaml(db, "student_tutor", 0) == (FilePromptSource().folder / "student_tutor.yaml").read_text("utf-8")


@pytest.mark.parametrize(
    "content,key,shown",
    [
        (
            edited("Answer in {language}.", "Answer in {language} for {secret_level}."),
            "lab_prompts_err_unknown",
            "Unknown variable: secret_level",
        ),
        (edited("Question: {question}", "Question: {{ question }}"), "lab_prompts_err_jinja", "{{ question }}"),
        (edited("      Rules:\n", "      {% if x %}Rules:{% endif %}\n"), "lab_prompts_err_jinja", "{%"),
        (TUTOR.replace("  - role: system", "  - role: user"), "lab_prompts_err_role", "“user”"),
        (TUTOR.replace("messages:\n", "messages:\n  - role: [\n"), "lab_prompts_err_yaml", "not valid YAML"),
        (edited("input_variables: [language, passages, question, history, learner]", "input_variables: [language]"),
         "lab_prompts_err_declared", "input_variables lists language"),
        (TUTOR.replace("name: student_tutor", "name: student_coach"), "lab_prompts_err_name", "“student_coach”"),
        (edited("Question: {question}", "Question: {question"), "lab_prompts_err_template", "cannot be filled in"),
        (TUTOR + "surprise: 1\n", "lab_prompts_err_invalid", "surprise"),
    ],
    ids=["unknown-variable", "jinja-expression", "jinja-statement", "bad-role", "broken-yaml", "declared", "name",
         "brace", "extra-field"],
)  # fmt: skip
def test_an_invalid_version_is_refused_with_a_message_that_says_why_and_nothing_is_saved(db, content, key, shown):
    with pytest.raises(pv.PromptLabError) as caught:
        pv.save(db, "student_tutor", content)
    assert caught.value.key == key
    assert shown in caught.value.message("en")
    assert caught.value.message("zh") != caught.value.message("en")  # the Chinese text exists and differs
    assert pv.history(db, "student_tutor") == [pv.VersionInfo(0, "", "", None, None, True)]


def test_the_unknown_variable_is_named_in_chinese_too(db):
    content = edited("Answer in {language}.", "Answer in {language} {mood}.")
    with pytest.raises(pv.PromptLabError) as caught:
        pv.save(db, "student_tutor", content)
    assert caught.value.message("zh").startswith("未知变量：mood。")


def test_a_variable_may_be_dropped_only_when_the_request_still_reaches_the_model(db):
    no_history = TUTOR.replace('  - role: placeholder\n    content: "{history}"\n', "").replace(", history,", ",")
    assert "{history}" not in no_history
    assert pv.save(db, "student_tutor", no_history).version == 1  # the code passes history; the template may ignore it
    no_passages = TUTOR.replace("      {passages}\n", "").replace("[language, passages,", "[language,")
    with pytest.raises(pv.PromptLabError) as caught:
        pv.save(db, "student_tutor", no_passages)
    assert caught.value.key == "lab_prompts_err_required" and "passages" in caught.value.message("en")


def test_broken_examples_are_refused(db):
    with pytest.raises(pv.PromptLabError, match="worked examples are not valid"):
        pv.save(db, "student_tutor", edited(), "- human: only a question\n")
    assert pv.history(db, "student_tutor")[0].version == 0


def test_the_database_source_serves_the_active_version_within_its_refresh_time(db, admin):
    now = [100.0]
    source = pv.DatabasePromptSource(db, ttl_s=2.0, clock=lambda: now[0])
    assert source.get("student_tutor").messages[0].content == parse_prompt(TUTOR, "f").messages[0].content
    pv.save(db, "student_tutor", edited(), author_id=admin.id)
    pv.activate(db, "student_tutor", 1)
    assert FILE_RULE in source.get("student_tutor").messages[0].content  # still cached
    now[0] += 2.0
    assert "at most three sentences" in source.get("student_tutor").messages[0].content
    assert source.get("student_coach") == FilePromptSource().get("student_coach")  # no version: the file
    pv.activate(db, "student_tutor", 0)
    now[0] += 2.0
    assert FILE_RULE in source.get("student_tutor").messages[0].content


def test_an_active_version_that_no_longer_fits_the_code_falls_back_to_the_file(db):
    with db.session() as s:  # as if the file had since dropped a variable this version uses
        s.add(PromptVersion(name="student_tutor", version=1, content=edited("{learner}", "{learner} {mood}"), active=True))
    source = pv.DatabasePromptSource(db, ttl_s=0)
    assert source.get("student_tutor") == FilePromptSource().get("student_tutor")
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(PromptVersion).where(PromptVersion.active)) == 1


def test_the_tutors_generative_answer_uses_the_active_version_and_the_file_after_a_roll_back(db, admin, tmp_path):
    server = ScriptedServer(["Few-shot prompts show examples [1].", "Few-shot prompts show examples [1]."])
    env = {
        "OPENAI_API_KEY": "fake-test-key",
        "OPENAI_BASE_URL": server.url,
        "TUTOR_ANSWER_STYLE": "generative",
        **{f"TUTOR_{p}GROUNDING_{part}": "0" for p in ("", "CROSS_") for part in ("THRESHOLD", "FLOOR")},
    }
    settings = load_settings(env=env, secrets_file=tmp_path / "none.toml", home=tmp_path / "home")
    services = build_services(settings, embedder=HashEmbedding(), prompts=pv.DatabasePromptSource(db, ttl_s=0))
    lesson = "# Prompts\n\n## Few-shot prompts\nA few-shot prompt shows worked examples before the task.\n"
    assert services.ingestor.ingest_paths([write(tmp_path / "c" / "p.md", lesson)], "demo").ok
    try:
        marker = "4. Always end with the words LAB-VERSION-ONE."
        pv.save(db, "student_tutor", edited(new=marker), author_id=admin.id)
        pv.activate(db, "student_tutor", 1)
        services.tutor.ask("What is a few-shot prompt?", course="demo").text()
        pv.activate(db, "student_tutor", 0)
        services.tutor.ask("What is a few-shot prompt?", course="demo").text()
    finally:
        services.close()
        server.close()
    first, second = (request["messages"][0] for request in server.requests)
    assert first["role"] == "system" and marker in first["content"] and FILE_RULE not in first["content"]
    assert FILE_RULE in second["content"] and marker not in second["content"]


def test_every_prompt_file_passes_the_version_checks():
    for name in pv.prompt_names():
        assert pv.validate(name, pv.content_of(None, name, 0)).name == name
    assert t("lab_prompts_err_unknown", "en", names="x", allowed="y").startswith("Unknown variable: x.")


def test_a_text_box_that_drops_the_last_newline_changes_nothing_in_the_diff(tmp_path):
    from tutor_app.core.database import open_database
    from tutor_app.lab import prompt_versions as versions

    db = open_database(f"sqlite:///{tmp_path / 'lab.sqlite3'}")
    content = versions.content_of(db, "student_tutor", 0).rstrip("\n").replace("\n", "\r\n")
    examples = versions.examples_of(db, "student_tutor", 0).rstrip("\n")
    saved = versions.save(db, "student_tutor", content, examples, "same text, browser line ends")
    assert versions.diff(db, "student_tutor", 0, saved.version) == ""
