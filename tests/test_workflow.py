"""The real workflow through Snakemake on a tiny config: files, numbers and the report."""

import hashlib
import json
import re
import subprocess
from html import unescape
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import LEVEL, model_dir, read_events, snakemake, study_config, write_npz

from vaestudy import registry, tables, wording

pytestmark = pytest.mark.slow


GRID = (0.0, 0.5, 1.0, 2.0, 1e38)  # tests/configs/tiny.yaml


def finished(study):
    """The metrics table of the shared tiny study less its diverged model (c = 1e38)."""
    losses = pd.read_csv(study / "results/tables/metrics.csv")
    return losses[~losses["diverged"]].reset_index(drop=True)


def test_metrics_table_has_one_row_per_model_with_sane_numbers(study):
    everything = pd.read_csv(study / "results/tables/metrics.csv")
    # seed 0 of every coefficient, then what the rounds added: seed 1 of the positive
    # coefficients around c* (0.5, 1 and 2, not the diverged c = 1e38), then at most one more
    # model (refine_models = 4)
    first = everything[everything["seed"] == 0]
    assert {0.0, 0.5, 1.0, 2.0, 1e38} <= set(first["coefficient"])
    assert set(everything.loc[everything["seed"] == 1, "coefficient"]) == {0.5, 1.0, 2.0}
    assert 8 <= len(everything) <= 9 and set(everything["seed"]) == {0, 1}
    assert list(everything.loc[everything["diverged"], "coefficient"]) == [1e38]
    assert set(everything["dataset"]) == {"mnist"} and set(everything["latent_dim"]) == {2}
    losses = finished(study)
    assert {"coefficient", "seed", "objective", "reconstruction", "kl", "prior_kl"} <= set(losses)
    # a 2-epoch model on 1,000 images reconstructs far better than a blank guess (~544)
    assert losses["reconstruction"].between(100, 400).all()
    assert (losses["reconstruction_se"].between(0.05, 5)).all()
    for seed in (0, 1):
        models = losses[losses["seed"] == seed].sort_values("coefficient")
        smallest, largest = models.iloc[0], models.iloc[-1]
        assert largest["kl"] < smallest["kl"] and largest["prior_kl"] < smallest["prior_kl"]


def test_a_metric_declared_a_sum_of_parts_is_that_sum(study):
    # its value and seed noise in the tables come from its parts (inference.borrowed)
    losses = finished(study)
    summed = [m for m in registry.entries() if m.parts]
    assert {m.key for m in summed} == {"d_plus_r", "prior_kl", "iw_gap"}
    for metric in summed:
        parts = sum(weight * losses[key] for key, weight in metric.parts)
        assert losses[metric.key].to_numpy() == pytest.approx(parts, rel=1e-4, abs=1e-4)
    # and so is each coefficient's value in the report's tables, seeds filled in or not
    keys = [key for m in summed for key in (m.key, *dict(m.parts))]
    summary = tables.over_seeds(losses, keys)
    for metric in summed:
        parts = sum(weight * summary[key] for key, weight in metric.parts)
        assert summary[metric.key].to_numpy() == pytest.approx(parts, rel=1e-9)


def test_rate_recomputed_from_the_saved_codes(study):
    # KL(N(m, s^2) || N(0, 1)) = (m^2 + s^2 - 1) / 2 - log s, written out here independently
    losses = pd.read_csv(study / "results/tables/metrics.csv")
    losses = losses[losses["seed"] == 0].set_index("coefficient")
    for c in (0.0, 1.0):
        with np.load(model_dir(study, f"{c:g}") / "latent.npz") as latent:
            m = latent["z_mean"].astype(float)
            s = np.exp(0.5 * latent["z_log_var"].astype(float))
        rate = np.mean(np.sum((m**2 + s**2 - 1) / 2 - np.log(s), axis=1))
        assert losses.loc[c, "kl"] == pytest.approx(rate, rel=1e-4)
        assert losses.loc[c, "kl_z0"] + losses.loc[c, "kl_z1"] == pytest.approx(rate, rel=1e-4)
        variance = np.var(m, axis=0, ddof=1) + np.mean(s**2, axis=0)
        assert np.diag(json.loads(losses.loc[c, "q_cov"])) == pytest.approx(variance, rel=1e-4)


def test_every_yardstick_within_its_mathematical_bounds(study):
    losses = finished(study)
    err = 3 * losses["mutual_information_se"] + 1e-9
    log_n = np.log(500)  # test_limit=500
    assert losses["mutual_information_max"].to_numpy() == pytest.approx(log_n)
    assert (losses["mutual_information"] <= log_n + 1e-9).all()
    assert (losses["mutual_information"] >= -err).all()
    # KL(q(z) || N(0, I)) = R - I(x; z) lies in [0, R]
    assert (losses["prior_kl"] >= -err).all() and (losses["prior_kl"] <= losses["kl"] + err).all()
    # the IW estimate is not above D + R on the same images beyond its error
    assert (losses["iw_nll"] <= losses["iw_d_plus_r"] + 3 * losses["iw_gap_se"]).all()
    assert (losses["iw_nll"] > 50).all() and (losses["iw_images"] == 100).all()
    assert losses["iw_ess"].between(1 / 50, 1).all()
    assert losses["active_units"].between(0, 2).all()
    for name in ("grid", "prior"):
        assert losses[f"{name}_classes"].between(1, 10).all()
        assert losses[f"{name}_entropy_bits"].between(0, np.log2(10) + 1e-9).all()
        assert losses[f"{name}_confidence"].between(0.1, 1.0).all()
        assert losses[f"{name}_tv"].between(0, 1).all() and (losses[f"{name}_tv_se"] > 0).all()
    for shares in losses["prior_shares"]:
        assert sum(json.loads(shares)) == pytest.approx(1.0)
    # the coverage gap is a total variation: in [0, 1], with a bootstrap error
    assert losses["coverage_gap"].between(0, 1).all()
    # (0 where neither decodes' nor reconstructions' readings vary over the resamples)
    assert losses["coverage_gap_se"].between(0, 0.2).all()
    assert losses["reconstruction_accuracy"].between(0, 1).all()
    for name in ("prior", "reconstruction"):
        assert (losses[f"{name}_density"] >= 0).all()
        assert losses[f"{name}_coverage"].between(0, 1).all()
    # and so is every coefficient's value in the report's tables, the seeds it lacks filled in
    everything = pd.read_csv(study / "results/tables/metrics.csv")
    bounds = tables.level_bounds(everything)
    summary = tables.over_seeds(everything, list(bounds))
    for key, (lower, upper) in bounds.items():
        values = summary[key].dropna()
        low, high = (-np.inf if lower is None else lower), (np.inf if upper is None else upper)
        assert values.between(low, high).all(), key
    classifier = json.loads((study / "results/classifier/mnist/classifier.json").read_text())
    # 100 held-out digits against 100 test digits, 10 per block: the data's own scores
    assert 0.5 < classifier["floor_density"] < 1.5 and 0.5 < classifier["floor_coverage"] <= 1
    # two epochs on 900 images: well above chance, not the full study's 98 %
    assert 0.5 < classifier["test_accuracy"] < 1 and classifier["train_images"] == 900
    assert classifier["held_out_images"] == 100 and 0.05 < classifier["temperature"] < 20
    assert 0 <= classifier["ece_calibrated"] <= 1 and classifier["blurred_accuracy"] < 1


def test_the_k_sweeps_run_at_the_smallest_c_and_near_c_1(study):
    saved, _ = criteria_of(study)
    level = saved["levels"][0]
    sweeps = level["iw_sweeps"]
    assert [s["coefficient"] for s in sweeps] == [0.0, 1.0]
    for sweep in sweeps:
        assert sweep["seed"] == 0 and sweep["rows"][-1]["excess_over_largest_k"] == 0
        assert [r["k"] for r in sweep["rows"]] == sorted(r["k"] for r in sweep["rows"])
        assert sweep["loose"] == (sweep["coefficient"] in level["loose_iw"])


def test_every_model_has_weights_history_and_figures(study):
    for c in ("0", "1"):
        model = model_dir(study, c)
        history = pd.read_csv(model / "history.csv")
        assert list(history["epoch"]) == [1, 2]
        assert (model / "final.weights.h5").stat().st_size > 100_000
        status = json.loads((model / "training.json").read_text())
        assert status["epochs"] == 2 and not status["diverged"]
        assert status["graph_epoch"] is False  # float32: one XLA program per epoch
        # the job's own high-water mark: TensorFlow alone is ~600 MB, the budget 900 MB
        assert 300 < status["peak_rss_mb"] < 1200
        with np.load(model / "latent.npz") as latent:
            assert latent["z_mean"].shape == (500, 2) and latent["labels"].shape == (500,)
        assert np.load(model / "manifold.npy").shape == (840, 840)
        assert np.load(model / "grid_classes.npy").shape == (30, 30, 10)
        for kind in ("encoder", "manifold", "classes"):
            png = study / f"results/figures/{LEVEL}/seed0/{kind}_c{c}.png"
            assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for figure in ("rate_distortion", "training_curves", "metrics_vs_c", "encoders"):
        assert (study / f"results/figures/{LEVEL}/{figure}.png").stat().st_size > 10_000
    for figure in ("prior", "levels"):
        assert (study / f"results/figures/{figure}.png").stat().st_size > 10_000
    assert (study / "results/init/z2/seed0.weights.h5").is_file()
    assert not (study / f"results/checkpoints/{LEVEL}/seed0/c0").exists()


def criteria_of(study):
    """The default level's answers, one per criterion, from conclusion.json."""
    saved = json.loads((study / "results/tables/conclusion.json").read_text())
    return saved, saved["levels"][0]["criteria"]


def points_of(answer):
    """An answer's points by coefficient."""
    return {p["coefficient"]: p for p in answer["points"]}


def test_a_diverged_model_is_recorded_and_the_study_still_concludes(study):
    status = json.loads((model_dir(study, "1e+38") / "training.json").read_text())
    assert status["diverged"] and status["epochs"] < 2
    saved, answers = criteria_of(study)
    for answer in answers:
        point = points_of(answer)[1e38]
        assert point["verdict"] == "diverged" and point["seeds"] == [] and point["value"] is None
        assert answer["best"] == 0.0 or 0.5 <= answer["best"] <= 2.0
    assert saved["levels"][0]["diverged"] == [1e38]
    html = (study / "results/report.html").read_text()
    assert ">diverged<" in html
    assert (study / f"results/figures/{LEVEL}/seed0/manifold_c1e+38.png").is_file()


def test_the_paired_units_average_to_the_table_s_numbers(study):
    losses = finished(study).set_index(["seed", "coefficient"])
    sizes = set()
    for (seed, c), row in losses.iterrows():
        with np.load(model_dir(study, f"{c:g}", seed) / "paired.npz") as paired:
            assert row["iw_nll"] == pytest.approx(np.mean(paired["iw_nll"]))
            assert row["prior_kid"] == pytest.approx(np.mean(paired["prior_kid"]))
            assert row["reconstruction"] == pytest.approx(np.mean(paired["reconstruction"]))
            sizes.add(tuple(len(paired[key]) for key in ("iw_nll", "prior_kid", "reconstruction")))
    # the same units for every model: 100 IW images, 10 blocks, 500 test images
    assert sizes == {(100, 10, 500)}


def test_the_rounds_measure_the_spread_then_bracket_the_interval_then_stop(study):
    rounds = sorted((study / f"results/tables/refine/{LEVEL}").glob("round*.json"))
    records = [json.loads(path.read_text()) for path in sorted(rounds, key=lambda p: len(p.name))]
    records.sort(key=lambda r: r["round"])
    # round 0: a second seed at the positive coefficients nearest c*, to measure the spread
    assert sorted((a["coefficient"], a["seeds"]) for a in records[0]["add"]) == [
        (0.5, [1]),
        (1.0, [1]),
        (2.0, [1]),
    ]
    # then coefficients between trained ones, at seed 0, where an edge of an interval lies
    for record in records[1:-1]:
        for a in record["add"]:
            assert a["seeds"] == [0] and "edge" in a["why"] and a["coefficient"] not in GRID
    assert records[-1]["add"] == []
    assert records[-1]["status"] in ("bracketed", "budget spent", "nothing to add")
    assert [r["models"] for r in records][:2] == [5, 8]
    assert (study / "results/init/z2/seed1.weights.h5").is_file()
    saved, answers = criteria_of(study)
    assert [a["criterion"] for a in answers] == ["prior_kid", "iw_nll"]
    for answer in answers:
        points = points_of(answer)
        assert all(points[c]["seeds"] == [0, 1] for c in (0.5, 1.0, 2.0))
        # three coefficients x two seeds, less three means and a seed offset
        assert answer["seed_spread"]["dof"] == 2 and answer["seed_spread"]["paired"]
        low, high = answer["interval"]
        assert 0 <= low <= high <= 2.0
        fitted = [
            p["coefficient"] for p in answer["points"] if p["verdict"] in ("within", "beyond")
        ]
        assert answer["curve"]["c"][0] == min(c for c in fitted if c > 0)
        for point in points.values():
            assert point["verdict"] in ("within", "beyond", "unresolved", "diverged")
            assert point["value"] is None or point["se"] > 0
    assert saved["levels"][0]["budget"]["anchor"] == 1.0
    assert saved["across"]["sentence"].startswith("One level")
    page = " ".join(unescape((study / "results/report.html").read_text()).split())
    assert saved["levels"][0]["summary"].split(". ")[0] in page


def test_replicates_have_their_own_initial_weights_and_show_their_spread(study, mnist_path):
    losses = finished(study)
    ones = losses[losses["coefficient"] == 1.0]
    assert list(ones["seed"]) == [0, 1]
    # each seed has its own initial weights, so its models differ
    assert ones["reconstruction"].iloc[0] != ones["reconstruction"].iloc[1]
    _, answers = criteria_of(study)
    point = points_of(answers[1])[1.0]
    # c = 1 has every seed: its value is their geometric mean (the IW NLL is positive, so its
    # seed spread is a share of its value)
    assert answers[1]["seed_spread"]["relative"]
    assert point["value"] == pytest.approx(np.sqrt(ones["iw_nll"].prod()))
    # its error holds the seed spread: at least the spread of the mean of two seeds
    assert point["se"] >= 0.99 * point["value"] * answers[1]["seed_spread"]["sd"] / np.sqrt(2)
    # two configured seeds already meet contender_seeds = 2: no extra seed, nothing to train
    jobs = dry_run_jobs(study, mnist_path, ("coefficients", "[1]"), ("seeds", "[0,1]"))
    assert not jobs & {"train_vae", "initial_weights", "evaluate_vae"}


def dry_run_jobs(workdir, mnist_path, *changes):
    """The jobs a dry run after the tiny run schedules, with config changes on top."""
    result = snakemake(workdir, "-n", *study_config("tiny", mnist_path, **dict(changes)))
    return set(re.findall(r"^(\w+)\s+\d+$", result.stdout, flags=re.M)) - {"total", "job", "all"}


@pytest.mark.parametrize(
    "key, value, rounds",
    [
        ("confidence", 0.9, True),
        ("reconstruction_budget", 0.1, False),
        ("margins", "{prior_kid: 0.1, iw_nll: 2.0}", False),
        ("contender_seeds", 3, True),
    ],
)
def test_changing_a_conclusion_setting_reruns_the_conclusion(study, mnist_path, key, value, rounds):
    jobs = dry_run_jobs(study, mnist_path, (key, value))
    assert {"conclude", "report"} <= jobs
    assert not jobs & {"train_vae", "evaluate_vae", "train_classifier"}
    # the rounds read the confidence and the seeds; the budget view is the conclusion's alone
    assert ("refine" in jobs) == rounds


def test_settings_that_only_warn_or_say_how_jobs_run_retrain_nothing(study, mnist_path):
    assert dry_run_jobs(study, mnist_path, ("classifier_accuracy", 0.5)) == {"report"}
    assert dry_run_jobs(study, mnist_path, ("train_threads", 2)) == set()


def test_report_is_self_contained_and_concludes_from_the_table(study, mnist_path):
    html = (study / "results/report.html").read_text()
    # N(0, I), the levels, the answer, the level's five figures, three per configured model
    assert html.count("data:image/png;base64,") == 3 + 5 + 3 * 5
    _, answers = criteria_of(study)
    for answer in answers:
        assert unescape(wording.headline(answer)) in unescape(html)
    assert "IW NLL" in html and "classes in N(0, I) decodes" in html
    assert "reached only" in html  # the tiny classifier is flagged as below 98 %
    assert hashlib.sha256(mnist_path.read_bytes()).hexdigest() in html
    losses = pd.read_csv(study / "results/tables/metrics.csv")
    assert f"{losses['reconstruction'].min():.2f}" in html
    assert "tensorflow" in html and "<img" in html and 'src="http' not in html


def test_tensorboard_reads_every_epoch_and_the_yardsticks_beside_c(study):
    losses = pd.read_csv(study / "results/tables/metrics.csv").set_index(["coefficient", "seed"])
    history = pd.read_csv(model_dir(study, 1) / "history.csv")
    scalars, hparams = read_events(model_dir(study, 1) / "events/train")
    assert hparams is None
    assert scalars["epoch/loss"] == pytest.approx(
        dict(zip(history["epoch"], history["loss"], strict=True))
    )
    assert sorted(scalars["epoch/kl"]) == [1, 2]  # the tiny study's two epochs
    scalars, hparams = read_events(model_dir(study, 1, seed=1) / "events/hparams")
    assert hparams == {"c": 1.0, "seed": 1, "dataset": "mnist", "latent_dim": 2, "loss": "sum"}
    row = losses.loc[(1.0, 1)]
    assert scalars["yardstick/iw_nll"][0] == pytest.approx(row["iw_nll"], rel=1e-6)
    assert scalars["yardstick/prior_kid"][0] == pytest.approx(row["prior_kid"], rel=1e-6)


def test_the_logs_hold_no_warning_that_reads_like_a_fault(study):
    """No Keras UserWarning (an optimizer skipped on load, XLA refused) in any job's log."""
    logs = sorted((study / "results/logs").rglob("*.log"))
    assert any("evaluate_vae" in str(log) for log in logs) and len(logs) > 10
    warned = [str(log.relative_to(study)) for log in logs if "UserWarning" in log.read_text()]
    assert warned == []


def test_every_result_names_the_workflow_version_that_made_it(study):
    root = Path(__file__).resolve().parents[1]
    head = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    losses = pd.read_csv(study / "results/tables/metrics.csv")
    assert set(losses["workflow_commit"]) == {head}
    status = json.loads((model_dir(study, 1) / "training.json").read_text())
    assert status["workflow_commit"] == head and isinstance(status["workflow_dirty"], bool)
    # each model's own training hash: the two seeds of c = 1 differ in their initial weights
    hashes = losses.set_index(["coefficient", "seed"])["training_hash"]
    assert len(hashes[1.0, 0]) == 16 and hashes[1.0, 0] != hashes[1.0, 1]
    html = (study / "results/report.html").read_text()
    assert f"<td>workflow</td><td>commit {head[:12]} (" in html
    saved = json.loads((study / "results/tables/conclusion.json").read_text())
    assert saved["provenance"]["workflow"]["commit"] == head
    assert saved["provenance"]["answer_settings"]["confidence"] == 0.95


def test_second_run_has_nothing_to_do(study, mnist_path):
    result = snakemake(study, "-n", *study_config("tiny", mnist_path))
    assert "Nothing to be done" in result.stdout + result.stderr


def test_dry_run_of_the_default_study_lists_one_training_job_per_model(tmp_path, mnist_path):
    result = snakemake(tmp_path, "-n", "--config", f"mnist_path={mnist_path}", "seeds=[0,1]")
    assert re.search(r"train_vae +16\n", result.stdout)


def test_coefficients_written_as_floats_map_to_one_canonical_job(tmp_path, mnist_path):
    result = snakemake(
        tmp_path, "-n", "--config", f"mnist_path={mnist_path}", "coefficients=[0.0,1.0,2.5]"
    )
    out = result.stdout
    assert f"results/models/{LEVEL}/seed0/c0/history.csv" in out
    assert f"results/models/{LEVEL}/seed0/c1/history.csv" in out and "c1.0" not in out


def test_bad_config_fails_at_once_with_one_line(tmp_path):
    result = snakemake(tmp_path, "-n", "--config", "epochs=0", check=False)
    assert result.returncode == 1
    assert "Invalid configuration: config key 'epochs': got 0" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "results").exists()


def test_malformed_data_file_fails_clearly_and_leaves_no_data(tmp_path):
    bad = write_npz(tmp_path / "bad.npz", y_test=np.full(60, 42, np.uint8))
    result = snakemake(
        tmp_path,
        "--cores",
        "1",
        "--config",
        f"mnist_path={bad}",
        "train_limit=10",
        "test_limit=70",
        check=False,
    )
    assert result.returncode != 0
    assert "label 42; labels must be 0-9" in result.stdout + result.stderr
    assert not (tmp_path / "results/data/mnist.npz").exists()
    assert not Path(tmp_path / "results/data/mnist.npz.part").exists()


@pytest.mark.parametrize(
    "content, words",
    [
        (b"hello\n", "is not an .npz file"),
        (None, "is a directory, not an MNIST .npz file"),
    ],
)
def test_an_unusable_data_file_stops_the_dry_run_with_one_line(tmp_path, content, words):
    path = tmp_path / "data.npz"
    if content is None:
        path.mkdir()
    else:
        path.write_bytes(content)
    result = snakemake(tmp_path, "-n", "--config", f"mnist_path={path}", check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"Invalid configuration: config key 'mnist_path': {path} {words}" in result.stderr
    assert not (tmp_path / "results").exists()


def test_minus_zero_is_the_job_of_zero(tmp_path, mnist_path):
    result = snakemake(
        tmp_path, "-n", "--config", f"mnist_path={mnist_path}", "coefficients=[-0.0,1]"
    )
    out = result.stdout
    # no path of c = -0 (the run's random ID in the output may hold "c-0" itself)
    assert f"results/models/{LEVEL}/seed0/c0/history.csv" in out and "/c-0" not in out


def test_snakemake_report_holds_every_figure_with_its_caption_and_the_table(study, mnist_path):
    snakemake(study, "--report", "snakemake-report.html", *study_config("tiny", mnist_path))
    html = (study / "snakemake-report.html").read_text()
    assert "How the KL term shapes a variational autoencoder" in html  # report/workflow.rst
    for name in ("prior", "rate_distortion", "training_curves", "metrics_vs_c", "metrics"):
        caption = (Path(__file__).parents[1] / f"report/captions/{name}.rst").read_text()
        assert caption.split(".")[0].strip()[:60] in html, name
    for kind in ("encoder", "manifold", "classes"):
        for c in ("0", "1", "1e+38"):
            assert f"{kind}_c{c}.png" in html
    assert "metrics.csv" in html
