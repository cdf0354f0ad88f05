"""User-facing strings in English and Simplified Chinese.

One table, keyed by message id; ``t(key, lang, **values)`` picks the language
and fills the placeholders. Falls back to English for a missing translation.
The shell's and the tutor chat's strings are here; each feature area keeps its
own table in ``tutor_app/messages/<area>.py`` (a module-level ``MESSAGES``
dict), merged in at import so features do not edit one shared file. A key
defined twice is an error. ``Notice`` is a message kept unrendered, so whoever
shows it picks the language. This module holds text only.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass

LANGUAGE_NAMES = {"en": "English", "zh": "简体中文 (Simplified Chinese)"}

MESSAGES: dict[str, dict[str, str]] = {
    "not_covered": {
        "en": "The course material does not cover this question, so I will not guess. "
        "Try rephrasing it with terms from the lessons, or ask your educator.",
        "zh": "课程材料没有涉及这个问题，所以我不做猜测。可以试着用课程里的术语换个说法提问，或者请教你的老师。",
    },
    "index_empty": {
        "en": "The index is empty: add course files first (Library page, or `python -m tutor_app ingest`).",
        "zh": "索引是空的：请先添加课程文件（在“课程库”页面，或运行 `python -m tutor_app ingest`）。",
    },
    "query_cut": {
        "en": "Your message was long; only its first {tokens} tokens were used.",
        "zh": "你的消息太长，只使用了前 {tokens} 个词元（token）。",
    },
    # --- app shell ---
    "app_title": {"en": "Open tutor", "zh": "开放导师"},
    "language": {"en": "Language", "zh": "语言"},
    "sign_out": {"en": "Sign out", "zh": "退出登录"},
    "signed_in_as": {"en": "Signed in as **{name}** ({role})", "zh": "已登录：**{name}**（{role}）"},
    "role_student": {"en": "student", "zh": "学生"},
    "role_educator": {"en": "educator", "zh": "教师"},
    "role_administrator": {"en": "administrator", "zh": "管理员"},
    "page_tutor": {"en": "Tutor", "zh": "导师"},
    "nav_learn": {"en": "Learn", "zh": "学习"},
    "nav_teach": {"en": "Teach", "zh": "教学"},
    "nav_administer": {"en": "Administer", "zh": "管理"},
    "choose": {"en": "Choose…", "zh": "请选择……"},  # an empty multiselect (Streamlit's own placeholder is English)
    "page_users": {"en": "Users", "zh": "用户"},
    "page_signin": {"en": "Sign in", "zh": "登录"},
    "page_setup": {"en": "First run", "zh": "首次设置"},
    "not_allowed": {"en": "This page is not available to your role.", "zh": "你的角色无权访问此页面。"},
    # --- sign-in and first run ---
    "username": {"en": "Username", "zh": "用户名"},
    "password": {"en": "Password", "zh": "密码"},
    "display_name": {"en": "Display name", "zh": "显示名称"},
    "sign_in": {"en": "Sign in", "zh": "登录"},
    "sign_in_provider": {"en": "Sign in with your organisation's account", "zh": "使用所在机构的账号登录"},
    "sign_in_local_below": {"en": "Or sign in with a local account:", "zh": "或者使用本地账号登录："},
    "oidc_not_configured": {
        "en": "Sign-in with the identity provider is switched on but not set up. Add an [auth] section (redirect_uri, "
        "cookie_secret, client_id, client_secret, server_metadata_url) to .streamlit/secrets.toml, or set TUTOR_SIGN_IN=local.",
        "zh": "已开启身份提供方登录，但尚未配置。请在 .streamlit/secrets.toml 中添加 [auth] 部分（redirect_uri、cookie_secret、"
        "client_id、client_secret、server_metadata_url），或设置 TUTOR_SIGN_IN=local。",
    },
    "wrong_credentials": {"en": "Wrong username or password.", "zh": "用户名或密码错误。"},
    "rate_limited": {
        "en": "Too many failed sign-in attempts for this username. Try again in {minutes} min, or ask an administrator to reset your password.",
        "zh": "该用户名登录失败次数过多。请在 {minutes} 分钟后再试，或请管理员重置你的密码。",
    },
    "setup_intro": {
        "en": "Welcome! Create the administrator account first. The administrator then adds educators and students.",
        "zh": "欢迎！请先创建管理员账号，之后由管理员添加教师和学生。",
    },
    "create_admin": {"en": "Create administrator", "zh": "创建管理员"},
    "account_created": {"en": "Account **{name}** created.", "zh": "账号 **{name}** 已创建。"},
    # --- users page ---
    "add_user": {"en": "Add a user", "zh": "添加用户"},
    "role": {"en": "Role", "zh": "角色"},
    "add": {"en": "Add", "zh": "添加"},
    "users_list": {"en": "Accounts", "zh": "账号列表"},
    "active": {"en": "Active", "zh": "启用"},
    # --- tutor chat ---
    "course": {"en": "Course", "zh": "课程"},
    "no_course": {
        "en": "No course is indexed yet. Ask an administrator to add course files on the Library page "
        "(or run `bash tutor.sh cli ingest data/course --course genai-beginners`).",
        "zh": "还没有已索引的课程。请管理员在“课程库”页面添加课程文件"
        "（或运行 `bash tutor.sh cli ingest data/course --course genai-beginners`）。",
    },
    "sample_indexing": {
        "en": "Preparing the sample course: {percent}% ({source})",
        "zh": "正在准备示例课程：{percent}%（{source}）",
    },
    "sample_preparing": {
        "en": "The sample course is being indexed (progress in the sidebar). This page shows it as soon as it is ready.",
        "zh": "示例课程正在建立索引（进度见侧边栏），完成后本页会自动显示。",
    },
    "sample_failed": {
        "en": "The sample course could not be indexed: {error}",
        "zh": "示例课程未能建立索引：{error}",
    },
    "conversations": {"en": "Conversations", "zh": "对话"},
    "new_conversation": {"en": "New conversation", "zh": "新对话"},
    "rename": {"en": "Rename", "zh": "重命名"},
    "delete": {"en": "Delete", "zh": "删除"},
    "export": {"en": "Export as Markdown", "zh": "导出为 Markdown"},
    "title": {"en": "Title", "zh": "标题"},
    "ask_placeholder": {"en": "Ask about the course…", "zh": "就课程内容提问……"},
    "sources": {"en": "Sources", "zh": "来源"},
    "tokens_cost": {"en": "{tokens} tokens · {cost}", "zh": "{tokens} 个词元 · {cost}"},
    "free": {"en": "free (local model)", "zh": "免费（本地模型）"},
    "unknown_price": {"en": "price unknown", "zh": "价格未知"},
    "empty_history": {
        "en": "Ask your first question. Answers come from the course and cite the sections they use.",
        "zh": "提出你的第一个问题吧。回答来自课程内容，并会注明引用的章节。",
    },
    "too_long": {
        "en": "Your message is {chars} characters; the limit is {limit}. It was kept in the conversation, and only its beginning was used.",
        "zh": "你的消息有 {chars} 个字符，上限是 {limit}。消息已保存在对话中，但只使用了开头部分。",
    },
    # --- model status ---
    "model_status": {"en": "Model", "zh": "模型"},
    "answered_by": {"en": "Answers come from **{model}** ({provider}).", "zh": "回答由 **{model}**（{provider}）生成。"},
    "embedded_limits": {
        "en": "The built-in model is small and fast but often wrong, and its Chinese is poor: "
        "always check its answer against the cited passages.",
        "zh": "内置模型小而快，但经常出错，中文表达尤其差：请务必对照引用的段落核实它的回答。",
    },
    "connect_help": {
        "en": "For better answers set `OPENAI_API_KEY` (OpenAI), `AZURE_OPENAI_API_KEY` + `AZURE_OPENAI_ENDPOINT` (Azure OpenAI), "
        "or `OPENAI_BASE_URL` for an OpenAI-compatible server such as Ollama or vLLM, then restart.",
        "zh": "想要更好的回答，请设置 `OPENAI_API_KEY`（OpenAI）、`AZURE_OPENAI_API_KEY` 与 `AZURE_OPENAI_ENDPOINT`（Azure OpenAI），"
        "或为 Ollama、vLLM 等兼容 OpenAI 的服务器设置 `OPENAI_BASE_URL`，然后重启。",
    },
}


def _merge_feature_tables() -> None:
    from tutor_app.core import messages

    for info in sorted(pkgutil.iter_modules(messages.__path__), key=lambda item: item.name):
        table = importlib.import_module(f"{messages.__name__}.{info.name}").MESSAGES
        clashes = MESSAGES.keys() & table.keys()
        if clashes:
            raise RuntimeError(f"message keys defined twice (in messages/{info.name}.py): {sorted(clashes)}")
        MESSAGES.update(table)


_merge_feature_tables()


def t(key: str, lang: str = "en", **values: object) -> str:
    table = MESSAGES[key]
    return table.get(lang, table["en"]).format(**values)


@dataclass(frozen=True)
class Notice:
    """Something to tell a reader, kept as a message key and its values: ``text(lang)`` says it in their
    language, ``str()`` in English (the command line and the log)."""

    key: str
    params: tuple[tuple[str, object], ...] = ()

    @classmethod
    def of(cls, key: str, **values) -> Notice:
        return cls(key, tuple(values.items()))

    def text(self, lang: str) -> str:
        return t(self.key, lang, **dict(self.params))

    def __str__(self) -> str:
        return self.text("en")
