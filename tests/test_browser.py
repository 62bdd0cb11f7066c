"""The tiny study's report opened in headless Chromium, as a person would see it."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--virtual-time-budget=10000",
]
# After load, the page records what the browser made of it in a data attribute.
PROBE = """<script>window.addEventListener("load", () => {
  const images = [...document.images].map(i => i.naturalWidth);
  const alts = [...document.images].map(i => i.alt);
  const rows = document.querySelectorAll("table.losses tbody tr").length;
  const conclusion = document.querySelector(".conclusion")?.innerText ?? "";
  const published = document.querySelector("#published")?.nextElementSibling?.innerText ?? "";
  const links = [...document.querySelectorAll("nav.toc a")].map(a => {
    a.click();  // a reader following the link: is its section now on screen?
    const top = document.querySelector(a.hash)?.getBoundingClientRect().top;
    return {hash: a.hash, top: top ?? null, height: window.innerHeight};
  });
  // the yardstick tables: no sideways scrolling, and every "mean ± error" (or its bars cut at
  // a bound, "+a" over "−b") on one line
  const wide = [...document.querySelectorAll(".wide")].map(d => d.scrollWidth - d.clientWidth);
  const page = document.documentElement.scrollWidth - window.innerWidth;
  const lines = [...document.querySelectorAll("table.summary tbody tr")].flatMap(tr => {
    const one = tr.cells[0].getBoundingClientRect().height;
    return [...tr.cells].filter(td => /±|[+][0-9]/.test(td.innerText))
      .map(td => td.getBoundingClientRect().height / one);
  });
  document.body.dataset.probe = JSON.stringify(
    {images, alts, rows, conclusion, published, links, wide, page, lines});
});</script></body>"""


@pytest.fixture(scope="module")
def chromium():
    if not CHROMIUM:
        pytest.skip("no Chromium here (Debian: apt-get install -y chromium)")
    return CHROMIUM


def browse(chromium, page, tmp_path, *args):
    command = [chromium, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args, page.as_uri()]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_report_images_table_and_conclusion_render(study, chromium, tmp_path):
    report = study / "results/report.html"
    probed = tmp_path / "probed.html"
    probed.write_text(report.read_text().replace("</body>", PROBE, 1))
    dom = browse(chromium, probed, tmp_path, "--window-size=1280,800", "--dump-dom").stdout
    found = re.search(r'data-probe="([^"]*)"', dom)
    assert found, "the page did not finish loading in Chromium"
    probe = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    # N(0, I), the levels, the answer, the level's five figures, three per configured model
    assert len(probe["images"]) == 3 + 5 + 3 * 5 and all(width > 0 for width in probe["images"])
    losses = pd.read_csv(study / "results/tables/metrics.csv")
    assert probe["rows"] == len(losses)  # one row per model of the loss table
    assert "c ≈ " in probe["conclusion"]
    assert "Every coefficient's encoder scatter side by side" in probe["alts"]
    assert "Every coefficient's decoder manifold side by side" in probe["alts"]
    # the tiny run's settings differ from the published study's, and the page says so
    assert "No published reference applies to these models" in probe["published"]
    assert len(probe["links"]) == 11
    for link in probe["links"]:
        assert link["top"] is not None and -2 <= link["top"] < link["height"], link

    # on a laptop's 1,280 px: nothing scrolls sideways, each value reads with its error on
    # one line
    assert probe["page"] <= 0 and max(probe["wide"]) <= 0, probe["wide"]
    assert probe["lines"] and max(probe["lines"]) < 1.5, probe["lines"]

    screenshot = tmp_path / "report.png"
    browse(chromium, report, tmp_path, "--window-size=1200,3000", f"--screenshot={screenshot}")
    assert screenshot.stat().st_size > 50_000
    print(f"screenshot of the report for a person to look at: {screenshot}")


# The explorer's own decodes at fixed points, for comparison with Keras.
POINTS = [(0.0, 0.0), (2.0, -2.0), (-1.5, 0.7)]
DECODES = """<script>window.addEventListener("load", () => {
  const explorer = window.vaeExplorers[0];
  const points = %s;
  const result = {coefficients: explorer.coefficients, decodes: {}};
  explorer.coefficients.forEach((c, i) => {
    try { result.decodes[c] = points.map(([u, v]) => explorer.decode(i, u, v)); }
    catch (error) { result.decodes[c] = null; }
  });
  const captions = [...document.querySelectorAll(".explorer figcaption")].map(f => f.innerText);
  document.body.dataset.probe = JSON.stringify({...result, captions});
});</script></body>"""


def test_the_explorer_decodes_in_the_page_as_keras_does_offline(study, chromium, tmp_path):
    from vaestudy import explorer
    from vaestudy.model import build_vae

    report = study / "results/report.html"
    script = (Path(__file__).resolve().parents[1] / "report/explorer.js").read_text()
    assert script in report.read_text()  # the template includes it unchanged
    probed = tmp_path / "explorer.html"
    probed.write_text(report.read_text().replace("</body>", DECODES % json.dumps(POINTS), 1))
    # every request off the machine fails: the page must need none
    offline = ["--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>"]
    dom = browse(chromium, probed, tmp_path, *offline, "--dump-dom").stdout
    found = re.search(r'data-probe="([^"]*)"', dom)
    assert found, "the explorer did not run in Chromium"
    probe = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert probe["coefficients"] == ["0", "0.5", "1", "2", "1e+38"]
    assert probe["captions"] == ["c = 0", "c = 0.5", "c = 1", "c = 2", "c = 1e+38 (diverged)"]
    assert probe["decodes"]["1e+38"] is None  # nothing to decode for the diverged model
    for label in ("0", "1"):
        vae = build_vae(
            latent_dim=2,
            intermediate_dim=512,
            kl_coefficient=float(label),
            seed=0,
            learning_rate=1e-3,
            precision="float32",
        )
        vae.load_weights(study / f"results/models/mnist/z2/sum/seed0/c{label}/final.weights.h5")
        keras_pixels = 1 / (1 + np.exp(-vae.decoder.predict_on_batch(np.float32(POINTS))))
        page_pixels = np.array(probe["decodes"][label])
        assert page_pixels.shape == (len(POINTS), 784)
        difference = np.abs(page_pixels - keras_pixels).max()
        assert difference <= explorer.PARITY_TOLERANCE, (label, difference)
        assert page_pixels.std() > 0.02  # an image, not a flat grey
        record = json.loads(
            (study / f"results/explorer/mnist/z2/sum/seed0/c{label}.json").read_text()
        )
        assert record["largest_difference"] <= explorer.PARITY_TOLERANCE
        assert record["bytes"] <= 1_100_000  # about 1 MB of the page per model
