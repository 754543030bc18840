"""Snapshot files with the target's real extension (.yaml, .mmd, .dot, .md), so diffs read well."""

from __future__ import annotations

from typing import Any

from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode


class _TextSnapshot(SingleFileSnapshotExtension):
    _write_mode = WriteMode.TEXT

    def serialize(self, data: Any, **kwargs: Any) -> str:
        if not isinstance(data, str):
            raise TypeError(f"text snapshots take str, not {type(data).__name__}")
        return data


class YamlSnapshot(_TextSnapshot):
    """A snapshot stored as ``<test name>.yaml``."""

    file_extension = "yaml"


class MermaidSnapshot(_TextSnapshot):
    """A snapshot stored as ``<test name>.mmd``."""

    file_extension = "mmd"


class DotSnapshot(_TextSnapshot):
    """A snapshot stored as ``<test name>.dot``."""

    file_extension = "dot"


class MarkdownSnapshot(_TextSnapshot):
    """A snapshot stored as ``<test name>.md``."""

    file_extension = "md"
