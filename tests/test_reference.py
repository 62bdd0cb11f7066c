"""The published reference: shown beside a run whose settings match it, explained otherwise."""

import pandas as pd
import pytest
from conftest import ROOT

from vaestudy import wording
from vaestudy.config import load_schema, validate_config
from vaestudy.reference import compare, load_reference

REFERENCE = load_reference(ROOT / "report/published.yaml")
SCHEMA = load_schema(ROOT / "workflow/schemas/config.schema.yaml")


def level_settings(**overrides):
    """A level's settings as the report compares them: the config, with its dataset."""
    return {**validate_config(overrides, SCHEMA), "dataset": "mnist"}


def measured(rows):
    """rows: (coefficient, reconstruction, kl) of one seed each."""
    return pd.DataFrame(
        [
            {"coefficient": c, "seed": 0, "reconstruction": r, "kl": k, "diverged": False}
            for c, r, k in rows
        ]
    )


def test_the_reference_covers_the_default_study_and_agrees_with_the_quoted_results():
    defaults = level_settings()
    assert all(defaults[key] == value for key, value in REFERENCE["settings"].items())
    assert {float(c) for c in REFERENCE["losses"]} == {float(c) for c in defaults["coefficients"]}
    # the study's known results, as quoted to one decimal: c=0 141.5 / 507, c=1 144.2 / 6.2,
    # c=20 189.7 / 0.68
    for c, (rec, kl) in {0: (141.5, 507), 1: (144.2, 6.2), 20: (189.7, 0.68)}.items():
        published = REFERENCE["losses"][c]
        assert published[0] == pytest.approx(rec, abs=0.05)
        assert published[1] == pytest.approx(kl, rel=0.01)
    # a run equal to the reference is compared at every coefficient, with no difference
    run = measured([(float(c), r, k) for c, (r, k) in REFERENCE["losses"].items()])
    result = compare(defaults, run, REFERENCE)
    assert result.reproduces and len(result.rows) == len(REFERENCE["losses"])
    assert all(row["reconstruction_off"] == 0 and row["kl_off"] == 0 for row in result.rows)


def test_a_matching_run_is_compared_and_judged_by_the_tolerances():
    config = level_settings()
    run = measured([(0.0, 140.82, 423.5), (1.0, 145.22, 6.12), (20.0, 189.86, 0.659)])
    intervals = {"generation from the prior": [0.5, 2.0], "held-out likelihood": [1.0, 10.0]}
    result = compare(config, run, REFERENCE, intervals)
    assert result.applies and result.reproduces
    c0, c1, c20 = result.rows
    assert c1["reconstruction_off"] == pytest.approx(145.22 / 144.17 - 1)
    assert c0["ok"] and not c0["kl_judged"]  # KL at c = 0 is shown, not judged
    assert c20["kl_off"] == pytest.approx(0.659 / 0.68 - 1)
    assert result.judged == [0.5, 1.0, 2.0] and result.missed == []
    inside = {p["name"]: p["inside"] for p in result.placements}
    assert inside == {"generation from the prior": [0.5, 1.0, 2.0], "held-out likelihood": [1, 2]}


def test_a_run_off_by_more_than_the_tolerance_does_not_reproduce():
    config = level_settings()
    run = measured([(1.0, 152.0, 6.2), (2.0, 146.0, 7.0)])  # +5.4 % and KL +38 %
    result = compare(config, run, REFERENCE, {"held-out likelihood": [0.0, 0.1]})
    assert result.applies and not result.reproduces
    assert result.missed == [1.0, 2.0]
    assert result.placements == [
        {"name": "held-out likelihood", "interval": [0.0, 0.1], "inside": []}
    ]


def test_the_comparison_in_words_names_what_missed_and_intervals_as_the_answer_does():
    run = measured([(1.0, 152.0, 6.2), (2.0, 146.0, 7.0)])
    interval = [0.0631234, 4.2149]
    result = compare(level_settings(), run, REFERENCE, {"held-out likelihood": interval})
    sentence = wording.reference_sentence(result)
    assert "at c = 1 and 2 " in sentence and f"(c = {wording.span(interval)})" in sentence
    assert wording.span(interval) == "0.063–4.2"


def test_other_settings_say_that_no_published_reference_applies():
    config = level_settings(epochs=2, train_limit=1000)
    result = compare(config, measured([(1.0, 200.0, 3.0)]), REFERENCE)
    assert not result.applies and not result.rows
    assert result.differences == ["epochs 2 (published: 40)", "train_limit 1000 (published: 0)"]
