"""Strings of the tutor's safety screen: the caring reply with help lines, and the refusals, in English and Simplified Chinese.

The help lines themselves are data (``data/safety/help_lines.yaml``), filled into ``safety_care``. Text only.
"""

MESSAGES = {
    "safety_care": {
        "en": "I'm really sorry you're feeling this way, and I'm glad you told me. What you are going through matters, "
        "and you don't have to carry it alone. Please talk to someone who can help, today:\n\n{lines}\n\n"
        "If you might act on these thoughts, call your local emergency number now or go to someone near you. "
        "Your class educator will see a note that you may need support (not what you wrote). "
        "I'm here for your course whenever you want to come back to it.",
        "zh": "听到你这样的感受，我真的很难过，也很高兴你愿意说出来。你正在经历的事情很重要，你不必独自承受。"
        "请今天就找能帮助你的人聊一聊：\n\n{lines}\n\n"
        "如果你可能会按这些念头去做，请马上拨打当地的紧急电话，或者去找身边的人。"
        "你的班级老师会看到一条提示：你可能需要支持（不会看到你写的内容）。"
        "等你想回到课程时，我随时都在。",
    },
    "safety_help_line": {"en": "- **{name}**: {contact}", "zh": "- **{name}**：{contact}"},
    "safety_refuse_harm_others": {
        "en": "I can't help with hurting anyone or with weapons. If someone is in danger, please tell a trusted adult "
        "or call your local emergency number. I'm glad to help with your course: ask me about any lesson.",
        "zh": "我不能帮助伤害任何人，也不能提供武器相关的帮助。如果有人处于危险中，请告诉你信任的大人，或拨打当地的紧急电话。"
        "我很乐意帮你学习课程：可以问我任何一课的内容。",
    },
    "safety_refuse_sexual_minors": {
        "en": "I can't help with that: sexual content involving children is never allowed. If a child is at risk, "
        "please tell a trusted adult or your school's safeguarding lead. I can help you with your course instead.",
        "zh": "我不能帮助这个请求：任何涉及儿童的性内容都是绝对不允许的。如果有孩子处于危险中，请告诉你信任的大人或学校的安全负责人。"
        "我可以改为帮你学习课程。",
    },
    "safety_refuse_impersonation": {
        "en": "I can't help make a deepfake, clone someone's voice, or pretend to be a real person such as a teacher or "
        "principal. I can explain how deepfakes work, how to spot them, and what the course says about using AI responsibly.",
        "zh": "我不能帮助制作深度伪造、克隆别人的声音，或者冒充老师、校长等真实的人。"
        "我可以讲解深度伪造的原理、如何识别它们，以及课程中关于负责任地使用 AI 的内容。",
    },
    "safety_refuse_phishing": {
        "en": "I can't help write phishing messages, fake login pages or anything that tricks people out of their "
        "passwords. I can help you recognise phishing and explain how AI is used to defend against it.",
        "zh": "我不能帮助编写钓鱼邮件、伪造登录页面，或任何骗取他人密码的内容。我可以帮你学会识别钓鱼攻击，并讲解 AI 如何用于防范它。",
    },
    "safety_refuse_cheating": {
        "en": "I can't do graded work for you or help hide that it was not yours. I can explain the ideas behind it, "
        "coach you step by step with hints, or quiz you so you are ready.",
        "zh": "我不能替你完成要评分的作业或考试，也不能帮你掩盖这一点。我可以讲解其中的概念，用提示一步步辅导你，或者出题帮你做好准备。",
    },
    # --- wellbeing alerts on the class view (the educator's side of a self-harm flag) ---
    "safety_alerts": {"en": "Wellbeing alerts", "zh": "需要关注的学生"},
    "safety_alerts_intro": {
        "en": "A student in your classes said something that suggests they may be at risk of harming themselves. "
        "Only who, when and where is recorded, never what they wrote.",
        "zh": "你班上的学生说了可能表明其有自我伤害风险的话。这里只记录是谁、何时、在哪里，从不记录学生写的内容。",
    },
    "safety_no_alerts": {"en": "No alerts.", "zh": "暂无提醒。"},
    "safety_alert_row": {
        "en": "**Needs attention:** {student} · {when} · in {where}",
        "zh": "**需要关注：**{student} · {when} · 在“{where}”中",
    },
    "safety_alert_action": {
        "en": "Check in with this student in person today; see your school's safeguarding procedure.",
        "zh": "请今天当面关心一下这位学生，并按学校的安全保护流程处理。",
    },
    "safety_acknowledge": {"en": "Mark as seen", "zh": "标记为已查看"},
    "safety_seen": {"en": "Seen ({count})", "zh": "已查看（{count}）"},
    "safety_seen_row": {
        "en": "{student} · {when} · in {where} — seen by {by}, {seen}",
        "zh": "{student} · {when} · 在“{where}”中 —— {by} 已于 {seen} 查看",
    },
    "safety_someone": {"en": "a former account", "zh": "已删除的账号"},
    "safety_flag_not_found": {
        "en": "This alert is not one you can see. Pick one from the Wellbeing alerts on your class view.",
        "zh": "你无法查看这条提醒。请从班级概览中“需要关注的学生”里选择。",
    },
}
