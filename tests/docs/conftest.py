"""The seed's architecture document, rendered once per session."""

from __future__ import annotations

import pytest

from orion_dsl.artifacts import Rendered
from orion_dsl.backends.docs import render
from orion_dsl.model import Topology
from tests.support.plans import planned

from .markdown import Document


@pytest.fixture(scope="session")
def seed_rendered(seed: Topology) -> Rendered:
    """The docs target's output for specs/orion.orion."""
    return render(planned(seed))


@pytest.fixture(scope="session")
def seed_text(seed_rendered: Rendered) -> str:
    """The seed document's text."""
    return seed_rendered.stream


@pytest.fixture(scope="session")
def doc(seed_text: str) -> Document:
    """The seed document, parsed."""
    return Document(seed_text)
