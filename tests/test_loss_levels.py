"""A tiny study with a level of each loss definition, through Snakemake: each trains at the c
its definition needs, evaluates under its own likelihood, and the answer is given in both units
with the comparison across definitions."""

import json
from html import unescape

import numpy as np
import pandas as pd
import pytest
from conftest import read_events, results_page, snakemake, study_config

from vaestudy import wording
from vaestudy.losses import DEFINITIONS, IMAGE_PIXELS, VARIANCE_FLOOR

pytestmark = pytest.mark.slow

LOSSES = list(DEFINITIONS)
COEFFICIENTS = (0.5, 1.0, 2.0)


@pytest.fixture(scope="module")
def loss_study(tmp_path_factory, mnist_path):
    """Every loss definition at MNIST 2-D, three coefficients, one seed, one epoch."""
    workdir = tmp_path_factory.mktemp("losses")
    config = study_config(
        "tiny",
        mnist_path,
        coefficients="[0.5,1,2]",
        contender_seeds=1,
        refine_models=0,
        epochs=1,
        test_limit=200,
        loss=f"[{','.join(LOSSES)}]",
    )
    snakemake(workdir, "--cores", "2", *config)
    return workdir


def model_folder(study, loss, c):
    return study / f"results/models/mnist/z2/{loss}/seed0/c{c:g}"


def test_each_level_trains_at_its_typed_c_and_evaluates_under_its_likelihood(loss_study):
    table = pd.read_csv(loss_study / "results/tables/metrics.csv")
    assert list(table["loss"]) == [loss for loss in LOSSES for _ in COEFFICIENTS]
    assert set(table["coefficient"]) == set(COEFFICIENTS)  # canonical, at every level
    for loss in LOSSES:
        for c in COEFFICIENTS:
            status = json.loads((model_folder(loss_study, loss, c) / "training.json").read_text())
            assert status["typed_coefficient"] == pytest.approx(DEFINITIONS[loss].typed(c, 2)), loss
    rows = table.set_index(["loss", "coefficient"])
    # the canonical objective is D + c R (a mean over images of each image's, so to
    # rounding), whatever c the model was trained at
    np.testing.assert_allclose(
        rows["objective"],
        rows["reconstruction"] + rows.index.get_level_values(1) * rows["kl"],
        rtol=1e-7,
    )
    # a Bernoulli D is at least 0 and at most a blank guess; a fixed-variance Gaussian's D is
    # its squared error plus 784/2 log(pi), at least that constant
    bernoulli = table[table["loss"].isin(["sum", "pixel_mean", "latent_mean"])]
    assert bernoulli["reconstruction"].between(50, 560).all()
    assert bernoulli["decoder_variance"].isna().all()
    gaussian = table[table["loss"] == "gaussian"]
    assert (gaussian["reconstruction"] > IMAGE_PIXELS / 2 * np.log(np.pi)).all()
    assert (gaussian["decoder_variance"] == 0.5).all()
    learned = table[table["loss"] == "gaussian_learned"]
    assert learned["decoder_variance"].between(VARIANCE_FLOOR, 0.5).all()
    assert (learned["decoder_variance"] < 0.5).all()  # it trained
    # every IW NLL is below its D + R beyond its error, under each level's own likelihood
    assert (table["iw_nll"] <= table["iw_d_plus_r"] + 3 * table["iw_gap_se"]).all()
    # the yardsticks that do not depend on the likelihood are there at every level
    assert table[["prior_kid", "mutual_information", "grid_classes"]].notna().all().all()


def test_the_answer_is_given_in_both_units_and_compared_across_definitions(loss_study):
    saved = json.loads((loss_study / "results/tables/conclusion.json").read_text())
    levels = {level["loss"]: level for level in saved["levels"]}
    assert list(levels) == LOSSES
    for loss, level in levels.items():
        definition = level["definition"]
        assert definition["factor"] == DEFINITIONS[loss].factor(2)
        for criterion in level["criteria"]:
            if criterion["best"] is not None:
                assert criterion["typed"]["best"] == pytest.approx(
                    criterion["best"] / definition["factor"]
                )
        # no share of a density's D: no budget view under a Gaussian decoder
        assert (level["budget"] is None) == definition["density"]
        assert bool(level["decoder_variance"]) == (loss == "gaussian_learned")
    losses = saved["losses"]
    assert {row["loss"] for row in losses["rescaled"]} == {"pixel_mean", "latent_mean"}
    (calibrated,) = losses["calibrated"]
    learned = levels["gaussian_learned"]["decoder_variance"]
    at_one = next(p for p in learned if p["coefficient"] == 1.0)
    assert calibrated["effective"] == pytest.approx(2 * at_one["value"])
    assert calibrated["reference"] == levels["gaussian"]["level"]
    assert [row["factors"]["2"] for row in losses["conversion"]] == [1, 784, 0.5, 1, 1]


def test_the_report_and_the_tools_name_the_loss(loss_study):
    html = unescape(" ".join((loss_study / "results/report.html").read_text().split()))
    saved = json.loads((loss_study / "results/tables/conclusion.json").read_text())
    assert 'id="loss-definitions"' in html and 'href="#loss-definitions"' in html
    for row in saved["losses"]["rescaled"]:
        assert wording.rescaled_sentence(row) in html
    assert wording.calibrated_sentence(saved["losses"]["calibrated"][0]) in html
    for level in saved["levels"]:
        assert f'id="mnist-z2-{level["loss"]}-conclusion"' in html
    page = results_page(loss_study / "results")
    assert "## How the loss is defined: does the answer carry over?" in page
    assert "| `pixel_mean` | mean binary cross-entropy over pixels" in page
    # the explorer, TensorBoard's HParams and the monitor's plan name each model's loss
    explorer = json.loads(
        (loss_study / "results/explorer/mnist/z2/gaussian_learned/seed0/c1.json").read_text()
    )
    assert explorer["loss"] == "gaussian_learned"
    _, hparams = read_events(model_folder(loss_study, "pixel_mean", 1.0) / "events/hparams")
    assert hparams["loss"] == "pixel_mean" and hparams["c"] == 1.0
    plan = json.loads((loss_study / "results/logs/plan.json").read_text())
    assert plan["levels"] == [f"mnist/z2/{loss}" for loss in LOSSES]
    for definition in DEFINITIONS.values():
        assert definition.words in html


def test_an_unknown_loss_is_refused_in_one_line_before_any_work(tmp_path):
    result = snakemake(tmp_path, "-n", "--config", "loss=[sum,mse]", check=False)
    assert result.returncode == 1
    assert (
        "Invalid configuration: config key 'loss': item 'mse' is not allowed; must be one of "
        "sum, pixel_mean, latent_mean, gaussian, gaussian_learned" in result.stderr
    )
    assert "Traceback" not in result.stderr and not (tmp_path / "results").exists()
