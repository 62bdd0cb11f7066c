"""The conclusion rule on synthetic loss tables: it follows the numbers."""

import pandas as pd
import pytest

from vaestudy.conclusion import conclude


def table(rows):
    """rows: (coefficient, seed, reconstruction, prior_kl[, diverged])."""
    records = []
    for row in rows:
        c, seed, rec, prior = row[:4]
        diverged = row[4] if len(row) > 4 else False
        records.append(
            {
                "coefficient": c,
                "seed": seed,
                "reconstruction": rec,
                "kl": 1.0,
                "prior_kl": prior,
                "diverged": diverged,
            }
        )
    return pd.DataFrame(records)


STUDY_LIKE = [
    (0.0, 0, 141.5, 9.0),
    (0.5, 0, 143.0, 0.40),
    (1.0, 0, 144.2, 0.20),
    (2.0, 0, 147.0, 0.10),
    (20.0, 0, 189.7, 0.01),
]


def test_picks_the_closest_to_the_prior_within_the_margin():
    result = conclude(table(STUDY_LIKE), margin=0.05)
    assert result.recommended == [2.0]
    assert result.reasons[20.0].startswith("out: reconstruction 189.7 is 34.1% above")
    assert result.reasons[0.0].startswith("out:") and "prior mismatch 9.000" in result.reasons[0.0]
    assert "c = 2" in result.summary and "141.5" in result.summary


def test_a_tighter_margin_changes_the_choice():
    assert conclude(table(STUDY_LIKE), margin=0.02).recommended == [1.0]
    assert conclude(table(STUDY_LIKE), margin=0.0).recommended == [0.0]


def test_different_numbers_give_a_different_conclusion():
    rows = [(0.0, 0, 141.5, 0.05), (1.0, 0, 144.2, 0.20), (2.0, 0, 147.0, 0.10)]
    result = conclude(table(rows), margin=0.05)
    assert result.recommended == [0.0]
    assert "c = 0" in result.summary


def test_differences_inside_the_seed_spread_are_ties():
    rows = [
        (1.0, 0, 144.0, 0.20),
        (1.0, 1, 144.4, 0.40),  # mean 0.30, std 0.10
        (2.0, 0, 146.0, 0.34),
        (2.0, 1, 146.2, 0.36),  # mean 0.35: within the spread
        (0.5, 0, 143.0, 0.90),
        (0.5, 1, 143.2, 1.10),
    ]
    assert conclude(table(rows), margin=0.05).recommended == [1.0, 2.0]


def test_diverged_models_are_left_out_and_said_so():
    rows = STUDY_LIKE + [(50.0, 0, float("nan"), float("nan"), True)]
    result = conclude(table(rows), margin=0.05)
    assert 50.0 not in result.recommended
    assert result.reasons[50.0].startswith("out: diverged")


@pytest.mark.parametrize("margin", [0.05])
def test_every_coefficient_gets_a_reason(margin):
    result = conclude(table(STUDY_LIKE), margin)
    assert sorted(result.reasons) == [0.0, 0.5, 1.0, 2.0, 20.0]
