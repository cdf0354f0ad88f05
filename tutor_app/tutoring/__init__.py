"""The student tutor: explain mode, the chat turn, coach mode and its leak guard, conversations, learner profiles."""
