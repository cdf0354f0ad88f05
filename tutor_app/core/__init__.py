"""Foundations every layer uses: settings, errors, translated messages, the app database, shared data shapes."""
