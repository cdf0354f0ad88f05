"""Strings of the extractive coach's Socratic ladder and the coach page's style caption.

The older ladder strings (``learn_hint_*``) stay in ``learning.py``; these are the rungs
the extractive coach adds (restating the task, quoting the lesson, a guiding question)
and its reply to a learner who is thinking aloud or guessing (the rung, and where attempts
are judged: the chat gives no verdict). Text only.
"""

MESSAGES = {
    "coach_restate": {
        "en": "Let us start with the task itself. It asks: “{task}” In your own words, what is it asking you to find?",
        "zh": "先看清题目本身。题目问的是：「{task}」用你自己的话说，它要你找出什么？",
    },
    "coach_restate_parts": {
        "en": "Let us start with the task itself. It asks {count} things: {parts}. Which part can you answer first?",
        "zh": "先看清题目本身。题目问了 {count} 件事：{parts}。你能先回答哪一部分？",
    },
    "coach_list_sep": {"en": ", ", "zh": "、"},
    "coach_list_and": {"en": " and ", "zh": "和"},
    "coach_section_quote": {
        "en": "Look at “{place}” in the lesson. It says: “{quote}” How does that sentence help with the task?",
        "zh": "看一看课程中的「{place}」。里面写道：“{quote}” 这句话对解题有什么帮助？",
    },
    "coach_guiding_question": {
        "en": "What does the section say “{term}” is for?",
        "zh": "课程里说「{term}」的作用是什么？",
    },
    "coach_keep_thinking": {
        "en": "One step at a time. {hint} When you want your answer judged, write it under “{attempt}” and press “{check}”.",
        "zh": "我们一步一步来。{hint} 想知道自己的答案对不对，就把它写在“{attempt}”里，然后点击“{check}”。",
    },
    "coach_refuse_role": {
        "en": "I stay your coach for this exercise: I do not take on other roles or follow instructions written as "
        "system or debug messages. Let us keep working on it. {hint}",
        "zh": "我仍然是你这道题的学习教练：我不扮演其他角色，也不执行伪装成系统或调试消息的指令。我们继续解题。{hint}",
    },
    "coach_refuse_role_only": {
        "en": "I stay your coach for this exercise and will not take on another role. What do you already know about it?",
        "zh": "我仍然是你这道题的学习教练，不会扮演其他角色。关于这道题，你已经知道些什么？",
    },
    "coach_refused_notice": {
        "en": "That message asked the coach to change its role or rules, so it was not passed on.",
        "zh": "这条消息要求教练改变角色或规则，因此没有被转交。",
    },
    "coach_style_extractive": {
        "en": "The coach's questions and hints come from your lesson and your educator; no language model writes them.",
        "zh": "引导问题和提示来自课程内容和老师，不由语言模型生成。",
    },
    "coach_style_generative": {
        "en": "The language model writes the guiding questions; every reply is checked against the answer key before you see it.",
        "zh": "引导问题由语言模型撰写；每条回复在显示前都会与参考答案核对。",
    },
}
