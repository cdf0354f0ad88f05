"""Strings of the tutor's answers (extractive frames, follow-ups, refusals, the claim check, model failures),
in English and Simplified Chinese."""

MESSAGES = {
    # --- extractive answers ---
    "ans_lead": {"en": "Here is what the course says:", "zh": "课程中这样说："},
    "ans_lead_other": {
        "en": "The course covers this only in {language}, so here is its own text:",
        "zh": "这部分课程只有{language}版本，下面引用原文：",
    },
    "ans_model_course_text": {"en": "course text (extractive)", "zh": "课程原文（摘录）"},
    "lang_name_en": {"en": "English", "zh": "英文"},
    "lang_name_zh": {"en": "Chinese", "zh": "中文"},
    "ans_close": {
        "en": "Open the sources below to read the whole section.",
        "zh": "展开下方的来源，可以阅读完整的章节。",
    },
    "ans_simpler_lead": {"en": "In the fewest words the course uses:", "zh": "用课程里最简短的话来说："},
    "ans_example_lead": {"en": "The course gives this example:", "zh": "课程中给出的例子："},
    "ans_no_example": {
        "en": 'This section of the course has no worked example. Try asking about the topic with the word "example".',
        "zh": "课程的这一节没有现成的例子。可以在提问时加上“例子”二字再试一次。",
    },
    "ans_no_simpler": {"en": "The course has no shorter wording for this.", "zh": "课程里没有更简短的说法。"},
    "ans_quiz_question": {"en": "Fill in the blank: {sentence}", "zh": "填空：{sentence}"},
    "ans_quiz_answer": {"en": "Show the answer", "zh": "查看答案"},
    "ans_no_quiz": {
        "en": "This section defines no term to quiz you on. Try the Practice page for this lesson.",
        "zh": "这一节没有可以出题的术语定义。可以到“练习”页面练习这一课。",
    },
    "ans_followup_simpler": {"en": "Simpler", "zh": "更简单"},
    "ans_followup_example": {"en": "Example", "zh": "举个例子"},
    "ans_followup_quiz": {"en": "Quiz me", "zh": "考考我"},
    "ans_followup_asked_simpler": {"en": "Simpler, please.", "zh": "请说得简单一些。"},
    "ans_followup_asked_example": {"en": "Show me an example.", "zh": "请举个例子。"},
    "ans_followup_asked_quiz": {"en": "Quiz me on this.", "zh": "就这个内容考考我。"},
    # --- refusals ---
    "not_covered_near": {
        "en": "The course material does not cover this question, so I will not guess. The closest sections are "
        "{sections}: try asking again with their words, or ask your educator.",
        "zh": "课程材料没有涉及这个问题，所以我不做猜测。最接近的章节是{sections}：可以用这些章节里的说法重新提问，或者请教你的老师。",
    },
    # --- the claim check of generated answers ---
    "claim_unsupported": {"en": "(not found in the course)", "zh": "（课程中未找到）"},
    "claim_summary": {
        "en": "{count} sentence(s) of this answer are not found in the course material; check them against the sources.",
        "zh": "这个回答中有 {count} 句话在课程材料里找不到依据，请对照来源核实。",
    },
    # --- the answer style, in the model panel ---
    "style_extractive": {
        "en": "Answers quote the course (extractive): the built-in model is too small to be trusted with prose, so "
        "every sentence you read comes from a lesson, with its source.",
        "zh": "回答直接引用课程原文（摘录式）：内置模型太小，不能放心让它组织语言，所以你读到的每一句都来自课程，并注明出处。",
    },
    "style_generative": {
        "en": "Answers are written by the model (generative) from the course passages; sentences the passages do not "
        'support are marked "not found in the course".',
        "zh": "回答由模型根据课程段落撰写（生成式）；段落中找不到依据的句子会标注“课程中未找到”。",
    },
    "style_forced": {"en": "(set by TUTOR_ANSWER_STYLE)", "zh": "（由 TUTOR_ANSWER_STYLE 设置）"},
    # --- a model failure: what a learner reads (no address, no settings) and the administrator's detail ---
    "model_student_failed": {
        "en": "The tutor could not answer just now. Your question is saved; try again in a minute.",
        "zh": "导师现在无法回答。你的问题已经保存；请过一分钟再试。",
    },
    "model_student_deadline": {
        "en": "The tutor took too long, so its answer stops here. Your question is saved; try again in a minute.",
        "zh": "导师用时太长，回答到此为止。你的问题已经保存；请过一分钟再试。",
    },
    "model_error_deadline": {
        "en": "The answer from {where} was stopped at the answer deadline (TUTOR_ANSWER_DEADLINE) before it finished.",
        "zh": "来自 {where} 的回答在完成前达到了回答时限（TUTOR_ANSWER_DEADLINE），已被停止。",
    },
}
