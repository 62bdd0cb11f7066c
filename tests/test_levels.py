"""The study's levels (each dataset at each latent dimension): the plane shown beyond two
latent dimensions, the metrics table's order, and the comparison across levels."""

import json
from html import escape

import numpy as np
import pandas as pd
import pytest
from conftest import results_page, snakemake, study_config

from vaestudy import evaluation, plots, wording
from vaestudy.tables import read_metrics


def test_two_latent_dimensions_are_shown_as_they_are():
    z = np.random.default_rng(0).standard_normal((50, 2)) * [3.0, 0.1]
    np.testing.assert_array_equal(evaluation.latent_plane(z), np.eye(2))
    codes, names = plots.in_plane(z, evaluation.latent_plane(z))
    assert codes is z and names == ("z[0]", "z[1]")


def test_beyond_two_the_plane_is_spanned_by_the_codes_principal_directions():
    rng = np.random.default_rng(1)
    # codes spread most along e3, then along -(e0 + e1)/sqrt(2), hardly along the rest
    first, second = np.eye(5)[3], -np.array([1.0, 1.0, 0, 0, 0]) / np.sqrt(2)
    z = (
        rng.standard_normal((4000, 1)) * 5 * first
        + rng.standard_normal((4000, 1)) * 2 * second
        + rng.standard_normal((4000, 5)) * 0.01
        + 7.0  # an offset: the directions come from the centred codes
    )
    plane = evaluation.latent_plane(z)
    np.testing.assert_allclose(plane.T @ plane, np.eye(2), atol=1e-12)
    np.testing.assert_allclose(plane[:, 0], first, atol=1e-2)
    np.testing.assert_allclose(plane[:, 1], -second, atol=1e-2)
    # rotated codes have the rotated plane, each direction signed so that its largest
    # component is positive, whatever sign the decomposition gives it
    for turn in range(8):
        rotation = np.linalg.qr(np.random.default_rng(turn).standard_normal((5, 5)))[0]
        turned = evaluation.latent_plane(z @ rotation)
        np.testing.assert_allclose(np.abs(turned), np.abs(rotation.T @ plane), atol=1e-2)
        assert (turned[np.argmax(np.abs(turned), axis=0), [0, 1]] > 0).all()
    codes, names = plots.in_plane(z, plane)
    assert names == plots.PLANE_AXES and codes.shape == (4000, 2)
    np.testing.assert_allclose(codes, z @ plane)


def test_codes_that_are_not_finite_are_shown_on_the_first_two_axes():
    z = np.full((10, 4), np.nan)
    np.testing.assert_array_equal(evaluation.latent_plane(z), np.eye(4)[:, :2])


class RecordingDecoder:
    """A decoder that records the codes it is given and draws nothing (logits 0)."""

    def __init__(self, latent_dim):
        self.inputs = [np.zeros((1, latent_dim))]
        self.codes = []

    def predict_on_batch(self, z):
        self.codes.append(np.array(z))
        return np.zeros((len(z), 784), np.float32)


def test_the_manifold_of_more_dimensions_lies_in_the_plane_over_the_priors_three_sigma():
    plane = np.linalg.qr(np.random.default_rng(2).standard_normal((6, 2)))[0]
    decoder = RecordingDecoder(6)
    image = evaluation.decode_manifold(decoder, plane, size=5)
    assert image.shape == (5 * 28, 5 * 28)
    codes = decoder.codes[0]
    grid = evaluation.manifold_grid(5)
    np.testing.assert_allclose(codes, grid @ plane.T, atol=1e-6)
    # the coordinates in the plane are the grid's, [-3, 3] along each unit direction
    np.testing.assert_allclose(codes @ plane, grid, atol=1e-6)
    two = RecordingDecoder(2)
    evaluation.decode_manifold(two, None, size=5)
    np.testing.assert_array_equal(two.codes[0], grid)


def test_figures_beyond_two_dimensions_name_the_plane(tmp_path, monkeypatch):
    titles = []
    monkeypatch.setattr(
        plots, "save_figure", lambda fig, path: titles.append(fig.axes[0].get_xlabel())
    )
    rng = np.random.default_rng(3)
    codes, names = plots.in_plane(rng.standard_normal((40, 8)), np.eye(8)[:, :2])
    plots.encoder_scatter(tmp_path / "e.png", codes, rng.integers(0, 10, 40), 1, names)
    plots.manifold(tmp_path / "m.png", rng.random((84, 84)), 1, size=3, names=names)
    plots.class_grid(tmp_path / "c.png", rng.dirichlet(np.ones(10), (3, 3)), 1, names=names)
    plots.encoder_comparison(
        tmp_path / "s.png", {1.0: (codes, rng.integers(0, 10, 40))}, names=names
    )
    assert titles == ["principal direction 1"] * 3 + [""]  # the comparison names its bottom row


def test_the_metrics_table_keeps_the_levels_in_the_order_the_files_give_them(tmp_path):
    paths = []
    for i, (dataset, dim, c) in enumerate(
        [("mnist", 8, 1.0), ("mnist", 8, 0.0), ("binary", 2, 0.5), ("mnist", 2, 0.0)]
    ):
        path = tmp_path / f"{i}.json"
        row = {"dataset": dataset, "latent_dim": dim, "loss": "sum", "coefficient": c, "seed": 0}
        path.write_text(json.dumps({**row, "diverged": False}))
        paths.append(path)
    table = read_metrics(paths)
    assert list(zip(table["dataset"], table["latent_dim"], table["coefficient"], strict=True)) == [
        ("mnist", 8, 0.0),
        ("mnist", 8, 1.0),
        ("binary", 2, 0.5),
        ("mnist", 2, 0.0),
    ]


@pytest.fixture(scope="module")
def levels_study(tmp_path_factory, mnist_path):
    """A tiny study at four levels: MNIST and a binarised copy of its first images, each with
    two and three latent dimensions; one coefficient, so that it stays quick (the rule's
    verdicts between coefficients are tested on the shared study and on synthetic tables).
    Run as a user extends a finished study: first MNIST in 2-D alone, then all four levels in
    the same folder."""
    workdir = tmp_path_factory.mktemp("levels")
    with np.load(mnist_path) as mnist:
        arrays = {key: mnist[key][:1000] for key in ("x_train", "y_train", "x_test", "y_test")}
    for key in ("x_train", "x_test"):
        arrays[key] = np.where(arrays[key] > 127, 255, 0).astype(np.uint8)
    np.savez_compressed(workdir / "binary.npz", **arrays)
    settings = {"coefficients": "[1]", "contender_seeds": 1, "epochs": 1, "test_limit": 300}
    snakemake(workdir, "--cores", "2", *study_config("tiny", mnist_path, **settings))
    config = study_config(
        "tiny",
        mnist_path,
        **settings,
        latent_dim="[2,3]",
        datasets=f"[mnist, {{name: binary, path: {workdir / 'binary.npz'}}}]",
    )
    snakemake(workdir, "--cores", "2", *config)
    return workdir


LEVELS = [("mnist", 2), ("mnist", 3), ("binary", 2), ("binary", 3)]


@pytest.mark.slow
def test_every_level_has_its_models_judge_and_conclusion(levels_study):
    # the three levels added to the finished MNIST 2-D study are trained and concluded too
    table = pd.read_csv(levels_study / "results/tables/metrics.csv")
    pairs = list(zip(table["dataset"], table["latent_dim"], table["coefficient"], strict=True))
    assert pairs == [(d, z, 1.0) for d, z in LEVELS]
    # one classifier per dataset, one set of initial weights per latent dimension (and seed)
    for name in ("mnist", "binary"):
        classifier = json.loads(
            (levels_study / f"results/classifier/{name}/classifier.json").read_text()
        )
        assert classifier["train_images"] == 900
    assert sorted(p.name for p in (levels_study / "results/init").glob("z*")) == ["z2", "z3"]
    saved = json.loads((levels_study / "results/tables/conclusion.json").read_text())
    assert [(lv["dataset"], lv["latent_dim"]) for lv in saved["levels"]] == LEVELS
    for level in saved["levels"]:
        for criterion in level["criteria"]:
            # one coefficient, one seed: no curve to fit, so no optimum and no interval
            assert criterion["best"] is None and criterion["interval"] is None
            assert [p["seeds"] for p in criterion["points"]] == [[0]]
        assert [r["add"] for r in level["rounds"]] == [[]]  # no curve: nothing to narrow
    for criterion in saved["across"]["criteria"]:
        assert [r["level"] for r in criterion["rows"]] == [
            f"{d}, {z}-D latent, sum loss" for d, z in LEVELS
        ]
        assert len(criterion["unresolved"]) == 4 and criterion["common"] is None
    assert saved["across"]["sentence"].startswith("Generation from the prior: not compared")
    # the three-dimensional codes are shown in their plane, the two-dimensional ones as they are
    with np.load(levels_study / "results/models/binary/z3/sum/seed0/c1/latent.npz") as latent:
        assert latent["z_mean"].shape == (300, 3) and latent["plane"].shape == (3, 2)
    with np.load(levels_study / "results/models/binary/z2/sum/seed0/c1/latent.npz") as latent:
        np.testing.assert_array_equal(latent["plane"], np.eye(2))


@pytest.mark.slow
def test_the_report_concludes_per_level_and_across_them(levels_study):
    html = " ".join((levels_study / "results/report.html").read_text().split())
    saved = json.loads((levels_study / "results/tables/conclusion.json").read_text())
    assert escape(saved["across"]["sentence"]) in html and 'id="across"' in html
    assert html.count("Has the IW bound converged in K?") == 4
    for dataset, dim in LEVELS:
        anchor = f"{dataset}-z{dim}-sum-"
        assert f'id="{anchor}conclusion"' in html and f'href="#{anchor}conclusion"' in html
        assert f"The answer ({dataset}, {dim}-D latent, sum loss)" in html
    # the two 8-D levels: at a glance and in the explorer
    assert html.count("shown in the plane through z = 0 spanned by the test codes") == 4
    # the published check applies to MNIST in two dimensions only
    assert html.count("No published reference applies to these models") == 4
    assert "dataset binary (published: mnist)" in html and "latent_dim 3 (published: 2)" in html
    assert "<td>data: binary</td>" in html and "<td>classifier: binary</td>" in html
    # N(0, I) and the verdicts; six figures per level; three per model
    assert html.count("data:image/png;base64,") == 2 + 4 * 6 + 4 * 3


@pytest.mark.slow
def test_the_results_page_of_several_levels_has_a_section_each_and_the_comparison(levels_study):
    page = results_page(levels_study / "results")
    saved = json.loads((levels_study / "results/tables/conclusion.json").read_text())
    across = f"{saved['across']['sentence']} {wording.OVERLAP_CAVEAT}"
    assert f"## Across the levels\n\n{across}\n" in page
    for dataset, dim in LEVELS:
        assert f"\n## {dataset}, {dim}-D latent, sum loss\n\n### The answer\n" in page
        assert f"| {dataset}, {dim}-D latent, sum loss | – | unknown | – | unknown |" in page


@pytest.mark.slow
def test_a_dataset_of_another_layout_stops_the_run_before_any_job(tmp_path, mnist_path):
    bad = tmp_path / "colour.npz"
    np.savez(
        bad,
        x_train=np.zeros((5, 28, 28, 3), np.uint8),
        y_train=np.zeros(5, np.uint8),
        x_test=np.zeros((5, 28, 28, 3), np.uint8),
        y_test=np.zeros(5, np.uint8),
    )
    datasets = f"datasets=[mnist, {{name: colour, path: {bad}}}]"
    result = snakemake(
        tmp_path, "-n", "--config", f"mnist_path={mnist_path}", datasets, check=False
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert (
        "Invalid configuration: config key 'datasets': dataset 'colour': "
        f"{bad}: x_train has shape (5, 28, 28, 3); expected (N, 28, 28)" in result.stderr
    )
    assert not (tmp_path / "results").exists()
