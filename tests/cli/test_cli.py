"""The command line's contracts (DESIGN.md): ingest, search --json, ask --json, exit codes."""

import json

import pytest

from tests.support.paths import write
from tutor_app.cli.main import EXIT_INDEX_UNAVAILABLE, main

pytestmark = pytest.mark.slow


@pytest.fixture
def course(tmp_path):
    write(
        tmp_path / "course" / "en" / "a.md",
        "# Prompts\n\n## Few-shot\nA few-shot prompt includes worked examples before the task.\n",
    )
    write(tmp_path / "course" / "zh" / "a.md", "# 提示\n\n## 少样本\n少样本提示在任务之前给出几个示例。\n")
    return tmp_path / "course"


def test_ingest_then_search_json(course, isolated_home, capsys):
    assert main(["--home", str(isolated_home), "ingest", str(course), "--course", "demo"]) == 0
    out = capsys.readouterr()
    assert "2 file(s) indexed" in out.out
    assert main(["--home", str(isolated_home), "ingest", str(course), "--course", "demo"]) == 0
    assert "0 file(s) indexed, 2 unchanged" in capsys.readouterr().out
    assert main(["--home", str(isolated_home), "search", "few-shot examples", "--k", "2", "--course", "demo", "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert hits[0]["source"] == "en/a.md" and hits[0]["heading"] == "Few-shot"
    assert {"source", "heading", "score", "lang", "text"} <= set(hits[0])
    assert hits[0]["score"] >= hits[-1]["score"]


def test_ingest_exit_code_says_something_failed(course, isolated_home, capsys):
    write(course / "bad.pdf", b"%PDF-1.7 not really")
    assert main(["--home", str(isolated_home), "ingest", str(course), "--course", "demo"]) == 1
    captured = capsys.readouterr()
    assert "bad.pdf" in captured.err and "2 file(s) indexed" in captured.out


def test_single_file_source_is_its_name(course, isolated_home, capsys):
    main(["--home", str(isolated_home), "ingest", str(course / "en" / "a.md"), "--course", "demo"])
    capsys.readouterr()
    main(["--home", str(isolated_home), "search", "few-shot", "--json"])
    assert json.loads(capsys.readouterr().out)[0]["source"] == "a.md"


def test_ask_json_not_covered_needs_no_model(course, isolated_home, capsys, monkeypatch):
    for name in ("GROUNDING_THRESHOLD", "GROUNDING_FLOOR", "CROSS_GROUNDING_THRESHOLD", "CROSS_GROUNDING_FLOOR"):
        monkeypatch.setenv(f"TUTOR_{name}", "0.99")
    main(["--home", str(isolated_home), "ingest", str(course), "--course", "demo"])
    capsys.readouterr()
    assert main(["--home", str(isolated_home), "ask", "How do I change a car tyre?", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["grounded"] is False and answer["citations"] == [] and "does not cover" in answer["answer"]
    assert {"answer", "citations", "model", "grounded"} <= set(answer)


def test_ask_json_with_a_dead_model_server_keeps_the_passages(course, isolated_home, capsys, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")  # nothing listens on the discard port
    for name in ("GROUNDING_THRESHOLD", "GROUNDING_FLOOR", "CROSS_GROUNDING_THRESHOLD", "CROSS_GROUNDING_FLOOR"):
        monkeypatch.setenv(f"TUTOR_{name}", "0")
    monkeypatch.setenv("TUTOR_MAX_RETRIES", "0")
    main(["--home", str(isolated_home), "ingest", str(course), "--course", "demo"])
    capsys.readouterr()
    code = main(["--home", str(isolated_home), "ask", "What is a few-shot prompt?", "--json"])
    answer = json.loads(capsys.readouterr().out)
    assert code == 3 and answer["complete"] is False
    assert "Cannot reach the model server" in answer["error"]
    assert answer["citations"] and answer["citations"][0]["source"]
    assert "test-key" not in json.dumps(answer)


def test_errors_exit_non_zero_with_a_fix(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["--home", str(blocker / "home"), "search", "x"]) == EXIT_INDEX_UNAVAILABLE
    assert "TUTOR_HOME" in capsys.readouterr().err


def test_empty_query_exits_non_zero(course, isolated_home, capsys):
    assert main(["--home", str(isolated_home), "search", " "]) == 2
    assert "empty" in capsys.readouterr().err


def test_users_add_creates_a_hashed_account(isolated_home, capsys):
    from tutor_app.accounts.users import authenticate
    from tutor_app.core.config import load_settings
    from tutor_app.core.database import User, default_database_url, open_database

    assert (
        main(
            [
                "--home",
                str(isolated_home),
                "users",
                "add",
                "head_admin",
                "--role",
                "administrator",
                "--password",
                "a long password",
            ]
        )
        == 0
    )
    assert "Created administrator 'head_admin'" in capsys.readouterr().out
    db = open_database(default_database_url(load_settings(home=isolated_home)))
    assert authenticate(db, "head_admin", "a long password").role == "administrator"
    with db.session() as s:
        stored = s.query(User).one().password_hash
    assert stored.startswith("$argon2") and "a long password" not in stored
    assert main(["--home", str(isolated_home), "users", "add", "x", "--password", "short"]) == 2


def test_purge_conversations_uses_the_setting_or_days(isolated_home, capsys, monkeypatch):
    from datetime import timedelta

    from tutor_app.accounts.users import create_user
    from tutor_app.core.config import load_settings
    from tutor_app.core.database import Conversation, default_database_url, open_database, utcnow
    from tutor_app.tutoring.conversations import ConversationStore

    db = open_database(default_database_url(load_settings(home=isolated_home)))
    store = ConversationStore(db)
    user = create_user(db, "dana", "a long password", "student")
    old, new = store.create(user.id, "genai", "old").id, store.create(user.id, "genai", "new").id
    with db.session() as s:
        s.get(Conversation, old).updated_at = utcnow() - timedelta(days=10)
    assert main(["--home", str(isolated_home), "purge-conversations"]) == 0  # the setting is 0: keep everything
    assert "nothing was deleted" in capsys.readouterr().out and len(store.list(user.id)) == 2
    monkeypatch.setenv("TUTOR_CONVERSATION_RETENTION_DAYS", "30")
    assert main(["--home", str(isolated_home), "purge-conversations"]) == 0
    assert "Deleted 0 conversation(s)" in capsys.readouterr().out
    assert main(["--home", str(isolated_home), "purge-conversations", "--days", "7"]) == 0
    assert "Deleted 1 conversation(s) with no activity in the last 7 days" in capsys.readouterr().out
    assert [c.id for c in store.list(user.id)] == [new]


def test_ask_replaces_personal_details_before_the_search_the_model_and_the_output(course, isolated_home, capsys, monkeypatch):
    from tutor_app.tutoring.explain import Tutor

    for name in ("GROUNDING_THRESHOLD", "GROUNDING_FLOOR", "CROSS_GROUNDING_THRESHOLD", "CROSS_GROUNDING_FLOOR"):
        monkeypatch.setenv(f"TUTOR_{name}", "0.99")
    asked: list[str] = []
    real_ask = Tutor.ask
    monkeypatch.setattr(Tutor, "ask", lambda self, question, **kw: asked.append(question) or real_ask(self, question, **kw))
    main(["--home", str(isolated_home), "ingest", str(course), "--course", "demo"])
    capsys.readouterr()
    question = "My classmate anna keller's phone is 138 1234 5678, mail anna dot keller at northfield dot org. What is few-shot?"
    assert main(["--home", str(isolated_home), "ask", question, "--json"]) == 0
    captured = capsys.readouterr()
    answer = json.loads(captured.out)
    assert asked == ["My classmate [name]'s phone is [phone], mail [email]. What is few-shot?"]
    for secret in ("1234 5678", "northfield", "keller"):
        assert secret not in captured.out and secret not in asked[0]
    assert answer["question"] == asked[0]
    assert "Personal details" in captured.err
    assert main(["--home", str(isolated_home), "ask", "我同学的手机是一三八一二三四五六七八，什么是少样本？"]) == 0
    captured = capsys.readouterr()
    assert asked[-1] == "我同学的手机是[phone]，什么是少样本？" and "一三八" not in captured.out and "个人信息" in captured.err


def test_ingest_lists_duplicates_and_unsupported_files(course, isolated_home, capsys):
    write(course / "zz-copy.md", (course / "en" / "a.md").read_bytes())
    write(course / "answers.json", b'{"q1": "b"}')
    assert main(["--home", str(isolated_home), "ingest", str(course), "--course", "demo"]) == 0
    captured = capsys.readouterr()
    assert "skipped: zz-copy.md: the same content as en/a.md" in captured.err
    assert f"left out: {course / 'answers.json'}: not a type that can be indexed" in captured.err
    assert "2 file(s) indexed, 0 unchanged, 0 failed, 1 duplicate(s) skipped, 1 unsupported file(s) left out" in captured.out
    assert main(["--home", str(isolated_home), "ingest", str(course / "zz-copy.md"), "--course", "demo", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["duplicates"] == [{"source": "zz-copy.md", "same_as": "en/a.md"}] and result["unsupported"] == []
