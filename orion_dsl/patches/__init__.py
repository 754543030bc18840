"""Patches: typed changes to objects ORION generates, for what the language does not state (docs/design/patches.md).

:mod:`.read` resolves ``patch`` statements against the plan and checks each field path and value against the
kind's schema (:mod:`.schema`, the vendored ``fields.json``); :mod:`.check` applies them at ``orion check`` time
to the objects they change; :mod:`.apply` is the one place they are applied when the backends render.
"""
