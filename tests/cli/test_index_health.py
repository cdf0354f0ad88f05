"""The command line and the index: `doctor` compares (and repairs) the two indexes; an unusable index exits 4."""

import sqlite3

import pytest

from tests.support.paths import write
from tutor_app.cli.main import EXIT_ERROR, EXIT_INDEX_UNAVAILABLE, main
from tutor_app.engine.search import lexical

pytestmark = pytest.mark.slow


@pytest.fixture
def ingested(tmp_path, isolated_home, capsys):
    write(tmp_path / "course" / "a.md", "# Prompts\n\n## Few-shot\nA few-shot prompt includes worked examples before the task.\n")
    assert main(["--home", str(isolated_home), "ingest", str(tmp_path / "course"), "--course", "demo"]) == 0
    capsys.readouterr()


def _keyword_path(home):
    (path,) = home.glob("lexical-*.sqlite")
    return path


def test_doctor_finds_a_differing_keyword_index_and_repairs_it(ingested, isolated_home, capsys):
    keyword = lexical.LexicalIndex(_keyword_path(isolated_home))
    keyword.delete(sorted(keyword.ids())[:1])  # as after a write that reached Chroma only
    assert main(["--home", str(isolated_home), "doctor"]) == EXIT_ERROR
    out = capsys.readouterr().out
    assert "differs from the search index in course 'demo'" in out and "doctor --repair" in out
    assert main(["--home", str(isolated_home), "doctor", "--repair"]) == 0
    assert "repaired (1 passages added, 0 removed)" in capsys.readouterr().out
    assert main(["--home", str(isolated_home), "doctor"]) == 0
    assert "agree" in capsys.readouterr().out


def test_a_locked_keyword_index_exits_4_with_a_message_not_a_traceback(ingested, isolated_home, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(lexical, "BUSY_TIMEOUT_S", 0.3)
    write(tmp_path / "more" / "b.md", "# Tokens\n\n## Tokens\nA token is a piece of a word.\n")
    other = sqlite3.connect(_keyword_path(isolated_home), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another ingestion holds the write lock
    try:
        code = main(["--home", str(isolated_home), "ingest", str(tmp_path / "more"), "--course", "demo"])
    finally:
        other.rollback()
        other.close()
    err = capsys.readouterr().err
    assert code == EXIT_INDEX_UNAVAILABLE
    assert "error: The keyword index" in err and "locked" in err and "Traceback" not in err
    assert main(["--home", str(isolated_home), "doctor"]) == 0  # nothing was left half-written


def test_doctor_in_a_new_process_keeps_the_keyword_index(ingested, isolated_home):
    """A process that has not loaded the glossary (the CLI's doctor) sees the same segmenter as the one that wrote."""
    import os
    import subprocess
    import sys

    from tests.support.paths import ROOT

    before = len(lexical.LexicalIndex(_keyword_path(isolated_home)).ids())
    env = os.environ | {"TUTOR_HOME": str(isolated_home)}
    done = subprocess.run(
        [sys.executable, "-m", "tutor_app", "--home", str(isolated_home), "doctor"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "agree" in done.stdout
    assert before and len(lexical.LexicalIndex(_keyword_path(isolated_home)).ids()) == before
