"""The published reference: shown beside a run whose settings match it, explained otherwise."""

import pandas as pd
import pytest
from conftest import ROOT

from vaestudy.config import load_schema, validate_config
from vaestudy.reference import compare, load_reference

REFERENCE = load_reference(ROOT / "report/published.yaml")
SCHEMA = load_schema(ROOT / "workflow/schemas/config.schema.yaml")


def measured(rows):
    """rows: (coefficient, reconstruction, kl) of one seed each."""
    return pd.DataFrame(
        [
            {"coefficient": c, "seed": 0, "reconstruction": r, "kl": k, "diverged": False}
            for c, r, k in rows
        ]
    )


def test_the_reference_holds_the_published_numbers_and_settings():
    assert REFERENCE["losses"][1] == [144.17, 6.21] and REFERENCE["losses"][0] == [141.54, 506.82]
    defaults = validate_config({}, SCHEMA)
    assert all(defaults[key] == value for key, value in REFERENCE["settings"].items())


def test_a_matching_run_is_compared_and_judged_by_the_tolerances():
    config = validate_config({}, SCHEMA)
    run = measured([(0.0, 140.82, 423.5), (1.0, 145.22, 6.12), (20.0, 189.86, 0.659)])
    result = compare(config, run, REFERENCE, recommended=[2.0])
    assert result.applies and result.reproduces
    c0, c1, c20 = result.rows
    assert c1["reconstruction_off"] == pytest.approx(145.22 / 144.17 - 1)
    assert c0["ok"] and not c0["kl_judged"]  # KL at c = 0 is shown, not judged
    assert c20["kl_off"] == pytest.approx(0.659 / 0.68 - 1)
    assert "reproduces the published test losses" in result.summary
    assert "judged c = 0.5, 1, 2 best by eye; the computed conclusion (c = 2) is among them" in (
        result.summary
    )


def test_a_run_off_by_more_than_the_tolerance_does_not_reproduce():
    config = validate_config({}, SCHEMA)
    run = measured([(1.0, 152.0, 6.2), (2.0, 146.0, 7.0)])  # +5.4 % and KL +38 %
    result = compare(config, run, REFERENCE, recommended=[0.0])
    assert result.applies and not result.reproduces
    assert "does not reproduce the published test losses at c = 1, c = 2" in result.summary
    assert "the computed conclusion differs from it" in result.summary


def test_other_settings_say_that_no_published_reference_applies():
    config = validate_config({"epochs": 2, "train_limit": 1000}, SCHEMA)
    result = compare(config, measured([(1.0, 200.0, 3.0)]), REFERENCE)
    assert not result.applies and not result.rows
    assert result.differences == ["epochs 2 (published: 40)", "train_limit 1000 (published: 0)"]
