"""The learner profile reaches the explain mode's prompt too (the coach's is tested in test_coach.py)."""

from tests.support.fakes import ScriptedChat
from tests.support.learning_course import write_course
from tutor_app.accounts.users import create_user
from tutor_app.core.database import open_database
from tutor_app.tutoring.chat import start_turn
from tutor_app.tutoring.conversations import ConversationStore
from tutor_app.tutoring.profile import Profile, profile_instructions, save_profile, saved_profile


def test_explain_mode_prompt_carries_the_profile_and_its_language(fake_services, tmp_path):
    assert fake_services.ingestor.ingest_paths([write_course(tmp_path / "course")], "demo").ok
    model = ScriptedChat(["Examples first [1]."])
    tutor = fake_services.tutor
    tutor.model_factory = lambda: model
    rule = {f"{prefix}grounding_{part}": 0.0 for prefix in ("", "cross_") for part in ("threshold", "floor")}
    rule["answer_style"] = "generative"
    tutor.settings = tutor.retriever.settings = tutor.settings.model_copy(update=rule)
    db = open_database("sqlite://")
    alice = create_user(db, "alice", "correct horse battery", "student")
    store = ConversationStore(db)

    assert saved_profile(db, alice.id) is None  # never set: the tutor keeps its defaults
    turn = start_turn(store, tutor, alice.id, None, "demo", "What is a few-shot prompt?")
    "".join(turn.pieces())
    assert "About the learner: Not described; assume a beginner.\nAnswer in English." in model.calls[-1][-1]["content"]

    save_profile(db, alice.id, level="advanced", language="zh", style="concise", goal="pass my exam")
    profile = saved_profile(db, alice.id)
    turn = start_turn(
        store,
        tutor,
        alice.id,
        None,
        "demo",
        "What is a few-shot prompt?",
        "en",
        profile_instructions(profile, with_language=False),
        profile.language,
    )
    "".join(turn.pieces())
    system, *_, last = model.calls[-1]
    assert "advanced" in last["content"] and "two or three sentences" in last["content"] and "pass my exam" in last["content"]
    assert last["content"].rstrip().endswith("Answer in 简体中文 (Simplified Chinese).")  # the profile's language wins
    assert system == model.calls[0][0]  # the system message never varies (the model server reuses its cache)


def test_instructions_follow_each_setting():
    assert "avoid jargon" in profile_instructions(Profile(level="beginner"))
    assert "skip the basics" in profile_instructions(Profile(level="advanced"))
    assert "concrete example" in profile_instructions(Profile(style="examples"))
    assert "简体中文" in profile_instructions(Profile(language="zh"))
    assert "简体中文" not in profile_instructions(Profile(language="zh"), with_language=False)
    assert "\"ship it'" in profile_instructions(Profile(goal='ship it"'))  # the learner's quote cannot close ours
