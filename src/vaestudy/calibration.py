"""How far the digit classifier's probabilities can be trusted: temperature scaling, the
expected calibration error, and its reading of blurred digits (NumPy only)."""

import numpy as np


def softmax(logits, temperature=1.0):
    """Class probabilities from logits divided by the temperature, in float64."""
    scaled = np.asarray(logits, dtype=np.float64) / temperature
    scaled -= np.max(scaled, axis=-1, keepdims=True)
    weights = np.exp(scaled)
    return weights / np.sum(weights, axis=-1, keepdims=True)


def negative_log_likelihood(logits, labels, temperature=1.0):
    """Mean -log p(label) under softmax(logits / temperature)."""
    probabilities = softmax(logits, temperature)
    return float(-np.mean(np.log(probabilities[np.arange(len(labels)), labels] + 1e-300)))


def fit_temperature(logits, labels, low=0.05, high=20.0, steps=60):
    """The temperature that minimises the held-out NLL (golden-section search on log T; the
    NLL is convex in 1 / T)."""
    ratio = (np.sqrt(5.0) - 1.0) / 2.0
    a, b = np.log(low), np.log(high)
    for _ in range(steps):
        c, d = b - ratio * (b - a), a + ratio * (b - a)
        if negative_log_likelihood(logits, labels, np.exp(c)) < negative_log_likelihood(
            logits, labels, np.exp(d)
        ):
            b = d
        else:
            a = c
    return float(np.exp((a + b) / 2.0))


def expected_calibration_error(probabilities, labels, bins=15):
    """Mean |accuracy - confidence| over equal-width confidence bins, weighted by their size."""
    confidence = np.max(probabilities, axis=1)
    correct = np.argmax(probabilities, axis=1) == labels
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    error = 0.0
    for b in range(bins):
        inside = which == b
        if inside.any():
            error += inside.mean() * abs(correct[inside].mean() - confidence[inside].mean())
    return float(error)


def gaussian_blur(images, sigma, side=28):
    """Blur rows of side*side pixels with a Gaussian of `sigma` pixels (zero outside)."""
    radius = int(np.ceil(3 * sigma))
    taps = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    taps /= taps.sum()
    grid = np.asarray(images, dtype=np.float64).reshape(-1, side, side)
    for axis in (1, 2):
        grid = np.apply_along_axis(np.convolve, axis, grid, taps, mode="same")
    return grid.reshape(len(grid), side * side)
