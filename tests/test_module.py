"""The study used as a Snakemake module from a user's own Snakefile, as snakedeploy writes it."""

import subprocess
import sys

import pandas as pd
import pytest
from conftest import ROOT

pytestmark = pytest.mark.slow

WRAPPER = """configfile: "config.yaml"


module vaestudy:
    snakefile:
        "{snakefile}"
    config:
        config


use rule * from vaestudy as vaestudy_*
"""
# the user's own settings: two coefficients, one epoch, no extra seeds or refined models
SETTINGS = """coefficients: [0, 1]
epochs: 1
train_limit: 600
test_limit: 300
prior_samples: 100
classifier_epochs: 1
iw_samples: 20
iw_images: 50
coverage_samples: 300
contender_seeds: 1
refine_models: 0
mnist_path: {mnist}
"""


def test_a_users_snakefile_runs_the_study_as_a_module_with_their_settings(tmp_path, mnist_path):
    (tmp_path / "Snakefile").write_text(WRAPPER.format(snakefile=ROOT / "Snakefile"))
    (tmp_path / "config.yaml").write_text(SETTINGS.format(mnist=mnist_path))
    run = subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "rule vaestudy_train_vae:" in run.stderr + run.stdout
    losses = pd.read_csv(tmp_path / "results/tables/metrics.csv")
    assert sorted(losses["coefficient"]) == [0.0, 1.0] and set(losses["seed"]) == {0}
    history = pd.read_csv(tmp_path / "results/models/mnist/z2/sum/seed0/c1/history.csv")
    assert history["epoch"].tolist() == [1]  # the user's epochs, not the study's 40
    html = (tmp_path / "results/report.html").read_text()
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    assert f"<td>workflow</td><td>commit {head[:12]} (" in html
    assert 'id="explore"' in html
