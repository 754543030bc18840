"""Did-you-mean hints: the closest candidate, in time linear in names and candidates."""

from __future__ import annotations

import pytest

from orion_dsl import diagnostics
from orion_dsl.diagnostics import SCAN_LIMIT, did_you_mean

MANY = [f"service-{n:05d}" for n in range(SCAN_LIMIT * 10)]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("servcie-00123", "service-00123"),  # neighbours swapped
        ("servce-00123", "service-00123"),  # a letter dropped
        ("servicee-00123", "service-00123"),  # a letter added
        ("sarvice-00123", "service-00123"),  # a letter changed
    ],
)
def test_a_name_one_edit_away_is_found_among_many_candidates(name: str, expected: str) -> None:
    assert did_you_mean(name, MANY) == f'did you mean "{expected}"?'


def test_a_name_like_no_candidate_lists_the_first_candidates() -> None:
    assert did_you_mean("zzz", MANY).startswith('expected one of "service-00000", "service-00001"')


def test_few_candidates_are_compared_whole() -> None:
    assert did_you_mean("replicsa", ["image", "replicas", "port"]) == 'did you mean "replicas"?'
    assert did_you_mean("imag", ["image", "replicas", "port"]) == 'did you mean "image"?'


def test_of_equally_close_candidates_the_first_in_order_is_suggested() -> None:
    # "us-east" is as close to "us-east-1" as to "us-east-2"; difflib alone would pick the greater.
    assert did_you_mean("us-east", ["us-east-2", "us-east-1", "us-west-1"]) == 'did you mean "us-east-1"?'


def test_no_candidates_give_no_hint() -> None:
    assert did_you_mean("x", []) == ""


def test_many_names_against_many_candidates_prepare_each_candidate_once(monkeypatch: pytest.MonkeyPatch) -> None:
    spellings: list[str] = []
    real = diagnostics._deletions
    monkeypatch.setattr(diagnostics, "_deletions", lambda word: spellings.append(word) or real(word))
    diagnostics._suggestions.cache_clear()
    names = [f"servcie-{n:05d}" for n in range(len(MANY))]
    hints = [did_you_mean(name, MANY) for name in names]
    assert hints[7] == 'did you mean "service-00007"?'
    # Each candidate once for the index and each name once to look it up: linear, not |names| x |candidates|.
    assert len(spellings) == len(MANY) + len(names)


def test_a_very_long_name_costs_no_spelling_per_character() -> None:
    assert diagnostics._deletions("x" * 1000) == {"x" * 1000}
    assert did_you_mean("s" * 1000, MANY).startswith("expected one of")
