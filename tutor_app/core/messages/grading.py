"""Strings of a graded answer's verdict (``Grade.feedback``), in English and Simplified Chinese.

None holds a percentage or the answer key: the learner sees correct, partly right or not yet, and why.
"""

MESSAGES = {
    "grade_correct": {"en": "Correct!", "zh": "回答正确！"},
    "grade_partly": {
        "en": "Partly right: you are on the right track, but the answer is not complete yet. "
        "Add what is missing; the lesson section below helps.",
        "zh": "部分正确：方向是对的，但答案还不完整。请补上缺少的部分，下面的课程章节可以帮你。",
    },
    "grade_not_yet": {
        "en": "Not yet: this does not match the expected answer. Re-read the lesson section below and try again in your own words.",
        "zh": "还不对：这和参考答案不一致。请重新阅读下面的课程章节，再用自己的话试一次。",
    },
    "grade_not_yet_contradiction": {
        "en": "Not yet: part of your answer says the opposite of the lesson. Check words such as not, "
        "more or less, before or after, keep or remove, and which thing each part of your answer is about.",
        "zh": "还不对：你的答案有一部分与课程内容相反。请检查“不”“多/少”“高/低”“之前/之后”“保留/删除”这类词，"
        "以及每一部分说的是哪一个对象。",
    },
    "grade_not_yet_long": {
        "en": "Not accepted: the answer is much longer than needed. Answer in a sentence or two, in your own words; "
        "pasted passages are not graded as correct.",
        "zh": "未被接受：答案比需要的长得多。请用自己的话，一两句话作答；粘贴的课文段落不会被判为正确。",
    },
    "grade_not_yet_off_topic": {
        "en": "Not yet: much of your answer is not about this question. Keep to the point, in a sentence or two.",
        "zh": "还不对：你的答案有很多内容与这道题无关。请紧扣问题，用一两句话作答。",
    },
    "grade_empty": {"en": "Write an answer first.", "zh": "请先写下你的答案。"},
    "grade_expected": {"en": "The expected answer: {answer}", "zh": "参考答案：{answer}"},
    "grade_review_later": {
        "en": "The expected answer stays hidden until you answer right; the question comes back for review.",
        "zh": "答对之前不会显示参考答案；这道题之后会回来复习。",
    },
    "grade_cross_language": {
        "en": "You answered in the other language; it was graded by meaning across the two languages, which is a little less exact.",
        "zh": "你用另一种语言作答，系统按跨语言的意思评分，结果可能不够精确。",
    },
}
