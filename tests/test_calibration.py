"""The classifier's calibration tools against known cases."""

import numpy as np
import pytest

from vaestudy import calibration


def test_softmax_with_temperature():
    logits = np.array([[0.0, np.log(3.0)]])
    assert calibration.softmax(logits)[0] == pytest.approx([0.25, 0.75])
    assert calibration.softmax(logits, 1e9)[0] == pytest.approx([0.5, 0.5])
    assert calibration.softmax(np.array([[1000.0, 0.0]]))[0] == pytest.approx([1.0, 0.0])


def test_fitted_temperature_recovers_the_one_that_made_the_labels():
    # labels drawn from softmax(logits / 2.5): the NLL is least at T = 2.5
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((20000, 10)) * 6
    truth = calibration.softmax(logits, 2.5)
    labels = np.array([rng.choice(10, p=p) for p in truth])
    assert calibration.fit_temperature(logits, labels) == pytest.approx(2.5, rel=0.05)


def test_calibration_error_of_perfect_and_of_overconfident_predictions():
    labels = np.arange(1000) % 2
    always_right = np.eye(2)[labels]
    assert calibration.expected_calibration_error(always_right, labels) == 0.0
    # 90 % confidence, right half the time: off by 0.4
    guess = np.tile([0.9, 0.1], (1000, 1))
    assert calibration.expected_calibration_error(guess, labels) == pytest.approx(0.4)


def test_blur_keeps_the_ink_and_spreads_it():
    image = np.zeros((1, 784))
    image[0, 14 * 28 + 14] = 1.0
    blurred = calibration.gaussian_blur(image, 2.0)
    assert blurred.sum() == pytest.approx(1.0, rel=1e-6)
    grid = blurred.reshape(28, 28)
    assert grid[14, 14] == grid.max() and grid[14, 16] == pytest.approx(
        grid[14, 14] * np.exp(-0.5), rel=1e-6
    )
