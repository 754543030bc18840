"""The AWS regions a ``kind s3`` recovery target may name (``region R``), by partition.

A region that is not one of these is a typo or an invented name (``us-east``): Velero's AWS
plugin would fail to reach the bucket at backup time, so ``orion check`` reports it (E0218).
Every partition is listed (the commercial one with its opt-in regions such as ``af-south-1``
or ``me-south-1``, China, GovCloud, the isolated and the European Sovereign Cloud partitions).

Source: boto/botocore@0e6e2404b85dc336dd2889814e089bde7d1a4c55 (2026-08-07),
``botocore/data/endpoints.json``: each ``partitions[]`` entry's ``partition``, ``regionRegex``
and the keys of its ``regions``, in that file's order. ``tests/frontend/test_aws_regions.py``
holds the list to that shape.
"""

from __future__ import annotations

import attrs


@attrs.frozen
class Partition:
    """One AWS partition: its name, the pattern its region names follow, and its regions."""

    name: str
    region_regex: str
    regions: tuple[str, ...]


PARTITIONS: tuple[Partition, ...] = (
    Partition(
        "aws",
        r"^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$",
        (
            "af-south-1",
            "ap-east-1",
            "ap-east-2",
            "ap-northeast-1",
            "ap-northeast-2",
            "ap-northeast-3",
            "ap-south-1",
            "ap-south-2",
            "ap-southeast-1",
            "ap-southeast-2",
            "ap-southeast-3",
            "ap-southeast-4",
            "ap-southeast-5",
            "ap-southeast-6",
            "ap-southeast-7",
            "ca-central-1",
            "ca-west-1",
            "eu-central-1",
            "eu-central-2",
            "eu-north-1",
            "eu-south-1",
            "eu-south-2",
            "eu-west-1",
            "eu-west-2",
            "eu-west-3",
            "il-central-1",
            "me-central-1",
            "me-south-1",
            "mx-central-1",
            "sa-east-1",
            "us-east-1",
            "us-east-2",
            "us-west-1",
            "us-west-2",
        ),
    ),
    Partition("aws-cn", r"^cn\-\w+\-\d+$", ("cn-north-1", "cn-northwest-1")),
    Partition("aws-us-gov", r"^us\-gov\-\w+\-\d+$", ("us-gov-east-1", "us-gov-west-1")),
    Partition("aws-iso", r"^us\-iso\-\w+\-\d+$", ("us-iso-east-1", "us-iso-west-1")),
    Partition("aws-iso-b", r"^us\-isob\-\w+\-\d+$", ("us-isob-east-1", "us-isob-west-1")),
    Partition("aws-iso-e", r"^eu\-isoe\-\w+\-\d+$", ("eu-isoe-west-1",)),
    Partition("aws-iso-f", r"^us\-isof\-\w+\-\d+$", ("us-isof-east-1", "us-isof-south-1")),
    Partition("aws-eusc", r"^eusc\-(de)\-\w+\-\d+$", ("eusc-de-east-1",)),
)

#: Every region of every partition.
REGIONS: tuple[str, ...] = tuple(region for partition in PARTITIONS for region in partition.regions)
