"""split_units keeps a fenced code block whole as CommonMark reads it: only the same marker, at least as long, closes it."""

import pytest

from tutor_app.engine.sentences import split_units


@pytest.mark.parametrize("opener, inner, closer", [("```", "~~~", "```"), ("~~~", "```", "~~~~"), ("````", "```", "````")])
def test_a_fence_is_closed_only_by_the_same_marker_at_least_as_long(opener, inner, closer):
    code = f"{opener}\nprint(1)\n{inner}\n# a comment, not a heading\n{inner}\n{closer}"
    units = split_units(f"Run this small program first.\n\n{code}\n\nThen read its output carefully.")
    assert [(u.kind, u.text) for u in units] == [
        ("sentence", "Run this small program first."),
        ("code", code),
        ("sentence", "Then read its output carefully."),
    ]
