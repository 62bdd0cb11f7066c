"""The conclusion rule on synthetic metric tables: it follows the numbers and their errors."""

import pandas as pd
import pytest

from vaestudy.conclusion import (
    Thresholds,
    conclude,
    contender_round,
    contenders,
    record,
    sensitivity,
    sensitivity_sentence,
)
from vaestudy.report import sensitivity_table


def table(rows, reconstruction_se=0.0, gap_se=0.0, prior_kl_se=0.0):
    """rows: (coefficient, seed, reconstruction, prior_kl, coverage_gap[, diverged]); the
    standard errors are each model's own (test images, Monte Carlo), as a run writes them."""
    records = []
    for row in rows:
        c, seed, rec, prior, gap = row[:5]
        records.append(
            {
                "coefficient": c,
                "seed": seed,
                "reconstruction": rec,
                "reconstruction_se": reconstruction_se,
                "kl": 1.0,
                "prior_kl": prior,
                "prior_kl_se": prior_kl_se,
                "coverage_gap": gap,
                "coverage_gap_se": gap_se,
                "reconstruction_accuracy": 0.9,
                "diverged": row[5] if len(row) > 5 else False,
            }
        )
    return pd.DataFrame(records)


# the thresholds these tests reason with (not the configured defaults)
RULE = Thresholds(margin=0.05, max_gap=0.1)

# shaped like the real study: c = 0 decodes N(0, I) into few of its digits, c = 20 is blurry
# (but reads the same from the prior as from its codes) and reconstructs badly
STUDY_LIKE = [
    (0.0, 0, 141.5, 9.0, 0.60),
    (0.5, 0, 143.0, 0.40, 0.05),
    (1.0, 0, 144.2, 0.20, 0.04),
    (2.0, 0, 147.0, 0.10, 0.03),
    (20.0, 0, 189.7, 0.01, 0.02),
]


def test_picks_the_closest_to_the_prior_among_good_covering_coefficients():
    result = conclude(table(STUDY_LIKE), RULE)
    assert result.recommended == [2.0]
    assert result.reasons[20.0].startswith("out: reconstruction beyond the 5% margin")
    assert "189.7 (+34.1% vs best)" in result.reasons[20.0]
    assert result.reasons[0.0].startswith("out: coverage gap above 0.10")
    assert result.reasons[1.0].startswith("out: prior mismatch above the best candidate's 0.100")
    assert result.reasons[2.0].startswith("in: reconstruction 147.0")
    assert "c = 2" in result.summary and "141.5" in result.summary
    assert "and c = 0 do not" in result.summary


def test_a_tighter_margin_changes_the_choice():
    assert conclude(table(STUDY_LIKE), Thresholds(margin=0.02)).recommended == [1.0]


def test_the_coverage_threshold_changes_the_choice():
    # c = 2's gap is too large: the next closest to the prior wins
    rows = [r if r[0] != 2.0 else (2.0, 0, 147.0, 0.10, 0.2) for r in STUDY_LIKE]
    assert conclude(table(rows), RULE).recommended == [1.0]
    assert conclude(table(rows), Thresholds(max_gap=0.2)).recommended == [2.0]
    # a loose threshold lets c = 0 in, but it is far from the prior
    assert conclude(table(STUDY_LIKE), Thresholds(max_gap=0.7)).recommended == [2.0]


def test_without_any_covering_coefficient_it_says_so_and_uses_the_rest():
    rows = [(c, s, rec, prior, 0.5) for c, s, rec, prior, _ in STUDY_LIKE]
    result = conclude(table(rows), RULE)
    assert result.recommended == [2.0]
    assert "none of those has a coverage gap of at most 0.10" in result.summary
    # what kept c = 1 out is then its prior mismatch, not the coverage every one failed
    assert result.reasons[1.0].startswith("out: prior mismatch above the best candidate's")


def test_different_numbers_give_a_different_conclusion():
    rows = [
        (0.0, 0, 141.5, 0.05, 0.02),
        (1.0, 0, 144.2, 0.20, 0.02),
        (2.0, 0, 147.0, 0.10, 0.02),
    ]
    result = conclude(table(rows), RULE)
    assert result.recommended == [0.0]
    assert "c = 0" in result.summary


def test_one_seed_a_gap_within_its_own_error_of_the_threshold_passes():
    rows = [(1.0, 0, 144.0, 0.20, 0.02), (2.0, 0, 146.0, 0.10, 0.11)]
    # 0.11 - 0.02 <= 0.1: within one standard error, c = 2 passes and wins on prior match
    assert conclude(table(rows, gap_se=0.02), RULE).recommended == [2.0]
    # 0.11 - 0.005 > 0.1: it fails
    result = conclude(table(rows, gap_se=0.005), RULE)
    assert result.recommended == [1.0]
    assert result.reasons[2.0].startswith("out: coverage gap above 0.10")
    assert "coverage gap 0.110 ± 0.005" in result.reasons[2.0]


def test_one_seed_a_reconstruction_within_its_own_error_of_the_margin_passes():
    rows = [(1.0, 0, 144.0, 0.20, 0.02), (2.0, 0, 151.5, 0.10, 0.02)]  # limit 151.2
    assert conclude(table(rows, reconstruction_se=0.5), RULE).recommended == [2.0]
    assert conclude(table(rows, reconstruction_se=0.2), RULE).recommended == [1.0]


def test_a_gap_that_most_seeds_miss_fails_even_if_one_seed_makes_it():
    # c = 0.5's gaps on three seeds: 0.08, 0.16, 0.18: mean 0.14, standard error 0.031
    rows = [(1.0, s, 144.0, 0.2, 0.03) for s in range(3)]
    rows += [(0.5, s, 143.0, 0.1, g) for s, g in enumerate((0.08, 0.16, 0.18))]
    result = conclude(table(rows, gap_se=0.01), RULE)
    assert result.recommended == [1.0]
    assert result.reasons[0.5].startswith("out: coverage gap above 0.10")
    assert "3 seeds" in result.reasons[0.5]


def test_one_seed_ties_within_the_monte_carlo_error_and_says_the_spread_is_unknown():
    rows = [(1.0, 0, 144.0, 0.40, 0.02), (2.0, 0, 146.0, 0.37, 0.02)]
    assert conclude(table(rows, prior_kl_se=0.03), RULE).recommended == [1.0, 2.0]
    result = conclude(table(rows, prior_kl_se=0.01), RULE)
    assert result.recommended == [2.0]
    assert "spread over seeds is unknown" in result.rule and "seeds=[0,1,2]" in result.rule


def test_several_seeds_state_standard_errors_over_seeds():
    rows = [(c, s, 144.0 + c, 0.4 - 0.1 * c, 0.02) for c in (1.0, 2.0) for s in range(3)]
    result = conclude(table(rows), RULE)
    assert "standard errors are those of the mean over each coefficient's seeds (3)" in (
        result.rule.lower()
    )
    assert "unknown" not in result.rule


def test_the_paired_difference_separates_what_overlapping_spreads_would_tie():
    # seeds move both coefficients together: c = 2 is always 0.05 below c = 1
    rows = []
    for s, base in enumerate((0.2, 0.5, 0.8)):
        rows += [(1.0, s, 144.0, base + 0.05, 0.02), (2.0, s, 146.0, base, 0.02)]
    assert conclude(table(rows), RULE).recommended == [2.0]


def test_differences_inside_the_seed_spread_are_ties():
    rows = [
        (1.0, 0, 144.0, 0.20, 0.02),
        (1.0, 1, 144.4, 0.40, 0.02),  # prior_kl mean 0.30
        (2.0, 0, 146.0, 0.34, 0.02),
        (2.0, 1, 146.2, 0.36, 0.02),  # paired differences 0.14, -0.04: 0.05 ± 0.09, a tie
        (0.5, 0, 143.0, 0.90, 0.02),
        (0.5, 1, 143.2, 1.10, 0.02),  # mean 1.0: outside
    ]
    assert conclude(table(rows), RULE).recommended == [1.0, 2.0]


def test_a_threshold_missed_by_less_than_the_spread_still_passes():
    rows = [
        (1.0, 0, 144.0, 0.20, 0.02),
        (2.0, 0, 150.0, 0.10, 0.02),
        (2.0, 1, 154.0, 0.10, 0.02),  # mean 152 (5.6 % above 144) ± 2.0: within
    ]
    assert conclude(table(rows), Thresholds(margin=0.05)).recommended == [2.0]
    one_seed = [rows[0], (2.0, 0, 152.0, 0.10, 0.02)]
    assert conclude(table(one_seed), Thresholds(margin=0.05)).recommended == [1.0]


def test_mixed_seed_counts_use_each_coefficients_own_errors():
    # c = 1 has three seeds (spread over seeds), c = 0.5 one (its own Monte Carlo error)
    rows = [(1.0, s, 144.0, 0.2, g) for s, g in enumerate((0.02, 0.03, 0.04))]
    rows += [(0.5, 0, 143.0, 0.1, 0.105)]
    result = conclude(table(rows, gap_se=0.01), RULE)
    assert result.recommended == [0.5]  # 0.105 - 0.01 <= 0.1
    assert "(1, 3)" in result.rule
    assert result.verdicts.loc[1.0, "coverage_gap_err"] == pytest.approx(0.01 / 3**0.5)


def test_diverged_models_are_left_out_and_said_so():
    rows = STUDY_LIKE + [(50.0, 0, float("nan"), float("nan"), float("nan"), True)]
    result = conclude(table(rows), RULE)
    assert 50.0 not in result.recommended
    assert result.reasons[50.0].startswith("out: diverged")
    assert sorted(result.reasons) == [0.0, 0.5, 1.0, 2.0, 20.0, 50.0]


def test_every_model_diverged():
    rows = [(1.0, 0, float("nan"), float("nan"), float("nan"), True)]
    result = conclude(table(rows), RULE)
    assert result.recommended == [] and result.summary == "Every model diverged."


def test_contenders_are_the_recommendation_and_the_closest_runner_up():
    assert contenders(table(STUDY_LIKE), RULE) == [1.0, 2.0]
    # a tie names both, and the runner-up after them
    rows = STUDY_LIKE[:2] + [(1.0, 0, 144.2, 0.11, 0.04), (2.0, 0, 147.0, 0.10, 0.03)]
    assert contenders(table(rows, prior_kl_se=0.01), RULE) == [0.5, 1.0, 2.0]


def test_a_contender_that_extra_seeds_bring_forward_gets_them_in_the_next_round():
    # one seed: c = 2 is recommended and c = 1 is the runner-up
    one_seed = STUDY_LIKE[1:]
    first = contender_round(table(one_seed), RULE, extra_seeds=[1, 2])
    assert first == {
        "contenders": [1.0, 2.0],
        "seeded": [],
        "new": [1.0, 2.0],
        "extra_seeds": [1, 2],
    }
    # c = 2's extra seeds miss digits from the prior: it fails the coverage test, c = 1 is
    # recommended and c = 0.5, with one seed, becomes the runner-up
    extra = [(1.0, s, 144.2, 0.20, 0.04) for s in (1, 2)]
    extra += [(2.0, s, 147.0, 0.10, 0.30) for s in (1, 2)]
    assert conclude(table(one_seed + extra), RULE).recommended == [1.0]
    second = contender_round(table(one_seed + extra), RULE, extra_seeds=[1, 2])
    assert second["contenders"] == [0.5, 1.0] and second["seeded"] == [1.0, 2.0]
    assert second["new"] == [0.5]
    extra_half = [(0.5, s, 143.0, 0.40, 0.05) for s in (1, 2)]
    third = contender_round(table(one_seed + extra + extra_half), RULE, extra_seeds=[1, 2])
    assert third["contenders"] == [0.5, 1.0] and third["new"] == []
    assert third["seeded"] == [0.5, 1.0, 2.0]


def test_without_extra_seeds_a_round_names_no_new_contender():
    assert contender_round(table(STUDY_LIKE), RULE, extra_seeds=[])["new"] == []


def test_the_sensitivity_grid_recomputes_the_rule_at_every_point():
    grid = sensitivity(table(STUDY_LIKE), RULE, margins=(0.02, 0.05), max_gaps=(0.1, 0.7))
    answers = {(p["margin"], p["max_gap"]): p["recommended"] for p in grid}
    assert all(p["coverage_met"] for p in grid)
    # the margin decides between c = 1 and c = 2; c = 0 never wins, as it is far from N(0, I)
    assert answers == {
        (0.02, 0.1): [1.0],
        (0.02, 0.7): [1.0],
        (0.05, 0.1): [2.0],
        (0.05, 0.7): [2.0],
    }
    sentence = sensitivity_sentence(grid, Thresholds(0.05, 0.1))
    assert "c = 1 for 2%, c = 2 for 5% of reconstruction margin" in sentence
    assert "c = 2 for 0.1–0.7 of coverage threshold" in sentence
    assert "No coefficient is recommended at every point of the grid" in sentence
    assert "c = 1 at 2 of 4; c = 2 at 2 of 4" in sentence


def test_the_sensitivity_grid_includes_the_configured_thresholds_and_names_a_robust_answer():
    rows = [(1.0, 0, 144.0, 0.2, 0.02), (2.0, 0, 144.5, 0.1, 0.02)]
    grid = sensitivity(table(rows), Thresholds(0.045, 0.12), margins=(0.02,), max_gaps=(0.1,))
    assert {(p["margin"], p["max_gap"]) for p in grid} == {
        (0.02, 0.1),
        (0.02, 0.12),
        (0.045, 0.1),
        (0.045, 0.12),
    }
    assert "c = 2 is recommended at every point" in sensitivity_sentence(
        grid, Thresholds(0.045, 0.12)
    )


def test_the_record_holds_each_test_and_the_numbers_behind_it():
    rows = STUDY_LIKE + [(50.0, 0, float("nan"), float("nan"), float("nan"), True)]
    metrics = table(rows, gap_se=0.01)
    thresholds = RULE
    result = conclude(metrics, thresholds)
    saved = record(result, sensitivity(metrics, thresholds), thresholds)
    assert saved["recommended"] == [2.0]
    by_c = {entry["coefficient"]: entry for entry in saved["coefficients"]}
    assert by_c[2.0]["verdict"] == "in" and by_c[2.0]["seeds"] == 1
    assert by_c[2.0]["tests"] == {
        "reconstruction": True,
        "coverage": True,
        "closest_to_prior": True,
    }
    assert by_c[0.0]["tests"]["coverage"] is False and by_c[0.0]["verdict"] == "out"
    assert by_c[0.0]["numbers"]["coverage_gap"] == 0.6
    assert by_c[0.0]["numbers"]["coverage_gap_err"] == 0.01
    assert by_c[20.0]["tests"]["reconstruction"] is False
    assert by_c[20.0]["numbers"]["reconstruction_limit"] == pytest.approx(141.5 * 1.05)
    assert by_c[50.0]["verdict"] == "out" and by_c[50.0]["seeds"] == 0
    assert len(saved["sensitivity"]["grid"]) == 7 * 5
    assert saved["thresholds"] == {"reconstruction_margin": 0.05, "max_coverage_gap": 0.1}


def test_grid_points_where_nothing_covers_are_flagged_in_the_record_sentence_and_table():
    # inside a 2 % margin c = 0, 0.5 and 1 remain, and all miss a 0.03 coverage threshold;
    # inside 5 % c = 2 joins them and meets it
    grid = sensitivity(table(STUDY_LIKE), RULE, margins=(0.02,), max_gaps=(0.03,))
    points = {(p["margin"], p["max_gap"]): p for p in grid}
    assert points[(0.02, 0.03)]["recommended"] == [1.0]
    assert [key for key, p in points.items() if not p["coverage_met"]] == [(0.02, 0.03)]
    sentence = sensitivity_sentence(grid, RULE)
    assert "At 1 of 4 points no coefficient inside the margin passes the coverage test" in sentence
    cells = sensitivity_table(grid)
    assert cells["waived"] is True
    assert cells["rows"][0]["cells"] == ["1 †", "1"]
    assert sensitivity_table(sensitivity(table(STUDY_LIKE), RULE))["waived"] is False
