"""A two-lesson bilingual course with objectives and bold-term definitions, for the learning-loop tests."""

from pathlib import Path

from tests.support.paths import write

LESSON_1 = """---
id: demo-01
title: Prompts
lang: en
objectives:
  - id: demo-01-o1
    text: Define a prompt and its parts
  - id: demo-01-o2
    text: Apply few-shot prompting with worked examples
---

# Prompts

## What a prompt is
A **prompt** is the text you give a language model as input, including instructions and examples.

## Few-shot prompts
A **few-shot prompt** puts two or three worked examples before the task so the model copies their format.
"""

LESSON_1_ZH = """---
id: demo-01
title: 提示
lang: zh
objectives:
  - id: demo-01-o1
    text: 说明什么是提示及其组成部分
  - id: demo-01-o2
    text: 运用带示例的少样本提示
---

# 提示

## 什么是提示
**提示**是你作为输入交给语言模型的文本，包括指令和示例。
"""

LESSON_2 = """---
id: demo-02
title: Retrieval
lang: en
objectives:
  - id: demo-02-o1
    text: Explain retrieval-augmented generation
---

# Retrieval

## Retrieval-augmented generation
**Retrieval-augmented generation** looks up relevant passages in a vector database and adds them to the prompt.
"""


def write_course(folder: Path) -> Path:
    write(folder / "en" / "01-prompts.md", LESSON_1)
    write(folder / "zh" / "01-prompts.md", LESSON_1_ZH)
    write(folder / "en" / "02-retrieval.md", LESSON_2)
    return folder
