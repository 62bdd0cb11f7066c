"""The loss definitions (the `loss` level axis): each one's terms on known inputs, the canonical
conversion, the learned variance's optimum and floor, the initial weights every definition
starts from, and what the answer says across definitions (carryover.py)."""

import math

import numpy as np
import pytest
import yaml
from conftest import ROOT

from vaestudy import carryover, estimators, wording
from vaestudy.levels import Level
from vaestudy.losses import DEFINITIONS, IMAGE_PIXELS, VARIANCE_FLOOR

RNG = np.random.default_rng(7)
X = RNG.random((4, IMAGE_PIXELS)).astype("float32")
LOGITS = (3 * RNG.standard_normal((4, IMAGE_PIXELS))).astype("float32")
MEAN = RNG.standard_normal((4, 3)).astype("float32")
LOG_VAR = RNG.standard_normal((4, 3)).astype("float32")


def terms(name, variance=None):
    from vaestudy.model import kl_divergence, reconstruction_loss

    definition = DEFINITIONS[name]
    return (
        np.asarray(reconstruction_loss(X, LOGITS, definition, variance), np.float64),
        np.asarray(kl_divergence(MEAN, LOG_VAR, definition), np.float64),
    )


def test_each_definitions_terms_on_known_inputs():
    bce = estimators.binary_cross_entropy(X, LOGITS)  # summed over pixels
    kl = estimators.kl_to_prior(MEAN, LOG_VAR)  # summed over the 3 latent dimensions
    squared = np.sum((X - estimators.sigmoid(LOGITS)) ** 2, axis=-1)
    expected = {
        "sum": (bce, kl),
        "pixel_mean": (bce / IMAGE_PIXELS, kl),
        "latent_mean": (bce, kl / 3),
        "gaussian": (squared, kl),  # variance 1/2: the squared error over 2 * 1/2
        # variance 0.1: the whole NLL
        "gaussian_learned": (squared / 0.2 + IMAGE_PIXELS / 2 * math.log(2 * math.pi * 0.1), kl),
    }
    assert set(expected) == set(DEFINITIONS)
    for name, (reconstruction, divergence) in expected.items():
        got = terms(name, 0.1 if name == "gaussian_learned" else None)
        np.testing.assert_allclose(got[0], reconstruction, rtol=2e-5, err_msg=name)
        np.testing.assert_allclose(got[1], divergence, rtol=2e-5, err_msg=name)


def test_each_likelihoods_nll_is_its_closed_form_and_the_iw_function_agrees():
    for name in ("sum", "gaussian"):
        likelihood = DEFINITIONS[name].likelihood
        nll = likelihood.nll(X, LOGITS)
        if name == "gaussian":
            mean = estimators.sigmoid(LOGITS)
            closed = np.sum((X - mean) ** 2, -1) + IMAGE_PIXELS / 2 * math.log(math.pi)
        else:
            closed = estimators.binary_cross_entropy(X, LOGITS)
        np.testing.assert_allclose(nll, closed, rtol=1e-12)
        assert nll.dtype == np.float64
    # a density's NLL has no floor at 0: a good fit under a small variance is negative
    sharp = DEFINITIONS["gaussian_learned"].likelihood.nll(X, LOGITS, VARIANCE_FLOOR)
    good = DEFINITIONS["gaussian_learned"].likelihood.nll(
        X, np.log(X / (1 - X + 1e-7) + 1e-7), VARIANCE_FLOOR
    )
    assert (good < 0).all() and (sharp > good).all()


def test_the_canonical_conversion():
    factors = {name: d.factor(8) for name, d in DEFINITIONS.items()}
    assert factors == {
        "sum": 1,
        "pixel_mean": 784,
        "latent_mean": 1 / 8,
        "gaussian": 1,
        "gaussian_learned": 1,
    }
    pixel_mean, latent_mean = DEFINITIONS["pixel_mean"], DEFINITIONS["latent_mean"]
    assert pixel_mean.typed(1.6, 2) == pytest.approx(1.6 / 784)
    assert pixel_mean.canonical(1, 2) == 784  # the published c = 1 typed under pixel_mean
    assert latent_mean.typed(1.6, 2) == pytest.approx(3.2)
    for definition in DEFINITIONS.values():
        for c in (0.0, 0.02, 1.0, 20.0):
            assert definition.canonical(definition.typed(c, 5), 5) == pytest.approx(c)
    # where the factor is 1 the typed c is the canonical one exactly, as the default trains
    assert DEFINITIONS["sum"].typed("0.1", 2) == 0.1
    # the loss of a rescaled definition at its typed c is the published loss, rescaled: by
    # 1/784 for pixel_mean, not at all for latent_mean
    reconstruction, kl = terms("sum")
    for name, scale in (("pixel_mean", 784), ("latent_mean", 1)):
        typed = DEFINITIONS[name].typed(1.6, 3)
        rec, div = terms(name)
        np.testing.assert_allclose(
            scale * (rec + typed * div), reconstruction + 1.6 * kl, rtol=1e-5, err_msg=name
        )


def test_a_model_trains_at_the_c_its_definition_needs():
    from vaestudy.model import model_settings

    settings = {"intermediate_dim": 8, "learning_rate": 1e-3, "precision": "float32"}
    typed = {
        name: model_settings(settings, "2", "1.6", "0", name)["kl_coefficient"]
        for name in DEFINITIONS
    }
    assert typed["sum"] == typed["gaussian"] == typed["gaussian_learned"] == 1.6
    assert typed["pixel_mean"] == pytest.approx(1.6 / 784)
    assert typed["latent_mean"] == pytest.approx(3.2)


@pytest.mark.slow  # builds models
def test_the_learned_variance_reaches_the_mean_squared_error_and_keeps_its_floor(tmp_path):
    import keras
    import tensorflow as tf

    from vaestudy.model import build_vae

    vae = build_vae(2, 16, 1.0, seed=0, loss="gaussian_learned")
    assert vae.decoder_variance() == pytest.approx(0.5)
    z = np.random.default_rng(0).standard_normal((64, 2)).astype("float32")
    logits = vae.decoder(z)  # a fixed decoder: only the variance trains
    x = np.random.default_rng(1).random((64, IMAGE_PIXELS)).astype("float32")
    optimum = float(np.mean((x - estimators.sigmoid(np.asarray(logits))) ** 2))
    definition = vae.definition

    def fit(targets, steps=1500):
        optimizer = keras.optimizers.Adam(0.05)
        for _ in range(steps):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(
                    definition.likelihood.mean_pixel_loss(targets, logits, vae.variance())
                )
            optimizer.apply(
                tape.gradient(loss, vae.variance_layer.trainable_weights),
                vae.variance_layer.trainable_weights,
            )
        return vae.decoder_variance()

    assert fit(x) == pytest.approx(optimum, rel=1e-3)
    # a decoder that draws the targets exactly: the variance falls to its floor, not below
    exact = keras.ops.convert_to_numpy(keras.ops.sigmoid(logits))
    assert VARIANCE_FLOOR <= fit(exact, 3000) < 1.1 * VARIANCE_FLOOR


@pytest.mark.slow  # builds models
def test_every_definition_starts_from_the_shared_initial_weights(tmp_path):
    from vaestudy.model import build_vae

    path = tmp_path / "init.weights.h5"
    shared = build_vae(2, 16, 0.0, seed=3)
    shared.save_weights(path)
    for name in DEFINITIONS:
        vae = build_vae(2, 16, 1.0, seed=9, loss=name)
        vae.load_initial(path)
        for a, b in zip(shared.encoder.get_weights(), vae.encoder.get_weights(), strict=True):
            np.testing.assert_array_equal(a, b)
        for a, b in zip(shared.decoder.get_weights(), vae.decoder.get_weights(), strict=True):
            np.testing.assert_array_equal(a, b)
        assert (vae.variance_layer is not None) == (name == "gaussian_learned")
    # and a learned variance round-trips with the weights
    vae.variance_layer.excess.assign(-2.0)
    vae.save_weights(tmp_path / "learned.weights.h5")
    again = build_vae(2, 16, 1.0, seed=9, loss="gaussian_learned")
    again.load_weights(tmp_path / "learned.weights.h5")
    assert again.decoder_variance() == pytest.approx(VARIANCE_FLOOR + math.exp(-2.0))


def test_a_checkpoint_of_one_loss_is_not_one_of_another(tmp_path):
    from vaestudy.model import model_settings
    from vaestudy.training import run_fingerprint

    data, init = tmp_path / "data.npz", tmp_path / "init.h5"
    data.write_bytes(b"d")
    init.write_bytes(b"i")
    settings = {"intermediate_dim": 8, "learning_rate": 1e-3, "precision": "float32"}
    prints = [
        run_fingerprint(model_settings(settings, 2, 1, 0, name), 128, 100, data, init)
        for name in DEFINITIONS
    ]
    assert len({str(p) for p in prints}) == len(DEFINITIONS)  # the Checkpoint refuses others


def test_the_schema_lists_every_definition():
    schema = yaml.safe_load((ROOT / "workflow/schemas/config.schema.yaml").read_text())
    loss = schema["properties"]["loss"]
    assert loss["items"]["enum"] == list(DEFINITIONS)
    assert loss["pattern"] == f"^({'|'.join(DEFINITIONS)})$"
    assert all(name in loss["x-allowed"] for name in DEFINITIONS)


def record(loss, intervals, variance=None, dim=2):
    """A level's conclusion record with the two criteria's intervals (canonical)."""
    level = Level("mnist", dim, loss)
    criteria = [
        {
            "criterion": key,
            "name": key,
            "best": None if interval is None else math.sqrt(interval[0] * interval[1]),
            "interval": interval,
            "within": None,
            "points": [{"coefficient": c} for c in (0.0, 1.0, 20.0)],
        }
        for key, interval in zip(("prior_kid", "iw_nll"), intervals, strict=True)
    ]
    criteria = [{**c, "typed": carryover.typed_answer(c, level)} for c in criteria]
    points = [] if variance is None else [{"coefficient": 1.0, **variance}]
    return {
        **vars(level),
        "level": level.label,
        "criteria": criteria,
        "decoder_variance": points,
        "definition": carryover.definition_record(level),
    }


def test_rescaled_definitions_are_compared_with_sum_in_canonical_units():
    records = [
        record("sum", ([0.5, 3.0], [0.8, 4.0])),
        record("pixel_mean", ([1.0, 5.0], [5.0, 9.0])),
        record("latent_mean", ([0.2, 0.4], None)),
        record("gaussian", ([0.01, 0.1], [0.5, 2.0])),  # not a rescaling: not compared
    ]
    rows = carryover.rescaled(records)
    assert [(r["loss"], r["criterion"], r["overlap"]) for r in rows] == [
        ("pixel_mean", "prior_kid", True),
        ("pixel_mean", "iw_nll", False),
        ("latent_mean", "prior_kid", False),
        ("latent_mean", "iw_nll", None),
    ]
    # typed: pixel_mean's interval divided by 784, latent_mean's times 2 (2-D)
    assert records[1]["criteria"][0]["typed"]["interval"] == pytest.approx([1 / 784, 5 / 784])
    assert records[2]["criteria"][0]["typed"]["interval"] == pytest.approx([0.4, 0.8])
    headline = wording.both_units(records[1]["criteria"][0], records[1]["definition"])
    assert headline.startswith("c ≈ 0.0029 (0.0013–0.0064) as you would type it (pixel_mean)")
    assert headline.endswith("c ≈ 2.2 (1–5) in canonical units")
    assert wording.both_units(records[0]["criteria"][0], records[0]["definition"]) == (
        "c ≈ 1.2 (0.5–3)"
    )


def test_a_learned_variance_is_read_as_a_weight_in_the_fixed_variance_levels_units():
    records = [
        record("gaussian", ([0.04, 0.2], [0.5, 2.0])),
        record(
            "gaussian_learned",
            ([0.5, 2.0], [0.5, 2.0]),
            {"value": 0.05, "se": 0.005, "seeds": 2},
        ),
    ]
    (row,) = carryover.calibrated(records, 0.95)
    assert row["effective"] == pytest.approx(0.1)  # 2 sigma^2
    assert row["effective_interval"] == pytest.approx([0.1 - 1.96 * 0.01, 0.1 + 1.96 * 0.01], 1e-3)
    assert [(c["inside"], c["overlap"]) for c in row["criteria"]] == [(True, True), (False, False)]
    sentence = wording.calibrated_sentence(row)
    assert "σ² = 0.0500 ± 0.0050 (2 seeds)" in sentence
    assert "c_eff = 2σ² = 0.1 (0.08–0.12)" in sentence and "does not replace the sweep" in sentence
    # no model at c = 1: nothing to read
    alone = record("gaussian_learned", ([0.5, 2.0], None))
    assert carryover.calibrated([alone], 0.95)[0]["variance"] is None


def test_the_published_grid_lands_by_each_definitions_factor():
    published = yaml.safe_load((ROOT / "report/published.yaml").read_text())["losses"]
    rows = carryover.published_grid(
        [record("pixel_mean", ([1.0, 5.0], None)), record("sum", ([0.3, 3.0], None))],
        published,
    )
    pixel_mean, summed = rows
    assert pixel_mean["canonical"] == pytest.approx([784 * c for c in pixel_mean["typed"]])
    assert pixel_mean["typed"][0] == 0.02 and pixel_mean["canonical"][-1] == 15680
    # 0.02 typed is canonical 15.7: beyond [1, 5]; nothing of the grid is inside
    assert pixel_mean["inside"][0]["coefficients"] == []
    assert summed["inside"][0]["coefficients"] == [0.5, 1.0, 2.0]
    assert "canonical c = 16–16,000" in wording.published_sentence(pixel_mean)
    # trained up to c = 20: the typed 0.1 (canonical 78) and above lie beyond it
    assert pixel_mean["largest_trained"] == 20.0
    assert pixel_mean["beyond"] == [c for c in pixel_mean["typed"] if c >= 0.1]
    assert "c = 0.1, 0.5, 1, 2, 10 and 20 beyond the largest c trained here (20)" in (
        wording.published_sentence(pixel_mean)
    )


def test_the_yardstick_table_shows_a_decoder_variance_only_where_there_is_one():
    import pandas as pd

    from vaestudy.tables import summary_parts

    def headings(variance):
        frame = pd.DataFrame(
            {
                "coefficient": [0.5, 1.0],
                "seed": [0, 0],
                "diverged": [False, False],
                "active_units": [2, 2],
                "kl": [8.0, 6.0],
                "kl_se": [0.1, 0.1],
                "decoder_variance": variance,
            }
        )
        return [h for _, part in summary_parts(frame) for h in part.columns]

    assert "decoder σ²" in headings([0.04, 0.05])
    assert "decoder σ²" not in headings([np.nan, np.nan])
    assert "R (KL)" in headings([np.nan, np.nan])
