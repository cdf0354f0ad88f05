"""``python -m tutor_app compare``: JSON runs and the Markdown table, named endpoints and URLs, exit codes, saved runs."""

import json

import pytest

from tests.support.lab_servers import LabServer, dead_url, user_text
from tests.support.paths import write
from tutor_app.cli.main import main

pytestmark = pytest.mark.slow

ANSWER = "A few-shot prompt includes worked examples before the task [1]."
QUESTION = "What does a few-shot prompt include before the task?"


@pytest.fixture
def home(tmp_path, isolated_home, capsys):
    write(tmp_path / "course" / "a.md", "# Prompts\n\n## Few-shot\nA few-shot prompt includes worked examples before the task.\n")
    assert main(["--home", str(isolated_home), "ingest", str(tmp_path / "course"), "--course", "demo"]) == 0
    capsys.readouterr()
    return isolated_home


@pytest.fixture
def servers():
    started = [LabServer(ANSWER, usage=(80, 12)), LabServer("Examples come first.")]
    yield started
    for server in started:
        server.close()


def test_json_runs_both_modes_for_a_name_and_a_url(home, servers, capsys, monkeypatch):
    priced, plain = servers
    monkeypatch.setenv(
        "TUTOR_MODELS",
        json.dumps([{"name": "priced", "base_url": priced.url, "model": "house", "input_price": 1, "output_price": 4}]),
    )
    code = main(
        [
            "--home",
            str(home),
            "compare",
            QUESTION,
            "--model",
            "priced",
            "--model",
            f"{plain.url}#tiny-7b",
            "--course",
            "demo",
            "--json",
        ]
    )
    runs = json.loads(capsys.readouterr().out)
    assert code == 0 and [(r["endpoint"], r["retrieval"]) for r in runs] == [
        ("priced", True),
        ("priced", False),
        (plain.url.split("://")[1] + "#tiny-7b", True),
        (plain.url.split("://")[1] + "#tiny-7b", False),
    ]
    keys = {"model", "retrieval", "answer", "first_token_s", "total_s", "prompt_tokens", "completion_tokens", "cost", "citations"}
    assert all(keys <= set(r) for r in runs)
    first = runs[0]
    assert (
        first["answer"] == ANSWER
        and first["model"] == "house"
        and (first["prompt_tokens"], first["completion_tokens"]) == (80, 12)
    )
    assert first["cost"] == pytest.approx((80 * 1 + 12 * 4) / 1e6)
    assert first["citations"][0]["heading"] == "Few-shot" and runs[1]["citations"] == []
    assert {b["model"] for b in plain.requests} == {"tiny-7b"}  # the #model-id reached the server
    assert runs[2]["tokens_counted"] is True and runs[2]["cost"] is None  # no usage sent, no price known
    assert sum("<passage" in user_text(b) for b in priced.requests) == 1


def test_markdown_table_and_no_retrieval(home, servers, capsys):
    code = main(["--home", str(home), "compare", QUESTION, "--model", f"{servers[0].url}#m", "--no-retrieval", "--no-save"])
    lines = capsys.readouterr().out.strip().splitlines()
    assert code == 0 and lines[0].startswith("| model | retrieval | first token s | total s |") and len(lines) == 3
    assert "| off |" in lines[2] and ANSWER in lines[2]
    assert all("<passage" not in user_text(b) for b in servers[0].requests)


def test_one_dead_endpoint_is_one_failed_row_and_all_dead_exits_non_zero(home, servers, capsys):
    gone = dead_url()
    assert (
        main(
            ["--home", str(home), "compare", QUESTION, "--model", f"{servers[0].url}#m", "--model", f"{gone}#m", "--no-retrieval"]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "FAILED: Cannot reach the model server" in out and ANSWER in out
    assert main(["--home", str(home), "compare", QUESTION, "--model", f"{gone}#m", "--json"]) == 3
    assert all(r["error"] for r in json.loads(capsys.readouterr().out))


def test_runs_are_saved(home, servers, capsys):
    from tutor_app.core.config import load_settings
    from tutor_app.core.database import default_database_url, open_database
    from tutor_app.lab.runs import list_runs

    main(["--home", str(home), "compare", QUESTION, "--model", f"{servers[0].url}#m", "--json"])
    db = open_database(default_database_url(load_settings(env={}, home=home)))
    assert [(r["endpoint"], r["retrieval"], r["question"]) for r in list_runs(db)][::-1] == [
        (servers[0].url.split("://")[1] + "#m", True, QUESTION),
        (servers[0].url.split("://")[1] + "#m", False, QUESTION),
    ]
    db.close()


def test_bad_model_name_is_an_error(home, capsys):
    assert main(["--home", str(home), "compare", QUESTION, "--model", "nope"]) == 2
    assert "No model endpoint is named 'nope'" in capsys.readouterr().err


def test_batch_from_a_csv(home, servers, tmp_path, capsys):
    sheet = write(tmp_path / "set.csv", f"question,lesson,key\n{QUESTION},a,worked examples before the task\n")
    code = main(["--home", str(home), "compare", "--batch", str(sheet), "--model", f"{servers[0].url}#m", "--json"])
    rows = json.loads(capsys.readouterr().out)
    assert code == 0 and [(r["retrieval"], r["answered"], r["key"]) for r in rows] == [(True, 1, 1), (False, 1, 1)]
    assert rows[0]["right_lesson"] == 1 and rows[1]["right_lesson"] is None
