"""How far a set of images is from the test digits in the judge's feature space: the kernel
inception distance (KID) and precision and recall, each with its standard error (NumPy only).

The sets are compared block by block: block j of m generated rows against block j of m real
rows, disjoint blocks, each giving an unbiased KID and a precision and recall; the estimate
is the mean over blocks with the standard error of that mean, as the blocks are independent.
Every model's blocks hold the same test images and the same draws of N(0, I), so two models'
block values are paired.

KID is computed on the features as they are (scaled so that the test digits' a·a / d is 1 on
average): a blurry digit fires the judge's units weakly, and KID counts it. Precision and
recall are computed on the features scaled to unit length: in the raw features, blurry and
blank images sit near the origin, inside the large balls of the least typical real digits,
and would count as on the data; on the sphere what counts is which units fire.
"""

from dataclasses import dataclass

import numpy as np

BLOCKS = 10
NEIGHBOURS = 3  # k of the k-nearest-neighbour balls of precision and recall
MIN_BLOCK = NEIGHBOURS + 2  # the fewest rows per block


def feature_scale(reference):
    """The root mean square of the reference features per dimension: dividing by it gives
    the reference a·a / d = 1 on average, the scale KID's kernel expects."""
    reference = np.asarray(reference, dtype=np.float64)
    return float(np.sqrt(np.mean(np.sum(reference**2, axis=1)) / reference.shape[1])) or 1.0


def gram(a, b):
    """The matrix of dot products of the rows of a and b: multiplied in float32 (the
    features' own precision, several times faster), returned in float64 for the sums."""
    return (np.asarray(a, dtype=np.float32) @ np.asarray(b, dtype=np.float32).T).astype(np.float64)


def kid_from_grams(xx, yy, xy, d):
    """The unbiased squared MMD of two sets of d features, from their Gram matrices, under
    KID's cubic kernel k(a, b) = (a·b / d + 1)³ (Bińkowski et al., 2018): 0 in expectation
    when both sets come from one distribution, so an estimate can be slightly negative."""
    kxx, kyy, kxy = ((g / d + 1.0) ** 3 for g in (xx, yy, xy))
    within = sum((k.sum() - np.trace(k)) / (len(k) * (len(k) - 1)) for k in (kxx, kyy))
    return float(within - 2.0 * kxy.mean())


def _on_sphere(xx, yy, xy):
    """The Gram matrices of the same rows scaled to unit length."""
    nx, ny = (np.sqrt(np.maximum(np.diag(g), 1e-300)) for g in (xx, yy))
    return xx / np.outer(nx, nx), yy / np.outer(ny, ny), xy / np.outer(nx, ny)


def _squared_distances(ab, aa, bb):
    return np.maximum(np.diag(aa)[:, None] + np.diag(bb)[None, :] - 2.0 * ab, 0.0)


def _radii(aa, k):
    """Each row's squared distance to its k-th nearest other row, from the rows' Gram."""
    d2 = _squared_distances(aa, aa, aa)
    np.fill_diagonal(d2, np.inf)
    return np.partition(d2, k - 1, axis=1)[:, k - 1]


def precision_recall_from_grams(xx, yy, xy, k=NEIGHBOURS):
    """Improved precision and recall (Kynkäänniemi et al., 2019) of generated rows x against
    real rows y, from their Gram matrices: precision is the share of x inside some real row's
    ball (its distance to its k-th nearest real row), recall the share of y inside some
    generated row's ball. Holes (generated images off the data) lower precision; collapse
    onto a few kinds of image lowers recall."""
    cross = _squared_distances(xy, xx, yy)
    precision = np.mean(np.any(cross <= _radii(yy, k)[None, :], axis=1))
    recall = np.mean(np.any(cross <= _radii(xx, k)[:, None], axis=0))
    return float(precision), float(recall)


@dataclass(frozen=True)
class Distance:
    """Per block: KID, precision and recall."""

    kid: np.ndarray
    precision: np.ndarray
    recall: np.ndarray

    def summary(self, name):
        """{name_kid, name_kid_se, name_precision, ...}: mean and standard error over blocks."""
        numbers = {}
        for key in ("kid", "precision", "recall"):
            values = getattr(self, key)
            numbers[f"{name}_{key}"] = float(np.mean(values))
            numbers[f"{name}_{key}_se"] = float(np.std(values, ddof=1) / np.sqrt(len(values)))
        return numbers


def block_rows(n, blocks=BLOCKS, m=None, seed=0):
    """`blocks` disjoint blocks of m row indices (n // blocks if not given) out of n, from
    one seeded permutation: (blocks, m)."""
    m = m or n // blocks
    if m < MIN_BLOCK or m * blocks > n:
        raise ValueError(f"{n} rows cannot give {blocks} blocks of {m} (at least {MIN_BLOCK})")
    return np.random.default_rng([seed, 8]).permutation(n)[: m * blocks].reshape(blocks, m)


def distance(generated, real, real_grams=None):
    """KID, precision and recall of each block of generated features against the same block
    of real features: both (blocks, m, d), the caller choosing which rows form a block;
    real_grams are the real blocks' Gram matrices, if the caller has them already."""
    d = real.shape[-1]
    kid, precision, recall = [], [], []
    for j, (x, y) in enumerate(zip(generated, real, strict=True)):
        xx, yy, xy = gram(x, x), gram(y, y) if real_grams is None else real_grams[j], gram(x, y)
        kid.append(kid_from_grams(xx, yy, xy, d))
        p, r = precision_recall_from_grams(*_on_sphere(xx, yy, xy))
        precision.append(p)
        recall.append(r)
    return Distance(np.array(kid), np.array(precision), np.array(recall))
