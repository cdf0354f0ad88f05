"""Course-first answers: extractive composition, language choice, refusals, the claim check and follow-ups."""

from types import SimpleNamespace

import pytest

from tests.support.fakes import HashEmbedding, ScriptedChat
from tests.support.paths import write
from tutor_app.accounts.users import create_user
from tutor_app.core.database import open_database
from tutor_app.engine.answers.claims import mark_unsupported, unsupported_sentences
from tutor_app.engine.answers.extractive import (
    ExtractiveAnswerer,
    Pick,
    SentenceVectors,
    answer_options,
    asks_for_definition,
    defines_one_of,
    introduces_list,
    quotable,
)
from tutor_app.engine.search.lexical import terms
from tutor_app.engine.sentences import Unit, split_units
from tutor_app.tutoring.chat import QUIZ_ANSWER_MARK, finish_turn, follow_up, model_history, start_turn
from tutor_app.tutoring.conversations import ConversationStore

LESSON_EN = """---
id: demo-1
title: Prompt basics
lang: en
---
# Prompt basics

## Temperature
**Temperature** is a setting that controls how random the model's token choices are. A low temperature gives focused and repeatable answers. A high temperature gives varied and creative text.

## Few-shot prompts
A **few-shot** prompt puts two or three worked examples before the real task. For example, a prompt can show two translated sentences before asking for a third:

```text
sea -> mer
sun -> soleil
moon ->
```

The model then copies the format of the examples.
"""
LESSON_ZH = """---
id: demo-1
title: 提示基础
lang: zh
---
# 提示基础

## 温度
**温度**是一个参数，用于控制模型选择词元时的随机程度。温度低时，回答聚焦且可重复。温度高时，文本更多样、更有创意。

## 少样本提示
**少样本**提示会在真正的任务之前放入两三个示例。模型会模仿示例的格式。
"""
ONLY_EN = LESSON_EN.replace("demo-1", "demo-2")


def _course(services, tmp_path, *lessons):
    folder = tmp_path / "course"
    for name, text in lessons:
        write(folder / name, text)
    assert services.ingestor.ingest_paths([folder], "demo").ok
    tutor = services.tutor
    rule = {f"{prefix}grounding_{part}": 0.0 for prefix in ("", "cross_") for part in ("threshold", "floor")}
    tutor.settings = tutor.retriever.settings = tutor.settings.model_copy(update=rule)

    def no_model():
        raise AssertionError("an extractive answer must not call the language model")

    tutor.model_factory = no_model
    return tutor


def _quoted_sentences(answer: str) -> list[str]:
    return [line.rsplit(" [", 1)[0] for line in answer.split("\n\n") if line.rstrip().endswith("]")]


# --------------------------------------------------------------------------- splitting


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "One sentence here. Another one follows! A third? Yes indeed.",
            ["One sentence here.", "Another one follows!", "A third?", "Yes indeed."],
        ),
        ("温度控制随机程度。温度低时更稳定；温度高时更多样！", ["温度控制随机程度。", "温度低时更稳定；温度高时更多样！"]),
        ("他说：“这是例子。”然后继续讲解下一部分。", ["他说：“这是例子。”", "然后继续讲解下一部分。"]),
        # a bold lead keeps its own stop and stays with the sentence it introduces
        (
            "**缓解。**再次衡量，确认有改善。**运营。** 上线后持续观察。",
            ["**缓解。**再次衡量，确认有改善。", "**运营。** 上线后持续观察。"],
        ),
        (
            "**Mitigate.** Measure again. **Operate.** Keep watching.",
            ["**Mitigate.** Measure again.", "**Operate.** Keep watching."],
        ),
        # a quoted question followed by a comma is part of its sentence
        (
            "不要只问“这样好吗？”，因为含糊的批评没用。下一句话在这里开始。",
            ["不要只问“这样好吗？”，因为含糊的批评没用。", "下一句话在这里开始。"],
        ),
    ],
)
def test_prose_splits_into_sentences(text, expected):
    assert [u.text for u in split_units(text)] == expected


def test_code_blocks_and_tables_stay_whole():
    text = "Run this:\n\n```python\nprint('a. B')\n\nprint('c')\n```\n\n| a | b |\n|---|---|\n| 1. X | 2 |\n\n## Next\nDone here now."
    kinds = [(u.kind, u.text) for u in split_units(text)]
    assert kinds[1] == ("code", "```python\nprint('a. B')\n\nprint('c')\n```")
    assert kinds[2] == ("table", "| a | b |\n|---|---|\n| 1. X | 2 |")
    assert kinds[-1] == ("sentence", "Done here now.")
    assert all("Next" not in text for _, text in kinds)  # headings are not quotable sentences


def test_simpler_falls_back_to_the_shortest_sentence_when_the_answer_quoted_them_all():
    text = "Few-shot prompts show worked examples first. The model copies their format."  # no sentence defines
    shown = "Here is what the course says:\n\n" + text
    assert ExtractiveAnswerer.simpler([text], "en", shown).endswith("\n\nThe model copies their format. [1]")
    assert ExtractiveAnswerer.simpler([text], "en", "").endswith("format. [1] Few-shot prompts show worked examples first. [1]")
    defined = "A **few-shot** prompt shows worked examples first. The model copies their format."
    assert ExtractiveAnswerer.simpler([defined], "en", "Here is what the course says:\n\n" + defined).endswith(
        "\n\nA **few-shot** prompt shows worked examples first. [1]"  # the defining sentence, even when shown
    )


@pytest.mark.parametrize(
    "sentence, defined",
    [
        ("A **few-shot** prompt includes worked examples before the real input.", "few-shot"),
        ("The **context window** is the most tokens a model reads at once.", "context window"),
        ("A prompt with exactly one example is sometimes called **one-shot**.", "one-shot"),
        ("这种做法被称为**少样本提示**。", "少样本提示"),
    ],
)
def test_a_bold_term_near_the_start_or_after_called_is_the_term_defined(sentence, defined):
    assert defines_one_of(sentence, set(terms(defined)))
    assert not defines_one_of(sentence, {"prompt", "model", "提示"} - set(terms(defined)))


@pytest.mark.parametrize("question", ["What is temperature?", "what's a token", "什么是少样本提示？", "温度是什么"])
def test_definition_questions_are_recognised(question):
    assert asks_for_definition(question)


# --------------------------------------------------------------------------- extractive answers


@pytest.mark.parametrize(
    "question, lang, lead, defining",
    [
        ("What is temperature?", "en", "Here is what the course says:", "**Temperature** is a setting"),
        ("什么是温度？", "zh", "课程中这样说：", "**温度**是一个参数"),
    ],
)
def test_an_answer_quotes_the_course_with_citations_and_the_definition_first(
    fake_services, tmp_path, question, lang, lead, defining
):
    tutor = _course(fake_services, tmp_path, ("en.md", LESSON_EN), ("zh.md", LESSON_ZH))
    stream = tutor.ask(question, course="demo", lang=lang)
    answer = stream.text()
    result = stream.result

    assert result.style == "extractive" and result.grounded and result.complete
    assert answer.startswith(lead)
    quoted = _quoted_sentences(answer)
    assert 2 <= len(quoted) <= 5
    assert quoted[0].startswith(defining)
    cited = {c.number: c for c in result.citations}
    for line in answer.split("\n\n"):
        if line.rstrip().endswith("]"):
            sentence, number = line.rsplit(" [", 1)
            assert sentence.replace("**", "") in cited[int(number.rstrip("]"))].text.replace("**", "")  # the course's own words
    assert all(c.source == f"{lang}.md" for c in result.citations)  # the learner's language is quoted
    assert "unsupported" not in result.to_json() and result.to_json()["style"] == "extractive"


def test_a_course_only_in_english_is_quoted_in_english_and_says_so(fake_services, tmp_path):
    tutor = _course(fake_services, tmp_path, ("en.md", ONLY_EN))
    answer = tutor.ask("什么是温度？", course="demo", lang="zh").text()
    assert answer.startswith("这部分课程只有英文版本")
    assert "**Temperature** is a setting" in answer


def test_a_code_block_introduced_by_a_chosen_sentence_is_quoted_whole(fake_services, tmp_path):
    tutor = _course(fake_services, tmp_path, ("en.md", LESSON_EN))
    answer = tutor.ask("Show me an example of a few-shot prompt with translated sentences", course="demo", lang="en").text()
    if "For example, a prompt can show two translated sentences" in answer:
        assert "```text\nsea -> mer\nsun -> soleil\nmoon ->\n```" in answer
    assert answer.count("```") % 2 == 0  # never a cut fence


def test_a_refusal_names_the_closest_sections_and_never_calls_the_model(fake_services, tmp_path):
    tutor = _course(fake_services, tmp_path, ("en.md", LESSON_EN))
    tutor.settings = tutor.retriever.settings = tutor.settings.model_copy(
        update={
            "grounding_threshold": 1.1,
            "grounding_floor": 1.1,
            "cross_grounding_threshold": 1.1,
            "cross_grounding_floor": 1.1,
        }
    )
    stream = tutor.ask("How do I change a car tyre?", course="demo", lang="en")
    answer = stream.text()
    assert not stream.result.grounded
    assert answer.startswith("The course material does not cover this question")
    assert answer.count("“Prompt basics › ") == 2


# --------------------------------------------------------------------------- conversations


def test_refusals_and_their_questions_never_reach_the_models_history(fake_services, tmp_path):
    tutor = _course(fake_services, tmp_path, ("en.md", LESSON_EN))
    db = open_database("sqlite://")
    alice = create_user(db, "alice", "correct horse battery", "student")
    store = ConversationStore(db)
    strict = tutor.settings.model_copy(
        update={
            "grounding_threshold": 1.1,
            "grounding_floor": 1.1,
            "cross_grounding_threshold": 1.1,
            "cross_grounding_floor": 1.1,
        }
    )
    lenient = tutor.settings
    tutor.settings = tutor.retriever.settings = strict
    turn = start_turn(store, tutor, alice.id, None, "demo", "How do I bake bread?", "en")
    finish_turn(store, tutor.settings, alice.id, turn, "".join(turn.pieces()))
    tutor.settings = tutor.retriever.settings = lenient
    turn = start_turn(store, tutor, alice.id, turn.conversation_id, "demo", "What is temperature?", "en", answer_lang="en")
    shown = "".join(turn.pieces())
    finish_turn(store, tutor.settings, alice.id, turn, shown)

    messages = store.messages(alice.id, turn.conversation_id)
    assert [m.role for m in messages] == ["user", "assistant", "user", "assistant"]
    assert not messages[1].grounded and messages[3].grounded and messages[3].style == "extractive"
    assert model_history(messages) == [("human", "What is temperature?"), ("ai", shown)]


def test_follow_ups_answer_from_the_same_passages(fake_services, tmp_path):
    tutor = _course(fake_services, tmp_path, ("en.md", LESSON_EN))
    db = open_database("sqlite://")
    alice = create_user(db, "alice", "correct horse battery", "student")
    store = ConversationStore(db)
    turn = start_turn(store, tutor, alice.id, None, "demo", "What is a few-shot prompt?", "en", answer_lang="en")
    finish_turn(store, tutor.settings, alice.id, turn, "".join(turn.pieces()))
    answer = store.messages(alice.id, turn.conversation_id)[-1]
    passage_text = "\n".join(c["text"] for c in answer.citation_list)

    for kind in ("simpler", "example", "quiz"):
        follow_up(store, tutor.extractive, alice.id, turn.conversation_id, answer, kind, "en")
    *_, asked_simpler, simpler, asked_example, example, asked_quiz, quiz = store.messages(alice.id, turn.conversation_id)
    assert asked_simpler.content == "Simpler, please." and simpler.style == "simpler"
    assert simpler.content.startswith("In the fewest words the course uses:")
    assert example.content.startswith("The course gives this example:") and "sea -> mer" in example.content
    question, answer_key = quiz.content.split(QUIZ_ANSWER_MARK)
    assert question.startswith("Fill in the blank: ") and "_____" in question
    assert answer_key.strip().strip("*") in passage_text
    assert model_history(store.messages(alice.id, turn.conversation_id))[-1][0] == "ai"  # follow-ups are left out


# --------------------------------------------------------------------------- generated answers and the claim check


def test_a_generated_answer_lists_and_flags_what_the_course_does_not_say(fake_services, tmp_path):
    tutor = _course(fake_services, tmp_path, ("en.md", LESSON_EN))
    tutor.settings = tutor.retriever.settings = tutor.settings.model_copy(update={"answer_style": "generative"})
    invented = "Bananas ripen faster when stored beside apples in a paper bag."
    model = ScriptedChat([f"A low temperature gives focused and repeatable answers [1]. {invented}"])
    tutor.model_factory = lambda: model
    stream = tutor.ask("What does a low temperature do?", course="demo", lang="en")
    stream.text()
    assert stream.result.style == "generative"
    assert stream.result.unsupported == [invented]
    assert stream.result.to_json()["unsupported"] == [invented]

    db = open_database("sqlite://")
    alice = create_user(db, "alice", "correct horse battery", "student")
    store = ConversationStore(db)
    tutor.model_factory = lambda: ScriptedChat([f"A low temperature gives focused and repeatable answers [1]. {invented}"])
    turn = start_turn(store, tutor, alice.id, None, "demo", "What does a low temperature do?", "en", answer_lang="en")
    finish_turn(store, tutor.settings, alice.id, turn, "".join(turn.pieces()))
    saved = store.messages(alice.id, turn.conversation_id)[-1]
    assert f"{invented} ⚠️ _(not found in the course)_" in saved.content and saved.unsupported == 1


@pytest.mark.parametrize(
    "answer, passage, expected",
    [
        (
            "Temperature controls how random the token choices are.",
            "Temperature controls how random the model's token choices are.",
            [],
        ),
        ("温度控制模型选择词元的随机程度。", "温度是一个参数，用于控制模型选择词元时的随机程度。", []),
        (
            "The Eiffel Tower was finished in 1889 in Paris.",
            "Temperature controls how random the token choices are.",
            ["The Eiffel Tower was finished in 1889 in Paris."],
        ),
    ],
)
def test_claims_are_checked_against_passage_sentences(answer, passage, expected):
    assert unsupported_sentences(answer, [passage], SentenceVectors(HashEmbedding())) == expected


def test_flags_are_added_after_each_unsupported_sentence():
    text = "One true thing [1]. One invented thing."
    assert mark_unsupported(text, ["One invented thing."], "zh") == "One true thing [1]. One invented thing. ⚠️ _（课程中未找到）_"


def test_sentence_vectors_are_cached_on_disk(tmp_path):
    calls = []

    class Counting(HashEmbedding):
        def __call__(self, input):
            calls.append(list(input))
            return super().__call__(input)

    first = SentenceVectors(Counting(), tmp_path)
    first(["alpha beta gamma.", "delta epsilon."])
    second = SentenceVectors(Counting(), tmp_path)
    again = second(["alpha beta gamma.", "zeta eta."])
    assert calls == [["alpha beta gamma.", "delta epsilon."], ["zeta eta."]]
    assert again.shape[0] == 2


def test_the_answerer_needs_no_index():
    answerer = ExtractiveAnswerer(HashEmbedding())
    assert answerer.simpler(["**Tokens** are pieces of text. They are counted."], "en").endswith("[1]")
    assert answerer.example(["Nothing to show."], "en") == ""
    assert answerer.quiz(["No bold terms."], "en") is None


def test_a_quoted_chinese_question_inside_a_sentence_does_not_end_it():
    text = "含义相近的文本，其向量指向相近的方向：“怎么重置密码？”会落在“找回账户访问权限的步骤”附近。"
    assert [u.text for u in split_units(text)] == [text]
    assert [u.text for u in split_units("他说：“今天的课程很好。”我们就出发了，一路向前。")] == [
        "他说：“今天的课程很好。”",
        "我们就出发了，一路向前。",
    ]


# --------------------------------------------------------------------------- what is quotable, and what comes with it


def _hit(text: str, heading: str = "Setup", lang: str = "en"):
    return SimpleNamespace(chunk=SimpleNamespace(text=text, heading=heading, lang=lang, lesson_id="lesson-1"))


@pytest.mark.parametrize(
    "question, passage, lang, lead, items",
    [
        (
            "What do I need to run the exercises?",
            "The notebook runs in a browser. To run the exercises you need:\n\n1. An API key\n2. A Python runtime\n\nThe rest is explained there.",
            "en",
            "To run the exercises you need: [1]",
            ["- An API key", "- A Python runtime"],
        ),
        (
            # list items of two words count: without them the sentence before says nothing
            "这种设计模式把输入分为哪两部分？",
            "使用这种设计模式，输入文本分为两部分：\n\n- 指令（动作）\n- 相关内容（影响响应）\n\n这样模型更容易理解任务。",
            "zh",
            "使用这种设计模式，输入文本分为两部分： [1]",
            ["- 指令（动作）", "- 相关内容（影响响应）"],
        ),
    ],
)
def test_a_sentence_ending_in_a_colon_is_quoted_with_its_short_list(question, passage, lang, lead, items):
    text = ExtractiveAnswerer(HashEmbedding()).compose(question, [_hit(passage, lang=lang)], lang).text
    paragraphs = text.split("\n\n")
    assert lead in paragraphs
    assert paragraphs[paragraphs.index(lead) + 1].split("\n") == items


def test_a_long_list_is_not_glued_to_its_lead_in():
    items = "\n".join(f"- Point {n} is a long paragraph. It has a second sentence about point {n}." for n in range(4))
    unit, *rest = split_units(f"Keep these factors in mind:\n\n{items}")
    assert introduces_list(unit, rest) == []


@pytest.mark.parametrize(
    "text, item, expected",
    [
        ("Coding example", False, False),  # an image's alt text
        ("Custom Instructions Settings in ChatGPT", False, False),
        ("AI、ML、DL 和生成式 AI", False, False),
        ("**Evaluate model**.", False, False),  # a bold label alone
        ("Python 运行时", True, True),  # a list item may be short and unpunctuated
        ("Temperature controls randomness.", False, True),
        ("> *(Source: Flying bisons)*", False, False),  # a credit in parentheses
        ("> _（来源：飞翔的野牛）_", False, False),
        ("(This also works for images.)", False, True),  # a sentence in parentheses is still a sentence
        ("But all three models did generate responses that could convince an uninformed reader", False, True),
    ],
)
def test_captions_and_labels_are_not_quoted(text, item, expected):
    assert quotable(Unit(text, "sentence", 0, 0, item)) is expected


def test_a_quote_never_skips_one_sentence_of_a_paragraph_and_never_quotes_a_caption():
    passage = (
        "A cue starts the answer for the model. In this case, the snippet nudges it in the right direction. "
        "The model then takes the cue and continues. Tables hold rows. Colours are pretty."
    )
    other = "Coding example\n\n**Evaluate model**.\n\nA cue is a snippet."
    text = (
        ExtractiveAnswerer(HashEmbedding())
        .compose("What is a cue and how does the model take the cue?", [_hit(passage), _hit(other, heading="Other")], "en")
        .text
    )
    quoted = _quoted_sentences(text)
    assert quoted[-3:] == [
        "A cue starts the answer for the model.",
        "In this case, the snippet nudges it in the right direction.",
        "The model then takes the cue and continues.",
    ]
    assert "Coding example" not in text and "Evaluate model" not in text


@pytest.mark.parametrize(
    "sentence, wanted",
    [
        ("In this chapter, we define **prompt engineering** as the process of designing text inputs.", {"prompt", "engineering"}),
        ("在本章中，我们将**提示工程**定义为设计和优化文本输入的过程。", {"提示工程"}),
    ],
)
def test_a_bold_term_defined_mid_sentence_counts_as_a_definition(sentence, wanted):
    assert defines_one_of(sentence, wanted)


def test_a_knowledge_check_answer_is_quoted_without_its_label():
    passage = "Knowledge check. Which is true? A: 3, an LLM is non-deterministic and its temperature controls the variance."
    text = (
        ExtractiveAnswerer(HashEmbedding())
        .compose("Is an LLM non-deterministic, and what controls the variance?", [_hit(passage)], "en")
        .text
    )
    assert "An LLM is non-deterministic and its temperature controls the variance. [1]" in text
    assert "A: 3" not in text


def test_the_choices_listed_under_a_question_are_not_quoted_as_statements():
    units = split_units("What is true about models?\n\n1. They are always right.\n2. They can vary.\n\nA model can vary.")
    assert answer_options(units) == {1, 2}
    passage = (
        "Which is true about a language model?\n\n1. A language model is always right about numbers.\n"
        "2. A language model may answer differently each time.\n\n"
        "Answer: 2. A language model may give different answers, so check its numbers."
    )
    text = (
        ExtractiveAnswerer(HashEmbedding()).compose("Is a language model always right about numbers?", [_hit(passage)], "en").text
    )
    assert "always right about numbers." not in text  # a wrong choice, not something the course claims
    assert "check its numbers" in text
    assert all(sentence.strip() for sentence in _quoted_sentences(text))  # "Answer: 2." alone is not quoted empty


@pytest.mark.parametrize("score, block, quoted", [(0.85, 0, True), (0.80, 0, False), (0.85, 1, False)])
def test_the_sentence_after_a_best_one_is_quoted_when_its_paragraph_goes_on_with_the_thought(score, block, quoted):
    best = Pick(Unit("An AI system cannot answer for its actions.", "sentence", 0, 0), 0, score=0.90)
    after = Pick(Unit("A named person or team must do so.", "sentence", 1, block), 0, score=score)
    other = Pick(Unit("Fairness means treating people equally.", "sentence", 2, 2), 0, score=0.89)
    chosen = [best, other]
    ExtractiveAnswerer._carry_on(chosen, [best, after, other], best)
    assert (after in chosen) is quoted
