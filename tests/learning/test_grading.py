"""Grading: exact for choices; short answers by meaning, key terms and contradictions, in English and Chinese."""

import re
from dataclasses import replace

import pytest

from benchmarks.grading import attempts, load_exercises
from tests.support.fakes import HashEmbedding
from tutor_app.core.i18n import MESSAGES, t
from tutor_app.core.messages.grading import MESSAGES as GRADING_MESSAGES
from tutor_app.learning.grading import (
    CORRECT,
    NOT_YET,
    PARTLY,
    THRESHOLDS,
    _precision,
    contradicts,
    grade_choice,
    grade_short,
)

EN_Q = "In a few-shot prompt, what do you place before the actual task, and why?"
EN_KEY = "Two or three worked examples, so the model copies their format and style."
ZH_Q = "少样本提示在真正的任务之前放什么？为什么？"
ZH_KEY = "放两三个示例，让模型模仿它们的格式和风格。"
TEMP_Q = "What does the temperature setting control when a model generates text?"
TEMP_KEY = (
    "How random the choice of the next token is; low values give focused, repeatable output and high values give varied output."
)
FAKE = HashEmbedding()  # texts sharing words are similar: enough to test everything but paraphrase


@pytest.fixture(scope="module")
def labelled():
    return attempts(load_exercises())


# --------------------------------------------------------------------------- the rules, without the real embedder


@pytest.mark.parametrize(
    "answer, key, question",
    [
        ("A high temperature makes the output more predictable and a low one makes it more varied.", TEMP_KEY, TEMP_Q),
        ("It does not affect randomness at all; it only changes how fast the model answers.", TEMP_KEY, TEMP_Q),
        ("You do not put examples before the task, because the model would copy them.", EN_KEY, EN_Q),
        (
            "Relevant passages are added to the vector database after the model has written its answer.",
            "Retrieving relevant passages from a vector database and adding them to the prompt as context.",
            "Which step of retrieval-augmented generation happens before the model writes its answer?",
        ),
        (
            "Yes: during inference the parameters are updated, so the conversation changes the model.",
            "No: during inference the parameters are frozen, so the conversation does not change the model.",
            "Does chatting with a model retrain it? Explain.",
        ),
        (
            "温度高输出稳定可重复，温度低输出更加多样。",
            "控制选择下一个词元的随机程度：温度低输出稳定可重复，温度高输出更加多样。",
            "生成文本时，温度参数控制什么？",
        ),
        ("放两三个示例，但模型不会模仿它们的格式和风格。", ZH_KEY, ZH_Q),
        (
            "先给出最终答案，之后再补充推理过程。",
            "在给出最终答案之前，先一步一步写出中间推理过程。",
            "思维链提示要求模型做什么？",
        ),
        (
            "用更多的比特存储每个参数，让模型文件变大，质量大幅提高。",
            "用更少的比特存储每个参数，让模型文件变小，质量只略有下降。",
            "量化是什么？它对模型有什么影响？",
        ),
        (
            "It retries immediately without waiting.",
            "每次失败后等待的时间成倍增加，比如 1 秒、2 秒、4 秒，并加入少量随机抖动。",
            "指数退避是怎样重试的？",
        ),
    ],
)
def test_a_wrong_claim_made_of_the_keys_words_is_rejected(answer, key, question):
    grade = grade_short(answer, key, question, embedder=FAKE)
    assert not grade.correct and grade.verdict == NOT_YET and grade.reason == "contradiction", grade


TRIM_Q = "How do you trim a conversation history that no longer fits the context window?"
TRIM_KEY = "Keep the system message and delete the oldest turns first."
TRIM_Q_ZH = "对话历史超出上下文窗口时，应该怎样裁剪？"
TRIM_KEY_ZH = "始终保留系统消息，从最早的轮次开始删除。"
MODELS_Q = "How does an instruct model differ from a base model?"
MODELS_KEY = "A base model only continues text; an instruct model is trained further on instructions, so it follows requests."
FAIR_Q = "负责任人工智能的原则中，公平性和包容性有什么区别？"
FAIR_KEY = "公平性是不让某些群体受到更差的对待；包容性是主动设计，让任何人都不被排除在外。"
RUN_AS_Q = "Whose permissions should a tool called by an assistant run with?"
RUN_AS_KEY = "With the end user's permissions rather than a powerful service account."
RUN_AS_Q_ZH = "助手调用的工具应该以谁的权限运行？"
RUN_AS_KEY_ZH = "以用户自己的权限运行，而不是用权限很大的服务账号。"
ACCESS_Q = "What does least privilege mean for the tools an assistant can call?"
ACCESS_KEY = "Give each tool only the access it truly needs."


@pytest.mark.parametrize(
    "answer, key, question",
    [
        # keep/remove and oldest/newest next to the same term; keeping the newest is deleting the oldest
        ("Delete the system message and keep every turn.", TRIM_KEY, TRIM_Q),
        ("Remove the newest turns first and keep the oldest ones.", TRIM_KEY, TRIM_Q),
        ("删掉系统消息，保留最早的轮次。", TRIM_KEY_ZH, TRIM_Q_ZH),
        ("从最新的轮次开始删除。", TRIM_KEY_ZH, TRIM_Q_ZH),
        # what the key says of one of the things compared, said of the other
        ("A base model follows requests, while an instruct model only continues text.", MODELS_KEY, MODELS_Q),
        ("公平性是主动设计，让任何人都不被排除在外；包容性是不让某些群体受到更差的对待。", FAIR_KEY, FAIR_Q),
        (
            "Fairness is about designing so that nobody is left out, and inclusiveness is about not treating groups worse.",
            FAIR_KEY,
            FAIR_Q,
        ),
        # a preference reversed: "A rather than B" against "B rather than A"
        ("With a powerful service account rather than the end user's permissions.", RUN_AS_KEY, RUN_AS_Q),
        ("用权限很大的服务账号运行，而不是用户自己的权限。", RUN_AS_KEY_ZH, RUN_AS_Q_ZH),
        # a plain negation is still one
        ("Tools need no access at all.", ACCESS_KEY, ACCESS_Q),
    ],
)
def test_a_wrong_claim_caught_by_the_rules_added_with_the_larger_calibration_set(answer, key, question):
    grade = grade_short(answer, key, question, embedder=FAKE)
    assert not grade.correct and grade.reason == "contradiction", grade


@pytest.mark.parametrize(
    "answer, key, question",
    [
        ("Never remove the system message; drop the earliest turns until it fits.", TRIM_KEY, TRIM_Q),  # never remove = keep
        ("系统消息不能删，先删最旧的轮次。", TRIM_KEY_ZH, TRIM_Q_ZH),
        ("先删最旧的轮次，直到不超预算。", "按令牌预算从最早的轮次开始删除。", TRIM_Q_ZH),  # 不超预算 denies no budget
        ("Grant tools no more access than necessary.", ACCESS_KEY, ACCESS_Q),  # "no more" is a pole, not a denial
        (
            "All earlier messages, since there is no memory between requests.",  # the negation ends at "between"
            "The whole history, because the model forgets it between requests.",
            "What does a chat app send with each request?",
        ),
        # a clause with a negation elsewhere ("别让任何群体") is not held against the key's terms
        ("公平：别让任何群体得到更差的结果；包容：设计时就照顾到每一个人。", FAIR_KEY, FAIR_Q),
        ("包容性是一开始就主动为所有人设计；公平性是不让任何群体受到更差的对待。", FAIR_KEY, FAIR_Q),  # in the other order
        (
            "The base model just continues the text, while the instruct model follows requests because it was trained "
            "on instructions.",
            MODELS_KEY,
            MODELS_Q,
        ),
        ("The user's own permissions, instead of an admin account.", RUN_AS_KEY, RUN_AS_Q),
        ("工具应该用用户本人的权限来运行，不用服务账号。", RUN_AS_KEY_ZH, RUN_AS_Q_ZH),
        # "rather than" in an answer sets something aside; against a key that prefers nothing it flips nothing
        (
            "Use it to shape style and format rather than to add knowledge.",
            "When you need a consistent style or format; for knowledge that changes often, RAG is better.",
            "When is fine-tuning the right choice?",
        ),
        # 先 reaches to the end of its clause: the middle step is neither first nor last
        ("先出草稿，按清单找问题，再动手修改。", "先写初稿，再按明确的标准批评初稿，然后修改。", "自我改进提示是怎样工作的？"),
        (
            "Draft it, then check it against a list, and revise it at the end.",
            "Write a draft first, then critique it against explicit criteria, then revise it.",
            "How does self-refine prompting work?",
        ),
    ],
)
def test_a_right_answer_is_not_taken_for_a_contradiction_by_those_rules(answer, key, question):
    assert not contradicts(answer, key, question, None), answer


@pytest.mark.parametrize("group, off", [("cross", 0.0), ("en", 0.5), ("zh", 0.5)])
def test_off_the_point_is_measured_from_the_pass_mark_of_the_answers_group(group, off):
    # (length, the sentence's own score, the answer's gain without it): 0.58 is a fair score for a
    # translation and a low one within a language.
    sentences = [(6.0, 0.58, 0.05), (6.0, 0.8, -0.02)]
    th = replace(THRESHOLDS, meaning_en=0.67, meaning_zh=0.71, meaning_cross=0.53, topic=0.0, dilution=0.02)
    assert _precision(sentences, th, group) == pytest.approx(1 - off)


def test_correct_and_partial_answers_of_the_labelled_set_are_seldom_taken_for_a_contradiction(labelled):
    from tutor_app.engine.search.bilingual import default_bilingual
    from tutor_app.engine.text import detect_lang

    bilingual = default_bilingual()
    right = [a for a in labelled if a.label in ("correct_en", "correct_zh", "partial", "verbatim")]
    flagged = [
        a
        for a in right
        if contradicts(a.text, a.key, a.question, bilingual if detect_lang(a.text) != detect_lang(a.key) else None)
    ]
    # Held-out answers are counted, never listed: no rule is fitted to them.
    assert sum(a.split == "heldout" for a in flagged) == 0
    assert [a.text for a in flagged if a.source == "short_answers"] == []
    # The added calibration exercises are harder; 3 of their 108 are still misread (one describes
    # the other thing compared, "Direct: the user types the attack"; one reads 模型之后会读取 as
    # "after the model"; one warns against what the key describes, 不能直接信任 against 直接使用).
    assert len([a for a in flagged if a.source != "short_answers"]) <= 3


def test_a_pasted_lesson_passage_is_rejected_whatever_it_contains(labelled):
    pasted = [a for a in labelled if a.label == "pasted"]
    assert len(pasted) >= 12
    for a in pasted:
        grade = grade_short(a.text, a.key, a.question, embedder=FAKE)
        assert not grade.correct and grade.reason == "long", a.exercise


@pytest.mark.parametrize(
    "key, question, filler",
    [
        # As in the benchmark, the padding is at least as long as the key: shorter, it is tolerated.
        (EN_KEY, EN_Q, "Chat websites often hide this setting, but developer playgrounds show it next to the other options."),
        (ZH_KEY, ZH_Q, "聊天网站通常会隐藏这个设置，但开发者平台会显示它。"),
    ],
)
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
    assert (
        grade_short("In a few-shot prompt you place something before the actual task", EN_KEY, EN_Q, embedder=None).verdict
        == NOT_YET
    )


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


def test_no_text_the_coach_or_practice_shows_after_a_grade_holds_a_share_or_the_key():
    from tutor_app.core.messages.coach import MESSAGES as COACH_MESSAGES

    # The key appears only in the two texts shown after a right answer (or a question made from the lesson).
    after_correct = {"grade_expected", "learn_attempt_right"}
    shown = {**COACH_MESSAGES, **{k: MESSAGES[k] for k in ("learn_attempt_right", "err_attempts_too_often")}}
    for key, table in shown.items():
        for lang, text in table.items():
            assert "%" not in text and "percent" not in text and "百分" not in text, (key, lang)
            assert ("{answer}" in text) == (key in after_correct), (key, lang)


def test_the_three_verdicts_come_with_their_message():
    assert grade_short(EN_KEY, EN_KEY, EN_Q, embedder=FAKE).feedback == "grade_correct"
    partly = grade_short("worked examples", EN_KEY, EN_Q, embedder=None)
    assert partly.verdict == PARTLY and partly.feedback == "grade_partly" and "format" in partly.missing
    assert grade_short("A longer instruction", EN_KEY, EN_Q, embedder=None).feedback == "grade_not_yet"


# --------------------------------------------------------------------------- key terms alone (no embedder)


@pytest.mark.parametrize(
    "answer, key, question, correct",
    [
        ("A couple of worked examples so the model copies the format and style", EN_KEY, EN_Q, True),
        ("Examples.", EN_KEY, EN_Q, False),
        ("A longer instruction", EN_KEY, EN_Q, False),
        ("放几个示例，让模型模仿格式和风格", ZH_KEY, ZH_Q, True),
        ("放一段说明", ZH_KEY, ZH_Q, False),
        ("示例", ZH_KEY, ZH_Q, False),
    ],
)
def test_without_an_embedder_key_terms_decide(answer, key, question, correct):
    grade = grade_short(answer, key, question, embedder=None)
    assert grade.correct is correct and grade.meaning is None and not grade.cross_language, grade


@pytest.mark.parametrize(
    "answer, key, question",
    [
        ("a few examples so the model imitates the format and style", ZH_KEY, ZH_Q),
        ("两三个示例，让模型复制它们的格式和风格", EN_KEY, EN_Q),
    ],
)
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
@pytest.mark.parametrize(
    "answer, key, question",
    [
        # The reported bug: a right answer in other words covered a quarter of the key's terms and failed.
        ("You put a few solved examples first; the model then follows the way they are written.", EN_KEY, EN_Q),
        (
            "It sets how much chance goes into picking each token; turned down, the text is steady and predictable, "
            "turned up it becomes more diverse and creative.",
            TEMP_KEY,
            TEMP_Q,
        ),
        ("先给几个做好的例子，模型就会照着例子的样式和写法来答。", ZH_KEY, ZH_Q),
        (
            "失败一次就把等待时间翻一倍再试，如等 1、2、4 秒，还要加一点随机性。",
            "每次失败后等待的时间成倍增加，比如 1 秒、2 秒、4 秒，并加入少量随机抖动。",
            "指数退避是怎样重试的？",
        ),
        ("先放几个做好的示范例子，模型会照着它们的格式和写法来回答。", EN_KEY, EN_Q),  # Chinese answer, English key
        ("A few solved examples, so the model follows the way they are laid out and written.", ZH_KEY, ZH_Q),
    ],
)
def test_a_paraphrase_is_accepted_with_the_real_embedder(answer, key, question):
    grade = grade_short(answer, key, question)
    assert grade.correct and grade.verdict == CORRECT and grade.meaning is not None, grade


@pytest.mark.slow
@pytest.mark.parametrize(
    "answer, key, question",
    [
        ("A high temperature makes the output more predictable and a low one makes it more varied.", TEMP_KEY, TEMP_Q),
        # A neighbouring idea of the lesson. A held-out attempt: the English pass mark chosen on the calibration
        # exercises accepts it, and no threshold is moved for a held-out attempt.
        pytest.param(
            "It controls how many tokens the model may write in its answer.",
            TEMP_KEY,
            TEMP_Q,
            marks=pytest.mark.xfail(reason="neighbouring idea accepted at the calibrated mark", strict=False),
        ),
        ("Nothing; you only describe the task in words and give no examples at all.", EN_KEY, EN_Q),
        ("什么都不放，只用文字描述任务。", ZH_KEY, ZH_Q),
        ("How random the output is.", TEMP_KEY, TEMP_Q),  # right but incomplete
    ],
)
def test_wrong_and_incomplete_answers_are_not_accepted_with_the_real_embedder(answer, key, question):
    grade = grade_short(answer, key, question)
    assert not grade.correct and grade.verdict in (PARTLY, NOT_YET), grade


@pytest.mark.slow
def test_the_key_verbatim_is_accepted_and_a_padded_key_is_not_with_the_real_embedder(labelled):
    misgraded = [
        a
        for a in labelled
        if a.label in ("verbatim", "padded", "pasted")
        and grade_short(a.text, a.key, a.question).correct is not (a.label == "verbatim")
    ]
    assert sum(a.split == "heldout" for a in misgraded) == 0  # counted, not listed
    assert [(a.label, a.exercise) for a in misgraded] == []
