"""Resolution and validation: declarations -> a checked :class:`~orion_dsl.model.Topology`."""
