"""Educator studio: lesson plans and quizzes, built from the course or written by a model, checked, saved and exported."""
