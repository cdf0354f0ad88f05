"""People: local accounts, identity-provider sign-in, remembered sessions, classes."""
