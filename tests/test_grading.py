"""Grading: exact for choices; short answers by meaning, key terms and contradictions, in English and Chinese."""

import re

import pytest

from benchmarks.grading import attempts, load_exercises
from tests.fakes import HashEmbedding
from tutor_app.grading import CORRECT, NOT_YET, PARTLY, contradicts, grade_choice, grade_short
from tutor_app.i18n import MESSAGES, t
from tutor_app.messages.grading import MESSAGES as GRADING_MESSAGES

EN_Q = "In a few-shot prompt, what do you place before the actual task, and why?"
EN_KEY = "Two or three worked examples, so the model copies their format and style."
ZH_Q = "少样本提示在真正的任务之前放什么？为什么？"
ZH_KEY = "放两三个示例，让模型模仿它们的格式和风格。"
TEMP_Q = "What does the temperature setting control when a model generates text?"
TEMP_KEY = ("How random the choice of the next token is; low values give focused, repeatable output "
            "and high values give varied output.")
FAKE = HashEmbedding()  # texts sharing words are similar: enough to test everything but paraphrase


@pytest.fixture(scope="module")
def labelled():
    return attempts(load_exercises())


# --------------------------------------------------------------------------- the rules, without the real embedder


@pytest.mark.parametrize("answer, key, question", [
    ("A high temperature makes the output more predictable and a low one makes it more varied.", TEMP_KEY, TEMP_Q),
    ("It does not affect randomness at all; it only changes how fast the model answers.", TEMP_KEY, TEMP_Q),
    ("You do not put examples before the task, because the model would copy them.", EN_KEY, EN_Q),
    ("Relevant passages are added to the vector database after the model has written its answer.",
     "Retrieving relevant passages from a vector database and adding them to the prompt as context.",
     "Which step of retrieval-augmented generation happens before the model writes its answer?"),
    ("Yes: during inference the parameters are updated, so the conversation changes the model.",
     "No: during inference the parameters are frozen, so the conversation does not change the model.",
     "Does chatting with a model retrain it? Explain."),
    ("温度高输出稳定可重复，温度低输出更加多样。", "控制选择下一个词元的随机程度：温度低输出稳定可重复，温度高输出更加多样。",
     "生成文本时，温度参数控制什么？"),
    ("放两三个示例，但模型不会模仿它们的格式和风格。", ZH_KEY, ZH_Q),
    ("先给出最终答案，之后再补充推理过程。", "在给出最终答案之前，先一步一步写出中间推理过程。", "思维链提示要求模型做什么？"),
    ("用更多的比特存储每个参数，让模型文件变大，质量大幅提高。", "用更少的比特存储每个参数，让模型文件变小，质量只略有下降。",
     "量化是什么？它对模型有什么影响？"),
    ("It retries immediately without waiting.", "每次失败后等待的时间成倍增加，比如 1 秒、2 秒、4 秒，并加入少量随机抖动。",
     "指数退避是怎样重试的？"),
])
def test_a_wrong_claim_made_of_the_keys_words_is_rejected(answer, key, question):
    grade = grade_short(answer, key, question, embedder=FAKE)
    assert not grade.correct and grade.verdict == NOT_YET and grade.reason == "contradiction", grade


def test_no_correct_or_partial_answer_of_the_labelled_set_is_taken_for_a_contradiction(labelled):
    from tutor_app.bilingual import default_bilingual
    from tutor_app.loaders import detect_lang

    bilingual = default_bilingual()
    flagged = [a.text for a in labelled if a.label in ("correct_en", "correct_zh", "partial", "verbatim")
               and contradicts(a.text, a.key, a.question, bilingual if detect_lang(a.text) != detect_lang(a.key) else None)]
    assert flagged == []


def test_a_pasted_lesson_passage_is_rejected_whatever_it_contains(labelled):
    pasted = [a for a in labelled if a.label == "pasted"]
    assert len(pasted) >= 12
    for a in pasted:
        grade = grade_short(a.text, a.key, a.question, embedder=FAKE)
        assert not grade.correct and grade.reason == "long", a.exercise


@pytest.mark.parametrize("key, question, filler", [
    (EN_KEY, EN_Q, "Chat websites often hide this setting, but developer playgrounds show it."),
    (ZH_KEY, ZH_Q, "聊天网站通常会隐藏这个设置，但开发者平台会显示它。"),
])
def test_padding_the_key_with_other_text_is_rejected(key, question, filler):
    padded = grade_short(f"{key} {filler}", key, question, embedder=FAKE)
    assert not padded.correct and padded.reason == "off_topic", padded
    stuffed = grade_short(" ".join([key] * 4), key, question, embedder=FAKE)
    assert not stuffed.correct and stuffed.reason == "long"


@pytest.mark.parametrize("key, question", [(EN_KEY, EN_Q), (ZH_KEY, ZH_Q), (TEMP_KEY, TEMP_Q)])
def test_the_key_itself_is_accepted(key, question):
    grade = grade_short(key, key, question, embedder=FAKE)
    assert grade.correct and grade.verdict == CORRECT and grade.score >= 0.75


@pytest.mark.parametrize("answer", ["", "   ", "\n"])
def test_an_empty_answer_is_not_graded(answer):
    assert grade_short(answer, EN_KEY, EN_Q).empty
    assert grade_short(answer, EN_KEY, EN_Q).feedback == "grade_empty"
    assert grade_choice(answer, "B", ["A", "B"]).empty


def test_echoing_the_question_is_not_an_answer():
    assert grade_short("In a few-shot prompt you place something before the actual task", EN_KEY, EN_Q,
                       embedder=None).verdict == NOT_YET


def test_no_feedback_holds_a_percentage_or_the_key(labelled):
    for key, table in GRADING_MESSAGES.items():
        for text in table.values():
            assert "%" not in text and "percent" not in text, key
            assert set(re.findall(r"{(\w+)}", text)) <= ({"answer"} if key == "grade_expected" else set()), key
    for a in labelled:
        grade = grade_short(a.text, a.key, a.question, embedder=FAKE)
        assert grade.feedback in MESSAGES and grade.feedback != "grade_expected"
        for lang in ("en", "zh"):
            text = t(grade.feedback, lang)
            assert not re.search(r"\d\s*%", text) and a.key not in text


def test_the_three_verdicts_come_with_their_message():
    assert grade_short(EN_KEY, EN_KEY, EN_Q, embedder=FAKE).feedback == "grade_correct"
    partly = grade_short("worked examples", EN_KEY, EN_Q, embedder=None)
    assert partly.verdict == PARTLY and partly.feedback == "grade_partly" and "format" in partly.missing
    assert grade_short("A longer instruction", EN_KEY, EN_Q, embedder=None).feedback == "grade_not_yet"


# --------------------------------------------------------------------------- key terms alone (no embedder)


@pytest.mark.parametrize("answer, key, question, correct", [
    ("A couple of worked examples so the model copies the format and style", EN_KEY, EN_Q, True),
    ("Examples.", EN_KEY, EN_Q, False),
    ("A longer instruction", EN_KEY, EN_Q, False),
    ("放几个示例，让模型模仿格式和风格", ZH_KEY, ZH_Q, True),
    ("放一段说明", ZH_KEY, ZH_Q, False),
    ("示例", ZH_KEY, ZH_Q, False),
])
def test_without_an_embedder_key_terms_decide(answer, key, question, correct):
    grade = grade_short(answer, key, question, embedder=None)
    assert grade.correct is correct and grade.meaning is None and not grade.cross_language, grade


@pytest.mark.parametrize("answer, key, question", [
    ("a few examples so the model imitates the format and style", ZH_KEY, ZH_Q),
    ("两三个示例，让模型复制它们的格式和风格", EN_KEY, EN_Q),
])
def test_key_terms_are_bridged_across_languages(answer, key, question):
    grade = grade_short(answer, key, question, embedder=None)
    assert grade.cross_language and grade.correct, grade
    assert not grade_short("用更长的指令", EN_KEY, EN_Q, embedder=None).correct


def test_choices_are_exact_and_accept_letters_numbers_and_chinese_true_false():
    options = ["Top-p", "Temperature", "Max tokens"]
    assert grade_choice("Temperature", "Temperature", options).correct
    assert grade_choice(" temperature ", "Temperature", options).correct
    assert grade_choice("b", "Temperature", options).correct
    assert grade_choice("2", "Temperature", options).correct
    assert not grade_choice("Top-p", "Temperature", options).correct
    assert not grade_choice("Temperatur", "Temperature", options).correct
    assert grade_choice("对", "True", ["True", "False"]).correct
    assert grade_choice("错", "True", ["True", "False"]).verdict == NOT_YET


# --------------------------------------------------------------------------- the real e5 embedder


@pytest.mark.slow
@pytest.mark.parametrize("answer, key, question", [
    # The reported bug: a right answer in other words covered a quarter of the key's terms and failed.
    ("You put a few solved examples first; the model then follows the way they are written.", EN_KEY, EN_Q),
    ("It sets how much chance goes into picking each token; turned down, the text is steady and predictable, "
     "turned up it becomes more diverse and creative.", TEMP_KEY, TEMP_Q),
    ("先给几个做好的例子，模型就会照着例子的样式和写法来答。", ZH_KEY, ZH_Q),
    ("失败一次就把等待时间翻一倍再试，如等 1、2、4 秒，还要加一点随机性。",
     "每次失败后等待的时间成倍增加，比如 1 秒、2 秒、4 秒，并加入少量随机抖动。", "指数退避是怎样重试的？"),
    ("先放几个做好的示范例子，模型会照着它们的格式和写法来回答。", EN_KEY, EN_Q),  # Chinese answer, English key
    ("A few solved examples, so the model follows the way they are laid out and written.", ZH_KEY, ZH_Q),
])
def test_a_paraphrase_is_accepted_with_the_real_embedder(answer, key, question):
    grade = grade_short(answer, key, question)
    assert grade.correct and grade.verdict == CORRECT and grade.meaning is not None, grade


@pytest.mark.slow
@pytest.mark.parametrize("answer, key, question", [
    ("A high temperature makes the output more predictable and a low one makes it more varied.", TEMP_KEY, TEMP_Q),
    ("It controls how many tokens the model may write in its answer.", TEMP_KEY, TEMP_Q),  # a neighbouring idea
    ("Nothing; you only describe the task in words and give no examples at all.", EN_KEY, EN_Q),
    ("什么都不放，只用文字描述任务。", ZH_KEY, ZH_Q),
    ("How random the output is.", TEMP_KEY, TEMP_Q),  # right but incomplete
])
def test_wrong_and_incomplete_answers_are_not_accepted_with_the_real_embedder(answer, key, question):
    grade = grade_short(answer, key, question)
    assert not grade.correct and grade.verdict in (PARTLY, NOT_YET), grade


@pytest.mark.slow
def test_the_key_verbatim_is_accepted_and_a_padded_key_is_not_with_the_real_embedder(labelled):
    for a in labelled:
        if a.label in ("verbatim", "padded", "pasted"):
            assert grade_short(a.text, a.key, a.question).correct is (a.label == "verbatim"), (a.label, a.exercise)
