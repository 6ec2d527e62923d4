"""Sub-commands of ``parallel-corpus``: one ``cmd_NAME.py`` module each, exposing ``command``."""
