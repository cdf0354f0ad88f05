"""The provider's moderation endpoint, when it has one: OpenAI's ``moderations.create``.

``moderation_client`` says whether the configured provider has the endpoint (OpenAI itself does;
Azure OpenAI filters inside its own service, and the embedded server and compatible servers at
another base URL have none), and ``moderate`` asks it about one message and returns the names of
the categories it flagged, as the API spells them ("self-harm/intent", "sexual/minors"). A failed
call is logged (``chat.log_failure``: no key) and returns ``None``: moderation adds a check, it never blocks a learner.
This module does not decide what to reply; ``tutoring.safety`` maps the categories to replies.
"""

from __future__ import annotations

import json
import logging
import time

import openai

from tutor_app.core.config import Provider, Settings
from tutor_app.engine.models.chat import error_kind, log_failure
from tutor_app.engine.models.transport import make_client

log = logging.getLogger(__name__)

MODERATION_MODEL = "omni-moderation-latest"


def moderation_client(settings: Settings) -> openai.OpenAI | None:
    """A client for the moderation endpoint, or ``None`` when the configured provider has none."""
    if settings.provider is not Provider.OPENAI or settings.openai_base_url:
        return None
    return make_client(settings)


def moderate(client, text: str, model: str = MODERATION_MODEL) -> list[str] | None:
    """The categories the endpoint flagged in ``text`` (``[]``: none), or ``None`` when the call failed."""
    began = time.monotonic()
    try:
        response = client.moderations.create(model=model, input=text)
        result = response.results[0]
        if not result.flagged:
            return []
        categories = result.categories.model_dump(by_alias=True)
    except (openai.APIError, json.JSONDecodeError, IndexError, AttributeError, TypeError) as exc:
        # The learner's message goes on with the rule-based screen only.
        log_failure(
            log,
            error_kind(exc),
            exc,
            endpoint=str(getattr(client, "base_url", "")).rstrip("/"),
            model=model,
            latency_s=time.monotonic() - began,
            secrets=[getattr(client, "api_key", None)],
            what="The moderation call",
        )
        return None
    return sorted(name for name, flagged in categories.items() if flagged)
