"""How the writer lays out a target's folders."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from orion_dsl.output import write_targets


def test_the_writer_creates_each_folder_of_a_target_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[str] = []
    makedirs = os.makedirs

    def counting(name: Any, *args: Any, **kwargs: Any) -> None:
        made.append(os.fspath(name))
        makedirs(name, *args, **kwargs)

    monkeypatch.setattr(os, "makedirs", counting)
    files = {"a/one.yaml": "1\n", "a/two.yaml": "2\n", "a/b/three.yaml": "3\n", "c/four.yaml": "4\n", "top.yaml": "5\n"}
    write_targets(tmp_path / "out", {"kubernetes": files})
    assert sorted(p.relative_to(tmp_path / "out/kubernetes").as_posix() for p in (tmp_path / "out/kubernetes").rglob("*.yaml")) == sorted(files)
    staged = [Path(name).parts for name in made if ".orion" in Path(name).parts and "kubernetes" in Path(name).parts]  # the new tree
    assert sorted("/".join(parts[parts.index("kubernetes") + 1 :]) for parts in staged) == ["a", "a/b", "c"]
