"""The command line, ``python -m tutor_app COMMAND``."""
