"""Errors that teach: every TutorError says what went wrong and how to fix it.

Pages show them with ``st.error(ui.error_text(exc))``; the CLI prints them and
exits non-zero. An error made with ``of(key, ...)`` names a message in the
string tables, or with ``keyed(key, fix_key, ...)`` two (its problem and its
fix), so a page can say it in the reader's language; others are English only. A ``ModelError`` also has a short text for learners, without
addresses or settings. This module holds no logic beyond formatting the message.
"""

from __future__ import annotations


class TutorError(Exception):
    """A failure the user can act on. ``fix`` says what to do about it."""

    def __init__(
        self, problem: str, fix: str = "", *, key: str | None = None, values: dict | None = None, fix_key: str | None = None
    ) -> None:
        self.problem = problem
        self.fix = fix
        self.key, self.values, self.fix_key = key, values or {}, fix_key
        super().__init__(f"{problem} {fix}".strip())

    @classmethod
    def of(cls, key: str, **values):
        """The error whose whole text (problem and fix) is the string-table message ``key``."""
        from tutor_app.core.i18n import t

        return cls(t(key, "en", **values), key=key, values=values)

    @classmethod
    def keyed(cls, key: str, fix_key: str, **values):
        """The error whose problem is the message ``key`` and whose fix is the message ``fix_key``."""
        from tutor_app.core.i18n import t

        return cls(t(key, "en", **values), t(fix_key, "en", **values), key=key, values=values, fix_key=fix_key)

    def message(self, lang: str = "en") -> str:
        if self.key is None:
            return str(self)
        from tutor_app.core.i18n import t

        text = t(self.key, lang, **self.values)
        if self.fix_key is None:
            return text
        return ("" if lang == "zh" else " ").join((text, t(self.fix_key, lang, **self.values)))


class ConfigError(TutorError):
    """Settings are missing, contradictory or point at something unusable."""


class IngestError(TutorError):
    """One input file could not be read; the others go on."""


class IndexStoreError(TutorError):
    """The search index cannot be opened or written."""


class ModelError(TutorError):
    """The language model server failed, refused, or cannot be started.

    Two texts: ``detail`` (the server's address and the setting to fix) is for administrators and
    the log; ``student_message(lang)`` says only that the tutor could not answer, in the learner's language.
    """

    @property
    def detail(self) -> str:
        return str(self)

    def student_message(self, lang: str = "en") -> str:
        from tutor_app.core.i18n import t

        return t("model_student_failed", lang)


class InputError(TutorError):
    """A user's input (query, question) cannot be used as given."""
