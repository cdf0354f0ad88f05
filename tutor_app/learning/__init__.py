"""Learning loop: the lesson catalog, practice items, grading, mastery (BKT) and spaced review."""
