"""Where the grammar file is: inside the installed package, else in the source checkout.

Apart from the parser so that asking costs no import of Lark: the re-compile stamp
(:mod:`orion_dsl.up_to_date`) hashes the file before deciding whether to parse at all.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGED = Path(__file__).parent / "grammar" / "orion.lark"
_IN_REPO = Path(__file__).resolve().parent.parent / "grammar" / "orion.lark"


def grammar_path() -> Path:
    """The grammar file: inside the installed package, else in the source checkout."""
    return _PACKAGED if _PACKAGED.exists() else _IN_REPO
