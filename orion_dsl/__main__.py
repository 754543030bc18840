"""``python -m orion_dsl``: the same command as ``orion``."""

from orion_dsl.cli import run

run()
