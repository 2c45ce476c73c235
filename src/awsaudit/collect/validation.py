"""Collected datasets checked against their declared shapes before they become a snapshot.

The same shapes are checked again when a snapshot is loaded (awsaudit.snapshot); here the
check also refuses non-finite numbers anywhere in a dataset, which JSON cannot represent and
which a saved snapshot would otherwise carry as invalid ``NaN`` tokens that loading refuses.
"""

from __future__ import annotations

import json
import math
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


# A dataset is encoded a batch of members at a time: encoding a large one whole (a 5,000-user
# credential report) held a transient text as large as the dataset, at the collection's peak.
# Containers this close to the top are split; each call of the encoder costs a few microseconds,
# hence batches rather than single members.
_SPLIT_LEVELS = 2
_BATCH = 256


def _finite(value: Any, level: int = 0) -> bool:
    if level < _SPLIT_LEVELS:
        if isinstance(value, dict):
            return all(_finite_number(key) for key in value) and all(
                _finite(member, level + 1) for member in value.values()
            )
        if isinstance(value, list | tuple) and len(value) > _BATCH:
            return all(
                _finite(value[start : start + _BATCH], _SPLIT_LEVELS)
                for start in range(0, len(value), _BATCH)
            )
    # The C encoder walks the value far faster than Python could; it raises on NaN/Infinity.
    try:
        json.dumps(value, allow_nan=False, default=str, check_circular=False)
    except ValueError:
        return False
    return True


def _finite_number(key: Any) -> bool:
    return not isinstance(key, float) or math.isfinite(key)
