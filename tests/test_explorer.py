"""The decoder embedded in the report: what the page computes, against Keras."""

import json

import numpy as np
import pytest

from vaestudy import estimators, evaluation, explorer
from vaestudy.model import build_vae
from vaestudy.report import explorer_context, explorer_data


def trained_like_decoder(latent_dim, seed=0):
    """A decoder with weights as large as a trained one's (initial ones are tiny)."""
    vae = build_vae(latent_dim, 512, kl_coefficient=1.0, seed=seed)
    rng = np.random.default_rng(seed)
    for layer in explorer.dense_layers(vae.decoder):
        w, b = layer.get_weights()
        layer.set_weights([rng.normal(0, 0.3, w.shape), rng.normal(0, 0.5, b.shape)])
    return vae.decoder


@pytest.mark.parametrize("latent_dim", [2, 8])
def test_the_embedded_decoder_draws_what_keras_draws_in_the_plane(latent_dim):
    decoder = trained_like_decoder(latent_dim)
    plane = evaluation.latent_plane(np.random.default_rng(1).normal(size=(500, latent_dim)))
    record = json.loads(json.dumps(explorer.embedded_decoder(decoder, plane)))  # as the page
    points = np.array([[0.0, 0.0], [2.0, -2.0], [-3.0, 3.0], [0.4, 1.7]])
    keras_pixels = estimators.sigmoid(evaluation.decoder_logits(decoder, points @ plane.T))
    ours = explorer.decode(record, points)
    assert ours.shape == (4, 784)
    assert np.abs(ours - keras_pixels).max() <= explorer.PARITY_TOLERANCE
    assert explorer.largest_difference(record, decoder, plane) <= explorer.PARITY_TOLERANCE
    assert keras_pixels.std() > 0.1  # the comparison is of real images, not of a flat grey


def test_one_model_adds_about_a_megabyte_and_a_diverged_one_nothing():
    decoder = trained_like_decoder(2)
    record = explorer.embedded_decoder(decoder, np.eye(2))
    # 512 x 784 float16 weights, base64: 4/3 of 802,816 bytes, plus the small layers
    assert 1_070_000 < explorer.payload_bytes(record) < 1_100_000
    w, b = explorer.dense_layers(decoder)[1].get_weights()
    explorer.dense_layers(decoder)[1].set_weights([np.full_like(w, np.nan), b])
    assert explorer.embedded_decoder(decoder, np.eye(2)) is None
    explorer.dense_layers(decoder)[1].set_weights([np.full_like(w, 1e6), b])  # beyond float16
    assert explorer.embedded_decoder(decoder, np.eye(2)) is None


def test_the_page_data_cannot_end_its_script_element_and_names_the_plane():
    records = [
        {"coefficient": "1", "decoder": {"w1": "</script>"}, "largest_difference": 0.002},
        {"coefficient": "1e+38", "decoder": None},
    ]
    text = explorer_data(records, 8)
    assert "</" not in text and json.loads(text)["models"][0]["decoder"]["w1"] == "</script>"
    assert json.loads(text)["axes"] == ["principal direction 1", "principal direction 2"]
    context = explorer_context(records, 2)
    assert json.loads(context["explorer"])["axes"] == ["z[0]", "z[1]"]
    assert context["explorer_models"] == [
        {"coefficient": "1", "decoder": True},
        {"coefficient": "1e+38", "decoder": False},
    ]
    assert context["explorer_difference"] == 0.002
    assert explorer_context([], 2)["explorer"] == ""
