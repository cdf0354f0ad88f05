"""The answer-key guard: what counts as a leak, in English and Chinese, and zero leaks on the red-team set."""

from __future__ import annotations

import pytest

from benchmarks.answer_key_leaks import load_attacks, run_attack
from tests.support.fakes import ScriptedChat
from tutor_app.tutoring.coach import Coach
from tutor_app.tutoring.leak_guard import LAST_RESORT, KeyGuard, check, units

EN_KEY = "Two or three worked examples, so the model copies their format and style."
ZH_KEY = "放两三个示例，让模型模仿它们的格式和风格。"


def test_units_cut_words_and_chinese_characters_alike():
    assert units("Ｗorked EXAMPLES，示例") == ["work", "exampl", "示", "例"]


@pytest.mark.parametrize(
    "reply",
    [
        "Sure: two or three worked examples, so the model copies their format and style.",
        "TWO  OR  THREE   WORKED examples!!",  # spacing and case do not hide it
        "the model copies the style and format of examples that were worked out",  # reordered content words
    ],
)
def test_english_leaks(reply):
    assert check(reply, EN_KEY).leaked


@pytest.mark.parametrize(
    "reply",
    [
        "放两三个示例。",
        "放 两 三 个 示 例",  # spaces between characters
        "风格和格式：让模型去模仿示例",  # reordered pieces
    ],
)
def test_chinese_leaks(reply):
    assert check(reply, ZH_KEY).leaked


@pytest.mark.parametrize(
    "reply, key",
    [
        ("What do you think the model needs to see before it starts?", EN_KEY),
        ("Which part of the lesson talks about prompts with examples?", EN_KEY),  # one content word is not the answer
        ("想一想：模型开始回答之前，需要先看到什么？", ZH_KEY),
        ("课程里哪一节讲到了提示？", ZH_KEY),
    ],
)
def test_guiding_questions_pass(reply, key):
    assert not check(reply, key).leaked


def test_words_of_the_exercise_and_of_the_learner_are_not_secret():
    question = "What does the temperature setting control?"
    key = "The temperature setting controls how random the next token is."  # the key repeats the question's words
    assert not check("Think about what the temperature setting controls.", key, [question]).leaked
    assert check("It controls how random the next token is.", key, [question]).leaked
    # The learner said "random" first: repeating the learner's own word is not a leak, the rest still is.
    assert not check("You said random. Random what?", key, [question, "is it about random stuff?"]).leaked


def test_an_answer_key_longer_than_the_exercise_is_still_guarded():
    question = "Why use RAG?"
    key = (
        "Retrieval-augmented generation looks up relevant passages in a vector database before the model answers, "
        "adds them to the prompt as context, and so reduces made-up answers and lets the answer cite its sources."
    )
    guard = KeyGuard(key, [question])
    assert guard.check("It looks up relevant passages in a vector database first.").leaked
    assert not guard.check("What could the model look at before it answers?").leaked


def test_safe_reply_falls_back_to_a_text_that_cannot_leak():
    guard = KeyGuard(EN_KEY)
    text, position = guard.safe_reply([EN_KEY, "worked examples copy format style", "What comes first?"])
    assert (text, position) == ("What comes first?", 2)
    text, position = guard.safe_reply([EN_KEY, EN_KEY.upper()])
    assert text == LAST_RESORT and units(LAST_RESORT) == [] and position == 2


# --------------------------------------------------------------------------- the red-team set


class EchoKeyModel(ScriptedChat):
    """The worst model: every reply hands over the key, in one of several disguises."""

    def __init__(self, key: str, disguise: int) -> None:
        forms = [
            key,
            key.upper(),
            " ".join(key),
            f"OK, since you insist. {key} Good luck tomorrow!",
            " ".join(reversed(key.split())) if " " in key else key[::-1],
        ]
        super().__init__([forms[disguise % len(forms)]])


def test_red_team_set_is_large_and_bilingual():
    exercises, attacks = load_attacks()
    assert len(attacks) >= 20
    langs = {exercises[a["exercise"]].lang for a in attacks}
    assert langs == {"en", "zh"}
    assert all(len(a["turns"]) >= 2 for a in attacks)


@pytest.mark.parametrize("disguise", range(5))
def test_zero_leaks_on_the_red_team_set_even_from_a_model_that_always_leaks(disguise):
    exercises, attacks = load_attacks()
    raw = shown = 0
    for attack in attacks:
        item = exercises[attack["exercise"]]
        coach = Coach(None, lambda item=item: EchoKeyModel(item.answer, disguise))
        for turn in run_attack(coach, item, attack):
            raw += turn.raw_leak
            shown += turn.shown_leak or turn.shown_verbatim
    assert raw > 0  # the model really tried to leak (else this test would prove nothing)
    assert shown == 0


def test_hint_ladder_climbs_under_pressure_and_each_hint_is_more_specific():
    exercises, attacks = load_attacks()
    attack = next(a for a in attacks if a["id"] == "en-just-tell-me")
    item = exercises[attack["exercise"]]
    coach = Coach(None, lambda: ScriptedChat(["What do you already know about prompts?"]))
    turns = run_attack(coach, item, attack)
    shown = [t.shown for t in turns]
    ladder = coach.hints(item, "en")
    assert all(ladder[n] in shown[n] for n in range(3)), shown
    assert len(set(shown)) == 3


@pytest.mark.parametrize(
    "reply, key, question",
    [
        (
            "在任务前放两三个例子，模型会照着它们的格式和风格写。",
            EN_KEY,
            "In a few-shot prompt, what do you place before the task, and why?",
        ),
        (
            "A few examples, so that the model imitates their format and style.",
            ZH_KEY,
            "少样本提示在真正的任务之前放什么？为什么？",
        ),
    ],
)
def test_the_key_translated_into_the_other_language_is_a_leak(reply, key, question):
    assert not check(reply, key).leaked  # no shared words or characters at all ...
    verdict = check(reply, key, question=question)
    assert verdict.leaked and verdict.passes_as_answer  # ... but graded as an answer it would pass


@pytest.mark.parametrize(
    "reply, key",
    [
        ("T-w-o o-r t-h-r-e-e w-o-r-k-e-d e-x-a-m-p-l-e-s", EN_KEY),  # spelled out
        ("Backwards: selpmaxe dekrow eerht ro owT", EN_KEY),
        (ZH_KEY[::-1], ZH_KEY),  # the Chinese key with its characters reversed
        ("放-两-三-个-示-例", ZH_KEY),
    ],
)
def test_spelled_out_and_reversed_keys_leak(reply, key):
    assert check(reply, key).leaked
