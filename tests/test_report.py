"""The HTML report from synthetic results: structure, numbers, escaping, diverged models."""

import json
import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from conftest import ROOT

from vaestudy import (
    answer_plots,
    criteria,
    evaluation,
    plots,
    provenance,
    registry,
    report,
    summaries,
    wording,
)
from vaestudy.conclusion import level_record, study_record
from vaestudy.config import load_schema, validate_config
from vaestudy.levels import Level
from vaestudy.reference import load_reference
from vaestudy.tables import (
    level_bounds,
    loss_table,
    metric_columns,
    moments_text,
    over_seeds,
    read_metrics,
    summary_parts,
    template_table,
)

TEMPLATE = ROOT / "report/report.html.j2"
MNIST = Level("mnist", 2)


@pytest.fixture(scope="module")
def figures(tmp_path_factory):
    folder = tmp_path_factory.mktemp("figures")
    rng = np.random.default_rng(0)
    plots.prior_scatter(folder / "prior.png", n=200)
    models = {}
    for c in (0.0, 1.0, 1e6):
        paths = {kind: folder / f"{kind}_{c}.png" for kind in report.MODEL_FIGURES}
        plots.encoder_scatter(
            paths["encoder"], rng.standard_normal((50, 2)), rng.integers(0, 10, 50), c
        )
        plots.manifold(paths["manifold"], rng.random((84, 84)), c, size=3)
        plots.class_grid(paths["classes"], rng.dirichlet(np.ones(10), (3, 3)), c)
        models[(MNIST, 0, c)] = paths
    summary = over_seeds(metrics(), [column for column, _ in registry.panels()])
    study = {name: folder / f"{name}.png" for name in report.STUDY_FIGURES}
    saved = conclusion_of(CONFIG, metrics())
    answer_plots.answer_figure(study["answer"], saved["levels"][0])
    plots.rate_distortion(study["rate_distortion"], summary)
    latents = {c: (rng.standard_normal((50, 2)) * (1 + c), rng.integers(0, 10, 50)) for c in (0, 1)}
    plots.encoder_comparison(study["encoder_comparison"], latents)
    plots.manifold_comparison(study["manifold_comparison"], {0.0: rng.random((84, 84))})
    plots.metrics_against_coefficient(study["metrics_vs_c"], summary)
    plots.training_curves(
        study["training_curves"],
        {
            c: [pd.DataFrame({"epoch": [1, 2], "reconstruction": [200, 180], "kl": [5, 4]})]
            for c in (0.0, 1.0)
        },
    )
    answer_plots.level_verdicts(folder / "levels.png", saved["levels"])
    return {
        "prior": folder / "prior.png",
        "levels": folder / "levels.png",
        "models": models,
        "studies": {MNIST: study},
    }


CONFIG = validate_config({}, load_schema(ROOT / "workflow/schemas/config.schema.yaml"))


def conclusion_of(config, table):
    """The conclusion record of a synthetic table, as the conclude job saves it (no values
    per unit: differences take the models' own errors)."""
    records = []
    for dim in sorted(set(table["latent_dim"])):
        rows = table[table["latent_dim"] == dim]
        records.append(level_record(rows, {}, config, Level("mnist", int(dim))))
    return study_record(records, config["confidence"])


def metrics():
    table = pd.DataFrame(
        {
            "dataset": ["mnist"] * 3,
            "latent_dim": [2] * 3,
            "loss": ["sum"] * 3,
            "coefficient": [0.0, 1.0, 1e6],
            "seed": [0, 0, 0],
            "objective": [141.5, 150.4, np.nan],
            "prior_kid": [0.81, 0.49, np.nan],
            "prior_kid_se": [0.008, 0.008, np.nan],
            "prior_density": [0.71, 0.86, np.nan],
            "prior_density_se": [0.02, 0.02, np.nan],
            "prior_coverage": [0.114, 0.413, np.nan],
            "prior_coverage_se": [0.01, 0.004, np.nan],
            "reconstruction_kid": [0.339, 0.378, np.nan],
            "reconstruction_kid_se": [0.008, 0.008, np.nan],
            "reconstruction": [141.5, 144.2, np.nan],
            "reconstruction_se": [0.41, 0.43, np.nan],
            "kl": [507.0, 6.2, np.nan],
            "kl_se": [1.5, 0.02, np.nan],
            "d_plus_r": [648.5, 150.4, np.nan],
            "d_plus_r_se": [1.6, 0.43, np.nan],
            "iw_nll": [600.1, 140.3, np.nan],
            "iw_nll_se": [4.2, 1.4, np.nan],
            "iw_d_plus_r": [650.0, 151.0, np.nan],
            "iw_d_plus_r_se": [4.9, 1.5, np.nan],
            "iw_gap": [49.9, 10.7, np.nan],
            "iw_gap_se": [1.1, 0.3, np.nan],
            "iw_images": [1000, 1000, np.nan],
            "iw_ess": [0.004, 0.06, np.nan],
            "iw_ess_low": [True, False, np.nan],
            "mutual_information": [9.21, 5.68, np.nan],
            "mutual_information_se": [0.0, 0.01, np.nan],
            "mutual_information_max": [9.21, 9.21, np.nan],
            "prior_kl": [497.79, 0.52, np.nan],
            "prior_kl_se": [0.0, 0.01, np.nan],
            "active_units": [2, 2, np.nan],
            "grid_classes": [4, 10, np.nan],
            "grid_entropy_bits": [1.9, 3.2, np.nan],
            "grid_confidence": [0.97, 0.91, np.nan],
            "grid_tv": [0.6, 0.2, np.nan],
            "grid_tv_se": [0.01, 0.01, np.nan],
            "prior_classes": [3, 10, np.nan],
            "prior_entropy_bits": [1.5, 3.3, np.nan],
            "prior_confidence": [0.98, 0.90, np.nan],
            "prior_tv": [0.71, 0.18, np.nan],
            "prior_tv_se": [0.004, 0.005, np.nan],
            "coverage_gap": [0.55, 0.031, np.nan],
            "coverage_gap_se": [0.006, 0.004, np.nan],
            "reconstruction_accuracy": [0.97, 0.91, np.nan],
            "reconstruction_accuracy_se": [0.002, 0.003, np.nan],
            "diverged": [False, False, True],
            "epochs": [40, 40, 3],
            "train_seconds": [200.0, 201.0, 15.0],
            "q_mean": ["[0.5, 14.25]", "[0.01, -0.1]", np.nan],
            "q_cov": ["[[170.6, 33.6], [33.6, 422.6]]", "[[0.9, 0.0], [0.0, 1.1]]", np.nan],
            "kl_z0": [94.5, 3.1, np.nan],
            "kl_z1": [328.9, 3.0, np.nan],
        }
    )
    # two more coefficients, so that each criterion has a curve over three positive ones
    more = table.iloc[[1, 1]].assign(coefficient=[0.1, 10.0])
    columns = ["prior_kid", "iw_nll", "reconstruction", "kl"]  # the published losses
    more[columns] = [[0.6, 145.0, 141.41, 12.22], [0.7, 150.0, 161.85, 2.46]]
    table = pd.concat([table.iloc[:2], more, table.iloc[2:]], ignore_index=True)
    table = table.sort_values("coefficient", ignore_index=True)
    return table.reindex(columns=metric_columns() + ["kl_z0", "kl_z1"])


DATA = {"mnist": {"source": "x", "sha256": "ab", "train_images": 60000, "test_images": 10000}}
CLASSIFIER = {
    "test_accuracy": 0.9832,
    "temperature": 1.31,
    "held_out_images": 6000,
    "ece_raw": 0.012,
    "ece_calibrated": 0.004,
    "blur_sigma": 2.0,
    "blurred_accuracy": 0.739,
    "blurred_confidence": 0.69,
    "label_shares": [0.098, 0.1135, 0.1032, 0.101, 0.0982, 0.0892, 0.0958, 0.1028, 0.0974, 0.1009],
    "blurred_shares": [0.09, 0.017, 0.1, 0.1, 0.1, 0.08, 0.09, 0.1, 0.296, 0.027],
    "required_accuracy": 0.98,
    "meets_requirement": True,
    "epochs": 10,
    "train_images": 60000,
}


def render(figures, classifier=CLASSIFIER, **config_overrides):
    return report.render(TEMPLATE, full_context(figures, classifier, **config_overrides))


def full_context(figures, classifier=CLASSIFIER, **config_overrides):
    """The report's context of the synthetic run, with provenance and the published study."""
    schema = load_schema(ROOT / "workflow/schemas/config.schema.yaml")
    config = validate_config({}, schema)
    config.update(config_overrides)
    data = {
        "source": "<script>alert(1)</script>",
        "sha256": "ab" * 32,
        "train_images": 60000,
        "test_images": 10000,
    }
    published = load_reference(ROOT / "report/published.yaml")
    workflow = {"commit": "c" * 40, "dirty": True, "package": "0.1.0"}
    return report.build_context(
        config,
        metrics(),
        figures,
        {"mnist": data},
        {"mnist": classifier},
        conclusion_of(config, metrics()),
        published,
        workflow,
    )


def context_of(table, config=CONFIG, figures=None, published=None):
    return report.build_context(
        config, table, figures, DATA, {"mnist": CLASSIFIER}, conclusion_of(config, table), published
    )


def test_report_leads_with_the_answer_and_shows_every_figure(figures):
    context = full_context(figures)
    html = " ".join(report.render(TEMPLATE, context).split())
    assert html.count("data:image/png;base64,") == 2 + 6 + 3 * 3
    assert html.index('id="conclusion"') < html.index('id="glance"')
    # one seed per coefficient: each criterion's curve has a lowest point, but no interval
    level = context["levels"][0]
    for criterion in level["record"]["criteria"]:
        assert 0.1 <= criterion["best"] <= 10 and criterion["interval"] is None
    assert {"144.20 ± 0.43", "507.0 ± 1.5"} <= set(cells(level["summary"]))
    verdicts = {
        row["c"]: [cell["verdict"] for cell in row["cells"]] for row in level["answer_rows"]
    }
    assert verdicts["1e+06"] == ["diverged", "diverged"]


def test_the_generation_table_ends_with_what_real_digits_score():
    classifier = {"floor_kid": 0.0155, "floor_kid_se": 0.005, "floor_density": 1.01}
    classifier |= {"floor_density_se": 0.012, "floor_coverage": 0.959, "floor_coverage_se": 0.004}
    parts = dict(summary_parts(metrics(), floor=classifier))
    generation = parts[registry.GENERATION]
    last = dict(zip(generation.columns, generation.iloc[-1], strict=True))
    assert last["c"] == "real digits"
    assert last["KID of N(0, I) decodes"] == last["KID of reconstructions"] == "0.0155 ± 0.0050"
    assert last["density of N(0, I) decodes"] == "1.010 ± 0.012"
    assert last["coverage of N(0, I) decodes"] == "0.959 ± 0.004"
    # no other part has a floor; without the classifier's floor no part gets the row
    assert all(
        "real digits" not in set(f["c"]) for t, f in parts.items() if t != registry.GENERATION
    )
    assert "real digits" not in set(summary_parts(metrics())[0][1]["c"])


def k_sweep(coefficient, excess, k):
    """A K-sweep record of seed 0 at one coefficient: K and 4 K, `excess` nats apart."""
    rows = [
        {"k": k, "iw_nll": 150 + excess, "iw_nll_se": 1.4, "excess_over_largest_k": excess},
        {"k": 4 * k, "iw_nll": 150.0, "iw_nll_se": 1.4, "excess_over_largest_k": 0.0},
    ]
    for row in rows:
        row |= {"excess_over_largest_k_se": 0.01, "ess_fraction": 0.1}
    found = {"dataset": "mnist", "latent_dim": 2, "coefficient": coefficient, "seed": 0}
    return found | {"images": 100, "largest_k": 4 * k, "rows": rows}


def test_each_k_sweep_is_judged_and_a_loose_bound_is_named_left_out(figures):
    two = pd.concat([metrics(), metrics().assign(seed=1)], ignore_index=True)
    two.loc[two["seed"] == 1, ["prior_kid", "iw_nll", "reconstruction"]] += [0.01, 0.4, 0.3]
    k = CONFIG["iw_samples"]
    unfinished = {"dataset": "mnist", "latent_dim": 2, "coefficient": 1e6, "seed": 0}
    sweeps = [k_sweep(0.0, 15.6, k), k_sweep(1.0, 0.001, k), unfinished]
    record = level_record(two, {}, CONFIG, Level("mnist", 2), sweeps=sweeps)
    found = {s["coefficient"]: s for s in record["iw_sweeps"]}
    # c = 0's bound is loose (ESS below 1 %): it still moves, and it is out of the fit
    assert found[0.0]["loose"] and not found[0.0]["converged"] and found[0.0]["excess"] == 15.6
    assert not found[1.0]["loose"] and found[1.0]["converged"]
    assert found[1e6]["rows"] == [] and not found[1e6]["converged"]
    context = report.level_context(
        CONFIG, Level("mnist", 2), two, figures, record, CLASSIFIER, None
    )
    assert [s["coefficient"] for s in context["sweeps"]] == [0.0, 1.0]


def test_with_seeds_the_report_gives_intervals_and_the_budget_view(figures):
    two = pd.concat([metrics(), metrics().assign(seed=1)], ignore_index=True)
    second = two["seed"] == 1
    two.loc[second, ["prior_kid", "iw_nll", "reconstruction"]] += [0.01, 0.4, 0.3]
    level = context_of(two, figures=figures)["levels"][0]
    for criterion in level["record"]["criteria"]:
        low, high = criterion["interval"]
        assert 0 < low <= criterion["best"] <= high <= 10  # c = 0 is far worse
    # c = 0 generates far worse; its IW NLL is a loose bound (ESS below 1 %) and decides nothing
    verdicts = [c["points"][0]["verdict"] for c in level["record"]["criteria"]]
    assert verdicts == ["beyond", "unresolved"]
    assert level["budget_rows"] and not level["record"]["rounds"]


def test_report_shows_the_yardstick_table_and_its_caveats(figures):
    context = full_context(figures)
    level = context["levels"][0]
    columns = [column for part in level["summary"] for column in part["columns"]]
    headings = ("D + R", "IW NLL", "I(x; z)", "class TV from labels", "IW ESS / K")
    assert set(headings + ("classes in N(0, I) decodes",)) <= set(columns)
    # every model uses both latent dimensions: active units tell nothing and are not shown
    assert "active units" not in columns
    assert {"600.1 ± 4.2", "9.210"} <= set(cells(level["summary"]))
    moments = {m["coefficient"]: m["moments"] for m in level["models"]}
    assert moments[0.0] == (
        "mean (0.50, 14.25); covariance [[170.60, 33.60], [33.60, 422.60]]; "
        "KL per dimension 94.50, 328.90"
    )
    # the one-seed caveat, the loose IW estimate and the classifier's measured bias
    assert not level["spread_measured"] and level["loose_iw"] == ["0"]
    classifier = context["datasets"][0]["classifier"]
    assert classifier["meets_requirement"] and classifier["temperature"] == 1.31
    assert classifier["bias"] == {"digit": 8, "blurred": 0.296, "labels": 0.0974}
    definitions = dict(context["definitions"])
    assert "0.03, 0.1, 0.3, 1" in definitions["IW NLL"]


def test_the_provenance_names_the_workflow_version_and_the_settings(figures):
    context = full_context(figures)
    assert context["workflow"] == "commit cccccccccccc (uncommitted changes)"
    assert context["settings_hash"] == provenance.digest(CONFIG)
    assert context["settings_hash"] != provenance.digest({**CONFIG, "epochs": 41})


def test_the_provenance_counts_the_models_by_how_their_epochs_ran(figures):
    table = metrics()  # a run from before the record: nothing to count
    assert report.epoch_programs(table) == {}
    loop = table.assign(graph_epoch=False)
    assert report.epoch_programs(loop) == {"one XLA program": len(table)}
    graph = [i % 2 == 0 for i in range(len(table))]  # a bfloat16 study on two kinds of CPU
    # the first model trained before the record
    mixed = table.assign(graph_epoch=pd.Series([None, *graph[1:]], dtype=object))
    assert report.epoch_programs(mixed) == {
        "one XLA program": graph.count(False),
        "a TensorFlow graph with oneDNN's bfloat16 kernels": graph.count(True) - 1,
        "not recorded": 1,
    }
    unrecorded = table.assign(graph_epoch=[None, *[False] * (len(table) - 1)])
    for one_program in (loop, unrecorded):  # models without the record make no mix
        assert not context_of(one_program, figures=figures)["mixed_programs"]
    context = context_of(mixed, figures=figures)
    assert context["mixed_programs"]
    assert "a TensorFlow graph with oneDNN" in report.render(TEMPLATE, context)


def test_a_weak_classifier_is_flagged(figures):
    weak = {**CLASSIFIER, "test_accuracy": 0.81}
    assert not full_context(figures, weak)["datasets"][0]["classifier"]["meets_requirement"]


def test_values_from_config_and_files_are_escaped(figures):
    html = render(figures, mnist_url="http://x/<b>bold</b>")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html


def cells(parts):
    """Every cell of the yardstick table's parts, as shown."""
    return [cell for part in parts for row in part["rows"] for cell in row]


def two_seeds(offsets):
    """metrics() at seeds 0 and 1, seed 1's reconstruction moved by `offsets` (one per row)."""
    second = metrics().assign(seed=1)
    second["reconstruction"] = second["reconstruction"] + offsets
    return pd.concat([metrics(), second], ignore_index=True)


def expected(table, c):
    """A coefficient's reconstruction and error under the additive model in log v, written
    out as a two-way layout of coefficient and seed (every finished coefficient, both
    seeds): the geometric mean over seeds; the seed spread from the residuals with
    (coefficients - 1) degrees of freedom, over 2 seeds, plus the models' own errors."""
    done = table[~table["diverged"].astype(bool)]
    y = np.log(done.pivot(index="coefficient", columns="seed", values="reconstruction"))
    se = done.pivot(index="coefficient", columns="seed", values="reconstruction_se")
    residual = y.sub(y.mean(axis=1), axis=0).sub(y.mean(axis=0), axis=1) + y.values.mean()
    variance = (residual**2).values.sum() / (len(y) - 1)
    own = ((se.loc[c] / np.exp(y.loc[c])) ** 2).sum() / 4
    value = np.exp(y.loc[c].mean())
    return value, value * np.sqrt(variance / 2 + own)


def test_replicates_show_their_mean_and_spread_from_the_one_noise_model(figures):
    table = two_seeds([2.0, -2.0, 2.0, -2.0, 0.0])
    level = context_of(table, figures=figures)["levels"][0]
    for c in (0.0, 1.0, 10.0):
        value, se = expected(table, c)
        assert wording.estimate(value, se, 2) in cells(level["summary"])
    assert level["spread_measured"]


def test_one_coefficient_and_metric_show_one_value_and_error_in_every_table(figures):
    table = two_seeds([2.0, -2.0, 2.0, -2.0, 0.0])
    table.loc[table["seed"] == 1, ["prior_kid", "iw_nll"]] += [0.02, -0.5]
    level = context_of(table, figures=figures)["levels"][0]
    answers = {row["c"]: row["cells"] for row in level["answer_rows"]}
    for i, key in enumerate(("prior_kid", "iw_nll")):
        heading = registry.by_key()[key].heading
        part = next(p for p in level["summary"] if heading in p["columns"])
        column = part["columns"].index(heading)
        shown = {row[0]: row[column] for row in part["rows"]}
        for c, cells_of_c in answers.items():
            if cells_of_c[i]["verdict"] != "diverged":
                assert cells_of_c[i]["value"] == shown[c]


def test_counts_show_no_decimals_with_one_seed():
    summary = [template_table(*part) for part in summary_parts(metrics(), latent_dim=3)]
    # the c = 1 row: active units 2 (of 3, so shown) and 10 digit classes, as counts
    rows = [row for part in summary for row in part["rows"]]
    parts = [row for row in rows if row[:1] == ["1"]]  # the c = 1 row of each part
    assert len(parts) == 4 and all(row[:2] == ["1", "1"] for row in parts)
    cells = [cell for row in parts for cell in row[2:]]
    assert "2" in cells and "10" in cells
    assert "2.0" not in cells and "10.0" not in cells


def test_the_published_reference_is_shown_beside_a_matching_run(figures):
    reference = full_context(figures)["levels"][0]["reference"]
    # the synthetic run has the default settings: 144.20 against the published 144.17
    rows = {row["coefficient"]: row for row in reference.rows}
    assert reference.applies and rows[1.0]["reconstruction"] == 144.2
    assert rows[1.0]["published_reconstruction"] == pytest.approx(144.17)
    assert not rows[0.0]["kl_judged"] and rows[1.0]["kl_judged"]


def test_a_run_with_other_settings_is_told_no_reference_applies(figures):
    reference = full_context(figures, epochs=5)["levels"][0]["reference"]
    assert not reference.applies and reference.differences == ["epochs 5 (published: 40)"]


def test_every_table_of_contents_link_has_its_section(figures):
    html = render(figures)
    links = re.findall(r'<a href="#([a-z]+)">', html)
    assert len(links) == 10
    for anchor in links:
        assert f'id="{anchor}"' in html


def test_every_yardstick_of_the_table_has_its_definition_and_one_part(figures):
    shown = [m for m in registry.entries() if m.group]
    assert all(m.group in registry.GROUPS and m.definition for m in shown)
    keys = [m.key for m in registry.entries()]
    assert len(set(keys)) == len(keys)
    page = " ".join(render(figures).split())
    assert page.count('<table class="summary">') == len(registry.GROUPS)
    for title in registry.GROUPS:
        assert f"<h3>{title}</h3>" in page
    for m in shown:
        if m.key != "active_units":  # not shown: every model uses every dimension
            assert f"<dt>{m.heading}</dt>".replace("'", "&#39;") in page, m.key


def brightness(outputs):
    """A metric of its own: the mean pixel of the test images, with its standard error."""
    return evaluation.mean_and_error("brightness", outputs.x.mean(axis=1))


BRIGHTNESS = registry.Metric(
    "brightness",
    "mean pixel",
    registry.FIT,
    decimals=4,
    bounds=(0, 1),
    compute=brightness,
    definition="The mean pixel value of the {iw_samples}-sample study's test images.",
)


def test_a_metric_added_by_one_function_and_one_entry_reaches_table_and_report(
    figures, tmp_path, monkeypatch
):
    from vaestudy.classifier import Classifier, classifier_network
    from vaestudy.model import build_vae

    monkeypatch.setattr(registry, "METRICS", registry.METRICS + (BRIGHTNESS,))
    x = np.random.default_rng(0).random((70, 784)).astype("float32")
    y = np.arange(70) % 10
    vae = build_vae(latent_dim=2, intermediate_dim=16, kl_coefficient=1.0, seed=0)
    codes = evaluation.encode(vae, x)
    settings = {
        "prior_samples": 20,
        "iw_samples": 5,
        "iw_images": 10,
        "coverage_samples": 70,
        "class_share": 0.02,
    }
    grid = np.full((30, 30, 10), 0.1)
    numbers, _ = summaries.summarise_model(
        vae, Classifier(classifier_network(0)), x, y, codes, grid, settings
    )
    assert numbers["brightness"] == pytest.approx(float(x.mean()))
    assert numbers["brightness_se"] == pytest.approx(x.mean(axis=1).std(ddof=1) / np.sqrt(70))
    row = {"coefficient": 1.0, "seed": 0, "diverged": False, **numbers}
    (tmp_path / "metrics.json").write_text(json.dumps(row))
    columns = list(read_metrics([tmp_path / "metrics.json"]).columns)
    assert columns.index("brightness_se") == columns.index("brightness") + 1
    shown = [0.1325, 0.1328, 0.1331, 0.1334, np.nan]
    with_column = metrics().assign(brightness=shown, brightness_se=0.0004)
    context = context_of(with_column, figures=figures)
    level = context["levels"][0]
    assert "mean pixel" in [c for part in level["summary"] for c in part["columns"]]
    assert "0.1331 ± 0.0004" in cells(level["summary"])
    assert dict(context["definitions"])["mean pixel"].startswith(
        "The mean pixel value of the 1000-sample study"
    )


def test_a_study_of_two_levels_concludes_at_each_and_compares_them(figures):
    eight = Level("mnist", 8)
    two_seeds = pd.concat([metrics(), metrics().assign(seed=1)], ignore_index=True)
    two_seeds.loc[two_seeds["seed"] == 1, ["prior_kid", "iw_nll"]] += [0.01, 0.4]
    wider = two_seeds.assign(latent_dim=8)
    # at 8 dimensions c = 0 generates best
    wider.loc[wider["coefficient"] == 0.0, "prior_kid"] = [0.2, 0.21]
    table = pd.concat([two_seeds, wider], ignore_index=True)
    two = {
        **figures,
        "studies": {MNIST: figures["studies"][MNIST], eight: figures["studies"][MNIST]},
        "models": {
            **figures["models"],
            **{(eight, s, c): paths for (_, s, c), paths in figures["models"].items()},
        },
    }
    config = validate_config(
        {"latent_dim": [2, 8]}, load_schema(ROOT / "workflow/schemas/config.schema.yaml")
    )
    published = load_reference(ROOT / "report/published.yaml")
    context = context_of(table, config, two, published)
    across = context["across"]
    rows = across["criteria"][0]["rows"]
    assert [row["best"] for row in rows] == [1.0, 0.0]
    assert [row["cells"] for row in rows] == [wording.cells(row) for row in rows]
    # generation moves with the problem (the intervals do not overlap); likelihood does not
    generation, likelihood = across["criteria"]
    assert generation["apart"] == [["mnist, 2-D latent, sum loss", "mnist, 8-D latent, sum loss"]]
    assert not likelihood["apart"] and likelihood["common"] is not None
    levels = context["levels"]
    assert [level["anchor"] for level in levels] == ["mnist-z2-sum-", "mnist-z8-sum-"]
    assert [bool(level["plane_note"]) for level in levels] == [False, True]
    # the published study is compared at 2-D (its settings) only, and reproduced there
    assert [level["reference"].applies for level in levels] == [True, False]
    assert levels[0]["reference"].reproduces
    html = " ".join(report.render(TEMPLATE, context).split()).replace("&#39;", "'")
    assert across["sentence"] in html
    for anchor in ("mnist-z2-sum-", "mnist-z8-sum-"):
        assert f'id="{anchor}conclusion"' in html and f'href="#{anchor}metrics"' in html
    assert html.count("data:image/png;base64,") == 2 + 2 * 6 + 2 * 3 * 3


@pytest.mark.parametrize("interval", [(0.02, 2.0), (0.0, 1.0)])
def test_the_shaded_interval_covers_its_ends_and_never_reaches_below_zero(interval):
    fig, ax = plt.subplots()
    answer_plots.shade_interval(ax, interval)
    shade = ax.patches[-1]
    left, right = shade.get_x(), shade.get_x() + shade.get_width()
    plt.close(fig)
    assert 0 <= left <= interval[0] and right >= interval[1]


def test_a_figure_keeps_its_pixels_in_the_fewest_channels(tmp_path):
    grey = np.full((4, 5, 4), 255, np.uint8)
    grey[1, 2, :3] = 90
    assert plots.fewest_channels(grey).shape == (4, 5)
    coloured = grey.copy()
    coloured[0, 0, :3] = (200, 10, 10)
    assert np.array_equal(plots.fewest_channels(coloured), coloured[..., :3])
    see_through = grey.copy()
    see_through[3, 4, 3] = 0
    assert plots.fewest_channels(see_through) is see_through
    # a manifold-like figure, saved: the same RGB pixels as matplotlib's own PNG, in fewer bytes
    for name, cmap in (("grey", "Greys_r"), ("colour", "viridis")):
        image = np.random.default_rng(0).random((40, 40))
        fig, ax = plt.subplots(figsize=(2, 2))
        ax.imshow(image, cmap=cmap)
        fig.savefig(tmp_path / f"{name}-matplotlib.png", dpi=plots.DPI, bbox_inches="tight")
        plots.save_figure(fig, tmp_path / f"{name}.png")
        ours = plt.imread(tmp_path / f"{name}.png")
        theirs = plt.imread(tmp_path / f"{name}-matplotlib.png")[..., :3]
        assert np.array_equal(ours if ours.ndim == 3 else np.dstack([ours] * 3), theirs)
        assert (tmp_path / f"{name}.png").stat().st_size < (
            tmp_path / f"{name}-matplotlib.png"
        ).stat().st_size


def test_the_coefficient_axis_shows_no_negative_c():
    fig, ax = plt.subplots()
    ax.plot([0.0, 0.02, 20.0], [1.0, 2.0, 3.0])
    plots.coefficient_axis(ax, [0.0, 0.02, 20.0])
    low, high = ax.get_xlim()
    plt.close(fig)
    assert -0.02 < low < 0 and high >= 20


def test_an_estimate_prints_no_digit_its_error_swamps():
    assert wording.estimate(420.818, 9.173, 3) == "420.8 ± 9.2"
    assert wording.estimate(0.8052, 0.0949, 4) == "0.805 ± 0.095"
    assert wording.estimate(396.306, 56.837, 3) == "396 ± 57"
    assert wording.estimate(1234.4, 123.4, 2) == "1234 ± 123"
    assert wording.estimate(0.0481, 0.0143, 3) == "0.048 ± 0.014"
    # at most the metric's decimals; no error: the value alone; no value: a dash
    assert wording.estimate(0.655, 0.0088, 3) == "0.655 ± 0.009"
    assert wording.estimate(0.0, 0.0, 3) == "0.000"
    assert wording.estimate(5.0, float("nan"), 2) == "5.00"
    assert wording.estimate(None, 1.0, 2) == wording.estimate(float("nan"), 1.0, 2) == "–"
    # an error below the metric's decimals shows its first digit rather than ± 0
    assert wording.estimate(0.00104, 0.0003, 3) == "0.0010 ± 0.0003"
    assert wording.estimate(10.0, 0.04, 1) == "10.00 ± 0.04"
    assert wording.estimate(5.0, 0.96, 0) == "5 ± 1"
    for value, error, decimals in [(0.011, 4e-4, 3), (2.0, 1e-3, 1), (0.5, 2e-5, 4)]:
        assert float(wording.estimate(value, error, decimals).split(" ± ")[1]) > 0
    # far below the column's decimals, value and error share a power of ten: a collapsed
    # model's KL prints in 10 characters, not 21
    assert wording.estimate(8.3e-7, 3.1e-7, 3) == "(8 ± 3)e-7"
    assert wording.estimate(0.0, 3e-5, 3) == "(0 ± 3)e-5"
    assert wording.estimate(8e-7, 0.96e-7, 3) == "(8.0 ± 1.0)e-7"
    # a value that rounds to zero has no sign
    assert wording.estimate(-0.0001, 0.012, 3) == "0.000 ± 0.012"
    assert wording.estimate(-0.0001, 0.0, 3) == "0.000"
    # uncapped, the error keeps two significant digits (whole numbers from 100 on) and the
    # value moves by at most 1/20 of the error
    rng = np.random.default_rng(0)
    for value, error in zip(rng.normal(0, 100, 500), 10 ** rng.uniform(-4, 3, 500), strict=True):
        shown, shown_error = wording.estimate(value, error, 12).split(" ± ")
        assert abs(float(shown) - value) <= error / 20
        assert abs(float(shown_error) - error) <= error / 20
        digits = shown_error.replace(".", "").lstrip("0")
        two = len(digits) == 2 or float(shown_error) in (0.001, 0.01, 0.1, 1.0, 10.0, 100.0)
        assert two or (error >= 99.5 and "." not in shown_error)


def test_an_error_past_a_bound_stops_there():
    # all ten digit classes at both seeds: the pooled seed spread cannot make it 10.8
    assert wording.estimate(10.0, 0.78, 1, (1, 10)) == "10.0 +0.0/−0.8"
    assert wording.estimate(9.87, 0.44, 2, (1, 10)) == "9.87 +0.13/−0.44"
    assert wording.estimate(0.02, 0.13, 2, (0, None)) == "0.02 +0.13/−0.02"
    assert wording.estimate(3e-5, 4e-5, 3, (0, 1)) == "(3 +4/−3)e-5"
    # within the bounds, or cut by less than the last digit shown: ±
    assert wording.estimate(5.0, 0.8, 1, (1, 10)) == wording.estimate(5.0, 0.8, 1) == "5.0 ± 0.8"
    assert wording.estimate(9.56, 0.444, 2, (1, 10)) == "9.56 ± 0.44"


def test_the_report_stacks_an_error_cut_at_a_bound():
    # the upper bar over the lower, the rest of the cell escaped as any cell is
    cell = report.stacked_bars("10.0 +0.0/−0.8")
    assert cell == '10.0<span class="bars"><sup>+0.0</sup><sub>−0.8</sub></span>'
    assert report.stacked_bars("(3 +4/−3)e-5").endswith("</span>)e-5")
    assert report.stacked_bars("5.0 ± 0.8") == "5.0 ± 0.8"
    assert report.stacked_bars("<b>a & b</b>") == "&lt;b&gt;a &amp; b&lt;/b&gt;"


def test_the_yardstick_table_keeps_every_number_within_its_bounds():
    # seed 1 draws a class more than seed 0 where it can (c = 0; c = 0.1 and 1 are at 10
    # already) and lacks c = 10, where seed 0 drew all ten: its fill-in is held at 10
    table = metrics().assign(prior_classes_se=0.0)
    seed_one = table.query("seed == 0 and not diverged and coefficient != 10").assign(
        seed=1, prior_classes=lambda t: np.minimum(t["prior_classes"] + 1, 10)
    )
    table = pd.concat([table, seed_one], ignore_index=True)
    summary = over_seeds(table, ["prior_classes"])
    assert summary["prior_classes"].between(1, 10).all()
    assert summary.loc[10.0, "prior_classes"] == pytest.approx(10.0)
    parts = dict(summary_parts(table))
    row = parts[registry.CLASSES_DRAWN].set_index("c").loc["10"]
    assert row["classes in N(0, I) decodes"].startswith("10.0 +0.0/−")
    # a bound named by a column is that column's value where every model shares it
    bounds = level_bounds(table.assign(mutual_information_max=np.log(500)))
    assert bounds["mutual_information"] == (0, pytest.approx(np.log(500)))
    assert bounds["prior_kl"] == (0, None)  # the model's own KL: no one number


def test_a_collapsed_model_prints_no_negative_zero():
    # c = 10's posterior is the prior: its KL estimates are round-off on either side of 0
    table = metrics().assign(prior_kl=lambda t: np.where(t["coefficient"] == 10.0, -3e-5, 0.52))
    rows = {row[0]: row for row in loss_table(table)["rows"]}
    assert rows["10"][5] == "0.000" and rows["1"][5] == "0.520"
    text = moments_text("[-0.004, 0.25]", "[[1.0, -0.001], [-0.001, 1.0]]", [-1e-6, 3.1])
    assert (
        text
        == "mean (0.00, 0.25); covariance [[1.00, 0.00], [0.00, 1.00]]; KL per dimension 0.00, 3.10"
    )
    assert "-0.00" not in wording.fixed(-0.004, 2) and wording.fixed(-0.006, 2) == "-0.01"


def test_a_table_shows_a_criterion_to_two_significant_digits():
    assert wording.cells({"best": 1.70385, "interval": [0.0631234, 4.2149]}) == ("1.7", "0.063–4.2")
    assert wording.cells({"best": 0.0, "interval": [0.0, 0.0]}) == ("0", "0")
    assert wording.cells({"best": None, "interval": None}) == ("–", "unknown")


def test_the_answer_table_says_which_criteria_average_geometrically():
    # a learned Gaussian decoder's IW NLL is negative: its seeds average as they are, while
    # the KID beside it, positive, averages geometrically (the noise model's own scales)
    rows = [
        {"coefficient": c, "seed": s, "diverged": False, "prior_kid": 0.5 + c / 10 + s / 100}
        | {"iw_nll": -140.0 - c + s, "prior_kid_se": 0.01, "iw_nll_se": 0.5}
        for c in (0.1, 1.0, 10.0)
        for s in (0, 1)
    ]
    frame = pd.DataFrame(rows)
    found = [criteria.answer(frame, criterion) for criterion in criteria.CRITERIA]
    assert [result.spread.relative for result in found] == [True, False]
    records = [
        {"name": c.name, "seed_spread": {"relative": r.spread.relative}}
        for c, r in zip(criteria.CRITERIA, found, strict=True)
    ]
    geometric, arithmetic = wording.mean_clause(records).split("an arithmetic one")
    assert "generation from the prior" in geometric and "held-out likelihood" in arithmetic
    both = wording.mean_clause([records[0], records[0] | {"name": "held-out likelihood"}])
    assert "arithmetic" not in both


def test_a_criterion_states_its_seed_spread_to_two_significant_digits():
    spread = {"paired": True, "dof": 5, "measured_on": [0.1, 1.0], "same_everywhere_p": 0.64}
    criterion = {
        "name": "held-out likelihood",
        "measure": "IW NLL",
        "best": 0.97,
        "interval": [0.071, 2.4],
        "confidence": 0.95,
        "at_zero": 0.0,
        "within": None,
        "edge": None,
        "unresolved": [],
    }
    for sd, relative, shown in [
        (0.11349, True, "11%"),
        (0.006472, True, "0.65%"),
        (4.7381, False, "4.7"),
    ]:
        criterion["seed_spread"] = {**spread, "sd": sd, "relative": relative}
        sentence = wording.criterion_sentence(criterion)
        assert (
            f"a seed-to-seed spread of {shown}{' of the value' if relative else ''} (" in sentence
        )
