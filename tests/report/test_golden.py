"""Every format renders the fixed sample audit byte for byte as its golden file."""

from __future__ import annotations

import pytest

from awsaudit.report.writer import FORMATS, renderer
from tests.report.golden import assert_golden
from tests.report.sample import sample_model


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_format_matches_golden_file(name: str) -> None:
    model = sample_model()
    rendered = renderer(name)(model)
    assert rendered == renderer(name)(sample_model()), "rendering must be deterministic"
    assert_golden(FORMATS[name].file_name, rendered)
