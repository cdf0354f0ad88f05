"""`python -m tutor_app tokens "TEXT"`: the JSON contract, the plain table, and an embedded server that cannot start."""

import json

import pytest

from tutor_app.cli.main import main
from tutor_app.engine.tokens import encoding

ZH = "什么是少样本提示？"


def run_json(capsys, *argv) -> dict:
    assert main(["tokens", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("text", ["What is few-shot prompting?", ZH])
def test_json_contract(capsys, text):
    out = run_json(capsys, text, "--no-embedded")
    assert set(out) >= {"text", "tokenizers", "costs", "chars"}
    assert out["text"] == text and out["chars"] == len(text)
    assert [entry["name"] for entry in out["tokenizers"]] == ["cl100k_base", "o200k_base"]
    for entry in out["tokenizers"]:
        assert set(entry) >= {"name", "count", "pieces", "available", "error"}
        assert entry["available"] is True and entry["error"] is None
        assert entry["count"] == len(encoding(entry["name"]).encode(text))
        assert "".join(piece["text"] for piece in entry["pieces"]) == text
        assert sum(len(piece["ids"]) for piece in entry["pieces"]) == entry["count"]
    costs = {line["model"]: line for line in out["costs"]}
    assert set(costs) >= {"gpt-4o", "gpt-4o-mini"}
    for line in costs.values():
        assert set(line) >= {"model", "tokenizer", "tokens", "usd"}
    o200k = len(encoding("o200k_base").encode(text))
    assert costs["gpt-4o"]["tokenizer"] == "o200k_base" and costs["gpt-4o"]["tokens"] == o200k
    assert costs["gpt-4o"]["usd"] == pytest.approx(o200k * 2.50 / 1_000_000)


def test_tokenizer_option_picks_and_keeps_order(capsys):
    out = run_json(capsys, ZH, "--tokenizer", "o200k_base", "--tokenizer", "cl100k_base")
    assert [entry["name"] for entry in out["tokenizers"]] == ["o200k_base", "cl100k_base"]
    by_name = {entry["name"]: entry for entry in out["tokenizers"]}
    assert by_name["o200k_base"]["count"] < by_name["cl100k_base"]["count"]


def test_an_embedded_server_that_cannot_start_is_one_unavailable_entry(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("TUTOR_EMBEDDED_MODEL_PATH", str(tmp_path / "missing.gguf"))
    out = run_json(capsys, ZH)
    embedded = out["tokenizers"][-1]
    assert embedded["name"] == "embedded" and embedded["available"] is False and embedded["count"] is None
    assert "missing.gguf" in embedded["error"] and "TUTOR_EMBEDDED_MODEL_PATH" in embedded["error"]
    assert [entry["available"] for entry in out["tokenizers"][:2]] == [True, True]


def test_plain_output_is_a_table_with_the_pieces(capsys):
    assert main(["tokens", ZH, "--no-embedded"]) == 0
    out = capsys.readouterr().out
    assert "Text (9 characters):" in out
    lines = out.splitlines()
    assert any(line.split()[:2] == ["cl100k_base", "9"] for line in lines)
    assert any(line.split()[:2] == ["o200k_base", "7"] for line in lines)
    assert "cl100k_base: |什{2}|么|是|" in out  # one character made of two tokens
    assert "o200k_base: |什么|是|" in out
    assert any(line.startswith("gpt-4o ") and "$0.00001750" in line for line in lines)


def test_empty_text_is_an_error_that_says_what_to_do(capsys):
    assert main(["tokens", "   ", "--no-embedded"]) == 2
    assert "Type or paste a text" in capsys.readouterr().err


def test_configured_model_prices_are_in_the_cost_table(capsys, monkeypatch):
    models = [
        {"name": "house", "base_url": "http://127.0.0.1:9/v1", "model": "house-model", "input_price": 4.0, "output_price": 8.0}
    ]
    monkeypatch.setenv("TUTOR_MODELS", json.dumps(models))
    costs = {line["model"]: line for line in run_json(capsys, ZH, "--no-embedded")["costs"]}
    assert costs["house-model"]["usd"] == pytest.approx(costs["house-model"]["tokens"] * 4.0 / 1_000_000)
    assert costs["house-model"]["tokens"] > 0 and "gpt-4o" in costs
