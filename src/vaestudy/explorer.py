"""A decoder small enough to embed in the report, where the page decodes any point of the
latent plane as the pointer moves (report/explorer.js computes what `decode` computes here).

The decoder is 2 -> hidden (relu) -> 784 logits. Its output layer, 99 % of the weights, is
stored as float16 (about 1 MB of text per model); the rest as float32. 8-bit integers with one
scale per pixel or per hidden unit were tried and are not enough: the 512 rounding errors of a
logit add up to pixel differences of 0.1 to 0.25 on trained models. With more than two latent
dimensions the first layer is folded into the plane the figures show
(evaluation.latent_plane), so the page always works in two coordinates.
"""

import base64

import numpy as np

from vaestudy import estimators, evaluation

FORMAT = "decoder-float16-v1"
PARITY_TOLERANCE = 0.01  # pixel values (0 to 1): the most the page may differ from Keras


def _b64(array, dtype):
    return base64.b64encode(np.ascontiguousarray(array, dtype=dtype).tobytes()).decode("ascii")


def _array(text, dtype, shape):
    return np.frombuffer(base64.b64decode(text), dtype=dtype).reshape(shape)


def embedded_decoder(decoder, plane):
    """The decoder's weights for the page, as JSON-ready text; None where they are not finite
    in float16 (a diverged model: the page says so)."""
    (w1, b1), (w2, b2) = (layer.get_weights() for layer in dense_layers(decoder))
    with np.errstate(over="ignore"):  # beyond float16 becomes inf, refused below
        w2 = w2.astype("<f2")
    if not all(np.isfinite(w).all() for w in (w1, b1, w2, b2)):
        return None
    w1_plane = np.asarray(plane, dtype=np.float64).T @ w1  # (2, hidden): the plane's first layer
    return {
        "format": FORMAT,
        "hidden": int(w1.shape[1]),
        "pixels": int(w2.shape[1]),
        "w1": _b64(w1_plane, "<f4"),
        "b1": _b64(b1, "<f4"),
        "w2": _b64(w2, "<f2"),
        "b2": _b64(b2, "<f4"),
    }


def dense_layers(decoder):
    """The decoder's two Dense layers, hidden then output."""
    dense = [layer for layer in decoder.layers if layer.get_weights()]
    if len(dense) != 2:
        raise ValueError(f"expected a decoder of two Dense layers, found {len(dense)}")
    return dense


def decode(record, points):
    """Pixel values (n, 784) of the embedded decoder at plane coordinates (n, 2)."""
    hidden, pixels = record["hidden"], record["pixels"]
    w1 = _array(record["w1"], "<f4", (2, hidden)).astype(np.float64)
    b1 = _array(record["b1"], "<f4", (hidden,))
    w2 = _array(record["w2"], "<f2", (hidden, pixels)).astype(np.float64)
    b2 = _array(record["b2"], "<f4", (pixels,))
    h = np.maximum(0.0, np.asarray(points, dtype=np.float64) @ w1 + b1)
    return estimators.sigmoid(h @ w2 + b2)


def largest_difference(record, decoder, plane):
    """The largest pixel difference between the embedded decoder and the trained one over
    the manifold's grid (evaluation.manifold_grid) in the plane: what the page states."""
    points = evaluation.manifold_grid()
    codes = points @ np.asarray(plane, dtype=np.float64).T
    exact = estimators.sigmoid(evaluation.decoder_logits(decoder, codes))
    return float(np.max(np.abs(decode(record, points) - exact)))


def payload_bytes(record):
    """What one embedded decoder adds to the page, in bytes of text."""
    return sum(len(value) for value in record.values() if isinstance(value, str))
