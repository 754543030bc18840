"""docs/TUTORIAL.md works as written: its files are written and its commands run in a fresh folder.

Walking the document top to bottom, each ```orion block whose first line is ``# file: NAME``
is written to NAME (a later version overwrites an earlier one), and each ``$ `` command of a
```console block is run in the same folder, with a leading ``orion`` replaced by the orion of
this environment. Its stdout and stderr, together, must be exactly the text shown under it;
the only normalisations are the temporary folder's path and the final line break, which a
Markdown block cannot show.

When a backend changes what it prints on purpose, rerun with ``ORION_UPDATE_TUTORIAL=1`` to
write the new outputs into the document (then read the diff before committing it).
"""

from __future__ import annotations

import difflib
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import attrs

DOC = Path(__file__).resolve().parent.parent / "docs" / "TUTORIAL.md"
ORION = Path(sys.executable).parent / "orion"
FENCE = re.compile(r"^```(\w+)[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
FILE_MARK = re.compile(r"^# file: (\S+)[ \t]*$")


@attrs.frozen
class WriteFile:
    """An ```orion block to write before the commands that follow it."""

    name: str
    text: str
    line: int


@attrs.frozen
class Command:
    """A ``$ `` command and the output the document shows for it."""

    command: str
    output: str
    line: int


def steps(text: str) -> list[WriteFile | Command]:
    """The files and commands of a tutorial, in document order."""
    found: list[WriteFile | Command] = []
    for m in FENCE.finditer(text):
        lang, body = m.group(1), m.group(2)
        first_line = text.count("\n", 0, m.start(2)) + 1
        if lang == "orion":
            mark = FILE_MARK.match(body.split("\n", 1)[0])
            if mark:
                found.append(WriteFile(mark.group(1), body, first_line))
        elif lang == "console":
            command: str | None = None
            start = 0
            output: list[str] = []
            for offset, line in enumerate(body.splitlines()):
                if line.startswith("$ "):
                    if command is not None:
                        found.append(Command(command, "\n".join(output), start))
                    command, start, output = line[2:], first_line + offset, []
                else:
                    output.append(line)
            if command is not None:
                found.append(Command(command, "\n".join(output), start))
    return found


def shell_command(command: str) -> str:
    """The command with a leading ``orion`` replaced by this environment's orion."""
    if command == "orion" or command.startswith("orion "):
        return shlex.quote(str(ORION)) + command[len("orion") :]
    return command


def run(command: str, folder: Path) -> str:
    """Run one command in the folder; stdout and stderr as one text, the folder's path normalised."""
    result = subprocess.run(shell_command(command), shell=True, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    return result.stdout.replace(str(folder) + "/", "").replace(str(folder), ".")


def play(text: str, folder: Path) -> list[tuple[Command, str]]:
    """Write the files and run the commands; each command with what it printed."""
    folder.mkdir(parents=True, exist_ok=True)
    results: list[tuple[Command, str]] = []
    for step in steps(text):
        if isinstance(step, WriteFile):
            (folder / step.name).write_text(step.text, encoding="utf-8")
        else:
            results.append((step, run(step.command, folder)))
    return results


def rewrite(text: str, outputs: Iterator[str]) -> str:
    """The document with every command's shown output replaced by the next of ``outputs``."""

    def block(m: re.Match[str]) -> str:
        if m.group(1) != "console":
            return m.group(0)
        lines: list[str] = []
        for line in m.group(2).splitlines():
            if line.startswith("$ "):
                shown = next(outputs).rstrip("\n")
                lines.extend([line, *(shown.split("\n") if shown else [])])
        return "```console\n" + "\n".join(lines) + "\n```"

    return FENCE.sub(block, text)


def test_the_tutorial_has_what_it_promises() -> None:
    text = DOC.read_text(encoding="utf-8")
    found = steps(text)
    files = [s for s in found if isinstance(s, WriteFile)]
    commands = [s.command for s in found if isinstance(s, Command)]
    assert len(files) >= 3 and all(f.name == "shop.orion" for f in files)
    assert any(c.startswith("orion check") for c in commands)
    assert any(c.startswith("orion compile") and "--target kubernetes" in c for c in commands)
    assert any(c.startswith("orion diagram") and "--view policies" in c for c in commands)
    assert "did you mean" in text, "the tutorial should show a deliberate mistake and its did-you-mean"


def test_the_tutorial_runs_as_written(tmp_path: Path) -> None:
    text = DOC.read_text(encoding="utf-8")
    results = play(text, tmp_path)
    if os.environ.get("ORION_UPDATE_TUTORIAL") == "1":
        DOC.write_text(rewrite(text, iter(actual for _, actual in results)), encoding="utf-8")
        results = play(DOC.read_text(encoding="utf-8"), tmp_path / "again")
    mismatches = []
    for step, actual in results:
        if actual.rstrip("\n") != step.output.rstrip("\n"):
            diff = difflib.unified_diff(step.output.splitlines(), actual.rstrip("\n").splitlines(), "shown", "actual", lineterm="")
            mismatches.append(f"{DOC.name}:{step.line}: $ {step.command}\n" + "\n".join(diff))
    assert not mismatches, "\n\n".join(mismatches)
