"""How texts split into display pieces under cl100k_base, o200k_base and the embedded model's own tokenizer."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request

import pytest

from tutor_app.core.config import load_settings
from tutor_app.core.errors import InputError, ModelError
from tutor_app.engine.models.server import EmbeddedServer, bundled_model_path, free_port
from tutor_app.engine.token_pieces import (
    EMBEDDED,
    TIKTOKEN_NAMES,
    EmbeddedTokenizer,
    analyse_many,
    group,
    model_encoding,
    prompt_costs,
    split,
    split_all,
)
from tutor_app.engine.tokens import encoding

TEXTS = {
    "en": "Few-shot prompts put two or three worked examples before the task.\nThe model copies their format.",
    "zh": "少样本提示在任务之前放两三个示例，模型会模仿它们的格式。温度越高，回答越随机。",
}


@pytest.mark.parametrize("name", TIKTOKEN_NAMES)
@pytest.mark.parametrize("lang", TEXTS)
def test_pieces_join_back_and_keep_every_token(lang, name):
    text = TEXTS[lang]
    pieces = split(text, name)
    assert "".join(piece.text for piece in pieces) == text
    expected = encoding(name).encode(text, disallowed_special=())
    assert [token for piece in pieces for token in piece.ids] == expected
    assert sum(len(piece.ids) for piece in pieces) == len(expected)


@pytest.mark.parametrize("name", TIKTOKEN_NAMES)
def test_chinese_characters_are_never_cut(name):
    pieces = split(TEXTS["zh"], name)
    for piece in pieces:
        assert piece.text and "\ufffd" not in piece.text
        # A piece is the shortest run: every shorter prefix of its tokens ends inside a character.
        raw = b"".join(encoding(name).decode_single_token_bytes(token) for token in piece.ids)
        assert raw.decode("utf-8") == piece.text
        for cut in range(1, len(piece.ids)):
            prefix = b"".join(encoding(name).decode_single_token_bytes(token) for token in piece.ids[:cut])
            with pytest.raises(UnicodeDecodeError):
                prefix.decode("utf-8")


def test_cl100k_cuts_some_chinese_characters_across_tokens():
    multi = [piece for piece in split(TEXTS["zh"], "cl100k_base") if len(piece.ids) > 1]
    assert multi, "cl100k_base should need several byte-level tokens for some characters of this text"
    assert all(len(piece.text) == 1 for piece in multi)


@pytest.mark.parametrize(
    "text",
    [TEXTS["zh"], "什么是少样本提示？", "提示工程就是反复修改提示，直到模型的回答符合要求。"],
    ids=["long", "question", "definition"],
)
def test_o200k_needs_fewer_tokens_than_cl100k_on_chinese(text):
    counts = {name: sum(len(p.ids) for p in split(text, name)) for name in TIKTOKEN_NAMES}
    assert counts["o200k_base"] < counts["cl100k_base"]


def test_grouping_of_byte_lists_as_llama_cpp_returns_them():
    # "你好": 你 = e4 bd a0, 好 = e5 a5 bd; one token ends 你 and starts 好.
    tokens = [(1, bytes([0xE4, 0xBD])), (2, bytes([0xA0, 0xE5])), (3, bytes([0xA5, 0xBD])), (4, b"!")]
    pieces = group(tokens)
    assert [(p.text, p.ids) for p in pieces] == [("你好", (1, 2, 3)), ("!", (4,))]


def test_grouping_never_drops_a_broken_byte():
    pieces = group([(1, b"a"), (2, b"\xff"), (3, b"b"), (4, b"\xe4\xbd")])
    assert [p.ids for p in pieces] == [(1,), (2,), (3,), (4,)]
    assert pieces[1].text == "\ufffd" and pieces[3].text == "\ufffd"


def test_special_token_text_is_plain_text():
    pieces = split("<|endoftext|>", "cl100k_base")
    assert "".join(p.text for p in pieces) == "<|endoftext|>" and len(pieces) > 1


def test_an_unknown_tokenizer_is_an_input_error():
    with pytest.raises(InputError, match="cl100k_base"):
        split("hello", "gpt2")


def test_costs_use_each_models_encoding_and_input_price():
    text = TEXTS["zh"]
    o200k = len(encoding("o200k_base").encode(text))
    cl100k = len(encoding("cl100k_base").encode(text))
    lines = {
        line.model: line for line in prompt_costs(text, {"gpt-4": (30.0, 60.0), "gpt-4o": (5.0, 15.0), "my-local": (1.0, 0)})
    }
    assert (lines["gpt-4o-mini"].tokenizer, lines["gpt-4o-mini"].tokens) == ("o200k_base", o200k)
    assert lines["gpt-4o-mini"].usd == pytest.approx(o200k * 0.15 / 1_000_000)
    assert lines["gpt-4o"].usd == pytest.approx(o200k * 5.0 / 1_000_000)  # the extra table wins
    assert (lines["gpt-4"].tokenizer, lines["gpt-4"].tokens, lines["gpt-4"].note) == ("cl100k_base", cl100k, "")
    assert lines["gpt-4"].usd == pytest.approx(cl100k * 30.0 / 1_000_000)
    assert lines["my-local"].tokenizer == "cl100k_base" and "unknown" in lines["my-local"].note


def test_a_model_whose_encoding_is_not_bundled_falls_back_with_a_note():
    name, note = model_encoding("text-davinci-003")  # p50k_base
    assert name == "cl100k_base" and "p50k_base" in note


def test_a_failing_embedded_tokenizer_is_one_unavailable_column():
    calls = []

    def broken():
        calls.append(1)
        raise ModelError("The embedded model server exited at start.", "Check the model file.")

    reports = analyse_many(TEXTS, (*TIKTOKEN_NAMES, EMBEDDED), broken)
    assert len(calls) == 1  # tried once for both texts
    for lang, report in reports.items():
        by_name = {s.name: s for s in report.tokenizers}
        assert not by_name[EMBEDDED].available and "exited at start" in by_name[EMBEDDED].error
        assert by_name["o200k_base"].available and by_name["o200k_base"].count > 0
        entry = report.to_json()["tokenizers"][2]
        assert entry["count"] is None and entry["pieces"] == [] and entry["error"].startswith("The embedded")
        assert report.to_json()["chars"] == len(TEXTS[lang])


def test_left_out_embedded_tokenizer_says_so():
    [result] = split_all("hi", [EMBEDDED], None)
    assert not result.available and "left out" in result.error


def test_a_dead_tokenize_endpoint_is_a_model_error():
    with pytest.raises(ModelError, match="did not tokenize"):
        EmbeddedTokenizer(f"http://127.0.0.1:{free_port()}/v1", timeout=2).tokenize("hello")


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    probe = subprocess.run([sys.executable, "-c", "import xllamacpp"], capture_output=True, timeout=120)
    if probe.returncode != 0 or bundled_model_path() is None:
        pytest.skip("the embedded llama.cpp server or its bundled model is not installed (`bash tutor.sh setup`)")
    home = tmp_path_factory.mktemp("home")
    settings = load_settings(
        env={},
        secrets_file=home / "none.toml",
        home=home,
        embedded_parallel=1,
        embedded_context=512,
        embedded_start_timeout_s=120,
    )
    server = EmbeddedServer(settings)
    url = server.ensure()
    yield EmbeddedTokenizer(url, server.label)
    server.stop()


def _raw_ids(tokenizer: EmbeddedTokenizer, text: str) -> list[int]:
    request = urllib.request.Request(
        f"{tokenizer.root}/tokenize", data=json.dumps({"content": text}).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=15) as response:
        return json.loads(response.read())["tokens"]


@pytest.mark.slow
@pytest.mark.parametrize("lang", TEXTS)
def test_embedded_tokenizer_against_the_real_server(embedded, lang):
    text = TEXTS[lang]
    pieces = split(text, embedded)
    assert "".join(piece.text for piece in pieces) == text
    assert [token for piece in pieces for token in piece.ids] == _raw_ids(embedded, text)
    assert all("\ufffd" not in piece.text for piece in pieces)
    if lang == "zh":  # SmolLM2's byte-level BPE cuts most Chinese characters in two
        assert sum(len(piece.ids) > 1 for piece in pieces) >= 5
        assert sum(len(p.ids) for p in pieces) > sum(len(p.ids) for p in split(text, "o200k_base"))
    assert "SmolLM2" in embedded.label
