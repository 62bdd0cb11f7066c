"""The HTML report from synthetic results: structure, numbers, escaping, diverged models."""

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT

from vaestudy import plots, report
from vaestudy.config import load_schema, validate_config

TEMPLATE = ROOT / "report/report.html.j2"


@pytest.fixture(scope="module")
def figures(tmp_path_factory):
    folder = tmp_path_factory.mktemp("figures")
    rng = np.random.default_rng(0)
    plots.prior_scatter(folder / "prior.png", n=200)
    models = {}
    for c in (0.0, 1.0, 1e6):
        encoder, manifold = folder / f"encoder_{c}.png", folder / f"manifold_{c}.png"
        plots.encoder_scatter(encoder, rng.standard_normal((50, 2)), rng.integers(0, 10, 50), c)
        plots.manifold(manifold, rng.random((84, 84)), c, size=3)
        models[(0, c)] = {"encoder": encoder, "manifold": manifold}
    return {"prior": folder / "prior.png", "models": models}


def losses():
    return pd.DataFrame(
        {
            "coefficient": [0.0, 1.0, 1e6],
            "seed": [0, 0, 0],
            "loss": [141.5, 150.4, np.nan],
            "reconstruction": [141.5, 144.2, np.nan],
            "kl": [507.0, 6.2, np.nan],
            "prior_kl": [9.5, 0.2, np.nan],
            "diverged": [False, False, True],
            "epochs": [40, 40, 3],
            "train_seconds": [200.0, 201.0, 15.0],
        }
    )


def render(figures, **config_overrides):
    schema = load_schema(ROOT / "workflow/schemas/config.schema.yaml")
    config = validate_config({}, schema)
    config.update(config_overrides)
    data = {
        "source": "<script>alert(1)</script>",
        "sha256": "ab" * 32,
        "train_images": 60000,
        "test_images": 10000,
    }
    return report.render(TEMPLATE, report.build_context(config, losses(), figures, data))


def test_report_shows_table_conclusion_and_every_figure(figures):
    html = render(figures)
    assert html.count("data:image/png;base64,") == 1 + 3 * 2
    assert "Recommended: c = 1." in html
    assert "144.20" in html and "507.000" in html
    assert "out: diverged" in html and ">diverged<" in html


def test_values_from_config_and_files_are_escaped(figures):
    html = render(figures, mnist_url="http://x/<b>bold</b>")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
