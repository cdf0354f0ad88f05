"""Errors that teach: every TutorError says what went wrong and how to fix it.

Pages show them with ``st.error``; the CLI prints them and exits non-zero.
This module holds no logic beyond formatting the message.
"""

from __future__ import annotations


class TutorError(Exception):
    """A failure the user can act on. ``fix`` says what to do about it."""

    def __init__(self, problem: str, fix: str = "") -> None:
        self.problem = problem
        self.fix = fix
        super().__init__(f"{problem} {fix}".strip())


class ConfigError(TutorError):
    """Settings are missing, contradictory or point at something unusable."""


class IngestError(TutorError):
    """One input file could not be read; the others go on."""


class IndexStoreError(TutorError):
    """The search index cannot be opened or written."""


class ModelError(TutorError):
    """The language model server failed, refused, or cannot be started."""


class InputError(TutorError):
    """A user's input (query, question) cannot be used as given."""
