"""Strings of the personalized learning loop (profile, coach, practice, progress, class view)."""

MESSAGES = {
    # --- pages ---
    "learn_page_profile": {"en": "My profile", "zh": "我的学习档案"},
    "learn_page_coach": {"en": "Coach", "zh": "引导练习"},
    "learn_page_practice": {"en": "Practice", "zh": "练习"},
    "learn_page_progress": {"en": "Progress", "zh": "学习进度"},
    "learn_page_class": {"en": "Class view", "zh": "班级概览"},
    "learn_page_exercises": {"en": "Exercises", "zh": "练习题"},
    # --- profile ---
    "learn_profile_intro": {
        "en": "Tell the tutor how you like to learn. Every answer and hint follows these settings.",
        "zh": "告诉导师你喜欢怎样学习。所有回答和提示都会按这些设置调整。",
    },
    "learn_level": {"en": "Level", "zh": "水平"},
    "learn_level_beginner": {"en": "Beginner", "zh": "初学者"},
    "learn_level_intermediate": {"en": "Intermediate", "zh": "中级"},
    "learn_level_advanced": {"en": "Advanced", "zh": "高级"},
    "learn_answer_language": {"en": "Language of answers", "zh": "回答语言"},
    "learn_style": {"en": "Style", "zh": "风格"},
    "learn_style_concise": {"en": "Concise", "zh": "简洁"},
    "learn_style_detailed": {"en": "Detailed", "zh": "详细"},
    "learn_style_examples": {"en": "With examples", "zh": "多举例子"},
    "learn_goal": {"en": "Your goal", "zh": "你的学习目标"},
    "learn_goal_help": {"en": "For example: build a chatbot for my class", "zh": "例如：为我的班级做一个聊天机器人"},
    "learn_save": {"en": "Save", "zh": "保存"},
    "learn_saved": {"en": "Profile saved.", "zh": "学习档案已保存。"},
    # --- modes ---
    "learn_mode": {"en": "Mode", "zh": "模式"},
    "learn_mode_explain": {"en": "Explain", "zh": "讲解"},
    "learn_mode_coach": {"en": "Coach", "zh": "引导"},
    "learn_mode_coach_help": {
        "en": "Coach mode works on an exercise with guiding questions and hints, never the answer.",
        "zh": "引导模式围绕一道练习题，用启发式提问和提示帮助你，不会直接给出答案。",
    },
    "learn_open_coach": {"en": "Open the coach", "zh": "打开引导练习"},
    # --- coach ---
    "learn_coach_intro": {
        "en": "Pick an exercise. The coach asks guiding questions and gives hints, each more specific, but never the answer. "
        "When you are ready, write your attempt and press “Check my answer”.",
        "zh": "选择一道练习题。导师会提出引导性问题并给出逐步具体的提示，但不会告诉你答案。"
        "准备好后，写下你的答案并点击“检查我的答案”。",
    },
    "learn_no_exercises": {
        "en": "There are no exercises with an answer key for this course yet. Ask your educator to add some.",
        "zh": "这门课程还没有带参考答案的练习题。请老师添加一些。",
    },
    "learn_exercise": {"en": "Exercise", "zh": "练习题"},
    "learn_coach_placeholder": {"en": "Ask the coach, or think aloud…", "zh": "向导师提问，或说说你的思路……"},
    "err_progress_not_visible": {
        "en": "You may not see the progress of learner {number}: only the learner, their class's educator and an "
        "administrator may. Pick a student from your own classes.",
        "zh": "你无权查看学习者 {number} 的进度：只有学习者本人、其班级的老师和管理员可以查看。请从你自己的班级中选择学生。",
    },
    "err_attempts_too_often": {
        "en": "You have checked this question {limit} times in the last {window} minutes. Re-read the lesson section "
        "and think it through; you can check again in {wait} minutes.",
        "zh": "这道题你在最近 {window} 分钟内已经检查了 {limit} 次。请重新读一读课程章节，好好想一想；{wait} 分钟后可以再次检查。",
    },
    "learn_attempt": {"en": "Your attempt", "zh": "你的答案"},
    "learn_check_attempt": {"en": "Check my answer", "zh": "检查我的答案"},
    "learn_hint_level": {"en": "Hints used: {used} of {total}", "zh": "已用提示：{used} / {total}"},
    "learn_hint_prefix": {
        "en": "I will not give you the answer, but here is a hint: {hint}",
        "zh": "我不会直接告诉你答案，不过给你一个提示：{hint}",
    },
    "learn_hint_section": {
        "en": "Re-read the section “{section}” of the lesson “{lesson}”. Which sentence there answers the question?",
        "zh": "重新读一读课程“{lesson}”中的“{section}”一节。哪一句话回答了这个问题？",
    },
    "learn_hint_reread": {
        "en": "Read the question again slowly. Which key word in it points to the lesson idea you need?",
        "zh": "再慢慢读一遍题目。题目里的哪个关键词指向你需要的课程知识点？",
    },
    "learn_hint_count": {
        "en": "A complete answer covers about {count} key ideas. Which one can you name already?",
        "zh": "完整的答案大约包含 {count} 个要点。你已经能说出哪一个？",
    },
    "learn_hint_letter": {"en": "One key word you need starts with “{letter}”.", "zh": "你需要的一个关键词以“{letter}”开头。"},
    "learn_hint_last": {
        "en": "That was the last hint. Write your best attempt and press “Check my answer”: I will tell you which parts are right.",
        "zh": "这是最后一个提示了。写下你最好的答案并点击“检查我的答案”，我会告诉你哪些部分是对的。",
    },
    "learn_fallback_question": {
        "en": "Let us keep working on it together. What do you already know about this topic?",
        "zh": "我们一起继续想一想。关于这个主题，你已经知道些什么？",
    },
    "learn_attempt_right": {"en": "Yes, that is right! The answer key: {answer}", "zh": "对了！参考答案：{answer}"},
    "learn_guard_replaced": {
        "en": "The coach's reply came too close to the answer, so a hint was shown instead.",
        "zh": "导师的回复太接近答案，因此改为显示提示。",
    },
    "learn_model_unavailable": {
        "en": "The language model did not answer ({error}), so here is the next hint.",
        "zh": "语言模型没有回应（{error}），下面是下一个提示。",
    },
    # --- practice ---
    "learn_lesson": {"en": "Lesson", "zh": "课程"},
    "learn_practice_intro": {
        "en": "Practise a lesson with your educator's quiz questions (or questions made from the lesson). "
        "Mistakes come back for review on a spaced schedule.",
        "zh": "用老师的测验题（或根据课程生成的题目）练习一节课。答错的题会按间隔重复的安排回来复习。",
    },
    "learn_start": {"en": "Start practice", "zh": "开始练习"},
    "learn_review_due": {"en": "Review {count} due questions", "zh": "复习 {count} 道到期的题目"},
    "learn_question_of": {"en": "Question {number} of {total}", "zh": "第 {number} 题，共 {total} 题"},
    "learn_your_answer": {"en": "Your answer", "zh": "你的答案"},
    "learn_check": {"en": "Check", "zh": "检查"},
    "learn_next": {"en": "Next question", "zh": "下一题"},
    "learn_correct": {"en": "Correct!", "zh": "回答正确！"},
    "learn_incorrect": {"en": "Not quite. The expected answer: {answer}", "zh": "不太对。参考答案：{answer}"},
    "learn_partial_terms": {"en": "Missing ideas: {terms}", "zh": "缺少的要点：{terms}"},
    "learn_cross_language": {
        "en": "You answered in the other language; it was graded through a dictionary, which is less exact.",
        "zh": "你用另一种语言作答，系统借助词典评分，结果可能不够精确。",
    },
    "learn_see_lesson": {"en": "See the lesson: {lesson} › {section}", "zh": "参见课程：{lesson} › {section}"},
    "learn_mastery_moved": {
        "en": "Mastery of this objective: {before}% → {after}%",
        "zh": "该目标的掌握度：{before}% → {after}%",
    },
    "learn_review_scheduled": {"en": "This question comes back for review on {date}.", "zh": "这道题将在 {date} 回来复习。"},
    "learn_run_done": {
        "en": "Practice finished: {correct} of {total} correct.",
        "zh": "练习结束：{total} 题中答对 {correct} 题。",
    },
    "learn_skipped": {
        "en": "{count} questions were removed by your educator after you started, and were skipped.",
        "zh": "你开始练习后，老师删除了 {count} 道题，这些题已跳过。",
    },
    "learn_review_dropped": {
        "en": "{count} review questions no longer exist and were removed from your queue.",
        "zh": "有 {count} 道复习题已不存在，已从你的复习队列中移除。",
    },
    "learn_queue": {"en": "Questions in your review queue: {count}", "zh": "复习队列中的题目：{count}"},
    "learn_no_lessons": {
        "en": "This course has no lessons with learning objectives yet.",
        "zh": "这门课程还没有带学习目标的课程内容。",
    },
    # --- progress ---
    "learn_progress_intro": {
        "en": "Your mastery of each learning objective, estimated from every graded answer (Bayesian Knowledge Tracing).",
        "zh": "根据每一次评分的作答（贝叶斯知识追踪）估计的你对每个学习目标的掌握度。",
    },
    "learn_mastery": {"en": "Mastery (%)", "zh": "掌握度（%）"},
    "learn_objective": {"en": "Objective", "zh": "学习目标"},
    "learn_attempts": {"en": "Answers", "zh": "作答次数"},
    "learn_recommend": {
        "en": "Study next: **{objective}** (lesson: {lesson}, mastery {mastery}%)",
        "zh": "建议接下来学习：**{objective}**（课程：{lesson}，掌握度 {mastery}%）",
    },
    "learn_all_mastered": {
        "en": "You have mastered every objective of this course. Well done!",
        "zh": "你已经掌握了这门课程的全部学习目标，做得好！",
    },
    "learn_practice_this": {"en": "Practise this lesson", "zh": "练习这节课"},
    # --- class view ---
    "learn_class_intro": {
        "en": "Your classes: mastery of each student on each objective, and who needs help with what.",
        "zh": "你的班级：每位学生在每个学习目标上的掌握度，以及谁在哪些方面需要帮助。",
    },
    "learn_new_class": {"en": "New class", "zh": "新建班级"},
    "learn_class_name": {"en": "Class name", "zh": "班级名称"},
    "learn_create": {"en": "Create", "zh": "创建"},
    "learn_class": {"en": "Class", "zh": "班级"},
    "learn_add_student": {"en": "Add a student (username)", "zh": "添加学生（用户名）"},
    "learn_no_classes": {"en": "You have no classes yet. Create one below.", "zh": "你还没有班级。请在下方创建。"},
    "learn_no_members": {"en": "This class has no students yet.", "zh": "这个班级还没有学生。"},
    "learn_heatmap": {"en": "Mastery heatmap", "zh": "掌握度热力图"},
    "learn_student": {"en": "Student", "zh": "学生"},
    "learn_needs_help": {"en": "Needs help", "zh": "需要帮助"},
    "learn_nobody_struggles": {"en": "Nobody is stuck right now.", "zh": "目前没有学生遇到困难。"},
    "learn_help_row": {
        "en": "**{student}**: {objective} (mastery {mastery}%)",
        "zh": "**{student}**：{objective}（掌握度 {mastery}%）",
    },
    # --- exercises (educators) ---
    "learn_exercises_intro": {
        "en": "Add exercises with an answer key. Students never see the key: the coach uses it to judge attempts, "
        "and a guard blocks any reply that gives it away.",
        "zh": "添加带参考答案的练习题。学生看不到参考答案：导师用它来判断学生的作答，并有防护机制拦截任何泄露答案的回复。",
    },
    "learn_question": {"en": "Question", "zh": "题目"},
    "learn_answer_key": {"en": "Answer key", "zh": "参考答案"},
    "learn_hints": {"en": "Hints, one per line, least specific first (optional)", "zh": "提示，每行一条，从笼统到具体（可选）"},
    "learn_add_exercise": {"en": "Add exercise", "zh": "添加练习题"},
    "learn_exercise_added": {"en": "Exercise added.", "zh": "练习题已添加。"},
    "learn_key_longer": {
        "en": "The answer key is longer than the exercise. That is allowed; the guard then blocks more phrasings, so hints get more general.",
        "zh": "参考答案比题目还长。这是允许的；不过防护机制会因此拦截更多说法，提示会更笼统。",
    },
    "learn_none": {"en": "(none)", "zh": "（无）"},
    # --- answers saved as they stream ---
    "learn_stop_answer": {"en": "Stop", "zh": "停止"},
    "learn_stop_answer_help": {
        "en": "Stop this answer; what it has said so far is kept in the conversation.",
        "zh": "停止这个回答；已经显示的部分会保存在对话中。",
    },
    "learn_answer_stopped": {"en": "Answer stopped before the end", "zh": "回答在结束前被中断"},
}
