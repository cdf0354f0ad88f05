"""Strings about personal data: the notice a learner sees once when details were replaced, and retention.

The placeholders themselves ("[phone]", "[email]" ...) are fixed in ``engine/privacy.py``, the same in
both languages, so stored text does not depend on the page's language. Text only.
"""

MESSAGES = {
    "privacy_redacted": {
        "en": "Personal details such as e-mail addresses, phone numbers, ID numbers, home addresses and the names "
        "attached to them are not kept: I replaced them before saving your message or searching the course.",
        "zh": "邮箱、电话号码、身份证号、家庭住址以及与之相关的姓名等个人信息不会被保存：在保存你的消息或检索课程之前，我已把它们替换掉了。",
    },
    "privacy_purged": {
        "en": "Deleted {count} conversation(s) with no activity in the last {days} days, with their messages and ratings.",
        "zh": "已删除 {count} 个最近 {days} 天内没有活动的对话，以及其中的消息和评分。",
    },
    "privacy_keep_forever": {
        "en": "Conversations are kept without limit (TUTOR_CONVERSATION_RETENTION_DAYS is 0); nothing was deleted. "
        "Set it, or pass --days N.",
        "zh": "对话目前不限期保存（TUTOR_CONVERSATION_RETENTION_DAYS 为 0），因此没有删除任何内容。请设置该值，或使用 --days N。",
    },
}
