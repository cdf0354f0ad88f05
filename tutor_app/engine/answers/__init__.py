"""Answers built from retrieved passages: quoting the course (extractive) and checking generated claims against it."""
