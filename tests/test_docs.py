"""The documentation a user reads: links that resolve, no paths of the machine it was made
on, and the results page generated from a run."""

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, results_page

from vaestudy import wording

DOCS = [
    ROOT / "README.md",
    ROOT / "CHANGELOG.md",
    ROOT / "bench/README.md",
    *sorted((ROOT / "docs").glob("*.md")),
]


@pytest.mark.parametrize("page", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_and_image_resolves(page):
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text()):
        if not target.startswith(("http://", "https://")):
            assert (page.parent / target).exists(), f"{page.name} links to missing {target}"


def test_the_version_is_the_same_in_the_package_the_citation_and_the_changelog():
    package = re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M)
    citation = re.search(r"^version: (\S+)", (ROOT / "CITATION.cff").read_text(), re.M)
    latest = re.search(r"^## (\d+\.\d+\.\d+)", (ROOT / "CHANGELOG.md").read_text(), re.M)
    assert package[1] == citation[1] == latest[1]
    assert f"v{package[1]}" in (ROOT / "docs/module.md").read_text()  # the tag users pin


def places_of_this_machine():
    """How a file could name this machine: the folder above the checkout, and the folders of
    the local MNIST copy outside the checkout (absolute, and relative to the checkout)."""
    places = [f"{ROOT.parent}/"]
    if os.environ.get("MNIST_PATH"):
        data = Path(os.environ["MNIST_PATH"]).resolve().parent
        for folder in (data, data.parent):
            relative = os.path.relpath(folder, ROOT)
            if relative.startswith(".."):
                places += [str(folder), relative]
    return [place for place in places if len(place) > 3]  # not "/" or "..", which name no one


def test_nothing_a_user_reads_names_a_path_of_this_machine():
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    readable = [ROOT / p for p in tracked if p.endswith((".md", ".py", ".smk", ".yaml", ".j2"))]
    readable.append(ROOT / "Snakefile")
    places = places_of_this_machine()
    for path in readable:
        text = path.read_text()
        assert not any(place in text for place in places), (path, places)


def test_the_metrics_page_is_the_registry_s():
    from vaestudy import registry

    assert (ROOT / "docs/metrics.md").read_text() == registry.markdown()


@pytest.mark.slow
def test_the_results_page_is_generated_from_the_run(study):
    page = results_page(study / "results")
    saved = json.loads((study / "results/tables/conclusion.json").read_text())
    assert "\n## The answer\n" in page
    for answer in saved["levels"][0]["criteria"]:
        assert f"- **{answer['name']}**: {wording.headline(answer)}" in page
    assert "| 5% |" in page and "### Fit: distortion, rate and likelihood" in page


def test_the_results_page_says_what_follows_from_each_k_sweep():
    import importlib.util

    spec = importlib.util.spec_from_file_location("generate", ROOT / "docs/generate_results.py")
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    sweep = {"coefficient": 1.0, "seed": 0, "images": 1000, "k": 1000, "largest_k": 5000}
    sweep |= {"excess": 0.156, "excess_se": 0.022, "seed_sd": 0.19}
    row = {"k": 1000, "iw_nll": 98.4, "iw_nll_se": 1.0, "ess_fraction": 0.2}
    row |= {"excess_over_largest_k": 0.156, "excess_over_largest_k_se": 0.022}
    sweep["rows"] = [row]
    said = {
        (converged, loose): generate.sweep_markdown(
            sweep | {"converged": converged, "loose": loose}
        )
        for converged, loose in [(True, False), (False, True), (False, False)]
    }
    # the report's sentence, one per verdict; still falling yet inside the fit, it says
    # what to change
    for (converged, loose), page in said.items():
        assert wording.sweep_sentence(sweep | {"converged": converged, "loose": loose}) in page
    assert len(set(said.values())) == 3 and "raise iw_samples" in said[False, False]
    assert "| 1000 | 98.4 ± 1.0 | 0.156 ± 0.022 | 0.200 |" in said[False, False]
