"""Saved runs: stored in model_runs, listed newest first, exported as CSV and Markdown."""

import csv
import io

from tutor_app.lab.compare import RunResult
from tutor_app.lab.runs import list_runs, results_markdown, run_lines, save_runs, saved_table, to_csv, to_markdown

CITATION = {"number": 1, "lesson_id": "lesson-prompts", "title": "Prompt basics", "heading": "Few-shot prompts", "source": "p.md"}


def _runs():
    good = RunResult("first", "first-model", True, "What is few-shot?", "demo", answer="Examples come first | then the task [1].")
    good.first_token_s, good.total_s, good.prompt_tokens, good.completion_tokens, good.cost = 0.25, 1.5, 120, 30, 0.000036
    good.citations = [CITATION]
    failed = RunResult("gone", "model-x", False, "What is few-shot?", "demo", error="Cannot reach the model server.")
    failed.error_kind = "connection"
    return [good, failed]


def test_saved_runs_are_listed_and_exported(db):
    batch = save_runs(db, _runs(), user_id=None)
    rows = list_runs(db, batch=batch)
    assert [(r["endpoint"], r["retrieval"]) for r in rows] == [("gone", False), ("first", True)]
    first = rows[1]
    assert first["citations"] == "[1] Prompt basics › Few-shot prompts" and first["cost_usd"] == 0.000036
    parsed = list(csv.DictReader(io.StringIO(to_csv(rows))))
    assert parsed[1]["answer"] == "Examples come first | then the task [1]." and parsed[1]["prompt_tokens"] == "120"
    assert parsed[0]["error"] == "Cannot reach the model server." and parsed[0]["first_token_s"] == ""
    markdown = to_markdown(rows).splitlines()
    assert markdown[0].startswith("| question | endpoint | model | retrieval | first token s | total s | tokens in/out | cost $")
    assert "| first | first-model | on | 0.25 | 1.50 | 120/30 | 0.000036 | [1] Prompt basics › Few-shot prompts |" in markdown[3]
    assert "Examples come first \\| then the task [1]." in markdown[3]  # a pipe in an answer does not break the table
    assert "| gone | model-x | off |  | 0.00 | 0/0 |" in markdown[2]


def test_a_run_without_a_price_is_saved_and_shown_as_unknown_cost_not_zero(db):
    unpriced = _runs()[0]
    unpriced.cost = None
    rows = list_runs(db, batch=save_runs(db, [unpriced]))
    assert rows[0]["cost_usd"] is None
    assert list(csv.DictReader(io.StringIO(to_csv(rows))))[0]["cost_usd"] == ""
    assert "| 120/30 | unknown |" in to_markdown(rows)
    english, chinese = saved_table(rows, "en")[0], saved_table(rows, "zh")[0]
    assert "unknown (no price set)" in english.values() and "未知（未设置价格）" in chinese.values()


def test_results_markdown_marks_failures_and_counted_tokens():
    runs = _runs()
    runs[0].tokens_counted = True
    table = results_markdown(runs).splitlines()
    assert table[0] == (
        "| model | retrieval | first token s | total s | prompt tokens | completion tokens | cost $ | citations | unsupported | answer |"
    )
    assert "| first (first-model) | on | 0.25 | 1.50 | 120 (counted) | 30 (counted) | 0.000036 |" in table[2]
    assert table[3].endswith("| FAILED: Cannot reach the model server. |")


def test_run_lines_in_both_languages():
    good, failed = _runs()
    english = run_lines(good, "en")
    assert english["figures"] == "First token 0.25 s · total 1.50 s · tokens 120 in / 30 out · cost $0.000036"
    assert english["citations"] == "Citations: [1] Prompt basics › Few-shot prompts" and english["failure"] == ""
    assert run_lines(failed, "en") == {"failure": "Failed: cannot reach the server."}
    chinese = run_lines(good, "zh")
    assert chinese["figures"].startswith("首个词元 0.25 秒") and run_lines(failed, "zh")["failure"] == "失败：无法连接服务器。"


def test_nested_sections_read_as_one_path():
    from tutor_app.lab.runs import place

    citation = {"number": 2, "title": "Prompts", "heading": "Tuning > Temperature", "source": "p.md"}
    assert place(citation) == "[2] Prompts › Tuning › Temperature"
