"""The conclusion rule on synthetic metric tables: it follows the numbers."""

import pandas as pd

from vaestudy.conclusion import Thresholds, conclude


def table(rows, prior_kl_se=0.0):
    """rows: (coefficient, seed, reconstruction, prior_kl, classes, confidence[, diverged])."""
    records = []
    for row in rows:
        c, seed, rec, prior, classes, confidence = row[:6]
        records.append(
            {
                "coefficient": c,
                "seed": seed,
                "reconstruction": rec,
                "kl": 1.0,
                "prior_kl": prior,
                "prior_kl_se": prior_kl_se,
                "prior_classes": classes,
                "prior_confidence": confidence,
                "diverged": row[6] if len(row) > 6 else False,
            }
        )
    return pd.DataFrame(records)


# shaped like the real study: c = 0 decodes N(0, I) into few digits, c = 20 into blurry ones
STUDY_LIKE = [
    (0.0, 0, 141.5, 9.0, 3, 0.95),
    (0.5, 0, 143.0, 0.40, 10, 0.93),
    (1.0, 0, 144.2, 0.20, 10, 0.92),
    (2.0, 0, 147.0, 0.10, 10, 0.90),
    (20.0, 0, 189.7, 0.01, 6, 0.70),
]


def test_picks_the_closest_to_the_prior_among_good_covering_coefficients():
    result = conclude(table(STUDY_LIKE), Thresholds(margin=0.05))
    assert result.recommended == [2.0]
    assert result.reasons[20.0].startswith("out: reconstruction beyond the 5% margin")
    assert "189.7 (+34.1% vs best)" in result.reasons[20.0]
    assert result.reasons[0.0].startswith("out: fewer than 10 digit classes")
    assert result.reasons[1.0].startswith("out: prior mismatch above the best candidate's 0.100")
    assert result.reasons[2.0].startswith("in: reconstruction 147.0")
    assert "c = 2" in result.summary and "141.5" in result.summary


def test_a_tighter_margin_changes_the_choice():
    assert conclude(table(STUDY_LIKE), Thresholds(margin=0.02)).recommended == [1.0]


def test_coverage_thresholds_change_the_choice():
    # c = 2's decodes are now too unsure: the next closest to the prior wins
    assert conclude(table(STUDY_LIKE), Thresholds(min_confidence=0.91)).recommended == [1.0]
    # asking for fewer classes lets c = 0 in, but it is far from the prior
    assert conclude(table(STUDY_LIKE), Thresholds(min_classes=3)).recommended == [2.0]


def test_without_any_covering_coefficient_it_says_so_and_uses_the_rest():
    rows = [(c, s, rec, prior, 4, conf) for c, s, rec, prior, _, conf in STUDY_LIKE]
    result = conclude(table(rows), Thresholds())
    assert result.recommended == [2.0]
    assert "none of those decodes N(0, I) into 10 confident digit classes" in result.summary
    # what kept c = 1 out is then its prior mismatch, not the coverage every one failed
    assert result.reasons[1.0].startswith("out: prior mismatch above the best candidate's")


def test_different_numbers_give_a_different_conclusion():
    rows = [
        (0.0, 0, 141.5, 0.05, 10, 0.95),
        (1.0, 0, 144.2, 0.20, 10, 0.95),
        (2.0, 0, 147.0, 0.10, 10, 0.95),
    ]
    result = conclude(table(rows), Thresholds())
    assert result.recommended == [0.0]
    assert "c = 0" in result.summary


def test_a_count_that_most_seeds_miss_fails_even_if_one_seed_makes_it():
    # c = 0.5 decoded 10, 8 and 9 classes on three seeds: mean 9, standard error 0.58
    rows = [(1.0, s, 144.0, 0.2, 10, 0.9) for s in range(3)]
    rows += [(0.5, s, 143.0, 0.1, n, 0.9) for s, n in enumerate((10, 8, 9))]
    result = conclude(table(rows), Thresholds())
    assert result.recommended == [1.0]
    assert result.reasons[0.5].startswith("out: fewer than 10 digit classes")


def test_one_seed_ties_within_the_monte_carlo_error_and_says_the_spread_is_unknown():
    rows = [(1.0, 0, 144.0, 0.40, 10, 0.9), (2.0, 0, 146.0, 0.37, 10, 0.9)]
    assert conclude(table(rows, prior_kl_se=0.03), Thresholds()).recommended == [1.0, 2.0]
    result = conclude(table(rows, prior_kl_se=0.01), Thresholds())
    assert result.recommended == [2.0]
    assert "spread over seeds is unknown" in result.rule and "seeds=[0,1,2]" in result.rule


def test_several_seeds_state_standard_errors_over_seeds():
    rows = [(c, s, 144.0 + c, 0.4 - 0.1 * c, 10, 0.9) for c in (1.0, 2.0) for s in range(3)]
    result = conclude(table(rows), Thresholds())
    assert "standard errors are those of the mean over 3 seeds" in result.rule.lower()
    assert "unknown" not in result.rule


def test_the_paired_difference_separates_what_overlapping_spreads_would_tie():
    # seeds move both coefficients together: c = 2 is always 0.05 below c = 1
    rows = []
    for s, base in enumerate((0.2, 0.5, 0.8)):
        rows += [(1.0, s, 144.0, base + 0.05, 10, 0.9), (2.0, s, 146.0, base, 10, 0.9)]
    assert conclude(table(rows), Thresholds()).recommended == [2.0]


def test_differences_inside_the_seed_spread_are_ties():
    rows = [
        (1.0, 0, 144.0, 0.20, 10, 0.9),
        (1.0, 1, 144.4, 0.40, 10, 0.9),  # prior_kl mean 0.30
        (2.0, 0, 146.0, 0.34, 10, 0.9),
        (2.0, 1, 146.2, 0.36, 10, 0.9),  # paired differences 0.14, -0.04: 0.05 ± 0.09, a tie
        (0.5, 0, 143.0, 0.90, 10, 0.9),
        (0.5, 1, 143.2, 1.10, 10, 0.9),  # mean 1.0: outside
    ]
    assert conclude(table(rows), Thresholds()).recommended == [1.0, 2.0]


def test_a_threshold_missed_by_less_than_the_spread_still_passes():
    rows = [
        (1.0, 0, 144.0, 0.20, 10, 0.9),
        (2.0, 0, 150.0, 0.10, 10, 0.9),
        (2.0, 1, 154.0, 0.10, 10, 0.9),  # mean 152 (5.6 % above 144) ± 2.0: within
    ]
    assert conclude(table(rows), Thresholds(margin=0.05)).recommended == [2.0]
    one_seed = [rows[0], (2.0, 0, 152.0, 0.10, 10, 0.9)]
    assert conclude(table(one_seed), Thresholds(margin=0.05)).recommended == [1.0]


def test_diverged_models_are_left_out_and_said_so():
    rows = STUDY_LIKE + [(50.0, 0, float("nan"), float("nan"), 0, 0.0, True)]
    result = conclude(table(rows), Thresholds())
    assert 50.0 not in result.recommended
    assert result.reasons[50.0].startswith("out: diverged")
    assert sorted(result.reasons) == [0.0, 0.5, 1.0, 2.0, 20.0, 50.0]


def test_every_model_diverged():
    rows = [(1.0, 0, float("nan"), float("nan"), 0, 0.0, True)]
    result = conclude(table(rows), Thresholds())
    assert result.recommended == [] and result.summary == "Every model diverged."
