"""The documentation a user reads: short README, links that resolve, no paths of our machines,
and the results page generated from a run."""

import json
import re
import subprocess

import pytest
from conftest import ROOT, results_page

DOCS = [
    ROOT / "README.md",
    ROOT / "CHANGELOG.md",
    ROOT / "bench/README.md",
    *sorted((ROOT / "docs").glob("*.md")),
]


def test_readme_is_short_enough_to_finish():
    assert len((ROOT / "README.md").read_text().splitlines()) <= 150


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


def test_nothing_a_user_reads_names_a_path_of_our_machines():
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    readable = [ROOT / p for p in tracked if p.endswith((".md", ".py", ".smk", ".yaml", ".j2"))]
    readable.append(ROOT / "Snakefile")
    # .ci/run runs on the project's own machines and names their copy of MNIST
    ours = ["../" + "shared", "/" + "work/"]  # not spelled out, or this file would name them
    for path in readable:
        text = path.read_text()
        assert not any(place in text for place in ours), path


def test_the_metrics_page_is_the_registry_s():
    from vaestudy import registry

    assert (ROOT / "docs/metrics.md").read_text() == registry.markdown()


@pytest.mark.slow
def test_the_results_page_is_generated_from_the_run(study):
    page = results_page(study / "results")
    saved = json.loads((study / "results/tables/conclusion.json").read_text())
    assert "\n## The answer\n" in page
    for answer in saved["levels"][0]["criteria"]:
        assert f"- **{answer['name']}**: c ≈ {answer['best']:g} (" in page
    assert "| 5% |" in page and "### Fit: distortion, rate and likelihood" in page
