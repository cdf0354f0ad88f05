"""Model failures as the learner reads them, in English and Simplified Chinese.

``engine.models.chat.error_kind`` names the failure; ``describe_error`` there and the tutor fill
``{where}`` (the server's address) and pick the language.
"""

MESSAGES = {
    "model_error_auth": {
        "en": "The model server at {where} refused the API key. Check OPENAI_API_KEY / AZURE_OPENAI_API_KEY.",
        "zh": "{where} 的模型服务器拒绝了 API 密钥。请检查 OPENAI_API_KEY / AZURE_OPENAI_API_KEY。",
    },
    "model_error_not_found": {
        "en": "The model was not found at {where}. Check TUTOR_CHAT_MODEL (or the Azure deployment name).",
        "zh": "在 {where} 找不到该模型。请检查 TUTOR_CHAT_MODEL（或 Azure 部署名称）。",
    },
    "model_error_rate_limit": {
        "en": "The model server at {where} is rate-limiting requests. Wait a minute and ask again.",
        "zh": "{where} 的模型服务器正在限制请求频率。请等一分钟后再问。",
    },
    "model_error_timeout": {
        "en": "The model server at {where} stopped answering (timed out). Ask again, or check that the server is running.",
        "zh": "{where} 的模型服务器没有响应（超时）。请再问一次，或检查服务器是否在运行。",
    },
    "model_error_connection": {
        "en": "Cannot reach the model server at {where}. Start it (`python -m tutor_app serve-model`) or fix OPENAI_BASE_URL.",
        "zh": "无法连接 {where} 的模型服务器。请启动它（`python -m tutor_app serve-model`）或修正 OPENAI_BASE_URL。",
    },
    "model_error_status": {
        "en": "The model server at {where} answered with an error. Try again later.",
        "zh": "{where} 的模型服务器返回了错误。请稍后再试。",
    },
    "model_error_garbled": {
        "en": "The model server at {where} sent a garbled stream. Ask again; if it repeats, restart the server.",
        "zh": "{where} 的模型服务器发送的数据流已损坏。请再问一次；如果反复出现，请重启服务器。",
    },
    "model_error_dropped": {
        "en": "The answer from {where} was cut off: the server closed the stream. Ask again.",
        "zh": "来自 {where} 的回答被中断：服务器关闭了数据流。请再问一次。",
    },
    "model_error_unfinished": {
        "en": "The answer from {where} was cut off before it finished. Ask again.",
        "zh": "来自 {where} 的回答在完成前被中断。请再问一次。",
    },
    "model_error_other": {
        "en": "The model request to {where} failed. Ask again.",
        "zh": "向 {where} 发出的模型请求失败了。请再问一次。",
    },
    "model_error_empty": {
        "en": "The model returned nothing.",
        "zh": "模型没有返回任何内容。",
    },
    # a busy model as the learner reads it (engine.models.chat.busy_message): no address, no settings
    "model_student_busy_seconds": {
        "en": "The tutor's model is busy right now. Your question is saved; try again in {seconds} s.",
        "zh": "导师的模型现在很忙。你的问题已经保存；请 {seconds} 秒后再试。",
    },
    "model_student_busy_minutes": {
        "en": "The tutor's model is busy right now. Your question is saved; try again in {minutes} min.",
        "zh": "导师的模型现在很忙。你的问题已经保存；请 {minutes} 分钟后再试。",
    },
    "model_student_busy_soon": {
        "en": "The tutor's model is busy right now. Your question is saved; try again in a minute.",
        "zh": "导师的模型现在很忙。你的问题已经保存；请过一分钟再试。",
    },
    # structured output (engine.models.structured)
    "structured_err_cancelled": {
        "en": "The generation was cancelled; nothing was saved. Start it again when you are ready.",
        "zh": "已取消生成，没有保存任何内容。准备好后可以重新开始。",
    },
    "structured_err_invalid": {
        "en": "The model's answer was not valid even after one repair ({errors}). Try again, simplify the request (fewer questions, a shorter lesson), or connect a stronger model.",
        "zh": "修复一次后，模型的回答仍然无效（{errors}）。请重试、简化要求（更少的题目、更短的课时），或接入更强的模型。",
    },
    # --- learners' and educators' inputs (TutorError.of) ---
    "err_question_empty": {
        "en": "The question is empty. Type a question about the course.",
        "zh": "问题是空的。请输入一个关于课程的问题。",
    },
    "err_feedback_score": {
        "en": "Feedback score {score} is not allowed. Use 1 for thumbs up or 0 for thumbs down.",
        "zh": "不接受评分 {score}。请用 1 表示赞、0 表示踩。",
    },
    "err_feedback_not_answer": {
        "en": "Only the tutor's answers can be rated. Use the thumbs under an answer.",
        "zh": "只能给导师的回答评分。请使用回答下方的赞或踩。",
    },
    # --- the app database (core.database; the details go to the server's log) ---
    "err_db_busy": {
        "en": "The app database is busy with other work, so this was not saved. Wait a moment and try again.",
        "zh": "应用数据库正忙于其他操作，因此这次没有保存。请稍等片刻再试。",
    },
    "err_db_readonly": {
        "en": "The app database cannot be written to, so this was not saved. Ask an administrator to check that the tutor's data folder (TUTOR_HOME) is writable.",
        "zh": "应用数据库无法写入，因此这次没有保存。请管理员检查导师的数据文件夹（TUTOR_HOME）是否可写。",
    },
    "err_db_full": {
        "en": "The app database's disk is full, so this was not saved. Ask an administrator to free space on the tutor's data folder (TUTOR_HOME).",
        "zh": "应用数据库所在的磁盘已满，因此这次没有保存。请管理员为导师的数据文件夹（TUTOR_HOME）腾出空间。",
    },
    "err_db_failed": {
        "en": "The app database failed. Try again later; if it keeps happening, ask an administrator to check the database and its settings (the server's log has the details).",
        "zh": "应用数据库出错了。请稍后再试；如果一直出现，请管理员检查数据库及其设置（服务器日志中有详细信息）。",
    },
    "err_title_empty": {"en": "The conversation title is empty. Type a title.", "zh": "对话标题是空的。请输入标题。"},
    "err_title_long": {
        "en": "The conversation title is too long. Use at most {limit} characters.",
        "zh": "对话标题太长。最多 {limit} 个字符。",
    },
    "err_practice_none": {
        "en": "There are no practice questions for this lesson yet. Pick another lesson, or ask your educator to add a quiz or exercises.",
        "zh": "这一课还没有练习题。请换一课，或请老师添加测验或练习。",
    },
    "err_practice_finished": {
        "en": "This practice run is finished. Start a new run to keep practising.",
        "zh": "这轮练习已经结束。请开始新的一轮继续练习。",
    },
    "err_answer_empty": {
        "en": "The answer is empty. Write an answer (or pick an option), then check it.",
        "zh": "答案是空的。请写下答案（或选择一个选项），再检查。",
    },
    "err_answer_long": {
        "en": "The answer is {chars} characters; the limit is {limit}. Shorten it to the key points.",
        "zh": "答案有 {chars} 个字符，上限是 {limit}。请精简到要点。",
    },
    "err_exercise_role": {
        "en": "Only educators can add exercises. Ask an administrator for the educator role.",
        "zh": "只有教师可以添加练习。请向管理员申请教师角色。",
    },
    "err_exercise_empty": {
        "en": "An exercise needs both a question and an answer key. Fill in both fields.",
        "zh": "练习需要题目和答案要点。请把两项都填写。",
    },
    "err_exercise_long": {
        "en": "The exercise or its key is too long (limits: {question} and {key} characters). Shorten it; a key lists the ideas a good answer contains.",
        "zh": "练习或答案要点太长（上限分别为 {question} 和 {key} 个字符）。请精简；答案要点只需列出好答案应包含的观点。",
    },
    "err_exercise_not_yours": {
        "en": "Exercise {number} is not one of yours. Pick one from your list.",
        "zh": "练习 {number} 不是你创建的。请从你的列表中选择。",
    },
    "err_profile": {
        "en": "The profile cannot be saved ({problem}). Choose a listed level, language and style, and keep the goal under {limit} characters.",
        "zh": "无法保存学习档案（{problem}）。请选择列出的水平、语言和风格，目标不超过 {limit} 个字符。",
    },
    "err_class_role": {
        "en": "Only educators can create classes. Ask an administrator to give you the educator role.",
        "zh": "只有教师可以创建班级。请向管理员申请教师角色。",
    },
    "err_class_name": {
        "en": "A class needs a name. Type a name such as 'Monday group'.",
        "zh": "班级需要一个名称，例如“周一小组”。",
    },
    "err_no_student": {
        "en": "There is no student called '{username}'. Check the spelling, or ask an administrator to add the account.",
        "zh": "没有名为“{username}”的学生。请检查拼写，或请管理员添加该账户。",
    },
    "err_saved_unreadable": {
        "en": "A saved document could not be read back ({problems} problems). Open an earlier version, or delete it and generate it again.",
        "zh": "无法读取已保存的文档（{problems} 处问题）。请打开较早的版本，或删除后重新生成。",
    },
    "err_saved_other_kind": {
        "en": "Document {number} is of another kind. Save it as a new document instead.",
        "zh": "文档 {number} 属于另一种类型。请另存为新文档。",
    },
    # --- accounts ---
    "err_username_invalid": {
        "en": "The username '{username}' cannot be used. Choose 3 to 40 characters from letters, digits, '_', '.' and '-' (no spaces).",
        "zh": "不能使用用户名“{username}”。请用 3 到 40 个字母、数字、“_”、“.”或“-”（不含空格）。",
    },
    "err_role_unknown": {
        "en": "Unknown role '{role}'. Choose one of: {choices}.",
        "zh": "未知角色“{role}”。请从以下选择：{choices}。",
    },
    "err_language_unknown": {
        "en": "Unknown language '{language}'. Choose en or zh.",
        "zh": "未知语言“{language}”。请选择 en 或 zh。",
    },
    "err_display_name_long": {
        "en": "The display name is too long. Use at most {limit} characters.",
        "zh": "显示名称太长。最多 {limit} 个字符。",
    },
    "err_username_taken": {
        "en": "The username '{username}' is already taken. Choose another username.",
        "zh": "用户名“{username}”已被占用。请换一个用户名。",
    },
    "err_account_deactivated": {
        "en": "This account is deactivated. Ask an administrator to reactivate it.",
        "zh": "该账户已停用。请联系管理员重新启用。",
    },
    "err_last_admin": {
        "en": "This is the last active administrator. Make another account an administrator first, so someone can still manage the tutor.",
        "zh": "这是最后一个在用的管理员。请先把另一个账户设为管理员，以便仍有人管理导师系统。",
    },
    "err_current_password_wrong": {
        "en": "The current password is wrong. Type your current password again.",
        "zh": "当前密码不正确。请重新输入当前密码。",
    },
    "err_password_short": {
        "en": "The password is too short. Use at least {limit} characters.",
        "zh": "密码太短。至少需要 {limit} 个字符。",
    },
    "err_password_long": {
        "en": "The password is too long. Use at most {limit} characters.",
        "zh": "密码太长。最多 {limit} 个字符。",
    },
    "err_no_account": {
        "en": "No account with id {number}. Pick an account from the list of users.",
        "zh": "没有编号为 {number} 的账户。请从用户列表中选择。",
    },
    # --- the search index (engine.search; services; the doctor command) ---
    "err_index_unavailable_page": {
        "en": "The course library cannot be opened right now, so this page cannot be shown. Try again in a few minutes; if it keeps happening, tell an administrator. Administrators: check that the tutor's data folder (TUTOR_HOME) is writable and has free space, that the embedding model is the one that built the index, and run `python -m tutor_app doctor` (the server's log has the details).",
        "zh": "课程资料库暂时无法打开，因此无法显示此页面。请几分钟后再试；如果一直出现，请告诉管理员。管理员：请检查导师的数据文件夹（TUTOR_HOME）是否可写、是否有剩余空间，嵌入模型是否与建立索引时的相同，并运行 `python -m tutor_app doctor`（服务器日志中有详细信息）。",
    },
    "err_keyword_index_locked": {
        "en": "The keyword index is locked by another program and stayed locked for {seconds} seconds. Wait until the other ingestion or app server has finished, then try again.",
        "zh": "关键词索引被另一个程序锁定，并且 {seconds} 秒后仍未释放。请等另一个导入任务或应用服务器完成后再试。",
    },
    "err_keyword_index_failed": {
        "en": "The keyword index cannot be read or written ({error}). Check that the tutor's data folder (TUTOR_HOME) is writable and the disk has free space, then run `python -m tutor_app doctor --repair` to rebuild it from the search index.",
        "zh": "无法读写关键词索引（{error}）。请检查导师的数据文件夹（TUTOR_HOME）是否可写、磁盘是否有剩余空间，然后运行 `python -m tutor_app doctor --repair`，从搜索索引重建它。",
    },
    "doctor_index_consistent": {
        "en": "index: the search index and the keyword index agree ({count} passages).",
        "zh": "索引：搜索索引与关键词索引一致（{count} 个段落）。",
    },
    "doctor_index_differs": {
        "en": "index: the keyword index differs from the search index in course '{course}': {chroma} passages in the search index, {keyword} in the keyword index.",
        "zh": "索引：课程“{course}”的关键词索引与搜索索引不一致：搜索索引中有 {chroma} 个段落，关键词索引中有 {keyword} 个。",
    },
    "doctor_index_repair_hint": {
        "en": "Run `python -m tutor_app doctor --repair` to rebuild the keyword index from the search index.",
        "zh": "运行 `python -m tutor_app doctor --repair`，从搜索索引重建关键词索引。",
    },
    "doctor_index_repaired": {
        "en": "index: the keyword index was repaired ({added} passages added, {removed} removed).",
        "zh": "索引：关键词索引已修复（添加 {added} 个段落，删除 {removed} 个）。",
    },
}
