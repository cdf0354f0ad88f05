"""chunk_document on an English and a Chinese lesson: size limits, heading paths, code fences, overlap, ids."""

from __future__ import annotations

import re

import pytest

from tutor_app.core.schemas import Objective
from tutor_app.engine.ingest.chunking import _paragraphs, chunk_document, chunk_id, pack, split_sections
from tutor_app.engine.ingest.loaders import load_bytes
from tutor_app.engine.tokens import count_tokens

# --- two short lessons written for these tests ------------------------------------------------

EN_TOPICS = [
    "accuracy",
    "tone",
    "length",
    "format",
    "safety",
    "citations",
    "bias",
    "latency",
    "cost",
    "clarity",
    "structure",
    "grounding",
    "consistency",
    "politeness",
    "coverage",
    "relevance",
    "freshness",
    "style",
]


def _en_long_section() -> str:
    paras = [
        f"Review number {i + 1} looks at {t}. A reviewer reads each answer and marks any problem with {t} "
        f"in a shared sheet. The reviewer also writes one sentence about why the {t} of the answer was good "
        f"or bad. Keep the {t} notes next to the prompt version that produced the answer, so that later you "
        f"can see which change helped. When {t} gets worse after an edit, roll the prompt back and try a "
        f"smaller change."
        for i, t in enumerate(EN_TOPICS)
    ]
    # One paragraph longer than any chunk: it has to be split at sentence ends.
    paras.append(
        " ".join(
            f"Step {i + 1} of the long review asks whether the answer about {t} stayed on topic."
            for i, t in enumerate(EN_TOPICS * 3)
        )
    )
    return "\n\n".join(paras)


EN_LESSON = f"""---
id: en-prompts
lang: en
objectives:
  - id: en-prompts-1
    text: Write a clear prompt
    bloom: apply
  - id: en-prompts-2
    text: Review model answers
---
# Prompt Engineering Basics

A prompt is the text you send to a language model. This lesson shows how to write prompts that work.

## Writing Clear Prompts

Say what you want, give the context, and name the format of the answer.

### Giving Examples

Examples show the model the pattern you expect.

```python
# not a heading
prompt = "Translate to French: cheese"
```
After the code block, the model replies with the translation.

## Evaluating Outputs

{_en_long_section()}

### Checklist

Check accuracy, tone and format before you ship a prompt.

## Summary

Clear prompts, good examples and careful review make better answers.
"""

ZH_TOPICS = [
    "准确性",
    "语气",
    "长度",
    "格式",
    "安全性",
    "引用",
    "偏见",
    "延迟",
    "成本",
    "清晰度",
    "结构",
    "依据",
    "一致性",
    "礼貌",
    "覆盖面",
    "相关性",
    "时效性",
    "风格",
]


def _zh_long_section() -> str:
    paras = [
        f"第{i + 1}次评审关注{t}。评审人阅读每个回答，并在共享表格中标出与{t}有关的问题。"
        f"评审人还要写一句话，说明这个回答的{t}为什么好或者不好。"
        f"把关于{t}的记录和生成回答的提示版本放在一起，以后就能看出哪一次修改有帮助。"
        f"如果修改之后{t}变差了，就退回原来的提示，再尝试更小的修改。"
        for i, t in enumerate(ZH_TOPICS)
    ]
    paras.append("".join(f"长评审的第{i + 1}步检查关于{t}的回答是否切题。" for i, t in enumerate(ZH_TOPICS * 3)))
    return "\n\n".join(paras)


ZH_LESSON = f"""---
id: zh-prompts
lang: zh
objectives:
  - id: zh-prompts-1
    text: 编写清晰的提示
    bloom: apply
  - id: zh-prompts-2
    text: 评审模型的回答
---
# 提示工程基础

提示是你发送给语言模型的文本。本课介绍如何编写有效的提示。

## 编写清晰的提示

说明你想要什么，给出上下文，并指定回答的格式。

### 提供示例

示例向模型展示你期望的模式。

```python
# not a heading
prompt = "翻译成法语：奶酪"
```
代码块之后，模型会给出译文。

## 评估输出

{_zh_long_section()}

### 检查清单

发布提示之前，检查准确性、语气和格式。

## 总结

清晰的提示、好的示例和认真的评审会带来更好的回答。
"""

CASES = {
    "en": dict(
        source=EN_LESSON,
        title="Prompt Engineering Basics",
        headings=[
            "",
            "Writing Clear Prompts",
            "Writing Clear Prompts > Giving Examples",
            "Evaluating Outputs",
            "Evaluating Outputs > Checklist",
            "Summary",
        ],
        lesson_id="en-prompts",
        objectives=[
            Objective(id="en-prompts-1", text="Write a clear prompt", bloom="apply"),
            Objective(id="en-prompts-2", text="Review model answers", bloom="understand"),
        ],
        long_heading="Evaluating Outputs",
        long_marker="Step ",
        after_code="After the code block",
        summary_edit=("better answers", "better replies"),
    ),
    "zh": dict(
        source=ZH_LESSON,
        title="提示工程基础",
        headings=["", "编写清晰的提示", "编写清晰的提示 > 提供示例", "评估输出", "评估输出 > 检查清单", "总结"],
        lesson_id="zh-prompts",
        objectives=[
            Objective(id="zh-prompts-1", text="编写清晰的提示", bloom="apply"),
            Objective(id="zh-prompts-2", text="评审模型的回答", bloom="understand"),
        ],
        long_heading="评估输出",
        long_marker="长评审",
        after_code="代码块之后",
        summary_edit=("更好的回答", "更好的答复"),
    ),
}
SIZES = [pytest.param(350, 50, id="350/50"), pytest.param(120, 30, id="120/30")]
_SENTENCE = re.compile(r"[^.!?。！？]+[.!?。！？]")


def load(text: str, name: str = "lesson.md"):
    return load_bytes(text.encode("utf-8"), name, 10 * 1024 * 1024)


def chunks_of(text: str, max_tokens: int = 350, overlap: int = 50, source: str = "lesson.md", course: str = "demo"):
    return chunk_document(load(text, source), course, source, max_tokens, overlap)


def sentences(text: str) -> set[str]:
    """Sentences of the prose lines (headings and code left out); every one in the lessons is unique."""
    prose = [line for line in text.split("\n") if line.strip() and not line.lstrip().startswith(("#", "```", "prompt ="))]
    return {s.strip() for line in prose for s in _SENTENCE.findall(line) if len(s.strip()) > 8}


@pytest.fixture(params=list(CASES))
def case(request):
    return CASES[request.param]


def test_long_section_is_really_long(case):
    sections = split_sections(load(case["source"]).text)
    long = [s for s in sections if s.path[-1] == case["long_heading"]]
    assert len(long) == 1 and count_tokens(long[0].text) >= 1500


@pytest.mark.parametrize("max_tokens, overlap", SIZES)
def test_every_chunk_is_within_the_token_limit_and_not_empty(case, max_tokens, overlap):
    chunks = chunks_of(case["source"], max_tokens, overlap)
    assert len(chunks) >= 1500 // max_tokens
    for chunk in chunks:
        assert chunk.text.strip(), "empty chunk"
        assert chunk.text == chunk.text.strip()
        assert count_tokens(chunk.text) <= max_tokens
        assert "\ufffd" not in chunk.text


@pytest.mark.parametrize("max_tokens, overlap", SIZES)
def test_chunks_cover_all_of_the_lesson_text(case, max_tokens, overlap):
    joined = "\n".join(c.text for c in chunks_of(case["source"], max_tokens, overlap))
    for sentence in sentences(load(case["source"]).text):
        assert sentence in joined, sentence


def test_heading_paths(case):
    chunks = chunks_of(case["source"])
    in_order = [h for i, h in enumerate(c.heading for c in chunks) if i == 0 or chunks[i - 1].heading != h]
    assert in_order == case["headings"]


def test_heading_path_of_nested_sections():
    text = "# Lesson\n\nIntro.\n\n## A\n\na.\n\n### A1\n\na1.\n\n#### A1x ##\n\na1x.\n\n### A2\n\na2.\n\n## B\n\nb.\n"
    assert [(s.path, s.text) for s in split_sections(text)] == [
        (["Lesson"], "Intro."),
        (["Lesson", "A"], "a."),
        (["Lesson", "A", "A1"], "a1."),
        (["Lesson", "A", "A1", "A1x"], "a1x."),
        (["Lesson", "A", "A2"], "a2."),
        (["Lesson", "B"], "b."),
    ]


def test_top_heading_stays_in_the_path_when_it_is_not_the_title():
    chunks = chunks_of("---\ntitle: Other Title\n---\n# Chapter One\n\n## Part\n\nText here.")
    assert [c.heading for c in chunks] == ["Chapter One > Part"]
    assert chunks[0].title == "Other Title"


def test_hash_line_in_code_fence_is_not_a_heading(case):
    chunks = chunks_of(case["source"])
    assert not any("not a heading" in c.heading for c in chunks)
    (code_chunk,) = [c for c in chunks if "# not a heading" in c.text]
    assert code_chunk.heading == case["headings"][2]  # "Section > Subsection" of the example
    # The text after the fence belongs to the same section, not to a "not a heading" section.
    assert case["after_code"] in code_chunk.text
    assert "\n# not a heading\n" in code_chunk.text


def test_tilde_fences_hide_headings_too():
    sections = split_sections("# T\n\n## Real\n\n~~~\n## fake\n~~~\n\nafter\n\n## Next\n\nx")
    assert [s.path for s in sections] == [["T", "Real"], ["T", "Next"]]
    assert "## fake" in sections[0].text


def test_code_fence_is_not_glued_to_the_following_sentence(case):
    chunks = chunks_of(case["source"])
    (code_chunk,) = [c for c in chunks if "# not a heading" in c.text]
    lines = code_chunk.text.split("\n")
    fence_lines = [line for line in lines if "```" in line]
    assert fence_lines == ["```python", "```"]
    after = [line for line in lines if case["after_code"] in line]
    assert after and all(line.startswith(case["after_code"]) for line in after)


def test_code_block_packed_with_neighbours_keeps_its_own_lines():
    body = "\n\n".join(
        [f"Paragraph {i} says a little about prompts and answers." for i in range(3)]
        + ["```python\n# not a heading\nprint('hi')\n```"]
        + [f"Paragraph {i} follows the code." for i in range(3, 6)]
    )
    chunks = chunks_of(f"# T\n\n## S\n\n{body}", max_tokens=60, overlap=15)
    for chunk in chunks:
        for line in chunk.text.split("\n"):
            if "```" in line:
                assert re.fullmatch(r"```\w*", line), line
    joined = "\n".join(c.text for c in chunks)
    assert "```python\n# not a heading\nprint('hi')\n```" in joined


def test_oversized_code_block_keeps_its_line_breaks():
    code_lines = [f"Line {i}: write a short answer about topic number {i}." for i in range(12)]
    block = "```text\n" + "\n".join(code_lines) + "\n```"
    chunks = chunks_of(f"# T\n\n## S\n\n{block}\n\nAfter the example, read the answer.", max_tokens=50, overlap=10)
    assert count_tokens(block) > 50
    for chunk in chunks:
        for line in chunk.text.split("\n"):
            assert line.count("Line ") <= 1, line
            assert "```" not in line or re.fullmatch(r"```\w*", line), line


def test_long_chinese_sentence_without_full_stops_is_split_cleanly():
    sentence = "在本课中，" + "，".join(f"我们讨论第{i}种提示方法以及它在实际应用里的优点和缺点" for i in range(6)) + "。"
    chunks = chunks_of(f"# 课\n\n## 节\n\n{sentence}", max_tokens=50, overlap=10)
    assert len(chunks) > 1
    for chunk in chunks:
        assert count_tokens(chunk.text) <= 50
        assert "\ufffd" not in chunk.text
    assert "".join(c.text for c in chunks) == sentence


@pytest.mark.parametrize("max_tokens, overlap", SIZES)
def test_chunks_split_from_a_long_paragraph_overlap(case, max_tokens, overlap):
    chunks = [c for c in chunks_of(case["source"], max_tokens, overlap) if c.heading == case["long_heading"]]
    pairs = [(a, b) for a, b in zip(chunks, chunks[1:]) if case["long_marker"] in a.text and case["long_marker"] in b.text]
    assert len(pairs) >= 2
    for before, after in pairs:
        shared = sentences(before.text) & sentences(after.text)
        assert shared, "consecutive chunks share no sentence"
        shared_tokens = sum(count_tokens(s) for s in shared)
        assert shared_tokens <= overlap + 5
        # The shared text is the end of one chunk and the start of the next.
        first = _SENTENCE.match(after.text).group(0).strip()
        assert first in shared and before.text.endswith(tuple(shared))


def test_no_overlap_when_overlap_is_zero():
    chunks = [c for c in chunks_of(EN_LESSON, 120, 0) if c.heading == "Evaluating Outputs"]
    for before, after in zip(chunks, chunks[1:]):
        assert not sentences(before.text) & sentences(after.text)


def test_every_boundary_in_a_long_section_overlaps(case):
    chunks = [c for c in chunks_of(case["source"], 350, 50) if c.heading == case["long_heading"]]
    assert len(chunks) >= 4
    for before, after in zip(chunks, chunks[1:]):
        assert sentences(before.text) & sentences(after.text)


def test_chunks_keep_the_documents_fields(case):
    doc = load(case["source"], "lesson.md")
    chunks = chunk_document(doc, "demo", "lessons/lesson.md", 350, 50)
    assert doc.title == case["title"]
    for position, chunk in enumerate(chunks):
        assert chunk.lang == doc.lang == ("zh" if case is CASES["zh"] else "en")
        assert chunk.title == case["title"]
        assert chunk.lesson_id == case["lesson_id"]
        assert chunk.objectives == case["objectives"]
        assert chunk.course == "demo"
        assert chunk.source == "lessons/lesson.md"
        assert chunk.file_hash == doc.file_hash
        assert chunk.position == position


def test_ids_are_stable_across_runs(case):
    first = chunks_of(case["source"])
    second = chunks_of(case["source"])
    assert [c.id for c in first] == [c.id for c in second]
    assert len({c.id for c in first}) == len(first)
    assert all(re.fullmatch(r"[0-9a-f]{32}", c.id) for c in first)
    assert first[0].id == chunk_id("demo", "lesson.md", first[0].heading, first[0].text)


def test_ids_change_only_where_the_text_changes(case):
    old, new = case["summary_edit"]
    assert case["source"].count(old) == 1
    before = chunks_of(case["source"])
    after = chunks_of(case["source"].replace(old, new))
    summary = case["headings"][-1]
    before_ids = {c.heading: c.id for c in before if c.heading == summary}
    after_ids = {c.heading: c.id for c in after if c.heading == summary}
    assert before_ids[summary] != after_ids[summary]
    # Every other chunk keeps its id: ids are content hashes.
    assert [c.id for c in before if c.heading != summary] == [c.id for c in after if c.heading != summary]


def test_same_text_in_two_sources_gets_different_ids(case):
    a = chunks_of(case["source"], source="a.md")
    b = chunks_of(case["source"], source="b.md")
    assert [c.text for c in a] == [c.text for c in b]
    assert not {c.id for c in a} & {c.id for c in b}
    c = chunks_of(case["source"], course="other-course")
    assert not {x.id for x in a} & {x.id for x in c}


def test_identical_passages_in_one_section_are_kept_once():
    chunks = chunks_of("# T\n\n## S\n\nSame words.\n\n" + "x " * 200 + "\n\nSame words.", max_tokens=60, overlap=0)
    assert len({c.id for c in chunks}) == len(chunks)


def test_pack_joins_blocks_with_blank_lines_and_sentences_with_spaces():
    blocks = _paragraphs("First block.\n\nSecond block.\n\nThird block.")
    assert pack(blocks, 100, 10) == ["First block.\n\nSecond block.\n\nThird block."]
    long = " ".join(f"Sentence number {i} is here." for i in range(20))
    out = pack([long], 30, 0)
    assert len(out) > 1
    assert " ".join(out) == long  # sentences of one paragraph are re-joined with a space
    zh = "".join(f"这是第{i}句话。" for i in range(30))
    out = pack([zh], 30, 0)
    assert len(out) > 1 and "".join(out) == zh  # no spaces inserted between Chinese sentences
