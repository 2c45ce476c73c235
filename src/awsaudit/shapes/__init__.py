"""The shape of every dataset the checks read, checked when a dataset is collected and when a
snapshot is loaded (docs/snapshot.md, "Dataset shapes").

Data that does not have its shape is never judged: collection records it as an error on exactly
that dataset, as it records an AccessDenied, and the checks that need it report UNKNOWN. The shapes
live here, beside the snapshot model rather than beside the collectors, because loading a snapshot
must check them without importing the collection code (which imports boto3); one module here
per group of collector modules, each naming the collectors it describes.
"""

from __future__ import annotations

from typing import Any

from awsaudit.shapes import identity, logging, network, organization, resources
from awsaudit.shapes.language import Shape, ShapeError

# The error code a dataset that does not have its shape is recorded with.
INVALID_DATA_CODE = "InvalidData"


def _merge(*groups: dict[str, Shape]) -> dict[str, Shape]:
    merged: dict[str, Shape] = {}
    for group in groups:
        for key, shape in group.items():
            if key in merged:
                raise ValueError(f"shape of {key} declared twice")
            merged[key] = shape
    return merged


SHAPES: dict[str, Shape] = _merge(
    network.SHAPES, identity.SHAPES, logging.SHAPES, resources.SHAPES, organization.SHAPES
)


def shape_of(service: str, name: str) -> Shape | None:
    """The declared shape of ``service/name``; None for a dataset no check reads."""
    return SHAPES.get(f"{service}/{name}")


def shape_problem(service: str, name: str, value: Any) -> str | None:
    """Why ``value`` is not a valid ``service/name`` dataset (one line, naming the path), or None."""
    shape = SHAPES.get(f"{service}/{name}")
    if shape is None:
        return None
    try:
        shape.check(value)
    except ShapeError as error:
        return f"the answer does not have the expected shape at {error.describe()}"
    return None


__all__ = ["INVALID_DATA_CODE", "SHAPES", "Shape", "ShapeError", "shape_of", "shape_problem"]
