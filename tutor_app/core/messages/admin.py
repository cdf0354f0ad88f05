"""Strings of the administrator console (library, coverage, insights) and of when a class view alert happened, in English and Simplified Chinese."""

MESSAGES = {
    # --- pages ---
    "admin_page_library": {"en": "Library", "zh": "课程库"},
    "admin_page_coverage": {"en": "Coverage", "zh": "课程覆盖"},
    "admin_page_insights": {"en": "Insights", "zh": "洞察"},
    # --- library ---
    "admin_new_course": {"en": "New course name", "zh": "新课程名称"},
    "admin_create": {"en": "Create course", "zh": "创建课程"},
    "admin_course_created": {
        "en": "Course **{name}** created. Upload its files below.",
        "zh": "课程 **{name}** 已创建，请在下方上传课程文件。",
    },
    "admin_no_courses": {"en": "There are no courses yet. Create one above.", "zh": "还没有课程，请先在上方创建。"},
    "admin_manage_course": {"en": "Rename or delete this course", "zh": "重命名或删除此课程"},
    "admin_rename_to": {"en": "New name", "zh": "新名称"},
    "admin_course_renamed": {"en": "The course is now called **{name}**.", "zh": "课程已改名为 **{name}**。"},
    "admin_confirm_delete_course": {
        "en": "Yes, delete **{name}** with all its documents and objectives",
        "zh": "确认删除 **{name}** 及其全部文档和学习目标",
    },
    "admin_delete_course": {"en": "Delete course", "zh": "删除课程"},
    "admin_course_deleted": {
        "en": "Course **{name}** deleted. {chats} conversation(s) were about it; their students will be told.",
        "zh": "课程 **{name}** 已删除。有 {chats} 个对话与它有关，相关学生会收到提示。",
    },
    "admin_course_removed": {
        "en": "The course **{name}** was removed by an administrator. Your conversations about it are kept, "
        "but new answers can no longer come from it: pick another course.",
        "zh": "管理员已删除课程 **{name}**。你关于它的对话仍然保留，但新的回答不会再来自该课程，请选择其他课程。",
    },
    "admin_upload": {"en": "Add documents", "zh": "添加文档"},
    "admin_upload_help": {
        "en": "Markdown, text, HTML or PDF, up to {mb} MB each. The content decides the type, not the extension.",
        "zh": "支持 Markdown、纯文本、HTML 或 PDF，每个文件不超过 {mb} MB。文件类型由内容判断，而不是扩展名。",
    },
    "admin_index_files": {"en": "Index files", "zh": "建立索引"},
    "admin_reindex": {"en": "Re-index course", "zh": "重建课程索引"},
    "admin_cancel": {"en": "Cancel", "zh": "取消"},
    "admin_preparing": {"en": "Reading files…", "zh": "正在读取文件……"},
    "admin_progress": {"en": "Embedding {percent}% · {source}", "zh": "正在生成向量 {percent}% · {source}"},
    "admin_progress_done": {"en": "Done: 100%", "zh": "完成：100%"},
    "admin_upload_cancelled": {
        "en": "The last upload was stopped before it finished. Nothing from it was indexed; upload the files again when ready.",
        "zh": "上一次上传在完成前被中止，其中的内容都没有建立索引。准备好后请重新上传。",
    },
    "admin_indexed": {"en": "**{source}**: {chunks} passage(s) indexed.", "zh": "**{source}**：已为 {chunks} 个段落建立索引。"},
    "admin_duplicate": {
        "en": "**{source}** has the same content as **{existing}**, already in this course; it was skipped.",
        "zh": "**{source}** 与本课程中已有的 **{existing}** 内容相同，已跳过。",
    },
    # Uploads refused by the course library (admin/library.py); shown with the upload's other failures.
    "admin_data_file": {
        "en": "{source}: this is a data file ({kind}), not a lesson, so it was not indexed. "
        "Upload lessons as Markdown, text, HTML or PDF, with any table written into the lesson.",
        "zh": "{source}：这是数据文件（{kind}），不是课文，因此没有建立索引。"
        "请以 Markdown、纯文本、HTML 或 PDF 格式上传课文，表格请写进课文中。",
    },
    "admin_upload_name_taken": {
        "en": "{source}: the uploaded name '{name}' becomes {source} once its folders and hidden characters are removed, "
        "and a document of that name is already in this course. Nothing was replaced. Rename the file and upload it again.",
        "zh": "{source}：上传的文件名“{name}”去掉路径和隐藏字符后变为 {source}，而本课程已有同名文档。"
        "没有替换任何内容。请重命名文件后重新上传。",
    },
    "admin_upload_name_twice": {
        "en": "{source}: another file of this upload is already stored under this name, so '{name}' was not indexed. "
        "Rename it and upload it again.",
        "zh": "{source}：本次上传中已有另一个文件使用这个名称，因此“{name}”没有建立索引。请重命名后重新上传。",
    },
    "admin_flags_title": {"en": "Text that reads like instructions to an AI", "zh": "像是写给 AI 的指令的文字"},
    "admin_flags_help": {
        "en": "These passages were indexed, so the tutor may quote them. Read each one: if it is not meant for learners, "
        "correct the document and upload it again, or delete it.",
        "zh": "这些段落已建立索引，导师可能会引用它们。请逐段阅读：如果不是写给学习者的，请修改文档后重新上传，或删除该文档。",
    },
    "admin_instruction_flag": {
        "en": "**{source}**: {count} passage(s) that read like an instruction to an AI assistant.",
        "zh": "**{source}**：有 {count} 段文字像是写给 AI 助手的指令。",
    },
    "admin_flag_section": {"en": "Section: {heading}", "zh": "所在章节：{heading}"},
    "admin_flag_pattern": {"en": "Matched pattern: `{pattern}`", "zh": "匹配的规则：`{pattern}`"},
    "admin_documents": {"en": "Documents", "zh": "文档"},
    "admin_no_documents": {"en": "This course has no documents yet.", "zh": "此课程还没有文档。"},
    "admin_col_document": {"en": "Document", "zh": "文档"},
    "admin_col_title": {"en": "Title", "zh": "标题"},
    "admin_col_chunks": {"en": "Passages", "zh": "段落数"},
    "admin_col_languages": {"en": "Languages", "zh": "语言"},
    "admin_document": {"en": "Document to delete", "zh": "要删除的文档"},
    "admin_delete_document": {"en": "Delete document", "zh": "删除文档"},
    "admin_document_deleted": {
        "en": "**{source}** deleted ({chunks} passage(s) removed).",
        "zh": "已删除 **{source}**（移除了 {chunks} 个段落）。",
    },
    # --- coverage ---
    "admin_objectives_upload": {"en": "Upload learning objectives (YAML or CSV)", "zh": "上传学习目标（YAML 或 CSV）"},
    "admin_objectives_help": {
        "en": "Each objective needs an id, a text and a Bloom level (remember, understand, apply, analyze, evaluate, create). "
        "They are added to the objectives in the lessons' front matter.",
        "zh": "每个学习目标需要 id、文本和布鲁姆层级（remember、understand、apply、analyze、evaluate、create），"
        "它们会与课文前置信息中的学习目标合并。",
    },
    "admin_objectives_list": {"en": "Learning objectives ({count})", "zh": "学习目标（{count}）"},
    "admin_origin": {"en": "From", "zh": "来源"},
    "admin_origin_front_matter": {"en": "front matter ({source})", "zh": "前置元数据（{source}）"},
    "admin_origin_uploaded": {"en": "uploaded", "zh": "上传的文件"},
    "admin_use_objectives": {"en": "Use these objectives", "zh": "使用这些学习目标"},
    "admin_objectives_saved": {"en": "{count} objective(s) saved for this course.", "zh": "已为此课程保存 {count} 个学习目标。"},
    "admin_recompute": {"en": "Recompute", "zh": "重新计算"},
    "admin_computing": {"en": "Comparing every lesson with every objective…", "zh": "正在逐一比较每节课与每个学习目标……"},
    "admin_no_objectives": {
        "en": "This course has no learning objectives: add them to the lessons' front matter or upload a YAML/CSV file above.",
        "zh": "此课程没有学习目标：请在课文的前置信息中添加，或在上方上传 YAML/CSV 文件。",
    },
    "admin_level_none": {"en": "none", "zh": "无"},
    "admin_level_introduced": {"en": "introduced", "zh": "引入"},
    "admin_level_developed": {"en": "developed", "zh": "展开"},
    "admin_level_mastered": {"en": "mastered", "zh": "深入"},
    "admin_objective": {"en": "Objective", "zh": "学习目标"},
    "admin_lesson": {"en": "Lesson", "zh": "课"},
    "admin_rating": {"en": "Evidence", "zh": "证据"},
    "admin_score": {"en": "Score", "zh": "分数"},
    "admin_support": {"en": "Passages that teach it", "zh": "讲到它的段落数"},
    "admin_download_csv": {"en": "Download CSV", "zh": "下载 CSV"},
    "admin_gaps": {"en": "Gaps ({count})", "zh": "缺口（{count}）"},
    "admin_no_gaps": {"en": "Every objective is taught somewhere.", "zh": "每个学习目标都有课程内容涉及。"},
    "admin_redundant": {"en": "Covered by many lessons ({count})", "zh": "被多节课重复覆盖（{count}）"},
    "admin_none_found": {"en": "None.", "zh": "无。"},
    "admin_cell": {"en": "One cell in detail", "zh": "单元格详情"},
    "admin_cell_summary": {
        "en": "Evidence: **{level}** · score {score} · {support} supporting passage(s)",
        "zh": "证据：**{level}** · 分数 {score} · {support} 个支持段落",
    },
    "admin_explain": {"en": "Explain with the language model", "zh": "用语言模型解释"},
    "admin_explain_unavailable": {
        "en": "No explanation: {error} The rating above needs no model.",
        "zh": "无法解释：{error} 上面的评级不依赖语言模型。",
    },
    # --- insights ---
    "admin_unanswered": {"en": "What students ask that the course does not answer", "zh": "学生提出但课程未能回答的问题"},
    "admin_unanswered_help": {
        "en": "Questions whose answers were not grounded in the course, grouped by topic. Who asked is never shown.",
        "zh": "回答未能依据课程内容的问题，按主题分组。不会显示提问者。",
    },
    "admin_no_unanswered": {"en": "No unanswered questions yet.", "zh": "暂时没有未回答的问题。"},
    "admin_topic": {"en": "**{topic}** · {course} · asked {count} time(s)", "zh": "**{topic}** · {course} · 被问 {count} 次"},
    "admin_question_cut": {"en": "(cut; {chars} characters in all)", "zh": "（已截断，全文共 {chars} 个字符）"},
    # When something happened, on the class view's wellbeing alerts: "2 hours ago, 2026-12-02 14:21 UTC+08:00".
    "when_just_now": {"en": "just now", "zh": "刚刚"},
    "when_minutes_ago": {"en": "{count} minute(s) ago", "zh": "{count} 分钟前"},
    "when_hours_ago": {"en": "{count} hour(s) ago", "zh": "{count} 小时前"},
    "when_days_ago": {"en": "{count} day(s) ago", "zh": "{count} 天前"},
    "when_ago_at": {"en": "{ago}, {time}", "zh": "{ago}，{time}"},
    "admin_send_to_studio": {"en": "Plan a lesson on this", "zh": "为此规划一节课"},
    "admin_sent_to_studio": {
        "en": "“{topic}” is waiting in the educator studio as the topic of a new lesson plan.",
        "zh": "“{topic}”已作为新教案的主题发送到教师工作室。",
    },
    "admin_usage": {"en": "Usage", "zh": "使用情况"},
    "admin_day": {"en": "Day", "zh": "日期"},
    "admin_questions": {"en": "Questions", "zh": "提问数"},
    "admin_no_usage": {"en": "No questions in the last 30 days.", "zh": "最近 30 天没有提问。"},
    "admin_role_model": {"en": "Role · model", "zh": "角色 · 模型"},
    "admin_tokens": {"en": "Tokens", "zh": "词元数"},
    "admin_model": {"en": "Model", "zh": "模型"},
    "admin_answers": {"en": "Answers", "zh": "回答数"},
    "admin_cost": {"en": "Estimated cost", "zh": "估算费用"},
    "admin_thumbs_up": {"en": "Thumbs up", "zh": "点赞比例"},
    "admin_rated": {"en": "{count} answer(s) rated", "zh": "共 {count} 个回答被评价"},
}
