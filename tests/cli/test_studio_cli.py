"""`python -m tutor_app plan|quiz` against a small real index and a scripted OpenAI-compatible server."""

import copy
import io
import json

import docx
import pytest

from tests.support.paths import write
from tests.support.scripted_server import ScriptedServer
from tutor_app.cli.main import main
from tutor_app.core.config import load_settings

QUIZ = {
    "title": "Few-shot check",
    "objectives": [{"text": "Explain few-shot prompts", "bloom": "understand"}],
    "questions": [
        {
            "kind": "multiple_choice",
            "bloom": "remember",
            "question": "What comes before the task?",
            "answer": "Worked examples",
            "wrong_options": ["A password", "A GPU", "Nothing"],
            "explanation": "The passage says so.",
            "objective": 1,
            "passage": 1,
        },
        {
            "kind": "true_false",
            "bloom": "understand",
            "question": "The model copies the examples' format.",
            "answer": "True",
            "wrong_options": [],
            "explanation": "It imitates them.",
            "objective": 1,
            "passage": 1,
        },
    ],
}
PLAN = {
    "title": "Few-shot",
    "objectives": [{"text": "Explain", "bloom": "understand"}, {"text": "Write", "bloom": "apply"}],
    "prerequisites": ["None"],
    "materials": [{"title": "Notes", "description": "d", "passages": [1]}],
    "activities": [
        {"title": "Explain", "minutes": 10, "description": "d", "objectives": [1], "passages": [1]},
        {"title": "Write", "minutes": 20, "description": "d", "objectives": [2], "passages": [1]},
    ],
    "formative_assessment": "a",
    "support_weaker": "b",
    "challenge_stronger": "c",
    "homework": "h",
}


PASSAGE = "A few-shot prompt puts worked examples before the task so the model copies their format."


@pytest.fixture
def course(isolated_home, tmp_path, monkeypatch):
    from tutor_app.services import build_services

    write(
        tmp_path / "c" / "prompts.md",
        "# Prompts\n\n## Few-shot prompts\nA few-shot prompt puts worked examples before "
        "the task so the model copies their format.\n",
    )
    assert build_services(load_settings(home=isolated_home)).ingestor.ingest_paths([tmp_path / "c"], "demo").ok
    for name in ("GROUNDING_THRESHOLD", "GROUNDING_FLOOR", "CROSS_GROUNDING_THRESHOLD", "CROSS_GROUNDING_FLOOR"):
        monkeypatch.setenv(f"TUTOR_{name}", "0.5")


@pytest.fixture
def model(monkeypatch):
    servers = []

    def start(*answers):
        servers.append(ScriptedServer(list(answers)))
        monkeypatch.setenv("OPENAI_API_KEY", "test-key")
        monkeypatch.setenv("OPENAI_BASE_URL", servers[-1].url)
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def test_plan_json_prints_the_plan_and_its_checks(course, model, capsys):
    model(json.dumps(PLAN))
    code = main(["plan", "few-shot prompts", "--minutes", "30", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["plan"]["duration_minutes"] == 30 and out["plan"]["objectives"][1]["id"] == "O2"
    assert {"timings", "objectives", "citations"} <= {c["check"] for c in out["checks"]}  # the studio may add checks
    assert all(c["passed"] for c in out["checks"]) and out["first_try"] is True
    [chunk_id] = out["plan"]["materials"][0]["chunk_ids"]
    assert out["plan"]["materials"][0]["passages"] == [PASSAGE] and out["plan"]["activities"][1]["passages"] == [PASSAGE]
    assert out["passages"] == {
        chunk_id: {"text": PASSAGE, "source": "prompts.md", "heading": "Few-shot prompts", "title": "Prompts", "lang": "en"}
    }


def test_quiz_json_puts_each_questions_passage_beside_its_chunk_id(course, model, capsys, tmp_path):
    model(json.dumps(QUIZ))
    target = tmp_path / "quiz.json"
    code = main(
        [
            "quiz",
            "few-shot prompts",
            "--questions",
            "2",
            "--kinds",
            "multiple_choice,true_false",
            "--bloom",
            "remember,understand",
            "--json",
            "--out",
            str(target),
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    for question in out["quiz"]["questions"]:
        assert question["chunk_id"] in out["passages"] and question["passage"] == PASSAGE
    assert "copies their format" in out["passages"][out["quiz"]["questions"][1]["chunk_id"]]["text"]
    written = json.loads(target.read_text(encoding="utf-8"))
    assert [q["passage"] for q in written["questions"]] == [PASSAGE, PASSAGE] and len(written["passages"]) == 1


def test_plan_with_failing_check_exits_1_and_says_why(course, model, capsys):
    model(json.dumps(PLAN))
    assert main(["plan", "few-shot prompts", "--minutes", "45"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("# Few-shot") and "[FAILED] timings" in out and "take 30 minutes, but the lesson lasts 45" in out


def test_quiz_json_reports_a_repeated_question_asked_for_again(course, model, capsys):
    repeated = copy.deepcopy(QUIZ)
    repeated["questions"][1] = copy.deepcopy(QUIZ["questions"][0]) | {
        "kind": "true_false",
        "bloom": "understand",
        "answer": "True",
        "wrong_options": [],
    }
    new = QUIZ["questions"][1]
    server = model(json.dumps(repeated), json.dumps({"questions": [new]}))
    code = main(
        [
            "quiz",
            "few-shot prompts",
            "--questions",
            "2",
            "--kinds",
            "multiple_choice,true_false",
            "--bloom",
            "remember,understand",
            "--json",
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["rewritten"] == 1 and len(server.requests) == 2
    assert [q["question"] for q in out["quiz"]["questions"]] == [QUIZ["questions"][0]["question"], new["question"]]
    assert next(c for c in out["checks"] if c["check"] == "duplicate_questions")["passed"]


def test_quiz_writes_a_word_file_that_reads_back(course, model, tmp_path, capsys):
    server = model(json.dumps(QUIZ))
    target = tmp_path / "quiz.docx"
    code = main(
        [
            "quiz",
            "few-shot prompts",
            "--questions",
            "2",
            "--kinds",
            "multiple_choice,true_false",
            "--bloom",
            "remember,understand",
            "--out",
            str(target),
        ]
    )
    assert code == 0, capsys.readouterr()
    texts = [p.text for p in docx.Document(io.BytesIO(target.read_bytes())).paragraphs]
    assert "1. What comes before the task?" in texts and "Answer: Worked examples" in texts
    assert (
        "Q1: multiple_choice, remember, objective 1, passage 1\nQ2: true_false, understand, objective 1, passage 1"
        in server.requests[0]["messages"][-1]["content"]
    )


@pytest.mark.parametrize(
    "argv,message",
    [
        (["plan", "few-shot prompts", "--minutes", "0"], "A lesson of 0 minutes cannot be planned"),
        (["plan", "few-shot prompts", "--minutes", "10080"], "choose between 5 and 240 minutes"),
        (["plan", ""], "Enter a topic or pick at least one lesson"),
        (["quiz", "x" * 5000], "The topic is 5000 characters"),
        (["quiz", "few-shot prompts", "--questions", "0"], "0 questions is not possible"),
    ],
)
def test_bad_input_exits_2_with_the_fix(course, model, capsys, argv, message):
    server = model()
    assert main(argv) == 2
    assert message in capsys.readouterr().err and server.requests == []


def test_uncovered_topic_exits_2_and_points_at_allow_uncited(course, model, capsys, monkeypatch):
    for name in ("GROUNDING_THRESHOLD", "GROUNDING_FLOOR", "CROSS_GROUNDING_THRESHOLD", "CROSS_GROUNDING_FLOOR"):
        monkeypatch.setenv(f"TUTOR_{name}", "0.999")
    model()
    assert main(["plan", "how to bake sourdough bread"]) == 2
    assert "does not cover" in (err := capsys.readouterr().err) and "--allow-uncited" in err


def test_prose_twice_exits_2_with_the_reason(course, model, capsys):
    model("Here is a quiz about prompts.", "Sorry, here it is in words.")
    assert main(["quiz", "few-shot prompts", "--questions", "2"]) == 2
    assert "prose instead of JSON" in capsys.readouterr().err
