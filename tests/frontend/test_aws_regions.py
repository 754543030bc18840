"""An s3 recovery target's region must be an AWS region (E0218), from the list in
:mod:`orion_dsl.aws_regions` (botocore's endpoint data); other kinds' regions are not checked."""

from __future__ import annotations

import re

import pytest

from orion_dsl.aws_regions import PARTITIONS, REGIONS
from orion_dsl.diagnostics import Diagnostic
from orion_dsl.pipeline import analyze_text

SPEC = """
topology t { version "1.0.0" }
recovery { target primary { %s; bucket "t-backups" } }
"""

#: How AWS region codes are written: a geography, an optional partition part, a direction, a number.
AWS_REGION = re.compile(r"^[a-z]{2}(sc-[a-z]{2}|-gov|-iso[a-z]*)?-[a-z]+-\d$")


def _region_errors(target: str) -> list[Diagnostic]:
    analysis = analyze_text(SPEC % target, "regions.orion")
    return [d for d in analysis.diagnostics if d.code == "E0218"]


@pytest.mark.parametrize("region", ["us-east-1", "eu-central-1", "af-south-1", "mx-central-1"])
def test_an_aws_region_passes(region: str) -> None:
    assert _region_errors(f"kind s3; region {region}") == []


@pytest.mark.parametrize("region", ["cn-north-1", "us-gov-west-1"])
def test_a_region_of_another_aws_partition_passes(region: str) -> None:
    assert _region_errors(f"kind s3; region {region}") == []


def test_a_region_that_is_not_an_aws_region_is_e0218_at_the_region_with_its_closest_region() -> None:
    target = "kind s3; region us-east"
    (error,) = _region_errors(target)
    assert error.summary == 'target "primary" names "us-east", which is not an AWS region'
    assert 'did you mean "us-east-1"?' in error.help
    assert error.span is not None
    line = (SPEC % target).splitlines()[2]
    assert (error.span.line, error.span.column) == (3, line.index("us-east") + 1)


def test_a_target_without_a_kind_is_s3_and_its_region_is_checked() -> None:
    assert [d.code for d in _region_errors("region eu-west")] == ["E0218"]


@pytest.mark.parametrize("kind", ["gcs", "azure"])
def test_the_region_of_a_target_outside_aws_is_not_checked(kind: str) -> None:
    assert _region_errors(f"kind {kind}; region europe-west1") == []


def test_every_region_follows_its_partitions_pattern_and_the_aws_region_form() -> None:
    for partition in PARTITIONS:
        for region in partition.regions:
            assert re.match(partition.region_regex, region), (partition.name, region)
            assert AWS_REGION.match(region), region


def test_the_regions_are_those_of_every_partition_once() -> None:
    assert {"aws", "aws-cn", "aws-us-gov"} <= {p.name for p in PARTITIONS}
    assert len(REGIONS) == len(set(REGIONS))
    assert {"us-east-1", "us-west-2", "eu-west-1", "ap-northeast-1", "sa-east-1", "me-south-1", "ap-east-1", "cn-northwest-1", "us-gov-east-1"} <= set(REGIONS)
