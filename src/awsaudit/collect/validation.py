"""Collected datasets checked against their declared shapes before they become a snapshot.

The same shapes are checked again when a snapshot is loaded (awsaudit.snapshot); here the
check also refuses non-finite numbers anywhere in a dataset, which JSON cannot represent and
which a saved snapshot would otherwise carry as invalid ``NaN`` tokens that loading refuses.
"""

from __future__ import annotations

import json
from typing import Any

from awsaudit.shapes import INVALID_DATA_CODE
from awsaudit.snapshot import VALIDATION_OPERATION, CollectionError, Snapshot, validated_datasets


def refuse_invalid_datasets(snapshot: Snapshot) -> list[CollectionError]:
    """Drop every dataset that is not valid data from ``snapshot``; one InvalidData error for each."""
    valid, refused = validated_datasets(snapshot.datasets)
    for service, regions in valid.items():
        for region, named in regions.items():
            for name in [name for name, value in named.items() if not _finite(value)]:
                del named[name]
                refused.append(
                    CollectionError(
                        service,
                        region,
                        name,
                        VALIDATION_OPERATION,
                        INVALID_DATA_CODE,
                        "the answer holds a non-finite number (NaN or Infinity)",
                    )
                )
    snapshot.datasets = valid
    return refused


def _finite(value: Any) -> bool:
    # The C encoder walks the whole value far faster than Python could; it raises on NaN/Infinity.
    try:
        json.dumps(value, allow_nan=False, default=str, check_circular=False)
    except ValueError:
        return False
    return True
