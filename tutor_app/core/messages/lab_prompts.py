"""Strings of the prompt workbench (prompt versions and the test bench), in English and Simplified Chinese."""

MESSAGES = {
    # --- page ---
    "lab_prompts_page": {"en": "Prompts", "zh": "提示词"},
    "lab_prompts_intro": {
        "en": "Edit a role prompt and save it as a new version. Learners keep the active version until you activate "
        "another; version 0 is the file in prompts/.",
        "zh": "编辑角色提示词并保存为新版本。在你激活其他版本之前，学习者看到的始终是当前生效的版本；版本 0 是 prompts/ 中的文件。",
    },
    "lab_prompts_choose": {"en": "Prompt", "zh": "提示词"},
    "lab_prompts_active": {"en": "Active version: **{version}**", "zh": "当前生效版本：**{version}**"},
    "lab_prompts_version_file": {"en": "v0 · from the file", "zh": "v0 · 来自文件"},
    "lab_prompts_version": {"en": "v{version}", "zh": "v{version}"},
    "lab_prompts_editor": {"en": "Prompt (YAML)", "zh": "提示词（YAML）"},
    "lab_prompts_examples": {
        "en": "Worked examples (YAML list of human: / ai:)",
        "zh": "示例（YAML 列表，每项含 human: 和 ai:）",
    },
    "lab_prompts_note": {"en": "Note (what changed and why)", "zh": "备注（改了什么、为什么）"},
    "lab_prompts_save": {"en": "Save as new version", "zh": "保存为新版本"},
    "lab_prompts_saved": {
        "en": "Saved as version {version} (not active yet). Changes against version {previous}:",
        "zh": "已保存为版本 {version}（尚未生效）。与版本 {previous} 相比的改动：",
    },
    "lab_prompts_history": {"en": "History", "zh": "历史版本"},
    "lab_prompts_col_version": {"en": "Version", "zh": "版本"},
    "lab_prompts_col_note": {"en": "Note", "zh": "备注"},
    "lab_prompts_col_author": {"en": "Author", "zh": "作者"},
    "lab_prompts_col_date": {"en": "Saved (UTC)", "zh": "保存时间（UTC）"},
    "lab_prompts_col_active": {"en": "Active", "zh": "生效"},
    "lab_prompts_diff": {"en": "Compare two versions", "zh": "比较两个版本"},
    "lab_prompts_diff_from": {"en": "From", "zh": "从"},
    "lab_prompts_diff_to": {"en": "To", "zh": "到"},
    "lab_prompts_no_diff": {"en": "The two versions are the same.", "zh": "两个版本完全相同。"},
    "lab_prompts_pick": {"en": "Version to activate or export", "zh": "要激活或导出的版本"},
    "lab_prompts_activate": {"en": "Activate / roll back", "zh": "激活 / 回滚"},
    "lab_prompts_activated": {
        "en": "Version {version} of {name} is active: answers use it within seconds.",
        "zh": "{name} 的版本 {version} 已生效：几秒内的回答都会使用它。",
    },
    "lab_prompts_export": {"en": "Export YAML", "zh": "导出 YAML"},
    # --- bench ---
    "lab_prompts_bench": {"en": "Test bench", "zh": "测试台"},
    "lab_prompts_bench_versions": {"en": "Versions side by side", "zh": "并排比较的版本"},
    "lab_prompts_shots": {"en": "Worked examples in the prompt", "zh": "提示中的示例数量"},
    "lab_prompts_shots_0": {"en": "none (zero-shot)", "zh": "无（零样本）"},
    "lab_prompts_shots_1": {"en": "one (one-shot)", "zh": "一个（单样本）"},
    "lab_prompts_shots_all": {"en": "all (few-shot)", "zh": "全部（少样本）"},
    "lab_prompts_inputs": {"en": "Sample inputs (YAML: variable: value)", "zh": "示例输入（YAML：变量: 值）"},
    "lab_prompts_from_course": {"en": "Passages from the course", "zh": "从课程检索段落"},
    "lab_prompts_endpoints": {"en": "Model endpoints (one or two)", "zh": "模型端点（一个或两个）"},
    "lab_prompts_url": {
        "en": "Or an OpenAI-compatible server: base URL#model-id",
        "zh": "或者一个 OpenAI 兼容的服务器：base URL#模型 ID",
    },
    "lab_prompts_run": {"en": "Run", "zh": "运行"},
    "lab_prompts_figures": {
        "en": "{prompt} prompt + {completion} completion tokens{estimated} · {seconds} s",
        "zh": "提示 {prompt} + 生成 {completion} 个词元{estimated} · {seconds} 秒",
    },
    "lab_prompts_estimated": {"en": " (estimated)", "zh": "（估算）"},
    "lab_prompts_run_failed": {"en": "This run failed: {error}", "zh": "本次运行失败：{error}"},
    # --- errors (each says what to do) ---
    "lab_prompts_err_yaml": {
        "en": "The prompt is not valid YAML ({detail}). Fix the indentation or quoting and save again.",
        "zh": "提示词不是有效的 YAML（{detail}）。请修正缩进或引号后再保存。",
    },
    "lab_prompts_err_invalid": {
        "en": "The prompt does not have the fields a prompt file needs ({detail}). Keep name, version, role, "
        "description, input_variables and messages, and no others.",
        "zh": "提示词缺少或多出了字段（{detail}）。只保留 name、version、role、description、input_variables 和 messages。",
    },
    "lab_prompts_err_role": {
        "en": "A message has the role “{role}”. Use one of system, human, ai or placeholder.",
        "zh": "有一条消息的角色是“{role}”。请使用 system、human、ai 或 placeholder 之一。",
    },
    "lab_prompts_err_jinja": {
        "en": "The prompt uses Jinja syntax ({block}). Templates are f-strings: write {{name}} for a variable "
        "and double the braces for a literal one.",
        "zh": "提示词使用了 Jinja 语法（{block}）。模板只支持 f-string：变量写作 {{name}}，字面上的花括号请写两次。",
    },
    "lab_prompts_err_name": {
        "en": "The prompt is named “{found}”, but you are editing “{name}”. Keep name: {name}.",
        "zh": "提示词的名称是“{found}”，但你正在编辑“{name}”。请保留 name: {name}。",
    },
    "lab_prompts_err_template": {
        "en": "The template cannot be filled in ({detail}). Check the braces: {{name}} for a variable, doubled braces "
        "for a literal one.",
        "zh": "模板无法填充（{detail}）。请检查花括号：变量写作 {{name}}，字面花括号请写两次。",
    },
    "lab_prompts_err_unknown": {
        "en": "Unknown variable: {names}. The code does not pass it, so it cannot be used. Variables this prompt "
        "may use: {allowed}.",
        "zh": "未知变量：{names}。代码不会传入它，所以不能使用。这个提示词可以使用的变量：{allowed}。",
    },
    "lab_prompts_err_declared": {
        "en": "input_variables lists {declared}, but the messages use {used}. Make the two lists the same.",
        "zh": "input_variables 列出的是 {declared}，但消息中使用的是 {used}。请让两者一致。",
    },
    "lab_prompts_err_required": {
        "en": "The prompt must still use {names}: without them the model would not see the request or the course. Put them back.",
        "zh": "提示词必须继续使用 {names}：缺少它们，模型就看不到请求或课程内容。请把它们加回去。",
    },
    "lab_prompts_err_no_version": {
        "en": "There is no version {version} of {name}. Pick one from the history.",
        "zh": "{name} 没有版本 {version}。请从历史版本中选择。",
    },
    "lab_prompts_err_busy": {
        "en": "Others are saving this prompt at the same moment. Save again.",
        "zh": "其他人正在同时保存这个提示词。请再保存一次。",
    },
    "lab_prompts_err_examples": {
        "en": "The worked examples are not valid ({detail}). Write a YAML list whose items have human: and ai:.",
        "zh": "示例无效（{detail}）。请写成 YAML 列表，每一项包含 human: 和 ai:。",
    },
    "lab_prompts_err_inputs": {
        "en": "The sample inputs lack {names}. Add a value for each variable of the prompt.",
        "zh": "示例输入缺少 {names}。请为提示词的每个变量提供一个值。",
    },
    "lab_prompts_err_inputs_yaml": {
        "en": "The sample inputs are not a YAML mapping ({detail}). Write one line per variable: name: value.",
        "zh": "示例输入不是 YAML 映射（{detail}）。请每行写一个变量：名称: 值。",
    },
    "lab_prompts_err_endpoint": {
        "en": "Give the second endpoint a base URL starting with http:// or https:// and a model id, or leave both empty.",
        "zh": "请为第二个端点填写以 http:// 或 https:// 开头的 base URL 和模型 ID，或者两者都留空。",
    },
}
